/* The float32 GEMM driver (see gemm_f32.h): variant choice, packing, cache blocking, the split over
 * threads and the epilogue. The micro-kernels live in gemm_f32_scalar.c, x86/ and arm/. */
#include "ops/gemm_f32.h"

#include <math.h>
#include <string.h>

#include "ops/index_math.h"
#include "ops/prefetch.h"

/* Cache blocks (measured on Zen 4 with the AVX-512 kernel; the ONNX-conv and NHWC shapes of resnet18 and
 * mobilenet_v2 were flat within noise around these). Within a K block, one KC x NR panel of B is reused by
 * every MR-row slice of the MC rows of A, and the KC x NC block of B (packed into scratch when plain)
 * stays in L2. */
enum { GEMM_KC = 256, GEMM_MC_TARGET = 96, GEMM_NC_TARGET = 512 };
/* K blocks of at most this many run a row-major C's block row tile by row tile (run_rows_first). */
enum { GEMM_ROWS_FIRST_KC = 64 };
/* Multiply-adds below which a product runs on one thread (a few microseconds of work). */
#define GEMM_MIN_SPLIT_MACS 65536.0

static const er_f32_gemm_ukernels scalar_variant = {
    "f32_gemm_4x8__scalar", 4, 8, er_f32_gemm_4x8__scalar, 8, NULL, NULL};
#if defined(ER_SIMD_X86)
static const er_f32_gemm_ukernels avx2_variant = {
    "f32_gemm_6x16__avx2", 6, 16, er_f32_gemm_6x16__avx2, 16, NULL, er_f32_gemm_dot_row__avx2};
static const er_f32_gemm_ukernels avx512_variant = {
    "f32_gemm_12x32__avx512",   12, 32, er_f32_gemm_12x32__avx512, 16, er_f32_gemm_transpose_16x16__avx512,
    er_f32_gemm_dot_row__avx512};
#endif
#if defined(ER_SIMD_ARM)
static const er_f32_gemm_ukernels neon_variant = {
    "f32_gemm_8x8__neon", 8, 8, er_f32_gemm_8x8__neon, 8, NULL, NULL};
#endif

const er_f32_gemm_ukernels *er_f32_gemm_variant(er_cpu_features f, int i) {
  const er_f32_gemm_ukernels *runnable[4];
  int n = 0;
  runnable[n++] = &scalar_variant;
#if defined(ER_SIMD_X86)
  if (f.avx2_fma) runnable[n++] = &avx2_variant;
  if (f.avx512) runnable[n++] = &avx512_variant;
#endif
#if defined(ER_SIMD_ARM)
  if (f.neon) runnable[n++] = &neon_variant;
#endif
  (void)f;
  return i >= 0 && i < n ? runnable[i] : NULL;
}

const er_f32_gemm_ukernels *er_f32_gemm_select(er_cpu_features f) {
  const er_f32_gemm_ukernels *best = &scalar_variant;
  for (int i = 1; er_f32_gemm_variant(f, i); i++)
    best = er_f32_gemm_variant(f, i);
  return best;
}

/* elements * 4 bytes, false on overflow or a negative count. */
static bool float_bytes(int64_t a, int64_t b, size_t *bytes) {
  if (a < 0 || b < 0) return false;
  if (a != 0 && (uint64_t)b > SIZE_MAX / 4 / (uint64_t)a) return false;
  *bytes = (size_t)a * (size_t)b * 4;
  return true;
}

bool er_f32_gemm_packed_a_bytes(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k, size_t *bytes) {
  (void)uk; /* panels are compact: a tail panel holds only its rows */
  return float_bytes(m, k, bytes);
}

bool er_f32_gemm_packed_b_bytes(const er_f32_gemm_ukernels *uk, int64_t k, int64_t n, size_t *bytes) {
  if (n < 0 || n > INT64_MAX - (int64_t)uk->nr) return false;
  return float_bytes(er_round_up_i64(n, uk->nr), k, bytes);
}

/* Rows [row0, row0 + rows) and K range [k0, k0 + kc) of A into MR-row panels: panel p (at p * MR * kc)
 * holds its mr rows k-major, element (k, i) at k * mr + i. */
