/* Float32 NCHW convolution through the float GEMM: planning, weight packing, im2col and the threaded
 * driver; see conv_nd_gemm.h. */
#include "ops/conv_nd_gemm.h"

#include <string.h>

#include "ops/index_math.h"

/* The im2col block of one work item aims at this many floats (512 KiB: half of L2 on the Zen 4 we
 * measured; 1 and 4 MiB were no faster, and the scratch counts in peak memory). */
#define COL_BUDGET_FLOATS ((int64_t)128 * 1024)
/* K (input channels per group times kernel size) above this is left to the reference kernel: it bounds
 * the smallest im2col block, K x NR (32 MiB with NR = 32), and keeps every size product below far from
 * overflow. Real nets stay far below (ResNet's largest K is 512 * 3 * 3 = 4608). */
#define K_LIMIT ((int64_t)1 << 18)

static bool is_pointwise(const er_window_nd *g) {
  for (int i = 0; i < g->rank; i++)
    if (g->kernel[i] != 1 || g->stride[i] != 1 || g->pad_begin[i] != 0 || g->pad_end[i] != 0) return false;
  return true;
}

bool er_f32_conv_nchw_gemm_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w) {
  const er_window_nd *g = &d->win;
  if (x->dtype != EDGERT_FLOAT32 || w->kind != ER_TENSOR_CONST || !er_const_bytes(w)) return false;
  /* empty convolutions (nothing, or only the bias, to compute) are the reference's */
  if (g->batch < 1 || g->out_size < 1 || d->in_per_group < 1 || d->out_per_group < 1) return false;
  if (!is_pointwise(g) && g->rank != 1 && g->rank != 2) return false;
  int64_t k = d->in_per_group * g->kernel_size;
  if (d->in_per_group > K_LIMIT || k > K_LIMIT) return false;
  /* the GEMM's sizes are int32 */
  return d->out_per_group <= INT32_MAX && g->out_size <= INT32_MAX;
}

/* The pointwise cost model's weights, in multiply-adds of a full micro-tile: the run-time packing of one
 * float of X (NCHW orientation) and the transposed store of one float of Y (the other). Fitted on Zen 4
 * to the 1x1 layers of mobilenet_v2 / v3 and efficientnet_b0 (7x7 to 112x112 maps, 8 to 1280 channels):
 * the orientations it picks cost 0.02% (AVX-512) and 0.7% (AVX2) more than the faster of each pair. */
#define POINTWISE_PACK_COST 7.5
#define POINTWISE_TRANSPOSE_COST 6.5

/* Rows a GEMM of m rows costs in MR-row tiles: a lone last row sums in chains and costs about two. */
static double tile_rows(const er_f32_gemm_ukernels *uk, int64_t m) {
  int64_t tail = m % uk->mr;
  return (double)(m - tail) + (tail == 1 ? 2.0 : (double)tail);
}

bool er_f32_conv_pointwise_transposed(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k) {
  if (n == 1) return true; /* one row of C: Y's layout either way, and no packing */
  double kk = (double)(k > 0 ? k : 1);
  double pack = er_f32_gemm_reads_b_in_place(uk, m, k) ? 0.0 : POINTWISE_PACK_COST;
  double direct = kk * tile_rows(uk, m) * (double)er_round_up_i64(n, uk->nr_step) +
                  pack * kk * (double)er_round_up_i64(n, uk->nr);
  double transposed = kk * tile_rows(uk, n) * (double)er_round_up_i64(m, uk->nr_step) +
                      POINTWISE_TRANSPOSE_COST * (double)n * (double)m;
  return transposed < direct;
}

