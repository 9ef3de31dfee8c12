/* Float32 NCHW 3x3 convolution by Winograd F(2x2, 3x3) and F(4x4, 3x3): the choice of tile size, the
 * weight transform, the portable transforms and the threaded driver; see conv_nd_winograd.h. */
#include "ops/conv_nd_winograd.h"

#include <math.h>
#include <string.h>

#include "ops/index_math.h"
#include "ops/winograd_weights.h"

/* The V and M blocks of one work item aim at this many floats together (1 MiB, the Zen 4 L2 we measured
 * on; 128 KiB to 2 MiB were within 10% of each other on resnet18's and squeezenet1_1's layers, larger a
 * little faster: the GEMMs' M grows and each U_xi is read once per block). */
#define BLOCK_BUDGET_FLOATS ((int64_t)256 * 1024)
/* Transformed weights above this many bytes per conv stay with the GEMM path (or take F(2x2) instead
 * of F(4x4)): they would cost more resident memory than the multiplies they save are worth, and are read
 * from DRAM at every run. resnet18's 14x14 layers (0.59 M weights) take F(2x2) (4.2 MB; F(4x4) would be
 * 9.4 MB), its 7x7 layers (2.36 M weights, 16.8 MB by F(2x2)) the GEMM. */
#define WEIGHT_BYTES_LIMIT ((int64_t)4800 * 1024)
/* Winograd runs only when its GEMM multiplies at most this share of the direct conv's multiply-adds
 * (tiles that hang past a small map compute outputs nobody reads). */
#define MAX_MAC_RATIO 0.6
/* F(4x4) against F(2x2): each costs its GEMM's multiply-adds (tiles x alpha^2 per channel pair) plus
 * reading its U once a run (alpha^2 per pair, at this many multiply-adds each). On a small map F(4x4)'s
 * 2.25x larger U about cancels its fewer tiles: squeezenet1_1's 13x13 layers by F(2x2) took 0.97-1.16x
 * their F(4x4) time (the whole net 1.02-1.03x at one thread) with 44% of the memory (U: 3.3 MB, against
 * 7.4), and loading it took 0.77x as long. */
#define COST_U_STREAM 12.0
/* With fewer channels a GEMM's K or N is too short to keep the micro-kernel busy, and the transforms
 * (per input and per output channel) weigh more against the products. */
#define MIN_CHANNELS 8
#define K_LIMIT ((int64_t)1 << 18)

/* The transforms' matrices (Lavin & Gray): G (alpha x 3) is in winograd_weights.h; B^T and A^T are
 * written out in the transforms below:
 *   F(2x2): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], A^T = [1 1 1 0; 0 1 -1 -1];
 *   F(4x4): B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 *           A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
bool er_f32_conv_winograd_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w) {
  const er_window_nd *g = &d->win;
  if (x->dtype != EDGERT_FLOAT32 || w->kind != ER_TENSOR_CONST || !er_const_bytes(w) || g->rank != 2)
    return false;
  if (g->batch < 1 || g->out_size < 1 || d->in_per_group < 1 || d->out_per_group < 1) return false;
  for (int i = 0; i < 2; i++)
    if (g->kernel[i] != 3 || g->stride[i] != 1 || g->dilation[i] != 1) return false;
  /* the GEMM's sizes are int32; K_LIMIT keeps the scratch products far from overflow */
  return d->in_per_group <= K_LIMIT && d->out_per_group <= K_LIMIT && g->out_size <= INT32_MAX;
}

/* Tiles of an out_h x out_w map with m x m tiles. */
static int64_t tile_count(const er_window_nd *g, int64_t m) {
  return er_div_up_i64(g->out[0], m) * er_div_up_i64(g->out[1], m);
}

/* Whether this CPU has vector transforms. With a vector GEMM (NEON) the scalar transforms cost about
 * what Winograd saves (resnet18's 56x56 layer with the AVX2 GEMM and scalar transforms: 3.4 ms by
 * F(4x4), 3.0 by the GEMM), while with the scalar GEMM too it still pays twice over. */
static bool transforms_pay(er_cpu_features cpu) {
#if defined(ER_SIMD_X86)
  if (cpu.avx512 || cpu.avx2_fma) return true;
#endif
  return !cpu.avx2_fma && !cpu.neon;
}