static void pack_a_block(int64_t mr_full, er_f32_matrix a, int64_t row0, int64_t rows, int64_t k0, int64_t kc,
                         float scale, float *dst) {
  for (int64_t p = 0; p < rows; p += mr_full) {
    int64_t mr = er_min_i64(mr_full, rows - p);
    float *panel = dst + p * kc;
    if (a.transposed) {
      for (int64_t k = 0; k < kc; k++) {
        size_t src = (size_t)((k0 + k) * a.ld + row0 + p);
        for (int64_t i = 0; i < mr; i++)
          panel[k * mr + i] = er_f32_load(a.data, src + (size_t)i) * scale;
      }
    } else {
      for (int64_t i = 0; i < mr; i++) {
        size_t src = (size_t)((row0 + p + i) * a.ld + k0);
        for (int64_t k = 0; k < kc; k++)
          panel[k * mr + i] = er_f32_load(a.data, src + (size_t)k) * scale;
      }
    }
  }
}

/* A copy of n floats from any byte address; the panel widths are constants here so that the compiler
 * inlines those copies (a libc call per 128 bytes cost a tenth of a conv's time). */
static inline void copy_floats(float *dst, const void *src, int64_t n) {
  switch (n) {
  case 8: memcpy(dst, src, 8 * sizeof *dst); break;
  case 16: memcpy(dst, src, 16 * sizeof *dst); break;
  case 32: memcpy(dst, src, 32 * sizeof *dst); break;
  default: memcpy(dst, src, (size_t)n * sizeof *dst); break;
  }
}

/* Columns [col0, col0 + cols) and K range [k0, k0 + kc) of B into NR-column panels: panel q (at q * NR *
 * kc) holds element (k, j) at k * NR + j, zero past the last column. */
static void pack_b_block(const er_f32_gemm_ukernels *uk, er_f32_matrix b, int64_t col0, int64_t cols,
                         int64_t k0, int64_t kc, float scale, float *dst) {
  const int64_t nr_full = uk->nr;
  if (!b.transposed) {
    /* row by row of B, so that reads stream: each row is spread over the panels */
    for (int64_t k = 0; k < kc; k++) {
      const unsigned char *src =
          (const unsigned char *)b.data + sizeof(float) * (size_t)((k0 + k) * b.ld + col0);
      for (int64_t q = 0; q < cols; q += nr_full) {
        int64_t nr = er_min_i64(nr_full, cols - q);
        float *row = dst + q * kc + k * nr_full;
        if (scale == 1.0f) {
          copy_floats(row, src + sizeof(float) * (size_t)q, nr);
        } else {
          for (int64_t j = 0; j < nr; j++)
            row[j] = er_f32_load(src, (size_t)(q + j)) * scale;
        }
        for (int64_t j = nr; j < nr_full; j++)
          row[j] = 0.0f;
      }
    }
    return;
  }
  /* a transpose, KB panel rows at a time, so those rows stay in L1 while every column fills its part
   * (whole columns at once wrote kc lines apart); each column's next lines are fetched ahead, as the
   * nr rows of B read at once are too many streams for the hardware prefetchers (unhelped, the packing
   * took 40% of mobilenet_v2's load, waiting on those reads); 16 x 16 blocks go through the variant's
   * register transpose where it has one (a float at a time, the transpose took a third of mobilenet_v2's
   * load once its weights were read where they lie in the file) */
  enum { KB = 16 };
  for (int64_t q = 0; q < cols; q += nr_full) {
    int64_t nr = er_min_i64(nr_full, cols - q);
    float *panel = dst + q * kc;
    for (int64_t kb = 0; kb < kc; kb += KB) {
      int64_t kn = er_min_i64(KB, kc - kb), j = 0;
      for (; uk->transpose_16x16 && kn == KB && j + 16 <= nr; j += 16) {
        const unsigned char *src =
            (const unsigned char *)b.data + sizeof(float) * (size_t)((col0 + q + j) * b.ld + k0 + kb);
        for (int64_t r = 0; r < 16 && kb + 4 * KB < kc; r++)
          er_prefetch(src + sizeof(float) * (size_t)(r * b.ld + 4 * KB));
        uk->transpose_16x16(src, (size_t)b.ld, scale, panel + kb * nr_full + j, (size_t)nr_full);
      }
      for (; j < nr; j++) {
        const unsigned char *src =
            (const unsigned char *)b.data + sizeof(float) * (size_t)((col0 + q + j) * b.ld + k0 + kb);
        float *out = panel + kb * nr_full + j;
        if (kb + 4 * KB < kc) er_prefetch(src + sizeof(float) * 4 * KB);
        for (int64_t k = 0; k < kn; k++)
          out[k * nr_full] = er_f32_load(src, (size_t)k) * scale;
      }
    }
    if (nr < nr_full)
      for (int64_t k = 0; k < kc; k++)
        for (int64_t j = nr; j < nr_full; j++)
          panel[k * nr_full + j] = 0.0f;
  }
}

