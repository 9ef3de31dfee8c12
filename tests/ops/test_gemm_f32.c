/* The float32 GEMM core (src/ops/gemm_f32.c) against a double-precision reference, for every variant this
 * CPU runs: odd shapes (tails of every tile), K = 1 and K = 0, K blocks, both operands packed, plain and
 * transposed, C row-major or transposed, leading dimensions wider than the rows, bias per row, per column
 * or none, each fused activation; and on 2 and 3 threads of a real pool (through an interpreter context
 * made by hand). */
#include <stdlib.h>
#include <string.h>

#include "core/interp.h"
#include "ops/gemm_f32.h"
#include "test.h"
#include "test_random.h"

/* The context er_f32_gemm_run splits its work with; NULL runs on the calling thread. */
static er_op_ctx *run_ctx;

static uint32_t rng_state = 12345u;
static uint32_t rng_next(void) { return test_random_next(&rng_state); }
static float rng_float(void) { return (float)rng_next() / (float)(1u << 24) * 2.0f - 1.0f; }
static int64_t rng_pick(const int64_t *v, int n) { return v[rng_next() % (uint32_t)n]; }

typedef struct {
  int64_t m, n, k;
  bool a_packed, a_trans, b_packed, b_trans;
  bool c_trans;                /* C stored as its transpose, [N x M] */
  int64_t a_pad, b_pad, c_pad; /* extra elements per stored row */
  er_f32_bias_kind bias_kind;
  er_fused_act act;
  float scale_b; /* folded into B when it is packed */
  int misalign;  /* 1 to 3: A and B given at that many bytes past a float boundary (ONNX weights) */
  float *c_out;  /* when set, receives C as stored */
} gemm_case;

/* n floats copied to `offset` bytes into a fresh buffer (freed through *block). */
static const void *shifted_copy(const float *x, size_t n, int offset, unsigned char **block) {
  *block = malloc(n * sizeof *x + 4);
  memcpy(*block + offset, x, n * sizeof *x);
  return *block + offset;
}

/* A stored [M x K] (or [K x M] transposed) with row padding; same for B. */
static float *make_matrix(int64_t rows, int64_t cols, int64_t pad, int64_t *ld) {
  *ld = cols + pad;
  size_t count = (size_t)(rows * *ld) + 1;
  float *x = malloc(count * sizeof *x);
  for (size_t i = 0; i < count; i++)
    x[i] = rng_float();
  return x;
}