/* The im2col geometry in 2-D (1-D: height 1). */
static void set_2d(er_f32_conv_nchw_gemm_plan *p, const er_window_nd *g) {
  int r = g->rank == 2 ? 1 : 0; /* the width dim */
  p->in_h = r ? g->in[0] : 1, p->kh = r ? g->kernel[0] : 1, p->stride_h = r ? g->stride[0] : 1;
  p->dil_h = r ? g->dilation[0] : 1, p->pad_top = r ? g->pad_begin[0] : 0;
  p->in_w = g->in[r], p->out_w = g->out[r], p->kw = g->kernel[r], p->stride_w = g->stride[r];
  p->dil_w = g->dilation[r], p->pad_left = g->pad_begin[r];
}

/* ---- the work split (im2col path) ----
 *
 * A work item is a block of output columns of one image and group times a block of M's rows; a thread
 * builds a column block's col once for the consecutive items that share it. One thread takes the widest
 * block within the budget and all of M. With threads the split is chosen by a cost model, in units of
 * the GEMM's multiply-adds (32 a cycle on AVX-512), that simulates each thread's home share
 * (er_parallel_home): the GEMM with its row and column tails, building col, streaming W's rows (an item
 * reads its rows of W in place, from L3 once W outgrows L2: about half a cycle a float), and per-item
 * overhead. M is cut into at most one block per thread: finer row blocks timed slower than the model
 * said. The quick rule before it (a multiple of the thread count in column blocks of NR multiples) gave
 * resnet18's 14x14 stride-2 layer (196 columns) blocks of 64, 64, 64 and 4 columns, one thread twice the
 * other's work; the model's split runs it 20% faster at 2 threads, the other stride-2 layers 5-12%. */
#define COST_COL_FLOAT 16.0 /* building col, per float (a gather from the input, then a store) */
#define COST_W_FLOAT 16.0   /* streaming a float of W, per item */
#define COST_ITEM 300.0     /* an item's calls and loop set-up */

/* One split tried: column blocks of col_block, row blocks of m_block. */
typedef struct {
  const er_f32_conv_nchw_gemm_plan *p;
  int64_t col_block, m_block, col_blocks, m_blocks;
} split_trial;

static double item_cost(const void *arg, int64_t item, int64_t prev) {
  const split_trial *s = arg;
  const er_f32_conv_nchw_gemm_plan *p = s->p;
  int64_t block = item / s->m_blocks, cb = block % s->col_blocks, mb = item % s->m_blocks;
  int64_t cols = er_min_i64(s->col_block, p->n - cb * s->col_block);
  int64_t rows = er_min_i64(s->m_block, p->m - mb * s->m_block);
  double padded = (double)er_round_up_i64(cols, p->uk->nr);
  double cost = er_f32_gemm_rows_cost(p->uk, rows) * (double)p->k * padded +
                COST_W_FLOAT * (double)(rows * p->k) + COST_ITEM;
  return prev >= 0 && prev / s->m_blocks == block ? cost : cost + COST_COL_FLOAT * (double)p->k * padded;
}

static double split_cost(const er_f32_conv_nchw_gemm_plan *p, int32_t threads, int64_t col_block,
                         int64_t m_block) {
  const split_trial s = {p, col_block, m_block, er_div_up_i64(p->n, col_block), er_div_up_i64(p->m, m_block)};
  return er_parallel_makespan(p->batch * p->groups * s.col_blocks * s.m_blocks, threads, item_cost, &s);
}

/* Column blocks within the budget (multiples of NR, balanced) and M blocks (multiples of MR, balanced):
 * one thread takes the widest block and all of M; threads the cheapest split by split_cost among up to 4
 * column blocks per thread more than the fewest the budget allows, times 1 to `threads` row blocks. */
