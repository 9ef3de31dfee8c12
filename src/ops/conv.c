/* CONV_2D: NHWC input, OHWI filter, optional bias, fused activation. Follows TFLite's reference kernels
 * (tensorflow/lite/kernels/internal/reference/conv.h and reference/integer_ops/conv.h ConvPerChannel):
 * float32; int8 activations with int8 weights (per-tensor or per-channel scales, int32 bias, int32
 * accumulator); int16 activations with int8 weights (int64 bias, int64 accumulator, TFLite's 64-bit
 * MultiplyByQuantizedMultiplier, no zero points); uint8 activations with uint8 weights (TFLite's "v1"
 * asymmetric quantization, reference/conv.h: one filter scale and zero point, int32 bias and accumulator,
 * weight offset added to every tap). Grouped convolution is supported as TFLite does it: the input has
 * `groups` times the filter's input channels and each group of output channels reads its own slice of
 * input channels. Hybrid (float input, int8 filter, float bias; TFLite conv.cc EvalHybrid and
 * EvalHybridPerChannel): per-tensor filters quantize each batch symmetrically, per-channel ones (distinct
 * scales) asymmetrically; no groups, and no dilation with per-channel filters (TFLite ignores it there).
 * Fast paths, chosen at prepare for constant filters without groups: int8 runs the int8 GEMM
 * (gemm_s8.h), bit-exact with the loops below; float runs the float GEMM (gemm_f32.h). Both read the input
 * in place for a 1x1 stride-1 unpadded conv and gather rows by im2col into per-thread scratch otherwise.
 * The loops below stay as the reference for every other case and for the tests. */
#include <string.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/gemm_f32.h"
#include "ops/gemm_s8.h"
#include "ops/hybrid.h"

/* The fast int8 path: the convolution as a GEMM over rows of K = filter_h * filter_w * in_c activations
 * (the input itself for a 1x1 stride-1 unpadded conv, else gathered per tile by im2col) against the OHWI
 * filter, packed at prepare. Per-thread scratch: the packed activation tile and MR im2col rows. */
typedef struct {
  bool on;
  bool direct;             /* the input rows are the GEMM's rows */
  int64_t rows, k;         /* M = batches * out_h * out_w; K */
  int8_t input_zero_point; /* what im2col writes for padding taps (contributes 0, as the reference skips) */
  size_t tile_bytes, thread_bytes;
  er_s8_gemm gemm;
} conv_i8_gemm;

/* The fast float path: the same GEMM on float (gemm_f32.h), the filter packed at prepare as the right
 * operand (given transposed, [out_c x K]), bias per column, the activation's clamp in the epilogue. The
 * im2col rows are built block_rows at a time in per-thread scratch, followed by that block's GEMM scratch. */
typedef struct {
  bool on;
  bool direct;
  int64_t rows, k, block_rows;
  const er_f32_gemm_ukernels *uk;
  const float *packed_w;
  size_t cols_bytes, thread_bytes;
  er_fused_act act;
} conv_f32_gemm;

typedef struct {
  er_conv_geometry g;
  int64_t filter_c; /* input channels one filter reads (per group) */
  int64_t filters_per_group;
  float act_min_f, act_max_f;
  er_conv_quant q;
  /* Hybrid (float input, int8 filter): per-channel filters quantize the input asymmetrically, per-tensor
   * ones symmetrically with the filter scale folded into each batch's scale. */
  bool hybrid;
  const float *channel_scales; /* NULL: per-tensor filter */
  float filter_scale;
  er_hybrid_scratch scratch;
  conv_i8_gemm fast_i8;
  conv_f32_gemm fast_f32;
} conv_data;

/* Filters with more than one distinct channel scale take TFLite's per-channel hybrid kernel
 * (EvalHybridPerChannel); equal scales, or one, take the per-tensor one (EvalHybrid). */
static bool distinct_channel_scales(const er_tensor *filter) {
  for (int32_t c = 1; c < filter->q.channels; c++)
    if (filter->q.scales[c] != filter->q.scales[0]) return true;
  return false;
}