static bool run_case(const er_f32_gemm_ukernels *uk, const gemm_case *tc) {
  const int64_t m = tc->m, n = tc->n, k = tc->k;
  int64_t lda, ldb, ldc;
  float *a = tc->a_trans ? make_matrix(k, m, tc->a_pad, &lda) : make_matrix(m, k, tc->a_pad, &lda);
  float *b = tc->b_trans ? make_matrix(n, k, tc->b_pad, &ldb) : make_matrix(k, n, tc->b_pad, &ldb);
  /* C as stored: c_rows rows of ldc floats, the first c_cols of each written */
  const int64_t c_rows = tc->c_trans ? n : m, c_cols = tc->c_trans ? m : n;
  float *c = make_matrix(c_rows, c_cols, tc->c_pad, &ldc);
  float *c_before = malloc((size_t)(c_rows * ldc + 1) * sizeof *c);
  memcpy(c_before, c, (size_t)(c_rows * ldc + 1) * sizeof *c);
  int64_t bias_n = tc->bias_kind == ER_F32_BIAS_PER_ROW ? m : n;
  float *bias = malloc((size_t)bias_n * sizeof *bias + 4);
  for (int64_t i = 0; i < bias_n; i++)
    bias[i] = rng_float();

  er_f32_gemm_args g = {.m = m,
                        .n = n,
                        .k = k,
                        .a = {a, lda, tc->a_trans},
                        .b = {b, ldb, tc->b_trans},
                        .c = c,
                        .ldc = ldc,
                        .bias = tc->bias_kind ? bias : NULL,
                        .bias_kind = tc->bias_kind,
                        .act = tc->act,
                        .c_transposed = tc->c_trans};
  unsigned char *a_shifted = NULL, *b_shifted = NULL;
  if (tc->misalign) {
    g.a.data = shifted_copy(a, (size_t)((tc->a_trans ? k : m) * lda + 1), tc->misalign, &a_shifted);
    g.b.data = shifted_copy(b, (size_t)((tc->b_trans ? n : k) * ldb + 1), tc->misalign, &b_shifted);
  }
  float *a_packed = NULL, *b_packed = NULL;
  size_t bytes;
  float b_scale = tc->b_packed ? tc->scale_b : 1.0f;
  if (tc->a_packed) {
    CHECK(er_f32_gemm_packed_a_bytes(uk, m, k, &bytes));
    a_packed = malloc(bytes + 4);
    er_f32_gemm_pack_a(uk, m, k, g.a, 1.0f, a_packed);
    g.a_packed = a_packed;
  }
  if (tc->b_packed) {
    CHECK(er_f32_gemm_packed_b_bytes(uk, k, n, &bytes));
    b_packed = malloc(bytes + 4);
    er_f32_gemm_pack_b(NULL, uk, k, n, g.b, b_scale, b_packed);
    g.b_packed = b_packed;
  }
  int32_t threads = run_ctx ? er_num_threads(run_ctx) : 1;
  CHECK(er_f32_gemm_scratch_bytes(uk, m, n, k, tc->a_packed, tc->b_packed, threads, &bytes));
  void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
  er_f32_gemm_run(run_ctx, uk, &g, scratch);

  bool ok = true;
  for (int64_t row = 0; row < c_rows && ok; row++)
    for (int64_t col = 0; col < ldc && ok; col++) {
      float got = c[row * ldc + col];
      if (col >= c_cols) { /* padding untouched */
        if (memcmp(&got, &c_before[row * ldc + col], sizeof got) != 0) {
          CHECK_MSG(false, "%s wrote C's stored row %lld past its %lld columns", uk->name, (long long)row,
                    (long long)c_cols);
          ok = false;
        }
        continue;
      }
      const int64_t i = tc->c_trans ? col : row, j = tc->c_trans ? row : col;
      double sum = 0, mag = 0;
      for (int64_t p = 0; p < k; p++) {
        double av = tc->a_trans ? a[p * lda + i] : a[i * lda + p];
        double bv = (double)(tc->b_trans ? b[j * ldb + p] : b[p * ldb + j]) * b_scale;
        sum += av * bv, mag += fabs(av * bv);
      }
      if (tc->bias_kind == ER_F32_BIAS_PER_ROW) sum += bias[i], mag += fabs(bias[i]);
      if (tc->bias_kind == ER_F32_BIAS_PER_COL) sum += bias[j], mag += fabs(bias[j]);
      float want = er_fused_act_apply(&tc->act, (float)sum);
      if (!(fabs((double)got - want) <= 2e-5 * (1.0 + mag))) {
        CHECK_MSG(
            false,
            "%s m=%lld n=%lld k=%lld a%s%s b%s%s c%s bias=%d act=%d: C[%lld][%lld] = %.9g, expected %.9g",
            uk->name, (long long)m, (long long)n, (long long)k, tc->a_packed ? "P" : "",
            tc->a_trans ? "T" : "", tc->b_packed ? "P" : "", tc->b_trans ? "T" : "", tc->c_trans ? "T" : "",
            (int)tc->bias_kind, (int)tc->act.kind, (long long)i, (long long)j, got, want);
        ok = false;
      }
    }
  if (tc->c_out) memcpy(tc->c_out, c, (size_t)(c_rows * ldc) * sizeof *c);
  free(a), free(b), free(c), free(c_before), free(bias), free(a_packed), free(b_packed), free(scratch);
  free(a_shifted), free(b_shifted);
  return ok;
}