static void plan_blocks(er_f32_conv_nchw_gemm_plan *p, int32_t threads) {
  const int64_t nr = p->uk->nr, mr = p->uk->mr;
  int64_t widest = COL_BUDGET_FLOATS / p->k / nr * nr;
  widest = er_min_i64(er_max_i64(widest, nr), er_round_up_i64(p->n, nr));
  p->col_block = er_min_i64(widest, p->n);
  p->m_block = p->m;
  if (threads > 1) {
    const int64_t fewest = er_div_up_i64(p->n, widest), most_cols = er_div_up_i64(p->n, nr);
    const int64_t most_rows = er_div_up_i64(p->m, mr), extra = 4 * (int64_t)threads;
    double best = split_cost(p, threads, p->col_block, p->m_block);
    for (int64_t cbs = fewest; cbs <= er_min_i64(most_cols, fewest + extra); cbs++) {
      int64_t col_block = er_min_i64(er_round_up_i64(er_div_up_i64(p->n, cbs), nr), p->n);
      for (int64_t mbs = 1; mbs <= er_min_i64(most_rows, threads); mbs++) {
        int64_t m_block = er_min_i64(er_round_up_i64(er_div_up_i64(p->m, mbs), mr), p->m);
        double cost = split_cost(p, threads, col_block, m_block);
        if (cost < best) best = cost, p->col_block = col_block, p->m_block = m_block;
      }
    }
  }
  p->col_blocks = er_div_up_i64(p->n, p->col_block);
  p->m_blocks = er_div_up_i64(p->m, p->m_block);
}

/* W^T of every group packed as the GEMM's B (er_persist_alloc), for the transposed pointwise orientation;
 * the raw weights' pages are then released (er_input_packed). */
static edgert_status pack_transposed_weights(er_op_ctx *ctx, const er_tensor *w,
                                             er_f32_conv_nchw_gemm_plan *p) {
  size_t group_bytes;
  if (!er_f32_gemm_packed_b_bytes(p->uk, p->k, p->m, &group_bytes) ||
      (int64_t)(group_bytes / 4) > INT64_MAX / 2 / p->groups)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "packed weights overflow");
  p->group_floats = er_round_up_i64((int64_t)(group_bytes / 4), 16);
  float *packed = er_persist_alloc(ctx, (size_t)(p->group_floats * p->groups) * sizeof(float));
  if (!packed) return EDGERT_ERR_NO_MEMORY;
  for (int64_t grp = 0; grp < p->groups; grp++) {
    const void *group_w =
        (const unsigned char *)er_const_bytes(w) + sizeof(float) * (size_t)(grp * p->m * p->k);
    er_f32_matrix wt = {group_w, p->k, true}; /* W^T as B */
    er_f32_gemm_pack_b(ctx, p->uk, p->k, p->m, wt, 1.0f, packed + grp * p->group_floats);
  }
  er_input_packed(ctx, 1);
  p->packed_w = packed;
  return EDGERT_OK;
}

edgert_status er_f32_conv_nchw_gemm_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const er_tensor *w,
                                            const er_fused_act *act, er_f32_conv_nchw_gemm_plan *p,
                                            size_t *scratch_bytes) {
  const er_window_nd *g = &d->win;
  memset(p, 0, sizeof *p);
  p->uk = er_f32_gemm_select(er_cpu_detect());
  p->batch = g->batch, p->groups = d->group, p->m = d->out_per_group;
  p->k = d->in_per_group * g->kernel_size, p->n = g->out_size;
  p->in_channels = g->channels, p->in_size = g->in_size;
  p->pointwise = is_pointwise(g);
  p->act = *act;
  er_fused_act_vectorize(&p->act, er_cpu_detect());
  set_2d(p, g);
  p->transposed = p->pointwise && er_f32_conv_pointwise_transposed(p->uk, p->m, p->n, p->k);
  size_t scratch = 0;
  if (p->transposed) {
    edgert_status st = pack_transposed_weights(ctx, w, p);
    if (st != EDGERT_OK) return st;
  } else {
    edgert_status st = er_keep_input(ctx, 1);
    if (st != EDGERT_OK) return st;
    p->weights = er_const_bytes(w); /* read in place as A: see conv_nd_gemm.h */
  }
  int32_t threads = er_num_threads(ctx);
  if (p->pointwise) {
    if (p->transposed)
      er_f32_gemm_plan_split(p->uk, p->n, p->m, p->k, true, false, p->n > 1, threads, &p->split);
    else
      er_f32_gemm_plan_split(p->uk, p->m, p->n, p->k, false, false, false, threads, &p->split);
    bool ok = p->transposed
                  ? er_f32_gemm_scratch_bytes(p->uk, p->n, p->m, p->k, false, true, threads, &scratch)
                  : er_f32_gemm_scratch_bytes(p->uk, p->m, p->n, p->k, false, false, threads, &scratch);
    if (!ok) return er_fail(ctx, EDGERT_ERR_LIMIT, "GEMM scratch overflows");
    *scratch_bytes = scratch;
    return EDGERT_OK;
  }
  plan_blocks(p, threads);
  /* col is built packed, so the GEMM needs no scratch of its own */
  p->col_floats = (size_t)er_round_up_i64(p->k * er_round_up_i64(p->col_block, p->uk->nr), 16);
  p->thread_floats = p->col_floats + (size_t)er_round_up_i64(er_round_up_i64(p->col_block, p->uk->nr), 16);
  *scratch_bytes = (size_t)threads * p->thread_floats * sizeof(float);
  return EDGERT_OK;
}