static edgert_status prepare_hybrid(er_op_ctx *ctx, conv_data *d, const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "filter", true, 0, d->g.out_c);
  if (st != EDGERT_OK) return st;
  if (d->filters_per_group != d->g.out_c)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "grouped convolution is not supported with an int8 filter on "
                   "float input (TFLite has no such hybrid kernel)");
  d->hybrid = true;
  d->filter_scale = er_hybrid_weight_scale(filter);
  d->channel_scales = filter->q.channels > 1 && distinct_channel_scales(filter) ? filter->q.scales : NULL;
  /* TFLite's per-channel hybrid kernel runs with dilation 1 whatever the model says; rather than compute
   * that other function, edgert refuses it. */
  if (d->channel_scales && (d->g.dil_h != 1 || d->g.dil_w != 1))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "dilation with a per-channel int8 filter on float input is not supported (TFLite's hybrid "
                   "kernel ignores dilation)");
  return er_hybrid_prepare_scratch(ctx, d->g.batches * d->g.in_h * d->g.in_w * d->g.in_c, d->g.batches,
                                   &d->scratch);
}

static bool is_constant(const er_tensor *t) { return t->kind == ER_TENSOR_CONST && t->data; }

static size_t round_64(size_t v) { return (v + 63) / 64 * 64; }

static bool direct_rows(const er_conv_geometry *g) {
  return g->filter_h == 1 && g->filter_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_h == 0 &&
         g->pad_w == 0 && g->out_h == g->in_h && g->out_w == g->in_w;
}

/* Takes the GEMM path for int8 x int8 without groups when filter and bias are constants (they are packed
 * here); otherwise the reference loops run. */
static edgert_status prepare_fast_i8(er_op_ctx *ctx, conv_data *d, const er_tensor *in,
                                     const er_tensor *filter, const er_tensor *bias) {
  conv_i8_gemm *f = &d->fast_i8;
  if (filter->dtype != EDGERT_INT8 || d->filters_per_group != d->g.out_c || !is_constant(filter) ||
      (bias && !is_constant(bias)) || !er_s8_gemm_multipliers_ok(d->q.multipliers, d->g.out_c))
    return EDGERT_OK;
  const er_conv_geometry *g = &d->g;
  f->k = g->filter_h * g->filter_w * g->in_c;
  f->rows = g->batches * g->out_h * g->out_w;
  f->direct = direct_rows(g);
  f->input_zero_point = (int8_t)in->q.zero_point;
  edgert_status st = er_s8_gemm_prepare(
      ctx, er_s8_gemm_select(), filter->data, g->out_c, f->k, bias ? bias->data : NULL, d->q.input_offset,
      d->q.multipliers, d->q.shifts, d->q.output_offset, d->q.act_min, d->q.act_max, &f->gemm);
  if (st != EDGERT_OK) return st;
  f->tile_bytes = er_s8_gemm_tile_bytes(&f->gemm);
  const size_t im2col = f->direct ? 0 : round_64((size_t)(f->gemm.arch->mr * f->k));
  f->thread_bytes = f->tile_bytes + im2col;
  ctx->scratch_bytes = f->thread_bytes * (size_t)er_num_threads(ctx);
  f->on = true;
  return EDGERT_OK;
}