int er_f32_conv_winograd_choose_tile(const er_conv_nd_geometry *d, er_cpu_features cpu) {
  const er_window_nd *g = &d->win;
  if (d->in_per_group < MIN_CHANNELS || d->out_per_group < MIN_CHANNELS || !transforms_pay(cpu)) return 0;
  int best = 0;
  double best_cost = 0;
  for (int m = 4; m >= 2; m -= 2) {
    const int64_t alpha = m + 2, tiles = tile_count(g, m);
    double ratio = (double)tiles * (double)(alpha * alpha) / ((double)g->out_size * 9.0);
    double weight_bytes = (double)(alpha * alpha) * (double)d->in_per_group * (double)d->out_channels * 4.0;
    double cost = (double)(alpha * alpha) * ((double)tiles + COST_U_STREAM);
    if (ratio <= MAX_MAC_RATIO && weight_bytes <= (double)WEIGHT_BYTES_LIMIT && (!best || cost < best_cost))
      best = m, best_cost = cost;
  }
  return best;
}

/* Floats rounded up to 16 (64-byte lines) and to an odd count of lines: the (m+2)^2 matrices of a block
 * are read and written together, and strides of a multiple of 4 KiB would put them all in one L1 set. */
static int64_t spread_floats(int64_t floats) {
  floats = er_round_up_i64(floats, 16);
  return (floats / 16) % 2 ? floats : floats + 16;
}

/* ---- the work split ----
 *
 * A work item is a block of tiles of one image and group times a chunk of Cout (a multiple of NR). The
 * split is chosen by a cost model, in units of the GEMM's multiply-adds of one tile and channel pair over
 * all frequencies, fitted on Zen 4 to resnet18's and squeezenet1_1's layers (perf shares of the input
 * transform, the GEMM and the output transform): */
#define COST_INPUT                                                                                           \
  12.0                   /* the input transform, per tile and input channel (once per block a thread builds) \
                          */
#define COST_OUTPUT 10.0 /* the output transform, per tile and output channel */
#define COST_U_READ 3.0  /* reading U from L2 or beyond, per channel pair, once per item */
#define COST_ITEM 300.0  /* an item's calls and loop set-up */
typedef struct {
  const er_f32_gemm_ukernels *uk;
  int64_t tiles, images, cin, cout;
  int32_t threads;
} split_shape;

/* One split tried: blocks of block_tiles tiles, Cout in chunks of cout_chunk. */
typedef struct {
  const split_shape *s;
  int64_t block_tiles, cout_chunk, blocks, chunks;
} split_trial;

static double item_cost(const void *arg, int64_t item, int64_t prev) {
  const split_trial *tr = arg;
  const split_shape *s = tr->s;
  int64_t block = item / tr->chunks, b = block % tr->blocks, chunk = item % tr->chunks;
  int64_t count = er_min_i64(tr->block_tiles, s->tiles - b * tr->block_tiles);
  int64_t cols = er_min_i64(tr->cout_chunk, s->cout - chunk * tr->cout_chunk);
  double padded_cols = (double)er_round_up_i64(cols, s->uk->nr);
  double cost = er_f32_gemm_rows_cost(s->uk, count) * (double)s->cin * padded_cols +
                COST_OUTPUT * (double)(count * cols) + COST_U_READ * (double)(s->cin * cols) + COST_ITEM;
  return prev >= 0 && prev / tr->chunks == block ? cost : cost + COST_INPUT * (double)(count * s->cin);
}

/* The time the split (block_tiles, cout_chunk) takes: the slowest thread's items when each runs its home
 * share. */
static double split_cost(const split_shape *s, int64_t block_tiles, int64_t cout_chunk) {
  const split_trial tr = {s, block_tiles, cout_chunk, er_div_up_i64(s->tiles, block_tiles),
                          er_div_up_i64(s->cout, cout_chunk)};
  return er_parallel_makespan(s->images * tr.blocks * tr.chunks, s->threads, item_cost, &tr);
}

/* Whether blocks of bt tiles leave one tile alone in a block of an image of several (see multiply). */
static bool leaves_lone_tile(int64_t tiles, int64_t bt) { return tiles > 1 && (bt == 1 || tiles % bt == 1); }