static const er_fused_act acts[] = {
    {ER_ACT_NONE, 0, 0, NULL},         {ER_ACT_RELU, 0, 0, NULL},       {ER_ACT_RELU6, 0, 0, NULL},
    {ER_ACT_RELU_N1_TO_1, 0, 0, NULL}, {ER_ACT_TANH, 0, 0, NULL},       {ER_ACT_SIGMOID, 0, 0, NULL},
    {ER_ACT_CLIP, -0.3f, 0.4f, NULL},  {ER_ACT_HARD_SWISH, 0, 0, NULL}, {ER_ACT_SILU, 0, 0, NULL},
    {ER_ACT_CLIP, 0.5f, -0.5f, NULL} /* min > max: the reference's order decides */};

static gemm_case random_case(const int64_t *dims, int n_dims) {
  gemm_case tc = {.m = rng_pick(dims, n_dims), .n = rng_pick(dims, n_dims), .k = rng_pick(dims, n_dims)};
  uint32_t bits = rng_next();
  tc.a_packed = bits & 1, tc.a_trans = bits & 2, tc.b_packed = bits & 4, tc.b_trans = bits & 8;
  tc.a_pad = (bits & 16) ? 3 : 0, tc.b_pad = (bits & 32) ? 5 : 0, tc.c_pad = (bits & 64) ? 2 : 0;
  tc.bias_kind = (er_f32_bias_kind)((bits >> 7) % 3);
  tc.act = acts[(bits >> 9) % (sizeof acts / sizeof acts[0])];
  tc.scale_b = (bits & (1u << 13)) ? 0.5f : 1.0f;
  return tc;
}

static void test_odd_shapes_every_variant(void) {
  static const int64_t dims[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  11, 12,
                                 13, 15, 16, 17, 19, 23, 29, 31, 32, 33, 37};
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    int failures = 0;
    for (int i = 0; i < 600 && failures < 5; i++) {
      gemm_case tc = random_case(dims, (int)(sizeof dims / sizeof dims[0]));
      failures += !run_case(uk, &tc);
      tc.c_trans = true;
      failures += !run_case(uk, &tc);
    }
  }
}

/* Every combination of layouts, bias and activation on one shape with tails in M, N and K. */
static void test_every_layout_bias_and_activation(void) {
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    for (int layout = 0; layout < 32; layout++)
      for (int bias = 0; bias < 3; bias++)
        for (size_t act = 0; act < sizeof acts / sizeof acts[0]; act++) {
          gemm_case tc = {.m = uk->mr + 1,
                          .n = uk->nr * 2 + 3,
                          .k = 7,
                          .a_packed = layout & 1,
                          .a_trans = layout & 2,
                          .b_packed = layout & 4,
                          .b_trans = layout & 8,
                          .c_trans = layout & 16,
                          .a_pad = 1,
                          .b_pad = 2,
                          .c_pad = 3,
                          .bias_kind = (er_f32_bias_kind)bias,
                          .act = acts[act],
                          .scale_b = 1.0f};
          run_case(uk, &tc);
        }
  }
}

/* K = 0 gives the bias (then the activation); K = 1 a rank-1 update. */
static void test_k_zero_and_one(void) {
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++)
    for (int64_t k = 0; k <= 1; k++)
      for (int bias = 0; bias < 3; bias++) {
        gemm_case tc = {.m = 5,
                        .n = 19,
                        .k = k,
                        .b_packed = true,
                        .bias_kind = (er_f32_bias_kind)bias,
                        .act = acts[1],
                        .scale_b = 1.0f};
        run_case(er_f32_gemm_variant(f, v), &tc);
        tc.b_packed = false, tc.a_packed = true;
        run_case(er_f32_gemm_variant(f, v), &tc);
        tc.c_trans = true;
        run_case(er_f32_gemm_variant(f, v), &tc);
      }
}

/* Shapes beyond one cache block in each of M, N and K (several K blocks accumulate in C; the activation
 * comes only after the last), as conv layers have; and single rows (GEMV) with long K. */