/* Float filters that are constants, without groups, take the float GEMM; others the reference loops. */
static edgert_status prepare_fast_f32(er_op_ctx *ctx, conv_data *d, const er_tensor *filter) {
  conv_f32_gemm *f = &d->fast_f32;
  const er_conv_geometry *g = &d->g;
  if (filter->dtype != EDGERT_FLOAT32 || d->filters_per_group != g->out_c || !is_constant(filter))
    return EDGERT_OK;
  f->k = g->filter_h * g->filter_w * g->in_c;
  f->rows = g->batches * g->out_h * g->out_w;
  f->direct = direct_rows(g);
  f->uk = er_f32_gemm_select(er_cpu_detect());
  size_t weight_bytes, gemm_bytes;
  const int32_t threads = er_num_threads(ctx);
  /* im2col blocks of about 256 KiB, at least one micro-kernel tile of rows. */
  const int64_t per_block = 65536 / f->k > (int64_t)f->uk->mr ? 65536 / f->k : (int64_t)f->uk->mr;
  f->block_rows = f->rows < per_block ? f->rows : per_block;
  if (!er_f32_gemm_packed_b_bytes(f->uk, f->k, g->out_c, &weight_bytes) ||
      !er_f32_gemm_scratch_bytes(f->uk, f->direct ? f->rows : f->block_rows, g->out_c, f->k, false, true,
                                 f->direct ? threads : 1, &gemm_bytes))
    return EDGERT_OK;
  float *packed = er_persist_alloc(ctx, weight_bytes);
  if (!packed) return EDGERT_ERR_NO_MEMORY;
  er_f32_gemm_pack_b(ctx, f->uk, f->k, g->out_c, (er_f32_matrix){filter->data, f->k, true}, 1.0f, packed);
  er_input_packed(ctx, 1);
  f->packed_w = packed;
  f->act = (er_fused_act){ER_ACT_CLIP, d->act_min_f, d->act_max_f, NULL};
  f->cols_bytes = f->direct ? 0 : round_64(sizeof(float) * (size_t)(f->block_rows * f->k));
  f->thread_bytes = f->cols_bytes + round_64(gemm_bytes);
  ctx->scratch_bytes = f->direct ? gemm_bytes : f->thread_bytes * (size_t)threads;
  f->on = true;
  return EDGERT_OK;
}

