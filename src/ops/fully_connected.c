/* FULLY_CONNECTED: y = x W^T + b with weights [units, depth]; the input is read as [batches, depth] rows
 * (batches = elements / depth). The output is [batches, units], or with keep_num_dims the input's shape
 * with the last dim replaced by units. Follows TFLite's reference kernels (reference/fully_connected.h and
 * reference/integer_ops/fully_connected.h): float32; int8 with int8 weights and int32 bias, per-tensor
 * (the weights' zero point is applied, as TFLite keeps for old models) or per-channel (symmetric weights);
 * int16 with int8 weights and int64 bias, int64 accumulator, no activation zero points; uint8 with uint8
 * weights (TFLite's "v1" asymmetric quantization: one weight scale and zero point, int32 bias) to a uint8
 * output, or to an int16 output with zero point 0 as TFLite's legacy quantized-LSTM graphs use. int16
 * without a bias (or with an int32 one) runs TFLite's int32 kernel: wrapping int32 sum, 32-bit multiplier.
 * Hybrid (float input, int8 weights per tensor or per channel, float bias; TFLite EvalHybridDense): each
 * input row quantized to int8 at every invoke, symmetric or, with asymmetric_quantize_inputs, with a zero
 * point; any fused activation, tanh and sigmoid included, as TFLite's hybrid kernel allows. Fast paths,
 * chosen at prepare for constant weights: int8 with symmetric weights runs the int8 GEMM (gemm_s8.h),
 * bit-exact with the loops below; float runs the float GEMM (gemm_f32.h) row by row. */
#include "core/cpu.h"
#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/gemm_f32.h"
#include "ops/gemm_s8.h"
#include "ops/hybrid.h"

typedef struct {
  int64_t batches, depth, units;
  bool hybrid, asymmetric;     /* float input with int8 weights, quantized per row at each invoke */
  const float *channel_scales; /* hybrid per-channel weights; NULL when per tensor */
  float weight_scale;          /* hybrid per-tensor weights */
  er_hybrid_scratch scratch;   /* hybrid */
  float act_min_f, act_max_f;
  er_activation activation;
  er_conv_quant q; /* filter_offset also for int8 weights; multipliers all equal for per-tensor weights */
  /* int8 fast path: weights packed for the int8 GEMM; scratch is one packed row tile per thread. */
  bool fast_i8;
  er_s8_gemm gemm_i8;
  size_t tile_bytes;
  /* float fast path: weights packed as the float GEMM's right operand (given transposed). */
  const er_f32_gemm_ukernels *f32_uk;
  const float *packed_f32;
} fc_data;

/* The family's dtype paths, plus uint8 input to an int16 output (TFLite's legacy quantized LSTM graphs). */
static edgert_status check_types(er_op_ctx *ctx, const er_tensor *in, const er_tensor *filter,
                                 const er_tensor *bias, const er_tensor *out, int64_t units) {
  static const edgert_dtype i32_bias[] = {EDGERT_INT32};
  if (in->dtype == EDGERT_UINT8 && filter->dtype == EDGERT_UINT8) {
    if (out->dtype != EDGERT_UINT8 && out->dtype != EDGERT_INT16)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "uint8 input needs a uint8 or int16 output, not %s",
                     edgert_dtype_name(out->dtype));
    return er_conv_check_bias(ctx, bias, units, i32_bias, 1);
  }
  return er_conv_check_types(ctx, in, filter, bias, out, units, "weights", ER_CONV_HYBRID);
}

static edgert_status prepare_quant(er_op_ctx *ctx, fc_data *d, er_activation act, const er_tensor *in,
                                   const er_tensor *filter, const er_tensor *out) {
  edgert_status st = er_conv_prepare_quant(ctx, &d->q, act, in, filter, out, 0, d->units);
  if (st != EDGERT_OK || in->dtype == EDGERT_UINT8) return st;
  /* Unlike the convolutions, TFLite's int8 and int16 FULLY_CONNECTED apply a per-tensor weight zero point
   * (old models have one). Per-channel weights are symmetric by the quantization spec; TFLite ignores
   * their zero points. */
  d->q.filter_offset = filter->q.channels > 1 ? 0 : -filter->q.zero_point;
  if (d->q.filter_offset < -127 || d->q.filter_offset > 128)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "weights zero point %d is outside the int8 range",
                   (int)filter->q.zero_point);
  return EDGERT_OK;
}