static void test_blocked_shapes(void) {
  static const int64_t shapes[][3] = {{97, 530, 260}, {1, 1000, 1280}, {1, 37, 2049}, {130, 49, 1153},
                                      {2, 513, 257},  {25, 1100, 90},  {49, 160, 960}};
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++)
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      for (int layout = 0; layout < 6; layout++) {
        gemm_case tc = {.m = shapes[s][0],
                        .n = shapes[s][1],
                        .k = shapes[s][2],
                        .a_packed = layout == 1,
                        .b_packed = layout == 0 || layout >= 3,
                        .b_trans = layout == 0 || layout == 4,
                        .a_trans = layout >= 3,
                        .c_trans = layout >= 4,
                        .bias_kind = (er_f32_bias_kind)(1 + layout % 2),
                        .act = acts[layout == 2 || layout == 5 ? 8 : 2],
                        .scale_b = 1.0f,
                        .c_pad = layout};
        run_case(er_f32_gemm_variant(f, v), &tc);
      }
}

/* The same products split over a pool of 2 and 3 threads (blocks shrink so every thread has work; each
 * thread packs into its own scratch). */
static void test_threads(void) {
  static const int64_t shapes[][3] = {{100, 530, 260}, {1, 1000, 300}, {7, 40, 33},
                                      {64, 1100, 147}, {13, 5, 3},     {288, 196, 48}};
  for (int32_t threads = 2; threads <= 3; threads++) {
    er_interp interp = {.limits = edgert_limits_default()};
    interp.n_threads = threads;
    if (er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) {
      printf("  (no thread pool in this build)\n");
      return;
    }
    er_op_ctx ctx = {.interp = &interp};
    run_ctx = &ctx;
    er_cpu_features f = er_cpu_detect();
    for (int v = 0; er_f32_gemm_variant(f, v); v++)
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int layout = 0; layout < 4; layout++) {
          gemm_case tc = {.m = shapes[s][0],
                          .n = shapes[s][1],
                          .k = shapes[s][2],
                          .a_packed = layout == 1,
                          .b_packed = layout == 0 || layout == 3,
                          .b_trans = layout == 0 || layout == 3,
                          .a_trans = layout == 3,
                          .c_trans = layout == 3,
                          .bias_kind = (er_f32_bias_kind)(layout % 3),
                          .act = acts[layout == 2 ? 7 : 1],
                          .scale_b = 1.0f};
          run_case(er_f32_gemm_variant(f, v), &tc);
        }
    run_ctx = NULL;
    er_thread_pool_free(interp.thread_pool);
  }
}

/* C from er_f32_gemm_run with A packed, B plain, bias per row (the ONNX conv's call) on ctx. */
static void run_plain(const er_f32_gemm_ukernels *uk, er_op_ctx *ctx, int64_t m, int64_t n, int64_t k,
                      const float *a_packed, const float *b, const float *bias, float *c) {
  er_f32_gemm_args g = {.m = m,
                        .n = n,
                        .k = k,
                        .a_packed = a_packed,
                        .b = {b, n, false},
                        .c = c,
                        .ldc = n,
                        .bias = bias,
                        .bias_kind = ER_F32_BIAS_PER_ROW,
                        .act = acts[1]};
  size_t bytes;
  CHECK(er_f32_gemm_scratch_bytes(uk, m, n, k, true, false, ctx ? er_num_threads(ctx) : 1, &bytes));
  void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
  er_f32_gemm_run(ctx, uk, &g, scratch);
  free(scratch);
}

/* The pointwise conv's other orientation (conv_nd_gemm.c): C^T [n x m] = (A stored transposed, in place) ·
 * (B packed from its transpose), bias per column of C, C stored transposed, on ctx. */