static edgert_status conv_prepare(er_op_ctx *ctx) {
  const er_conv_attrs *a = er_attrs(ctx);
  edgert_status st = er_conv_check_attrs(ctx, a, true);
  if (st == EDGERT_OK) st = er_check_io(ctx, 2, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if ((st = er_conv_check_4d(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = er_conv_check_4d(ctx, filter, "filter")) != EDGERT_OK) return st;
  st = er_conv_check_types(ctx, in, filter, bias, out, filter->dims[0], "filter", ER_CONV_HYBRID);
  if (st != EDGERT_OK) return st;

  conv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  const int64_t in_c = in->dims[3], out_c = filter->dims[0];
  d->filter_c = filter->dims[3];
  if (in_c % d->filter_c != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "input channels %lld are not a multiple of filter input channels %lld", (long long)in_c,
                   (long long)d->filter_c);
  int64_t groups = in_c / d->filter_c;
  if (out_c % groups != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "output channels %lld do not split into %lld groups",
                   (long long)out_c, (long long)groups);
  d->filters_per_group = out_c / groups;
  if ((st = er_conv_plan_2d(ctx, a, in, filter->dims[1], filter->dims[2], out_c, out, &d->g)) != EDGERT_OK)
    return st;

  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  if (in->dtype == EDGERT_FLOAT32 && filter->dtype == EDGERT_INT8 &&
      (st = prepare_hybrid(ctx, d, filter)) != EDGERT_OK)
    return st;
  if (in->dtype != EDGERT_FLOAT32 &&
      (st = er_conv_prepare_quant(ctx, &d->q, a->activation, in, filter, out, 0, d->g.out_c)) != EDGERT_OK)
    return st;
  if (in->dtype == EDGERT_INT8 && (st = prepare_fast_i8(ctx, d, in, filter, bias)) != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32 && !d->hybrid && (st = prepare_fast_f32(ctx, d, filter)) != EDGERT_OK)
    return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

/* Offset of the first input channel the filters of output channel `oc` read at (b, y, x). */
static inline int64_t input_at(const conv_data *d, int64_t b, int64_t y, int64_t x, int64_t oc) {
  return ((b * d->g.in_h + y) * d->g.in_w + x) * d->g.in_c + (oc / d->filters_per_group) * d->filter_c;
}

static inline int64_t filter_at(const conv_data *d, int64_t oc, int64_t fy, int64_t fx) {
  return ((oc * d->g.filter_h + fy) * d->g.filter_w + fx) * d->filter_c;
}

/* The loops over output pixels and filter taps are the same for every dtype; only the multiply-accumulate
 * and the output conversion differ. Zero padding is done by skipping taps outside the image. */
#define CONV_LOOPS(ACC_T, INIT, MAC, STORE)                                                                  \
  for (int64_t b = 0; b < d->g.batches; b++)                                                                 \
    for (int64_t oy = 0; oy < d->g.out_h; oy++)                                                              \
      for (int64_t ox = 0; ox < d->g.out_w; ox++)                                                            \
        for (int64_t oc = 0; oc < d->g.out_c; oc++) {                                                        \
          ACC_T acc = INIT;                                                                                  \
          for (int64_t fy = 0; fy < d->g.filter_h; fy++) {                                                   \
            int64_t iy = oy * d->g.stride_h - d->g.pad_h + fy * d->g.dil_h;                                  \
            if (iy < 0 || iy >= d->g.in_h) continue;                                                         \
            for (int64_t fx = 0; fx < d->g.filter_w; fx++) {                                                 \
              int64_t ix = ox * d->g.stride_w - d->g.pad_w + fx * d->g.dil_w;                                \
              if (ix < 0 || ix >= d->g.in_w) continue;                                                       \
              const int64_t ip = input_at(d, b, iy, ix, oc), fp = filter_at(d, oc, fy, fx);                  \
              for (int64_t ic = 0; ic < d->filter_c; ic++)                                                   \
                MAC;                                                                                         \
            }                                                                                                \
          }                                                                                                  \
          STORE;                                                                                             \
        }

static void conv_f32(const conv_data *d, const float *in, const float *filter, const float *bias,
                     float *out) {
  int64_t o = 0;
  CONV_LOOPS(float, 0.0f, acc += in[ip + ic] * filter[fp + ic],
             out[o++] = er_clamp_f(acc + (bias ? bias[oc] : 0.0f), d->act_min_f, d->act_max_f))
}

static void conv_i8(const conv_data *d, const int8_t *in, const int8_t *filter, const int32_t *bias,
                    int8_t *out) {
  int64_t o = 0;
  /* int64 sum, reduced mod 2^32 below: the same bits as TFLite's wrapping int32 accumulator. */
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * ((int32_t)in[ip + ic] + d->q.input_offset),
             out[o++] = (int8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

/* GEMM row m (output pixel b, oy, ox) gathered from the input (elements of elem_bytes): for each tap
 * (fy, fx) in_c values, or bytes of pad_byte where the tap falls in the padding (the input zero point for
 * int8, 0.0f for float: either contributes nothing, as the reference skips such taps). */
static void im2col_row(const er_conv_geometry *g, const void *input, size_t elem_bytes, int pad_byte,
                       int64_t m, void *row_out) {
  const unsigned char *in = input;
  unsigned char *row = row_out;
  const int64_t ox = m % g->out_w, oy = m / g->out_w % g->out_h, b = m / g->out_w / g->out_h;
  const size_t tap_bytes = (size_t)g->in_c * elem_bytes; /* one input pixel: groups are not taken here */
  const int64_t x0 = ox * g->stride_w - g->pad_w, x_last = x0 + (g->filter_w - 1) * g->dil_w;
  /* With dilation 1 and the whole window row inside the image, a window row is one run of bytes. */
  const bool row_run = g->dil_w == 1 && x0 >= 0 && x_last < g->in_w;
  for (int64_t fy = 0; fy < g->filter_h; fy++, row += tap_bytes * (size_t)g->filter_w) {
    const int64_t iy = oy * g->stride_h - g->pad_h + fy * g->dil_h;
    if (iy < 0 || iy >= g->in_h) {
      memset(row, pad_byte, tap_bytes * (size_t)g->filter_w);
      continue;
    }
    const unsigned char *line = in + (size_t)((b * g->in_h + iy) * g->in_w) * tap_bytes;
    if (row_run) {
      memcpy(row, line + (size_t)x0 * tap_bytes, tap_bytes * (size_t)g->filter_w);
      continue;
    }
    for (int64_t fx = 0; fx < g->filter_w; fx++) {
      const int64_t ix = x0 + fx * g->dil_w;
      if (ix < 0 || ix >= g->in_w)
        memset(row + (size_t)fx * tap_bytes, pad_byte, tap_bytes);
      else
        memcpy(row + (size_t)fx * tap_bytes, line + (size_t)ix * tap_bytes, tap_bytes);
    }
  }
}

typedef struct {
  const conv_data *d;
  const int8_t *in;
  int8_t *out;
  unsigned char *scratch;
} conv_i8_job;

/* Tiles [begin, end) of MR output pixels each. */
static void conv_i8_tiles(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const conv_i8_job *job = arg;
  const conv_i8_gemm *f = &job->d->fast_i8;
  const int64_t mr = f->gemm.arch->mr, first = begin * mr, last = end * mr < f->rows ? end * mr : f->rows;
  unsigned char *tile = job->scratch + (size_t)thread * f->thread_bytes;
  if (f->direct) {
    er_s8_gemm_rows(&f->gemm, job->in, f->k, first, last, job->out, tile);
    return;
  }
  int8_t *cols = (int8_t *)(tile + f->tile_bytes);
  const int8_t *rows[16];
  for (int64_t m = first; m < last; m += mr) {
    const int32_t count = (int32_t)(last - m < mr ? last - m : mr);
    for (int32_t r = 0; r < count; r++) {
      rows[r] = cols + r * f->k;
      im2col_row(&job->d->g, job->in, 1, f->input_zero_point, m + r, cols + r * f->k);
    }
    er_s8_gemm_tile(&f->gemm, count, rows, job->out + m * f->gemm.n, tile);
  }
}

static void conv_i8_fast(er_op_ctx *ctx, const conv_data *d, const int8_t *in, int8_t *out) {
  const conv_i8_gemm *f = &d->fast_i8;
  const int64_t mr = f->gemm.arch->mr, tiles = (f->rows + mr - 1) / mr;
  /* Chunks of at least ~64k multiply-adds, so that threads are not woken for less. */
  const int64_t tile_work = mr * f->k * f->gemm.n, grain = tile_work >= 65536 ? 1 : 65536 / tile_work;
  conv_i8_job job = {d, in, out, ctx->scratch};
  er_parallel_for(ctx, tiles, grain, conv_i8_tiles, &job);
}

typedef struct {
  const conv_data *d;
  const float *in, *bias;
  float *out;
  unsigned char *scratch;
} conv_f32_job;

static er_f32_gemm_args f32_gemm_args(const conv_f32_gemm *f, int64_t rows, const float *a, const float *bias,
                                      int64_t out_c, float *out) {
  return (er_f32_gemm_args){.m = rows,
                            .n = out_c,
                            .k = f->k,
                            .a = {a, f->k, false},
                            .b_packed = f->packed_w,
                            .c = out,
                            .ldc = out_c,
                            .bias = bias,
                            .bias_kind = bias ? ER_F32_BIAS_PER_COL : ER_F32_BIAS_NONE,
                            .act = f->act};
}

/* im2col blocks [begin, end) of block_rows output pixels, each multiplied on this thread. */
static void conv_f32_blocks(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const conv_f32_job *job = arg;
  const conv_f32_gemm *f = &job->d->fast_f32;
  unsigned char *mine = job->scratch + (size_t)thread * f->thread_bytes;
  float *cols = (float *)mine;
  for (int64_t blk = begin; blk < end; blk++) {
    const int64_t first = blk * f->block_rows,
                  count = f->rows - first < f->block_rows ? f->rows - first : f->block_rows;
    for (int64_t r = 0; r < count; r++)
      im2col_row(&job->d->g, job->in, sizeof(float), 0, first + r, cols + r * f->k);
    er_f32_gemm_args args =
        f32_gemm_args(f, count, cols, job->bias, job->d->g.out_c, job->out + first * job->d->g.out_c);
    er_f32_gemm_run(NULL, f->uk, &args, mine + f->cols_bytes);
  }
}

static void conv_f32_fast(er_op_ctx *ctx, const conv_data *d, const float *in, const float *bias,
                          float *out) {
  const conv_f32_gemm *f = &d->fast_f32;
  if (f->direct) {
    er_f32_gemm_args args = f32_gemm_args(f, f->rows, in, bias, d->g.out_c, out);
    er_f32_gemm_run(ctx, f->uk, &args, ctx->scratch);
    return;
  }
  conv_f32_job job = {d, in, bias, out, ctx->scratch};
  er_parallel_for(ctx, (f->rows + f->block_rows - 1) / f->block_rows, 1, conv_f32_blocks, &job);
}

/* uint8 (reference/conv.h): both operands are offset by their zero points before multiplying. */
static void conv_u8(const conv_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                    uint8_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0,
             acc +=
             ((int32_t)filter[fp + ic] + d->q.filter_offset) * ((int32_t)in[ip + ic] + d->q.input_offset),
             out[o++] = (uint8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[oc] : 0), oc))
}

static void conv_i16(const conv_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                     int16_t *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * (int32_t)in[ip + ic],
             out[o++] =
                 (int16_t)er_conv_output_i64(&d->q, er_add_wrap_i64(acc, er_conv_bias_at(bias, oc)), oc))
}

/* Hybrid, per-tensor filter (TFLite EvalHybrid, optimized_ops::HybridConv): each batch symmetrically
 * quantized, scale times filter scale; out = acc * scale + bias, clamped. Padding taps are skipped, as
 * TFLite's im2col fills them with the zero that symmetric quantization maps 0.0 to. */
static void conv_hybrid_per_tensor(const conv_data *d, const int8_t *in, const int8_t *filter,
                                   const float *scales, const float *bias, float *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * (int32_t)in[ip + ic],
             out[o++] = er_clamp_f((float)er_wrap_i32(acc) * scales[b] + (bias ? bias[oc] : 0.0f),
                                   d->act_min_f, d->act_max_f))
}

/* Hybrid, per-channel filter (TFLite EvalHybridPerChannel, reference_ops::HybridConvPerChannel): each
 * batch asymmetrically quantized; taps inside the image add filter * (q - zero point); out = acc * channel
 * scale * batch scale + bias, clamped. */
static void conv_hybrid_per_channel(const conv_data *d, const int8_t *in, const int8_t *filter,
                                    const float *scales, const int32_t *zero_points, const float *bias,
                                    float *out) {
  int64_t o = 0;
  CONV_LOOPS(int64_t, 0, acc += (int32_t)filter[fp + ic] * ((int32_t)in[ip + ic] - zero_points[b]),
             out[o++] = er_clamp_f((float)er_wrap_i32(acc) * d->channel_scales[oc] * scales[b] +
                                       (bias ? bias[oc] : 0.0f),
                                   d->act_min_f, d->act_max_f))
}

static void conv_hybrid(const conv_data *d, const float *in, const int8_t *filter, const float *bias,
                        float *out, unsigned char *scratch) {
  er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  const bool per_channel = d->channel_scales != NULL;
  er_hybrid_quantize_rows(in, d->g.batches, d->g.in_h * d->g.in_w * d->g.in_c, per_channel, buf.q, buf.scales,
                          buf.zero_points);
  if (per_channel) {
    conv_hybrid_per_channel(d, buf.q, filter, buf.scales, buf.zero_points, bias, out);
    return;
  }
  for (int64_t b = 0; b < d->g.batches; b++)
    buf.scales[b] *= d->filter_scale;
  conv_hybrid_per_tensor(d, buf.q, filter, buf.scales, bias, out);
}

static edgert_status conv_eval(er_op_ctx *ctx) {
  const conv_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (in->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      conv_hybrid(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    else if (d->fast_f32.on)
      conv_f32_fast(ctx, d, in->data, bias ? bias->data : NULL, out->data);
    else
      conv_f32(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT8:
    if (d->fast_i8.on)
      conv_i8_fast(ctx, d, in->data, out->data);
    else
      conv_i8(d, in->data, filter->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT16: conv_i16(d, in->data, filter->data, bias, out->data); break;
  case EDGERT_UINT8: conv_u8(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_conv_2d = {.prepare = conv_prepare, .eval = conv_eval};