static void zero(float *v, int64_t n) {
  if (n > 0) memset(v, 0, (size_t)n * sizeof *v);
}

/* A copy of a short run of floats (part of an output row) in fixed-size pieces the compiler inlines: a
 * libc call per run of a few dozen floats cost more than the copy. The last piece ends at n and may
 * overlap the one before (rewriting the same values), so that no float is left to a scalar tail: rows
 * are often a multiple of 8 less one (a padded edge). */
static inline void copy_short(float *dst, const float *src, int64_t n) {
  if (n >= 8) {
    for (int64_t i = 0; i < n - 8; i += 8)
      memcpy(dst + i, src + i, 8 * sizeof *dst);
    memcpy(dst + n - 8, src + n - 8, 8 * sizeof *dst);
  } else if (n >= 4) {
    memcpy(dst, src, 4 * sizeof *dst);
    memcpy(dst + n - 4, src + n - 4, 4 * sizeof *dst);
  } else {
    for (int64_t i = 0; i < n; i++)
      dst[i] = src[i];
  }
}

/* Every other float of src (the stride-2 downsampling convs), four at a time, so that the compiler
 * gathers them with shuffles and stores a vector (a loop over a variable stride moved one float per
 * iteration); the last four end at n, overlapping as in copy_short. */
static inline void gather4_stride2(float *restrict dst, const float *restrict src) {
  float v0 = src[0], v1 = src[2], v2 = src[4], v3 = src[6];
  dst[0] = v0, dst[1] = v1, dst[2] = v2, dst[3] = v3;
}

static inline void copy_stride2(float *restrict dst, const float *restrict src, int64_t n) {
  if (n < 4) {
    for (int64_t i = 0; i < n; i++)
      dst[i] = src[2 * i];
    return;
  }
  for (int64_t i = 0; i < n - 4; i += 4)
    gather4_stride2(dst + i, src + 2 * i);
  gather4_stride2(dst + n - 4, src + 2 * (n - 4));
}

/* Output columns [ox, ox + count) of one input row for a kernel column whose taps read input column
 * `shift` + output column * stride_w and fall inside the row for output columns [lo, hi): the pixels the
 * taps read, zero where they fall in the padding. */
static void im2col_row(const er_f32_conv_nchw_gemm_plan *p, const float *row, int64_t shift, int64_t lo,
                       int64_t hi, int64_t ox, int64_t count, float *dst) {
  int64_t end = ox + count;
  lo = lo < ox ? ox : (lo > end ? end : lo);
  hi = hi > end ? end : (hi < lo ? lo : hi);
  zero(dst, lo - ox);
  if (p->stride_w == 1) {
    copy_short(dst + lo - ox, row + lo + shift, hi - lo);
  } else if (p->stride_w == 2) {
    copy_stride2(dst + lo - ox, row + lo * 2 + shift, hi - lo);
  } else {
    const float *src = row + lo * p->stride_w + shift;
    for (int64_t i = lo; i < hi; i++, src += p->stride_w)
      dst[i - ox] = *src;
  }
  zero(dst + hi - ox, end - hi);
}