static void run_transposed(const er_f32_gemm_ukernels *uk, er_op_ctx *ctx, int64_t m, int64_t n, int64_t k,
                           const float *a_t, const float *b_packed, const float *bias, float *c_t) {
  er_f32_gemm_args g = {.m = m,
                        .n = n,
                        .k = k,
                        .a = {a_t, m, true},
                        .b_packed = b_packed,
                        .c = c_t,
                        .ldc = m,
                        .bias = bias,
                        .bias_kind = ER_F32_BIAS_PER_COL,
                        .act = acts[2],
                        .c_transposed = true};
  size_t bytes;
  CHECK(er_f32_gemm_scratch_bytes(uk, m, n, k, false, true, ctx ? er_num_threads(ctx) : 1, &bytes));
  void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
  er_f32_gemm_run(ctx, uk, &g, scratch);
  free(scratch);
}

/* 2 and 3 threads give the very bits one thread gives, row tails (M = 1 + a multiple of MR, where a lone
 * row sums in four chains) included: the cuts between threads never change a sum's order. 288 x 196 x 48
 * and 150 x 70 x 200 cut M into several pieces over one packed block of B, which a thread packs once for
 * the pieces it runs in a row. */
static void test_threads_match_one_thread_bit_for_bit(void) {
  static const int64_t shapes[][3] = {{97, 530, 300}, {13, 1000, 40}, {25, 49, 600},
                                      {1, 777, 129},  {288, 196, 48}, {150, 70, 200}};
  er_cpu_features f = er_cpu_detect();
  for (int32_t threads = 2; threads <= 3; threads++) {
    er_interp interp = {.limits = edgert_limits_default()};
    interp.n_threads = threads;
    if (er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) {
      printf("  (no thread pool in this build)\n");
      return;
    }
    er_op_ctx ctx = {.interp = &interp};
    for (int v = 0; er_f32_gemm_variant(f, v); v++) {
      const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ld;
        float *a = make_matrix(m, k, 0, &ld), *b = make_matrix(k, n, 0, &ld),
              *bias = make_matrix(1, m, 0, &ld);
        float *a_packed = malloc((size_t)(m * k + 1) * sizeof *a_packed);
        float *one = malloc((size_t)(m * n) * sizeof *one), *many = malloc((size_t)(m * n) * sizeof *many);
        er_f32_gemm_pack_a(uk, m, k, (er_f32_matrix){a, k, false}, 1.0f, a_packed);
        run_plain(uk, NULL, m, n, k, a_packed, b, bias, one);
        run_plain(uk, &ctx, m, n, k, a_packed, b, bias, many);
        CHECK_MSG(memcmp(one, many, (size_t)(m * n) * sizeof *one) == 0,
                  "%s m=%lld n=%lld k=%lld on %d threads", uk->name, (long long)m, (long long)n, (long long)k,
                  (int)threads);
        /* C transposed: a [K x M] as A stored transposed, b [K x N] packed, bias per column */
        size_t bytes;
        CHECK(er_f32_gemm_packed_b_bytes(uk, k, n, &bytes));
        float *b_packed = malloc(bytes + 4), *bias_n = make_matrix(1, n, 0, &ld);
        er_f32_gemm_pack_b(NULL, uk, k, n, (er_f32_matrix){b, n, false}, 1.0f, b_packed);
        /* packing split over the threads, B as stored and transposed (the same floats read as [N x K]) */
        float *alone = malloc(bytes + 4), *split = malloc(bytes + 4);
        for (int trans = 0; trans < 2; trans++) {
          er_f32_matrix stored = {b, trans ? k : n, trans};
          er_f32_gemm_pack_b(NULL, uk, k, n, stored, 0.5f, alone);
          er_f32_gemm_pack_b(&ctx, uk, k, n, stored, 0.5f, split);
          CHECK_MSG(memcmp(alone, split, bytes) == 0, "%s packing B%s k=%lld n=%lld on %d threads", uk->name,
                    trans ? "^T" : "", (long long)k, (long long)n, (int)threads);
        }
        free(alone), free(split);
        run_transposed(uk, NULL, m, n, k, a, b_packed, bias_n, one);
        run_transposed(uk, &ctx, m, n, k, a, b_packed, bias_n, many);
        CHECK_MSG(memcmp(one, many, (size_t)(m * n) * sizeof *one) == 0,
                  "%s C transposed m=%lld n=%lld k=%lld on %d threads", uk->name, (long long)m, (long long)n,
                  (long long)k, (int)threads);
        free(a), free(b), free(bias), free(a_packed), free(one), free(many), free(b_packed), free(bias_n);
      }
    }
    er_thread_pool_free(interp.thread_pool);
  }
}