void er_f32_gemm_pack_a(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k, er_f32_matrix a, float scale,
                        float *packed) {
  pack_a_block(uk->mr, a, 0, m, 0, k, scale, packed);
}

typedef struct {
  const er_f32_gemm_ukernels *uk;
  er_f32_matrix b;
  int64_t k, n;
  float scale;
  float *packed;
} pack_b_task;

/* Panels [begin, end) of a pack_b_task. */
static void pack_b_panels(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const pack_b_task *t = arg;
  const int64_t col0 = begin * t->uk->nr, cols = er_min_i64(end * t->uk->nr, t->n) - col0;
  pack_b_block(t->uk, t->b, col0, cols, 0, t->k, t->scale, t->packed + col0 * t->k);
}

/* Floats of packed B below which a chunk is not worth a thread's wake-up. */
#define PACK_CHUNK_FLOATS 32768

void er_f32_gemm_pack_b(er_op_ctx *ctx, const er_f32_gemm_ukernels *uk, int64_t k, int64_t n, er_f32_matrix b,
                        float scale, float *packed) {
  const pack_b_task t = {uk, b, k, n, scale, packed};
  const int64_t panels = (n + uk->nr - 1) / uk->nr, panel_floats = k * uk->nr > 0 ? k * uk->nr : 1;
  if (!ctx) {
    pack_b_panels((void *)&t, 0, 0, panels);
    return;
  }
  er_parallel_for(ctx, panels, er_max_i64(1, PACK_CHUNK_FLOATS / panel_floats), pack_b_panels, (void *)&t);
}

/* How a run is cut: K blocks of kc (balanced, so K = 300 is two blocks of 150), and M x N into work items
 * for er_parallel_for: m_items row pieces times n_blocks column pieces, each a balanced share of the
 * micro-tiles along its side (sizes differ by at most one MR or NR), at most nc columns wide. An item
 * packs each K block of its columns of B once (unless B is packed or read in place) and runs all its rows
 * over it, mc rows at a time (so a row block of A stays in L2 while the panels of B pass through L1). An
 * item spans all of M unless the threads need more items; row cuts fall on multiples of MR, so no thread
 * count makes a row tail that another would not. With threads, the cut is the one the caller planned
 * (er_f32_gemm_plan_split: the cheapest by split_cost of up to 4 pieces per thread on each side) or a
 * quick rule (plan_blocks); a product too small to be worth waking threads for stays one item. */
typedef struct {
  int64_t kc, mc, nc; /* nc: the widest piece */
  int64_t m_tiles, n_tiles, m_items, n_blocks;
} gemm_blocking;

/* The first micro-tile of piece i of `pieces` over `tiles`. */
static int64_t piece_start(int64_t i, int64_t pieces, int64_t tiles) { return i * tiles / pieces; }

/* The split's cost model, in multiply-adds of the micro-kernel: packing one float of B (as in
 * conv_nd_gemm.c), an item's calls and set-up, and a cache line of C that two threads write (a cut
 * across C's stored rows). */
#define SPLIT_PACK_COST 7.5
#define SPLIT_ITEM_COST 300.0
#define SPLIT_SHARED_LINE_COST 1000.0

typedef struct {
  const er_f32_gemm_ukernels *uk;
  int64_t m, n, k;
  bool pack_b, c_transposed;
  int32_t threads;
} split_shape;

double er_f32_gemm_rows_cost(const er_f32_gemm_ukernels *uk, int64_t rows) {
  const int64_t mr = uk->mr, tail = rows % mr;
  return (double)(rows - tail) + (tail ? (double)er_min_i64(mr, tail + 3) : 0.0);
}

/* One split tried. */
typedef struct {
  const split_shape *s;
  const gemm_blocking *b;
} split_trial;