/* Tries blocks of bt tiles with Cout in 1 .. max_chunks chunks, keeping the cheapest split in p. */
static void try_block_tiles(const split_shape *s, int64_t bt, int64_t max_chunks,
                            er_f32_conv_winograd_plan *p, double *best) {
  for (int64_t chunks = 1; chunks <= max_chunks; chunks++) {
    int64_t cout_chunk = er_round_up_i64(er_div_up_i64(s->cout, chunks), s->uk->nr);
    double cost = split_cost(s, bt, cout_chunk);
    if (cost < *best) *best = cost, p->block_tiles = bt, p->cout_chunk = cout_chunk;
  }
}

/* Chooses block_tiles (at most max_block_tiles, or MR) and cout_chunk: the cheapest split by split_cost
 * among tile counts that cut the image into nearly equal blocks (the fewest the budget allows, and up to
 * 4 per thread more) or are multiples of MR, and Cout cut into up to 4 chunks per thread. The split
 * changes which tiles share a GEMM call, not any tile's arithmetic, so the output does not depend on it
 * (the tests compare 1, 2 and 3 threads bit for bit): no block holds a lone tile, unless every count
 * up to max_tiles would leave one, and then every thread count takes blocks of max_tiles. */
static void plan_work_split(er_f32_conv_winograd_plan *p, int64_t max_block_tiles, int32_t threads) {
  const split_shape s = {p->uk, p->tiles, p->batch * p->groups, p->cin, p->cout, threads};
  const int64_t mr = s.uk->mr, nr = s.uk->nr;
  const int64_t max_tiles = er_min_i64(er_max_i64(max_block_tiles, mr), s.tiles);
  const int64_t min_blocks = er_div_up_i64(s.tiles, max_tiles);
  const int64_t max_chunks = threads > 1 ? er_min_i64(er_div_up_i64(s.cout, nr), 4 * (int64_t)threads) : 1;
  double best = INFINITY;
  for (int64_t blocks = min_blocks; blocks < min_blocks + 4 * (int64_t)threads && blocks <= s.tiles;
       blocks++) {
    int64_t bt = er_div_up_i64(s.tiles, blocks);
    if (!leaves_lone_tile(s.tiles, bt)) try_block_tiles(&s, bt, max_chunks, p, &best);
  }
  for (int64_t bt = mr; bt <= max_tiles; bt += mr)
    if (!leaves_lone_tile(s.tiles, bt)) try_block_tiles(&s, bt, max_chunks, p, &best);
  int64_t largest = max_tiles; /* the largest count without a lone tile, whatever the thread count */
  while (largest > 1 && leaves_lone_tile(s.tiles, largest))
    largest--;
  try_block_tiles(&s, largest > 1 ? largest : max_tiles, max_chunks, p, &best);
  p->blocks = er_div_up_i64(p->tiles, p->block_tiles);
  p->cout_chunks = er_div_up_i64(p->cout, p->cout_chunk);
}

edgert_status er_f32_conv_winograd_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const float *w,
                                           const er_fused_act *act, int tile, const er_f32_gemm_ukernels *uk,
                                           er_cpu_features cpu, er_f32_conv_winograd_plan *p,
                                           size_t *scratch_bytes) {
  const er_window_nd *g = &d->win;
  memset(p, 0, sizeof *p);
  p->uk = uk;
  p->input = er_f32_winograd_input__scalar;
  p->output = er_f32_winograd_output__scalar;
#if defined(ER_SIMD_X86)
  if (cpu.avx512)
    p->input = er_f32_winograd_input__avx512, p->output = er_f32_winograd_output__avx512;
  else if (cpu.avx2_fma)
    p->input = er_f32_winograd_input__avx2, p->output = er_f32_winograd_output__avx2;
#endif
  (void)cpu;
  p->tile = tile == 4 ? 4 : 2, p->alpha = p->tile + 2, p->xis = p->alpha * p->alpha;
  p->batch = g->batch, p->groups = d->group, p->cin = d->in_per_group, p->cout = d->out_per_group;
  p->in_h = g->in[0], p->in_w = g->in[1], p->out_h = g->out[0], p->out_w = g->out[1];
  p->pad_top = g->pad_begin[0], p->pad_left = g->pad_begin[1];
  p->tiles_h = er_div_up_i64(p->out_h, p->tile), p->tiles_w = er_div_up_i64(p->out_w, p->tile);
  p->tiles = p->tiles_h * p->tiles_w;
  p->act = *act;
  er_fused_act_vectorize(&p->act, cpu);
  p->act_lo = -INFINITY, p->act_hi = INFINITY;
  p->act_clamp = er_fused_act_as_clamp(&p->act, &p->act_lo, &p->act_hi);

  size_t u_bytes;
  if (!er_f32_gemm_packed_b_bytes(uk, p->cin, p->cout, &u_bytes) ||
      (double)u_bytes * (double)(p->xis * p->groups) > (double)(INT64_MAX / 8))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "Winograd weights overflow");
  p->u_xi_floats = er_round_up_i64((int64_t)(u_bytes / 4), 16);
  float *u = er_persist_alloc(ctx, (size_t)(p->u_xi_floats * p->xis * p->groups) * sizeof(float));
  if (!u) return EDGERT_ERR_NO_MEMORY;
  if (uk->nr > ER_WINOGRAD_MAX_NR)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "Winograd: GEMM panels wider than %d", ER_WINOGRAD_MAX_NR);
  er_f32_winograd_weights_fn weights = er_f32_winograd_weights__scalar;