/* A plain, untransposed B is read in place (strided rows, masked column tails) when M is a few row tiles
 * and packed otherwise: both ways on column tails, K blocks, padded rows and C either way, each variant. */
static void test_plain_b_in_place_and_packed(void) {
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    const int64_t few = 2 * (int64_t)uk->mr + 1, many = 16 * (int64_t)uk->mr + 5;
    CHECK(er_f32_gemm_reads_b_in_place(uk, few, 40));
    CHECK(er_f32_gemm_reads_b_in_place(uk, 6 * (int64_t)uk->mr, 20));
    CHECK(!er_f32_gemm_reads_b_in_place(uk, many, 300));
    CHECK(!er_f32_gemm_reads_b_in_place(uk, 6 * (int64_t)uk->mr + 1, 63));
    static const int64_t ns[] = {1, 7, 33, 77};
    static const int64_t ks[] = {1, 40, 300};
    for (int shape = 0; shape < 2; shape++)
      for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
          for (int layout = 0; layout < 4; layout++) {
            gemm_case tc = {.m = shape ? many : few,
                            .n = ns[ni],
                            .k = ks[ki],
                            .a_packed = layout & 1,
                            .c_trans = layout & 2,
                            .b_pad = layout == 1 ? 3 : 0,
                            .c_pad = layout == 2 ? 1 : 0,
                            .bias_kind = (er_f32_bias_kind)((ni + ki) % 3),
                            .act = acts[(ni + layout) % 3 == 0 ? 8 : 2],
                            .scale_b = 1.0f};
            if (!run_case(uk, &tc)) return;
          }
  }
}

/* Operands at any byte address (weights where they lie in an ONNX file): A read in place, A and B
 * packed from them, and a plain B (which is then packed at run time, not read in place) give C bit for
 * bit as the same operands aligned do, on every variant and layout, with shapes where B would otherwise
 * be read in place. (The sanitizer build flags any misaligned float access.) */
static void test_misaligned_operands_match_aligned_bit_for_bit(void) {
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    static const int64_t ms[] = {1, 5, 13, 40};
    static const int64_t ns[] = {3, 33, 70};
    static const int64_t ks[] = {1, 37, 300};
    for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
      for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
          for (int layout = 0; layout < 16; layout++) {
            gemm_case tc = {.m = ms[mi],
                            .n = ns[ni],
                            .k = ks[ki],
                            .a_packed = layout & 1,
                            .a_trans = layout & 2,
                            .b_packed = layout & 4,
                            .b_trans = layout & 8,
                            .a_pad = (int64_t)ki,
                            .b_pad = (int64_t)mi % 2,
                            .bias_kind = (er_f32_bias_kind)((mi + ni) % 3),
                            .act = acts[(ni + ki) % 3],
                            .scale_b = 0.5f};
            size_t c_floats = (size_t)(tc.m * tc.n);
            float *aligned = malloc(c_floats * sizeof *aligned),
                  *shifted = malloc(c_floats * sizeof *shifted);
            uint32_t seed = rng_state;
            tc.c_out = aligned;
            bool ok = run_case(uk, &tc);
            rng_state = seed; /* the same operands again */
            tc.c_out = shifted, tc.misalign = 1 + (layout + (int)ki) % 3;
            ok = ok && run_case(uk, &tc);
            if (ok)
              CHECK_MSG(memcmp(aligned, shifted, c_floats * sizeof *aligned) == 0,
                        "%s m=%lld n=%lld k=%lld layout %d: misaligned operands change C", uk->name,
                        (long long)tc.m, (long long)tc.n, (long long)tc.k, layout);
            free(aligned), free(shifted);
            if (!ok) return;
          }
  }
}