/* The cost of rows [r0, r1) x columns [c0, c1): a partial micro-tile costs about what its lanes and
 * loads take (er_f32_gemm_rows_cost; a column tail of at most half NR one vector). */
static double piece_cost(const split_shape *s, int64_t r0, int64_t r1, int64_t c0, int64_t c1, bool packs) {
  const int64_t nr = s->uk->nr, cols = c1 - c0, col_tail = cols % nr;
  double eff_cols = (double)(cols - col_tail) + (col_tail ? (col_tail <= nr / 2 ? nr / 2 : nr) : 0);
  double cost = (double)s->k * er_f32_gemm_rows_cost(s->uk, r1 - r0) * eff_cols + SPLIT_ITEM_COST;
  if (packs) cost += SPLIT_PACK_COST * (double)s->k * (double)er_round_up_i64(cols, nr);
  return cost;
}

/* Whether a thread that has just run an item of column piece nb can run another of that piece on the B it
 * packed: B is packed per item and the item's K is one block, so that block is still in its scratch. */
static bool reuses_packed_b(const gemm_blocking *b, int64_t k) { return b->kc >= k; }

/* Item `item` of a cut: its piece of C (er_parallel_makespan's item cost). */
static double item_cost(const void *arg, int64_t item, int64_t prev) {
  const split_trial *tr = arg;
  const split_shape *s = tr->s;
  const gemm_blocking *b = tr->b;
  const int64_t mr = s->uk->mr, nr = s->uk->nr, mb = item % b->m_items, nb = item / b->m_items;
  int64_t r0 = piece_start(mb, b->m_items, b->m_tiles) * mr;
  int64_t r1 = er_min_i64(piece_start(mb + 1, b->m_items, b->m_tiles) * mr, s->m);
  int64_t c0 = piece_start(nb, b->n_blocks, b->n_tiles) * nr;
  int64_t c1 = er_min_i64(piece_start(nb + 1, b->n_blocks, b->n_tiles) * nr, s->n);
  const bool packs = s->pack_b && !(prev >= 0 && prev / b->m_items == nb && reuses_packed_b(b, s->k));
  return piece_cost(s, r0, r1, c0, c1, packs);
}

/* The time cut b takes: the slowest thread's home items (er_parallel_makespan), plus the lines of C that
 * pieces cut across its stored rows share. */
static double split_cost(const split_shape *s, const gemm_blocking *b) {
  const split_trial tr = {s, b};
  double slowest = er_parallel_makespan(b->m_items * b->n_blocks, s->threads, item_cost, &tr);
  /* a row-major C shares lines where columns are cut, once per row; a transposed one where rows are */
  double shared =
      s->c_transposed ? (double)(b->m_items - 1) * (double)s->n : (double)(b->n_blocks - 1) * (double)s->m;
  return slowest + SPLIT_SHARED_LINE_COST * shared / s->threads;
}

/* The K blocking and the fewest column pieces (nc at most GEMM_NC_TARGET): one item. */
static gemm_blocking one_item(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k) {
  gemm_blocking b;
  int64_t k_blocks = k > 0 ? (k + GEMM_KC - 1) / GEMM_KC : 1;
  b.kc = (k + k_blocks - 1) / k_blocks;
  int64_t mr = uk->mr, nr = uk->nr;
  b.mc = GEMM_MC_TARGET > mr ? GEMM_MC_TARGET / mr * mr : mr;
  b.m_tiles = er_div_up_i64(m > 0 ? m : 1, mr);
  b.n_tiles = er_div_up_i64(n > 0 ? n : 1, nr);
  b.m_items = 1;
  b.n_blocks = er_div_up_i64(b.n_tiles, GEMM_NC_TARGET > nr ? GEMM_NC_TARGET / nr : 1);
  b.nc = er_div_up_i64(b.n_tiles, b.n_blocks) * nr;
  return b;
}

static bool worth_splitting(int64_t m, int64_t n, int64_t k, int32_t threads) {
  return threads > 1 && (double)m * (double)n * (double)(k > 0 ? k : 1) >= GEMM_MIN_SPLIT_MACS;
}

/* The cut of a run: the split planned at prepare, or else (a quick rule for callers that plan none) the
 * side with more micro-tiles per piece takes one more piece until there are 4 items per thread, a
 * multiple of the threads. */