#if defined(ER_SIMD_X86)
  if (cpu.avx512)
    weights = er_f32_winograd_weights__avx512;
  else if (cpu.avx2_fma)
    weights = er_f32_winograd_weights__avx2;
#endif
  for (int64_t grp = 0; grp < p->groups; grp++)
    weights(p, w, grp, u);
  p->u = u;

  /* blocks within the budget (or MR tiles), split with Cout among the threads */
  int32_t threads = er_num_threads(ctx);
  plan_work_split(p, BLOCK_BUDGET_FLOATS / (p->xis * (p->cin + p->cout)), threads);
  p->v_ld = er_round_up_i64(p->block_tiles, 16);
  p->v_xi_floats = spread_floats(p->cin * p->v_ld);
  p->m_ld = er_round_up_i64(p->cout, 16);
  p->m_xi_floats = spread_floats(p->block_tiles * p->m_ld);
  p->thread_floats = er_round_up_i64(p->xis * (p->v_xi_floats + p->m_xi_floats), 16);
  *scratch_bytes = (size_t)threads * (size_t)p->thread_floats * sizeof(float);
  return EDGERT_OK;
}

/* ---- portable transforms ---- */

void er_f32_winograd_weights__scalar(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                     float *u) {
  er_winograd_weights(p, w, grp, u);
}

/* B^T along one axis of the patch: out[i * os] = sum_k BT[i][k] z[k * zs] (the vector forms group the
 * sums the same way, with fused multiply-adds). */
static inline void bt4(const float *z, int64_t zs, float *out, int64_t os) {
  float z0 = z[0], z1 = z[zs], z2 = z[2 * zs], z3 = z[3 * zs], z4 = z[4 * zs], z5 = z[5 * zs];
  float a = z4 - 4.0f * z2, b = z3 - 4.0f * z1, c = z4 - z2, e = 2.0f * (z3 - z1);
  out[0] = 4.0f * z0 + (z4 - 5.0f * z2);
  out[os] = a + b;
  out[2 * os] = a - b;
  out[3 * os] = c + e;
  out[4 * os] = c - e;
  out[5 * os] = 4.0f * z1 + (z5 - 5.0f * z3);
}

static inline void bt2(const float *z, int64_t zs, float *out, int64_t os) {
  float z0 = z[0], z1 = z[zs], z2 = z[2 * zs], z3 = z[3 * zs];
  out[0] = z0 - z2, out[os] = z1 + z2, out[2 * os] = z2 - z1, out[3 * os] = z1 - z3;
}

/* A^T along one axis: out[i * os] = sum_k AT[i][k] z[k * zs]. */
static inline void at4(const float *z, int64_t zs, float *out, int64_t os) {
  float a = z[zs] + z[2 * zs], b = z[zs] - z[2 * zs], c = z[3 * zs] + z[4 * zs], d = z[3 * zs] - z[4 * zs];
  out[0] = (z[0] + a) + c;
  out[os] = 2.0f * d + b;
  out[2 * os] = 4.0f * c + a;
  out[3 * os] = (8.0f * d + b) + z[5 * zs];
}