/* [batches, units], or the input's dims with the last one replaced (keep_num_dims). */
static edgert_status set_output(er_op_ctx *ctx, const er_fc_attrs *a, const er_tensor *in, const fc_data *d,
                                er_tensor *out) {
  int64_t dims[ER_MAX_DIMS];
  if (!a->keep_num_dims) {
    dims[0] = d->batches;
    dims[1] = d->units;
    return er_set_output_shape(ctx, out, 2, dims);
  }
  if (in->ndim < 1 || in->dims[in->ndim - 1] != d->depth)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "keep_num_dims needs the input's last dim to equal weights depth %lld",
                   (long long)d->depth);
  for (int i = 0; i < in->ndim; i++)
    dims[i] = in->dims[i];
  dims[in->ndim - 1] = d->units;
  return er_set_output_shape(ctx, out, in->ndim, dims);
}

/* Hybrid (TFLite EvalHybridDense): per-tensor or per-channel int8 weights, scratch for the quantized rows. */
static edgert_status prepare_hybrid(er_op_ctx *ctx, fc_data *d, const er_fc_attrs *a,
                                    const er_tensor *filter) {
  edgert_status st = er_hybrid_check_weights(ctx, filter, "weights", true, 0, d->units);
  if (st != EDGERT_OK) return st;
  d->hybrid = true;
  d->asymmetric = a->asymmetric_quantize_inputs;
  d->channel_scales = filter->q.channels > 1 ? filter->q.scales : NULL;
  d->weight_scale = er_hybrid_weight_scale(filter);
  return er_hybrid_prepare_scratch(ctx, d->batches * d->depth, d->batches, &d->scratch);
}

static bool is_constant(const er_tensor *t) { return t->kind == ER_TENSOR_CONST && t->data; }

/* int8 with symmetric constant weights and a constant bias takes the int8 GEMM (weights packed here); a
 * weight zero point keeps the reference loops. */
static edgert_status prepare_fast_i8(er_op_ctx *ctx, fc_data *d, const er_tensor *filter,
                                     const er_tensor *bias) {
  if (filter->dtype != EDGERT_INT8 || d->q.filter_offset != 0 || !is_constant(filter) ||
      (bias && !is_constant(bias)) || !er_s8_gemm_multipliers_ok(d->q.multipliers, d->units))
    return EDGERT_OK;
  edgert_status st = er_s8_gemm_prepare(
      ctx, er_s8_gemm_select(), filter->data, d->units, d->depth, bias ? bias->data : NULL, d->q.input_offset,
      d->q.multipliers, d->q.shifts, d->q.output_offset, d->q.act_min, d->q.act_max, &d->gemm_i8);
  if (st != EDGERT_OK) return st;
  d->tile_bytes = er_s8_gemm_tile_bytes(&d->gemm_i8);
  ctx->scratch_bytes = d->tile_bytes * (size_t)er_num_threads(ctx);
  d->fast_i8 = true;
  return EDGERT_OK;
}

/* Float with constant weights takes the float GEMM: the input rows times W^T in one call, bias per column,
 * the activation's clamp in the epilogue. Every row is summed as a lone row (rows_alone) so that a row's
 * bits never depend on the batch around it: tests/models/test_hello_world.py checks batched runs equal
 * single ones bit for bit. */
static edgert_status prepare_fast_f32(er_op_ctx *ctx, fc_data *d, const er_tensor *filter) {
  if (filter->dtype != EDGERT_FLOAT32 || !is_constant(filter)) return EDGERT_OK;
  const er_f32_gemm_ukernels *uk = er_f32_gemm_select(er_cpu_detect());
  size_t weight_bytes, scratch_bytes;
  if (!er_f32_gemm_packed_b_bytes(uk, d->depth, d->units, &weight_bytes) ||
      !er_f32_gemm_scratch_bytes(uk, d->batches, d->units, d->depth, false, true, er_num_threads(ctx),
                                 &scratch_bytes))
    return EDGERT_OK;
  float *packed = er_persist_alloc(ctx, weight_bytes);
  if (!packed) return EDGERT_ERR_NO_MEMORY;
  er_f32_gemm_pack_b(ctx, uk, d->depth, d->units, (er_f32_matrix){filter->data, d->depth, true}, 1.0f,
                     packed);
  er_input_packed(ctx, 1);
  d->f32_uk = uk;
  d->packed_f32 = packed;
  ctx->scratch_bytes = scratch_bytes;
  return EDGERT_OK;
}