static gemm_blocking plan_blocks(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k,
                                 int32_t threads, const er_f32_gemm_split *split) {
  gemm_blocking b = one_item(uk, m, n, k);
  if (!worth_splitting(m, n, k, threads)) {
    /* one item */
  } else if (split) {
    b.m_items = er_min_i64(split->m_items, b.m_tiles);
    b.n_blocks = er_min_i64(er_max_i64(split->n_blocks, b.n_blocks), b.n_tiles);
  } else {
    for (;;) {
      int64_t items = b.m_items * b.n_blocks;
      if (items >= 4 * (int64_t)threads && items % threads == 0) break;
      int64_t m_per = er_div_up_i64(b.m_tiles, b.m_items), n_per = er_div_up_i64(b.n_tiles, b.n_blocks);
      if (m_per <= 1 && n_per <= 1) break;
      if (n_per >= m_per)
        b.n_blocks++;
      else
        b.m_items++;
    }
  }
  b.nc = er_div_up_i64(b.n_tiles, b.n_blocks) * uk->nr;
  return b;
}

void er_f32_gemm_plan_split(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k, bool b_packed,
                            bool b_transposed, bool c_transposed, int32_t threads, er_f32_gemm_split *split) {
  gemm_blocking b = one_item(uk, m, n, k);
  split->m_items = 1, split->n_blocks = (int32_t)er_min_i64(b.n_blocks, INT32_MAX);
  if (!worth_splitting(m, n, k, threads)) return;
  const bool pack_b = !b_packed && (b_transposed || !er_f32_gemm_reads_b_in_place(uk, m, k));
  const split_shape s = {uk, m, n, k > 0 ? k : 1, pack_b, c_transposed, threads};
  const int64_t min_blocks = b.n_blocks, most = 4 * (int64_t)threads;
  /* at least 4 items per thread where the tiles allow: a thread that starts late (a worker waking) then
   * leaves the rest less to wait for, which the model does not see */
  const int64_t fewest = er_min_i64(most, b.m_tiles * b.n_tiles);
  double best = INFINITY;
  gemm_blocking trial = b;
  for (trial.m_items = 1; trial.m_items <= er_min_i64(b.m_tiles, most); trial.m_items++) {
    for (trial.n_blocks = min_blocks; trial.n_blocks <= er_min_i64(b.n_tiles, min_blocks + most - 1);
         trial.n_blocks++) {
      if (trial.m_items * trial.n_blocks < fewest) continue;
      double cost = split_cost(&s, &trial);
      if (cost < best)
        best = cost, split->m_items = (int32_t)trial.m_items, split->n_blocks = (int32_t)trial.n_blocks;
    }
  }
}

bool er_f32_gemm_reads_b_in_place(const er_f32_gemm_ukernels *uk, int64_t m, int64_t k) {
  int64_t row_tiles = er_div_up_i64(m, uk->mr);
  return row_tiles <= 6 || (k >= 64 && row_tiles <= 16);
}

/* Per-thread scratch in floats: a plain B is packed block by block (a plain A is read in place by the
 * micro-kernels: packing it cost more than it saved, the rows stream well). Blocks only shrink with more
 * threads, so the 1-thread blocks bound it. The block follows a header that names the column piece it
 * holds (packed_piece). */
enum { SCRATCH_HEADER_FLOATS = 16 };
static int64_t scratch_floats(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k,
                              bool b_packed) {
  gemm_blocking b = one_item(uk, m, n, k);
  /* 16 floats: keeps each thread's part 64-byte aligned relative to the base */
  return b_packed ? 0 : SCRATCH_HEADER_FLOATS + er_round_up_i64(b.nc * b.kc, 16);
}

/* The column piece whose B a thread's scratch holds packed, whole (its K is one block), or -1: a thread
 * that runs several items of one piece (a cut of M, as for the 1x1 convolutions of small maps) packs that
 * piece once, not once per item. */
static int64_t *packed_piece(float *scratch) { return (int64_t *)(void *)scratch; }

bool er_f32_gemm_scratch_bytes(const er_f32_gemm_ukernels *uk, int64_t m, int64_t n, int64_t k, bool a_packed,
                               bool b_packed, int32_t threads, size_t *bytes) {
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) return false;
  (void)a_packed;
  return float_bytes(scratch_floats(uk, m, n, k, b_packed), threads > 1 ? threads : 1, bytes);
}