static inline void at2(const float *z, int64_t zs, float *out, int64_t os) {
  out[0] = (z[0] + z[zs]) + z[2 * zs];
  out[os] = (z[zs] - z[2 * zs]) - z[3 * zs];
}

void er_f32_winograd_input__scalar(const er_f32_conv_winograd_plan *p, const float *x, int64_t t0,
                                   int64_t count, float *v) {
  const int64_t alpha = p->alpha, in_size = p->in_h * p->in_w;
  int64_t ty = t0 / p->tiles_w, tx = t0 % p->tiles_w;
  for (int64_t i = 0; i < count; i++) {
    const int64_t iy0 = ty * p->tile - p->pad_top, ix0 = tx * p->tile - p->pad_left;
    const bool inside = iy0 >= 0 && iy0 + alpha <= p->in_h && ix0 >= 0 && ix0 + alpha <= p->in_w;
    for (int64_t c = 0; c < p->cin; c++) {
      const float *xc = x + c * in_size;
      float d[ER_WINOGRAD_MAX_ALPHA * ER_WINOGRAD_MAX_ALPHA],
          t[ER_WINOGRAD_MAX_ALPHA * ER_WINOGRAD_MAX_ALPHA], out[ER_WINOGRAD_MAX_ALPHA];
      for (int64_t r = 0; r < alpha; r++) {
        int64_t iy = iy0 + r;
        for (int64_t s = 0; s < alpha; s++) {
          int64_t ix = ix0 + s;
          d[r * alpha + s] =
              inside || (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) ? xc[iy * p->in_w + ix] : 0.0f;
        }
      }
      /* along the rows (t[r][j]), then down the columns, straight into V */
      for (int64_t r = 0; r < alpha; r++) {
        if (alpha == 6)
          bt4(d + r * 6, 1, t + r * 6, 1);
        else
          bt2(d + r * 4, 1, t + r * 4, 1);
      }
      for (int64_t j = 0; j < alpha; j++) {
        if (alpha == 6)
          bt4(t + j, 6, out, 1);
        else
          bt2(t + j, 4, out, 1);
        for (int64_t r = 0; r < alpha; r++)
          v[(r * alpha + j) * p->v_xi_floats + c * p->v_ld + i] = out[r];
      }
    }
    if (++tx == p->tiles_w) tx = 0, ty++;
  }
}

void er_f32_winograd_output__scalar(const er_f32_conv_winograd_plan *p, const float *m, int64_t t0,
                                    int64_t count, int64_t c0, int64_t c1, const float *bias, float *y) {
  const int64_t alpha = p->alpha, tile = p->tile, out_size = p->out_h * p->out_w;
  int64_t ty = t0 / p->tiles_w, tx = t0 % p->tiles_w;
  for (int64_t i = 0; i < count; i++) {
    const int64_t oy0 = ty * tile, ox0 = tx * tile;
    const int64_t rows = er_min_i64(tile, p->out_h - oy0), cols = er_min_i64(tile, p->out_w - ox0);
    for (int64_t c = c0; c < c1; c++) {
      float mm[ER_WINOGRAD_MAX_ALPHA * ER_WINOGRAD_MAX_ALPHA], am[4 * ER_WINOGRAD_MAX_ALPHA], out[4];
      for (int64_t xi = 0; xi < alpha * alpha; xi++)
        mm[xi] = m[xi * p->m_xi_floats + i * p->m_ld + c];
      /* down the columns (am[r][s]), then along the rows */
      for (int64_t s = 0; s < alpha; s++) {
        if (alpha == 6)
          at4(mm + s, 6, am + s, 6);
        else
          at2(mm + s, 4, am + s, 4);
      }
      const float b = bias ? bias[c] : 0.0f;
      float *yc = y + c * out_size + oy0 * p->out_w + ox0;
      for (int64_t r = 0; r < rows; r++) {
        if (alpha == 6)
          at4(am + r * 6, 1, out, 1);
        else
          at2(am + r * 4, 1, out, 1);
        for (int64_t q = 0; q < cols; q++)
          yc[r * p->out_w + q] = er_fused_act_apply(&p->act, out[q] + b);
      }
    }
    if (++tx == p->tiles_w) tx = 0, ty++;
  }
}