static edgert_status fc_prepare(er_op_ctx *ctx) {
  const er_fc_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "fully connected attributes are missing");
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *filter = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (filter->ndim != 2 || filter->dims[0] < 1 || filter->dims[1] < 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights must be 2-D [units, depth] with positive dims");
  int64_t elements = er_tensor_elements(in);
  fc_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->units = filter->dims[0];
  d->depth = filter->dims[1];
  if (elements < 1 || elements % d->depth != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input of %lld elements does not split into rows of depth %lld",
                   (long long)elements, (long long)d->depth);
  d->batches = elements / d->depth;
  if ((st = check_types(ctx, in, filter, bias, out, d->units)) != EDGERT_OK) return st;
  /* TFLite's hybrid kernel applies any activation to its float output; the others only clamp. */
  bool hybrid = in->dtype == EDGERT_FLOAT32 && filter->dtype == EDGERT_INT8;
  if (!hybrid && (a->activation == ER_ACT_TANH || a->activation == ER_ACT_SIGMOID))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused tanh/sigmoid activation is not supported");
  if ((st = set_output(ctx, a, in, d, out)) != EDGERT_OK) return st;
  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  d->activation = a->activation;
  if (hybrid && (st = prepare_hybrid(ctx, d, a, filter)) != EDGERT_OK) return st;
  if (in->dtype != EDGERT_FLOAT32 &&
      (st = prepare_quant(ctx, d, a->activation, in, filter, out)) != EDGERT_OK)
    return st;
  if (in->dtype == EDGERT_INT8 && (st = prepare_fast_i8(ctx, d, filter, bias)) != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32 && !hybrid && (st = prepare_fast_f32(ctx, d, filter)) != EDGERT_OK)
    return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

static void fc_f32(const fc_data *d, const float *in, const float *w, const float *bias, float *out) {
  for (int64_t b = 0; b < d->batches; b++) {
    const float *x = in + b * d->depth;
    for (int64_t u = 0; u < d->units; u++) {
      const float *row = w + u * d->depth;
      float total = 0.0f;
      for (int64_t k = 0; k < d->depth; k++)
        total += x[k] * row[k];
      out[b * d->units + u] = er_clamp_f(total + (bias ? bias[u] : 0.0f), d->act_min_f, d->act_max_f);
    }
  }
}

static void fc_f32_fast(er_op_ctx *ctx, const fc_data *d, const float *in, const float *bias, float *out) {
  er_f32_gemm_args args = {.m = d->batches,
                           .n = d->units,
                           .k = d->depth,
                           .a = {in, d->depth, false},
                           .b_packed = d->packed_f32,
                           .c = out,
                           .ldc = d->units,
                           .bias = bias,
                           .bias_kind = bias ? ER_F32_BIAS_PER_COL : ER_F32_BIAS_NONE,
                           .act = {.kind = ER_ACT_CLIP, .min = d->act_min_f, .max = d->act_max_f},
                           .rows_alone = true};
  er_f32_gemm_run(ctx, d->f32_uk, &args, ctx->scratch);
}

/* Hybrid (TFLite EvalHybridDense): the output starts as the bias, each input row is quantized to int8
 * (symmetric, or asymmetric with a zero point), the int8 products are scaled back by the row's scale times
 * the weight scale (per channel: the row's scale times the channel's), then the activation. */
static void fc_hybrid(const fc_data *d, const float *in, const int8_t *w, const float *bias, float *out,
                      unsigned char *scratch) {
  er_hybrid_buffers buf = er_hybrid_buffers_at(&d->scratch, scratch);
  const int64_t n = d->batches * d->units;
  for (int64_t i = 0; i < n; i++)
    out[i] = bias ? bias[i % d->units] : 0.0f;
  er_hybrid_quantize_rows(in, d->batches, d->depth, d->asymmetric, buf.q, buf.scales, buf.zero_points);
  if (!d->channel_scales)
    for (int64_t b = 0; b < d->batches; b++)
      buf.scales[b] *= d->weight_scale;
  er_hybrid_matmul_accumulate(w, d->units, d->depth, buf.q, buf.scales,
                              d->asymmetric ? buf.zero_points : NULL, d->channel_scales, d->batches, out);
  for (int64_t i = 0; i < n; i++)
    out[i] = er_hybrid_activate(d->activation, out[i]);
}

/* Every output (b, u) of the quantized paths: the sum over the depth of (weight + filter offset) * (input +
 * input offset) in int64 (int16 inputs have offset 0), then STORE with it in `acc`; `o` indexes the
 * output. */
#define FC_QUANT_LOOPS(STORE)                                                                                \
  for (int64_t b = 0, o = 0; b < d->batches; b++)                                                            \
    for (int64_t u = 0; u < d->units; u++, o++) {                                                            \
      const int64_t x0 = b * d->depth, w0 = u * d->depth;                                                    \
      int64_t acc = 0;                                                                                       \
      for (int64_t k = 0; k < d->depth; k++)                                                                 \
        acc += ((int32_t)w[w0 + k] + d->q.filter_offset) * ((int32_t)in[x0 + k] + d->q.input_offset);        \
      STORE;                                                                                                 \
    }

/* int8: the int64 sum plus bias reduced mod 2^32 gives TFLite's wrapping int32 accumulator. */
static void fc_i8(const fc_data *d, const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
  FC_QUANT_LOOPS(out[o] = (int8_t)er_conv_output_i32(&d->q, acc + (bias ? bias[u] : 0), u))
}

typedef struct {
  const fc_data *d;
  const int8_t *in;
  int8_t *out;
  unsigned char *scratch;
} fc_i8_job;

/* Row tiles [begin, end) of MR batches each. */
static void fc_i8_row_tiles(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const fc_i8_job *job = arg;
  const int64_t mr = job->d->gemm_i8.arch->mr, last = end * mr < job->d->batches ? end * mr : job->d->batches;
  er_s8_gemm_rows(&job->d->gemm_i8, job->in, job->d->depth, begin * mr, last, job->out,
                  job->scratch + (size_t)thread * job->d->tile_bytes);
}

/* One tile of rows (few batches): weight panels [begin, end). */
static void fc_i8_panels(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const fc_i8_job *job = arg;
  const int8_t *rows[16];
  for (int64_t b = 0; b < job->d->batches; b++)
    rows[b] = job->in + b * job->d->depth;
  er_s8_gemm_tile_panels(&job->d->gemm_i8, (int32_t)job->d->batches, rows, begin, end, job->out,
                         job->scratch + (size_t)thread * job->d->tile_bytes);
}

static void fc_i8_fast(er_op_ctx *ctx, const fc_data *d, const int8_t *in, int8_t *out) {
  const er_s8_gemm *g = &d->gemm_i8;
  fc_i8_job job = {d, in, out, ctx->scratch};
  const int64_t mr = g->arch->mr, tiles = (d->batches + mr - 1) / mr;
  /* Chunks of at least ~64k multiply-adds, so that threads are not woken for less. */
  const int64_t tile_work = mr * d->depth * g->n;
  if (tiles == 1) {
    const int64_t panel_work = mr * d->depth * g->arch->nr;
    er_parallel_for(ctx, er_s8_gemm_panels(g), panel_work >= 65536 ? 1 : 65536 / panel_work, fc_i8_panels,
                    &job);
  } else {
    er_parallel_for(ctx, tiles, tile_work >= 65536 ? 1 : 65536 / tile_work, fc_i8_row_tiles, &job);
  }
}

/* uint8 (reference/fully_connected.h): both operands offset by their zero points, int32 accumulator; the
 * result goes to uint8, or to int16 (zero point 0) for the legacy LSTM graphs. */
static void fc_u8(const fc_data *d, const uint8_t *in, const uint8_t *w, const int32_t *bias,
                  edgert_dtype out_type, void *out) {
  FC_QUANT_LOOPS({
    int32_t v = er_conv_output_i32(&d->q, acc + (bias ? bias[u] : 0), u);
    if (out_type == EDGERT_UINT8)
      ((uint8_t *)out)[o] = (uint8_t)v;
    else
      ((int16_t *)out)[o] = (int16_t)v;
  })
}

/* int16 without a bias or with an int32 one: TFLite (tensorflow/lite/kernels/fully_connected.cc) runs its
 * int32-bias kernel, an int32 accumulator that wraps and the 32-bit multiplier with double rounding (the
 * output offset is the int16 output's zero point, 0). */
static void fc_i16_acc32(const fc_data *d, const int16_t *in, const int8_t *w, const int32_t *bias,
                         int16_t *out) {
  FC_QUANT_LOOPS(out[o] = (int16_t)er_conv_output_i32(&d->q, acc + (bias ? bias[u] : 0), u))
}

/* int16 with an int64 bias: int64 accumulator and TFLite's 64-bit multiplier. */
static void fc_i16(const fc_data *d, const int16_t *in, const int8_t *w, const er_tensor *bias,
                   int16_t *out) {
  FC_QUANT_LOOPS(out[o] =
                     (int16_t)er_conv_output_i64(&d->q, er_add_wrap_i64(acc, er_conv_bias_at(bias, u)), u))
}

static edgert_status fc_eval(er_op_ctx *ctx) {
  const fc_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *w = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  switch (in->dtype) {
  case EDGERT_FLOAT32:
    if (d->hybrid)
      fc_hybrid(d, in->data, w->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    else if (d->packed_f32)
      fc_f32_fast(ctx, d, in->data, bias ? bias->data : NULL, out->data);
    else
      fc_f32(d, in->data, w->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT8:
    if (d->fast_i8)
      fc_i8_fast(ctx, d, in->data, out->data);
    else
      fc_i8(d, in->data, w->data, bias ? bias->data : NULL, out->data);
    break;
  case EDGERT_INT16:
    if (!bias || bias->dtype == EDGERT_INT32)
      fc_i16_acc32(d, in->data, w->data, bias ? bias->data : NULL, out->data);
    else
      fc_i16(d, in->data, w->data, bias, out->data);
    break;
  case EDGERT_UINT8: fc_u8(d, in->data, w->data, bias ? bias->data : NULL, out->dtype, out->data); break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_fully_connected = {.prepare = fc_prepare, .eval = fc_eval};