/* col for output columns [c0, c0 + cols) of one group in the GEMM's packed B layout (gemm_f32.h: NR-column
 * panels K x NR, zero past the last column), so that the GEMM packs nothing: row k = (c, ky, kx) holds the
 * input pixel each output pixel's tap (ky, kx) of channel c reads. Each row is built whole in `row`
 * (er_round_up_i64(cols, NR) floats, in L1: one copy per output row) and then dealt out to the panels in
 * NR-float pieces of constant size, which cost less than splitting the copies at the panel edges. */
static void im2col_block(const er_f32_conv_nchw_gemm_plan *p, const float *xg, int64_t c0, int64_t cols,
                         float *row, float *col) {
  const int64_t nr = p->uk->nr, panel_floats = nr * p->k, panels = er_div_up_i64(cols, nr);
  int64_t channels = p->k / (p->kh * p->kw);
  zero(row + cols, panels * nr - cols); /* the last panel's columns past cols */
  float *k_row = col;
  for (int64_t c = 0; c < channels; c++) {
    const float *xc = xg + c * p->in_size;
    for (int64_t ky = 0; ky < p->kh; ky++) {
      for (int64_t kx = 0; kx < p->kw; kx++, k_row += nr) {
        /* the output columns whose tap kx falls inside the input row: [lo, hi) */
        int64_t shift = kx * p->dil_w - p->pad_left;
        int64_t lo = shift < 0 ? er_div_up_i64(-shift, p->stride_w) : 0;
        int64_t last = p->in_w - 1 - shift;
        int64_t hi = last >= 0 ? last / p->stride_w + 1 : 0;
        float *dst = row;
        int64_t oy = c0 / p->out_w, ox = c0 % p->out_w, left = cols;
        while (left > 0) {
          int64_t count = er_min_i64(p->out_w - ox, left);
          int64_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h)
            zero(dst, count);
          else
            im2col_row(p, xc + iy * p->in_w, shift, lo, hi, ox, count, dst);
          dst += count, left -= count, ox = 0, oy++;
        }
        float *panel = k_row;
        if (nr == 32) {
          for (int64_t q = 0; q < panels; q++, panel += panel_floats)
            memcpy(panel, row + q * 32, 32 * sizeof *panel);
        } else {
          for (int64_t q = 0; q < panels; q++, panel += panel_floats)
            memcpy(panel, row + q * nr, (size_t)nr * sizeof *panel);
        }
      }
    }
  }
}

typedef struct {
  const er_f32_conv_nchw_gemm_plan *p;
  const float *x, *bias;
  float *y, *scratch;
} gemm_conv_task;

/* The GEMM of rows [m0, m0 + rows) of group grp of image n, columns [c0, c0 + cols), with B given. */
static void multiply(const er_f32_conv_nchw_gemm_plan *p, er_op_ctx *ctx, const float *bias, float *y,
                     int64_t n, int64_t grp, int64_t m0, int64_t rows, int64_t c0, int64_t cols,
                     er_f32_matrix b, const float *b_packed, void *scratch) {
  int64_t first = grp * p->m + m0; /* output channel */
  er_f32_gemm_args args = {
      .m = rows,
      .n = cols,
      .k = p->k,
      .a = {(const unsigned char *)p->weights + sizeof(float) * (size_t)(first * p->k), p->k, false},
      .b_packed = b_packed,
      .b = b,
      .c = y + (n * p->groups * p->m + first) * p->n + c0,
      .ldc = p->n,
      .bias = bias ? bias + first : NULL,
      .bias_kind = bias ? ER_F32_BIAS_PER_ROW : ER_F32_BIAS_NONE,
      .act = p->act,
      .split = ctx ? &p->split : NULL, /* threads: the whole pointwise product (im2col items run alone) */
  };
  er_f32_gemm_run(ctx, p->uk, &args, scratch);
}