/* With rows_alone, each row of a 13-row product holds the bits of the same row computed alone (M = 1), on
 * 1 and 3 threads, A stored either way, B packed or plain, K beyond one block. */
static void test_rows_alone_match_single_rows_bit_for_bit(void) {
  er_interp interp = {.limits = edgert_limits_default()};
  interp.n_threads = 3;
  bool pool = er_thread_pool_create(3, &interp.thread_pool) == EDGERT_OK;
  er_op_ctx ctx = {.interp = &interp};
  er_cpu_features f = er_cpu_detect();
  const int64_t m = 13, n = 45, k = 301;
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    for (int layout = 0; layout < 4; layout++) {
      const bool a_trans = layout & 1, b_packed = layout & 2;
      int64_t lda, ldb, ld;
      float *a = a_trans ? make_matrix(k, m, 0, &lda) : make_matrix(m, k, 0, &lda);
      float *b = make_matrix(n, k, 0, &ldb), *bias = make_matrix(1, n, 0, &ld);
      size_t bytes;
      CHECK(er_f32_gemm_packed_b_bytes(uk, k, n, &bytes));
      float *packed = malloc(bytes + 4);
      er_f32_gemm_pack_b(NULL, uk, k, n, (er_f32_matrix){b, ldb, true}, 1.0f, packed);
      float *all = malloc((size_t)(m * n) * sizeof *all), *one = malloc((size_t)n * sizeof *one);
      CHECK(er_f32_gemm_scratch_bytes(uk, m, n, k, false, b_packed, 3, &bytes));
      void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
      for (int run = 0; run < (pool ? 2 : 1); run++) {
        er_f32_gemm_args g = {.m = m,
                              .n = n,
                              .k = k,
                              .a = {a, lda, a_trans},
                              .b_packed = b_packed ? packed : NULL,
                              .b = {b, ldb, true},
                              .c = all,
                              .ldc = n,
                              .bias = bias,
                              .bias_kind = ER_F32_BIAS_PER_COL,
                              .act = acts[2],
                              .rows_alone = true};
        er_f32_gemm_run(run ? &ctx : NULL, uk, &g, scratch);
        for (int64_t i = 0; i < m; i++) {
          er_f32_gemm_args row = g;
          row.m = 1, row.c = one, row.rows_alone = false;
          row.a.data = a_trans ? a + i : a + i * lda;
          er_f32_gemm_run(NULL, uk, &row, scratch);
          CHECK_MSG(memcmp(one, all + i * n, (size_t)n * sizeof *one) == 0,
                    "%s rows_alone a%s b%s row %lld differs from the row alone (%s)", uk->name,
                    a_trans ? "T" : "", b_packed ? "P" : "", (long long)i, run ? "3 threads" : "1 thread");
        }
      }
      free(a), free(b), free(bias), free(packed), free(all), free(one), free(scratch);
    }
  }
  if (pool) er_thread_pool_free(interp.thread_pool);
}

/* A transposed C holds the very bits of the row-major C: the same sums in the same order, the same
 * epilogue (bias per row or column, accumulation over K blocks, clamp or activation pass). */