/* ---- driver ---- */

typedef struct {
  const er_f32_conv_winograd_plan *p;
  const float *x, *bias;
  float *y, *scratch;
} winograd_task;

/* The rows of the next micro-kernel call with `left` rows to go: MR, but MR + 1 go as two calls of at
 * least 2 (MR >= 3), never leaving one row alone. A micro-kernel may sum a single row in another order
 * (AVX-512's splits K over four chains), and the tiles' blocks depend on the thread count, so a tile's
 * products are the same on any thread count only if no block of several tiles makes a one-row call. */
static int64_t single_row_free_rows(int64_t left, int64_t mr) {
  if (left == mr + 1) return left - left / 2;
  return er_min_i64(left, mr);
}

/* M_xi = V_xi^T U_xi for each frequency, over output channels [c0, c0 + cols) (a multiple of NR from c0),
 * by the GEMM's micro-kernel: A is V_xi read in place (transposed, tiles along its rows), B the packed
 * U_xi, all of K (Cin) in one call. Each NR-column panel of U_xi meets every row tile of the block before
 * the next is read, so it comes from L2 once per block. */
static void multiply(const er_f32_conv_winograd_plan *p, int64_t grp, int64_t count, int64_t c0, int64_t cols,
                     const float *v, float *m) {
  const int64_t mr_full = p->uk->mr, nr_full = p->uk->nr, k = p->cin;
  const er_f32_gemm_tile tile = {.a_row_stride = 1, .a_k_stride = (size_t)p->v_ld};
  for (int64_t xi = 0; xi < p->xis; xi++) {
    const float *u = p->u + (grp * p->xis + xi) * p->u_xi_floats + c0 * k;
    const float *vx = v + xi * p->v_xi_floats;
    float *mx = m + xi * p->m_xi_floats + c0;
    for (int64_t j = 0; j < cols; j += nr_full) {
      const size_t nr = (size_t)er_min_i64(nr_full, cols - j);
      for (int64_t i = 0, mr; i < count; i += mr) {
        mr = single_row_free_rows(count - i, mr_full);
        p->uk->ukernel((size_t)mr, nr, (size_t)k, vx + i, u + j * k, mx + i * p->m_ld + j, (size_t)p->m_ld,
                       &tile);
      }
    }
  }
}

static void winograd_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const winograd_task *t = arg;
  const er_f32_conv_winograd_plan *p = t->p;
  float *v = t->scratch + (size_t)thread * (size_t)p->thread_floats;
  float *m = v + p->xis * p->v_xi_floats;
  int64_t built = -1; /* the block whose V is in v: consecutive items share it */
  for (int64_t item = begin; item < end; item++) {
    int64_t chunk = item % p->cout_chunks, block = item / p->cout_chunks;
    int64_t b = block % p->blocks, image = block / p->blocks;
    int64_t grp = image % p->groups, n = image / p->groups;
    int64_t t0 = b * p->block_tiles, count = er_min_i64(p->block_tiles, p->tiles - t0);
    int64_t c0 = chunk * p->cout_chunk, cols = er_min_i64(p->cout_chunk, p->cout - c0);
    if (block != built) {
      p->input(p, t->x + (n * p->groups + grp) * p->cin * p->in_h * p->in_w, t0, count, v);
      built = block;
    }
    multiply(p, grp, count, c0, cols, v, m);
    float *y = t->y + (n * p->groups + grp) * p->cout * p->out_h * p->out_w;
    p->output(p, m, t0, count, c0, c0 + cols, t->bias ? t->bias + grp * p->cout : NULL, y);
  }
}

void er_f32_conv_winograd_run(er_op_ctx *ctx, const er_f32_conv_winograd_plan *p, const float *x,
                              const float *bias, float *y, void *scratch) {
  winograd_task t = {p, x, bias, y, scratch};
  const int64_t items = p->batch * p->groups * p->blocks * p->cout_chunks;
  const double macs = (double)(p->batch * p->groups * p->cin * p->cout * 9) * (double)(p->out_h * p->out_w);
  er_parallel_for(ctx, items, er_grain_for_work(items, 1, macs), winograd_items, &t);
}