static void im2col_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const gemm_conv_task *t = arg;
  const er_f32_conv_nchw_gemm_plan *p = t->p;
  float *col = t->scratch + (size_t)thread * p->thread_floats;
  int64_t built = -1; /* the column block now in col: consecutive items share it */
  for (int64_t item = begin; item < end; item++) {
    int64_t block = item / p->m_blocks, mb = item % p->m_blocks;
    int64_t cb = block % p->col_blocks, image = block / p->col_blocks;
    int64_t grp = image % p->groups, n = image / p->groups;
    int64_t c0 = cb * p->col_block, cols = er_min_i64(p->col_block, p->n - c0);
    if (block != built) {
      const float *xg = t->x + (n * p->in_channels + grp * (p->in_channels / p->groups)) * p->in_size;
      im2col_block(p, xg, c0, cols, col + p->col_floats, col);
      built = block;
    }
    int64_t m0 = mb * p->m_block;
    er_f32_matrix none = {NULL, 0, false};
    multiply(p, NULL, t->bias, t->y, n, grp, m0, er_min_i64(p->m_block, p->m - m0), c0, cols, none, col,
             NULL);
  }
}

/* Y^T of group grp of image n = X^T · W^T + bias per column: X read in place as A stored transposed, Y
 * written transposed (with one pixel, a plain row: Y's layout either way). */
static void multiply_transposed(const er_f32_conv_nchw_gemm_plan *p, er_op_ctx *ctx, const float *x,
                                const float *bias, float *y, int64_t n, int64_t grp, void *scratch) {
  int64_t first = grp * p->m; /* output channel */
  const float *xg = x + (n * p->in_channels + grp * (p->in_channels / p->groups)) * p->in_size;
  er_f32_gemm_args args = {
      .m = p->n,
      .n = p->m,
      .k = p->k,
      .a = {xg, p->in_size, true},
      .b_packed = p->packed_w + grp * p->group_floats,
      .c = y + (n * p->groups * p->m + first) * p->n,
      .ldc = p->n > 1 ? p->n : p->m,
      .bias = bias ? bias + first : NULL,
      .bias_kind = bias ? ER_F32_BIAS_PER_COL : ER_F32_BIAS_NONE,
      .act = p->act,
      .c_transposed = p->n > 1,
      .split = &p->split,
  };
  er_f32_gemm_run(ctx, p->uk, &args, scratch);
}

void er_f32_conv_nchw_gemm_run(er_op_ctx *ctx, const er_f32_conv_nchw_gemm_plan *p, const float *x,
                               const float *bias, float *y, void *scratch) {
  if (p->m == 0 || p->n == 0 || p->batch == 0) return;
  if (p->transposed) {
    for (int64_t n = 0; n < p->batch; n++)
      for (int64_t grp = 0; grp < p->groups; grp++)
        multiply_transposed(p, ctx, x, bias, y, n, grp, scratch);
    return;
  }
  if (p->pointwise) {
    int64_t in_per_group = p->in_channels / p->groups;
    for (int64_t n = 0; n < p->batch; n++) {
      for (int64_t grp = 0; grp < p->groups; grp++) {
        er_f32_matrix b = {x + (n * p->in_channels + grp * in_per_group) * p->in_size, p->in_size, false};
        multiply(p, ctx, bias, y, n, grp, 0, p->m, 0, p->n, b, NULL, scratch);
      }
    }
    return;
  }
  gemm_conv_task t = {p, x, bias, y, scratch};
  const int64_t items = p->batch * p->groups * p->col_blocks * p->m_blocks;
  const double macs = (double)(p->batch * p->groups) * (double)p->m * (double)p->n * (double)p->k;
  er_parallel_for(ctx, items, er_grain_for_work(items, 1, macs), im2col_items, &t);
}