static void test_transposed_c_matches_row_major_bit_for_bit(void) {
  static const int64_t shapes[][3] = {{49, 160, 960}, {13, 37, 300}, {1, 40, 20},
                                      {25, 33, 7},    {196, 24, 64}, {4, 17, 0}};
  static const int act_index[] = {0, 2, 7};
  er_cpu_features f = er_cpu_detect();
  for (int v = 0; er_f32_gemm_variant(f, v); v++) {
    const er_f32_gemm_ukernels *uk = er_f32_gemm_variant(f, v);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      for (int bias = 0; bias < 3; bias++)
        for (int act = 0; act < 3; act++) {
          int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ld;
          float *a = make_matrix(k, m, 0, &ld), *b = make_matrix(k, n, 0, &ld);
          float *bias_v = make_matrix(1, m > n ? m : n, 0, &ld);
          size_t bytes;
          CHECK(er_f32_gemm_packed_b_bytes(uk, k, n, &bytes));
          float *b_packed = malloc(bytes + 4);
          er_f32_gemm_pack_b(NULL, uk, k, n, (er_f32_matrix){b, n, false}, 1.0f, b_packed);
          float *c = malloc((size_t)(m * n) * sizeof *c), *c_t = malloc((size_t)(m * n) * sizeof *c);
          er_f32_gemm_args g = {.m = m,
                                .n = n,
                                .k = k,
                                .a = {a, m, true},
                                .b_packed = b_packed,
                                .c = c,
                                .ldc = n,
                                .bias = bias ? bias_v : NULL,
                                .bias_kind = (er_f32_bias_kind)bias,
                                .act = acts[act_index[act]]};
          CHECK(er_f32_gemm_scratch_bytes(uk, m, n, k, false, true, 1, &bytes));
          void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
          er_f32_gemm_run(NULL, uk, &g, scratch);
          g.c = c_t, g.ldc = m, g.c_transposed = true;
          er_f32_gemm_run(NULL, uk, &g, scratch);
          int64_t bad = -1;
          for (int64_t i = 0; i < m && bad < 0; i++)
            for (int64_t j = 0; j < n && bad < 0; j++)
              if (memcmp(&c[i * n + j], &c_t[j * m + i], sizeof *c) != 0) bad = i * n + j;
          CHECK_MSG(bad < 0,
                    "%s m=%lld n=%lld k=%lld bias=%d act=%d: C[%lld][%lld] = %.9g row-major, %.9g transposed",
                    uk->name, (long long)m, (long long)n, (long long)k, bias, act_index[act],
                    (long long)(bad / (n > 0 ? n : 1)), (long long)(bad % (n > 0 ? n : 1)),
                    bad < 0 ? 0.0 : c[bad], bad < 0 ? 0.0 : c_t[(bad % n) * m + bad / n]);
          free(a), free(b), free(bias_v), free(b_packed), free(c), free(c_t), free(scratch);
        }
  }
}

static void test_select_names_a_runnable_variant(void) {
  er_cpu_features none = {0};
  const er_f32_gemm_ukernels *s = er_f32_gemm_select(none);
  CHECK(s != NULL && strstr(s->name, "scalar") != NULL);
  CHECK(er_f32_gemm_variant(none, 1) == NULL);
  const er_f32_gemm_ukernels *best = er_f32_gemm_select(er_cpu_detect());
  CHECK(best != NULL && best->mr >= 1 && best->nr >= 1);
  printf("  selected %s\n", best->name);
}

static void test_size_overflow_is_refused(void) {
  const er_f32_gemm_ukernels *uk = er_f32_gemm_select(er_cpu_detect());
  size_t bytes;
  CHECK(!er_f32_gemm_packed_a_bytes(uk, INT64_MAX / 2, 16, &bytes));
  CHECK(!er_f32_gemm_packed_b_bytes(uk, 16, INT64_MAX - 1, &bytes));
  CHECK(!er_f32_gemm_packed_b_bytes(uk, -1, 4, &bytes));
  CHECK(!er_f32_gemm_scratch_bytes(uk, (int64_t)1 << 40, 8, 8, false, false, 1, &bytes));
}

void run_tests(void) {
  RUN(test_select_names_a_runnable_variant);
  RUN(test_size_overflow_is_refused);
  RUN(test_odd_shapes_every_variant);
  RUN(test_every_layout_bias_and_activation);
  RUN(test_k_zero_and_one);
  RUN(test_blocked_shapes);
  RUN(test_threads);
  RUN(test_threads_match_one_thread_bit_for_bit);
  RUN(test_transposed_c_matches_row_major_bit_for_bit);
  RUN(test_plain_b_in_place_and_packed);
  RUN(test_misaligned_operands_match_aligned_bit_for_bit);
  RUN(test_rows_alone_match_single_rows_bit_for_bit);
}