typedef struct {
  const er_f32_gemm_ukernels *uk;
  const er_f32_gemm_args *g;
  gemm_blocking blk;
  float *scratch;
  int64_t scratch_per_thread;       /* floats */
  const float *bias_row, *bias_col; /* the bias, by its kind; NULL for none */
  er_f32_gemm_tile tile;            /* clamp bounds, when the activation is a clamp */
  bool act_pass;                    /* the activation is not a clamp: a pass over each finished block of C */
  bool b_in_place; /* a plain B is read in place, not packed (er_f32_gemm_reads_b_in_place) */
  bool b_reused;   /* a packed piece of B serves a thread's next item of that piece (reuses_packed_b) */
} gemm_run;

/* Where the micro-kernel reads rows [row, row + mr) of A from index pc along K (row is a multiple of MR):
 * in the packed panel (which starts at row * K as every panel before it is full), or in place. */
static const void *a_tile(const er_f32_gemm_args *g, int64_t row, int64_t pc, int64_t mr) {
  if (g->a_packed) return g->a_packed + row * g->k + pc * mr;
  int64_t at = g->a.transposed ? pc * g->a.ld + row : row * g->a.ld + pc;
  return (const unsigned char *)g->a.data + sizeof(float) * (size_t)at;
}

/* The activation pass over columns [col0, col0 + cols) x rows [row0, row0 + rows) of a transposed C, once
 * the panel is done: runs of rows floats, one run in all when they span C's whole stored rows (a small
 * map's conv), rather than a call per column of each micro-tile (12 floats, where the call cost as much as
 * the activation). */
static void act_pass_transposed(const er_f32_gemm_args *g, int64_t col0, int64_t cols, int64_t row0,
                                int64_t rows) {
  float *ct = g->c + col0 * g->ldc + row0;
  if (rows == g->ldc) {
    er_fused_act_apply_n(&g->act, ct, cols * rows);
    return;
  }
  for (int64_t x = 0; x < cols; x++)
    er_fused_act_apply_n(&g->act, ct + x * g->ldc, rows);
}

/* One K block of an item: rows [m0, m0 + rows) x columns [n0, n0 + cols) of C, K range [pc, pc + kc),
 * B's panels at b_base (panel q at q * b_panel_stride, from b_k_off on). */
typedef struct {
  int64_t m0, rows, n0, cols, pc, kc, row_step;
  const float *b_base;
  int64_t b_panel_stride, b_k_off;
  bool last; /* the last K block: the epilogue applies */
} k_block;

/* Micro-tile (i, j) of a K block (i, j relative to m0, n0). */
static inline void run_tile(const gemm_run *r, const k_block *kb, er_f32_gemm_tile *tile, int64_t i,
                            int64_t j) {
  const er_f32_gemm_args *g = r->g;
  const int64_t mr = er_min_i64(kb->row_step, kb->rows - i),
                nr = er_min_i64((int64_t)r->uk->nr, kb->cols - j);
  const void *ap = a_tile(g, kb->m0 + i, kb->pc, mr);
  const float *bp = kb->b_base + (j / (int64_t)r->uk->nr) * kb->b_panel_stride + kb->b_k_off;
  tile->bias_row = r->bias_row ? r->bias_row + kb->m0 + i : NULL;
  tile->bias_col = r->bias_col ? r->bias_col + kb->n0 + j : NULL;
  float *c =
      g->c_transposed ? g->c + (kb->n0 + j) * g->ldc + kb->m0 + i : g->c + (kb->m0 + i) * g->ldc + kb->n0 + j;
  r->uk->ukernel((size_t)mr, (size_t)nr, (size_t)kb->kc, ap, bp, c, (size_t)g->ldc, tile);
}

/* Rows [ms, ms + sub_rows) of a K block, panel by panel, each panel of B reused by every row tile from L1;
 * a transposed C takes a non-clamp activation per finished panel. A panel's row tiles prefetch the next
 * packed panel between them, a share each: packed weights come from memory once a model's outgrow the
 * cache, and a stream that restarts at every panel is more than the hardware prefetchers run ahead of
 * (mobilenet_v2's 7x7 1x1 convs 9-10% faster in the net). */
static void run_panels_first(const gemm_run *r, const k_block *kb, er_f32_gemm_tile *tile, int64_t ms,
                             int64_t sub_rows) {
  const er_f32_gemm_args *g = r->g;
  const int64_t nr = r->uk->nr, tiles = (sub_rows + kb->row_step - 1) / kb->row_step;
  const int64_t panel_lines = nr * kb->kc * (int64_t)sizeof(float) / ER_CACHE_LINE_BYTES;
  for (int64_t j = 0; j < kb->cols; j += nr) {
    const bool prefetch = tile->b_k_stride == 0 && j + nr < kb->cols; /* packed panels only */
    const char *next =
        prefetch ? (const char *)(kb->b_base + (j / nr + 1) * kb->b_panel_stride + kb->b_k_off) : NULL;
    for (int64_t i = ms, t = 0; i < ms + sub_rows; i += kb->row_step, t++) {
      for (int64_t l = t * panel_lines / tiles; next && l < (t + 1) * panel_lines / tiles; l++)
        er_prefetch(next + l * ER_CACHE_LINE_BYTES);
      run_tile(r, kb, tile, i, j);
    }
    if (g->c_transposed && kb->last && r->act_pass)
      act_pass_transposed(g, kb->n0 + j, er_min_i64(nr, kb->cols - j), kb->m0 + ms, sub_rows);
  }
}

/* The same row tile by row tile, for a short K (GEMM_ROWS_FIRST_KC) and a row-major C: the kernel is then
 * store-bound, and a row tile writes its few rows along their length (12 streams) where the panel order
 * writes every row of the block a panel at a time (96 streams in mobilenet_v2's 16 -> 96 conv at 112x112:
 * 0.68 ms that way, 0.51 this way; the 16 -> 32 conv before it 0.26 and 0.20). */
static void run_rows_first(const gemm_run *r, const k_block *kb, er_f32_gemm_tile *tile, int64_t ms,
                           int64_t sub_rows) {
  for (int64_t i = ms; i < ms + sub_rows; i += kb->row_step)
    for (int64_t j = 0; j < kb->cols; j += r->uk->nr)
      run_tile(r, kb, tile, i, j);
}

/* Points kb at the K block's panels of B: packed at prepare, read in place, or packed now into the
 * thread's scratch (unless it holds that column piece already, packed_piece). */
static void set_b_panels(const gemm_run *r, float *scratch, int64_t nb, k_block *kb, er_f32_gemm_tile *tile) {
  const er_f32_gemm_args *g = r->g;
  const int64_t nr_full = r->uk->nr;
  tile->b_k_stride = 0;
  if (g->b_packed) {
    kb->b_base = g->b_packed + kb->n0 * g->k;
    kb->b_panel_stride = nr_full * g->k;
    kb->b_k_off = kb->pc * nr_full;
  } else if (r->b_in_place) {
    kb->b_base = (const float *)g->b.data + kb->pc * g->b.ld + kb->n0;
    kb->b_panel_stride = nr_full;
    kb->b_k_off = 0;
    tile->b_k_stride = (size_t)g->b.ld;
  } else {
    float *b_buf = scratch + SCRATCH_HEADER_FLOATS;
    if (!r->b_reused || *packed_piece(scratch) != nb)
      pack_b_block(r->uk, g->b, kb->n0, kb->cols, kb->pc, kb->kc, 1.0f, b_buf);
    if (r->b_reused) *packed_piece(scratch) = nb;
    kb->b_base = b_buf;
    kb->b_panel_stride = nr_full * kb->kc;
    kb->b_k_off = 0;
  }
}

/* One item: row piece mb x column piece nb of C, over all of K. */
static void run_block(const gemm_run *r, float *scratch, int64_t mb, int64_t nb) {
  const er_f32_gemm_args *g = r->g;
  const gemm_blocking *blk = &r->blk;
  const int64_t mr_full = r->uk->mr, nr_full = r->uk->nr;
  k_block kb = {.row_step = g->rows_alone && !g->a_packed ? 1 : mr_full}; /* rows per micro-tile */
  kb.m0 = piece_start(mb, blk->m_items, blk->m_tiles) * mr_full;
  kb.rows = er_min_i64(piece_start(mb + 1, blk->m_items, blk->m_tiles) * mr_full, g->m) - kb.m0;
  kb.n0 = piece_start(nb, blk->n_blocks, blk->n_tiles) * nr_full;
  kb.cols = er_min_i64(piece_start(nb + 1, blk->n_blocks, blk->n_tiles) * nr_full, g->n) - kb.n0;
  er_f32_gemm_tile tile = r->tile;
  tile.c_transposed = g->c_transposed;
  if (!g->a_packed) {
    tile.a_row_stride = g->a.transposed ? 1 : (size_t)g->a.ld;
    tile.a_k_stride = g->a.transposed ? (size_t)g->a.ld : 1;
  }
  kb.pc = 0;
  do { /* once when K is 0: the bias and activation */
    kb.kc = er_min_i64(blk->kc, g->k - kb.pc);
    kb.last = kb.pc + kb.kc >= g->k;
    set_b_panels(r, scratch, nb, &kb, &tile);
    tile.accumulate = kb.pc > 0;
    tile.clamp = kb.last && r->tile.clamp;
    for (int64_t ms = 0; ms < kb.rows; ms += blk->mc) {
      const int64_t sub_rows = er_min_i64(blk->mc, kb.rows - ms);
      if (!g->c_transposed && kb.kc <= GEMM_ROWS_FIRST_KC)
        run_rows_first(r, &kb, &tile, ms, sub_rows);
      else
        run_panels_first(r, &kb, &tile, ms, sub_rows);
      /* a row-major C's activation over the block's rows, whole: a call per micro-tile row (32 floats)
       * cost as much as the activation */
      if (!g->c_transposed && kb.last && r->act_pass)
        for (int64_t y = kb.m0 + ms; y < kb.m0 + ms + sub_rows; y++)
          er_fused_act_apply_n(&g->act, g->c + y * g->ldc + kb.n0, kb.cols);
    }
    kb.pc += kb.kc;
  } while (kb.pc < g->k);
}

static void run_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const gemm_run *r = arg;
  float *scratch = r->scratch ? r->scratch + (int64_t)thread * r->scratch_per_thread : NULL;
  for (int64_t it = begin; it < end; it++)
    run_block(r, scratch, it % r->blk.m_items, it / r->blk.m_items);
}

void er_f32_gemm_run(er_op_ctx *ctx, const er_f32_gemm_ukernels *uk, const er_f32_gemm_args *args,
                     void *scratch) {
  const er_f32_gemm_args *g = args;
  if (g->m <= 0 || g->n <= 0) return;
  int32_t threads = ctx ? er_num_threads(ctx) : 1;
  gemm_run r = {
      .uk = uk, .g = g, .blk = plan_blocks(uk, g->m, g->n, g->k, threads, g->split), .scratch = scratch};
  /* the same per-thread size as er_f32_gemm_scratch_bytes gave */
  r.scratch_per_thread = scratch_floats(uk, g->m, g->n, g->k, g->b_packed != NULL);
  r.bias_row = g->bias_kind == ER_F32_BIAS_PER_ROW ? g->bias : NULL;
  r.bias_col = g->bias_kind == ER_F32_BIAS_PER_COL ? g->bias : NULL;
  float lo = -INFINITY, hi = INFINITY;
  const bool is_clamp = er_fused_act_as_clamp(&g->act, &lo, &hi);
  /* clamping to -inf..inf (no activation) changes nothing, NaN included: skipped */
  r.tile.clamp = is_clamp && !(lo == -INFINITY && hi == INFINITY);
  r.tile.min = lo, r.tile.max = hi;
  r.act_pass = !is_clamp && g->act.kind != ER_ACT_NONE;
  r.b_in_place = !g->b_packed && !g->b.transposed && (uintptr_t)g->b.data % sizeof(float) == 0 &&
                 er_f32_gemm_reads_b_in_place(uk, g->m, g->k);
  int64_t items = r.blk.m_items * r.blk.n_blocks;
  r.b_reused = !g->b_packed && !r.b_in_place && r.blk.m_items > 1 && reuses_packed_b(&r.blk, g->k);
  if (r.b_reused)
    for (int32_t t = 0; t < threads; t++)
      *packed_piece(r.scratch + (int64_t)t * r.scratch_per_thread) = -1;
  if (ctx && threads > 1)
    er_parallel_for(ctx, items, 1, run_items, &r);
  else
    run_items(&r, 0, 0, items);
}
