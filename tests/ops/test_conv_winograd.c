/* The Winograd 3x3 convolution (conv_nd_winograd.h), F(2x2) and F(4x4), called directly, agrees with a
 * float64 loop over the ONNX definition on odd shapes: maps that are not multiples of the tile (1x1 ..
 * 14x14, and larger ones for several tile blocks and tile rows wider than a vector), pads 0..5 on each
 * side, channel counts around the GEMM's MR and NR (1, 3, 17, 33), groups, batch 2, with and without
 * bias, ReLU and HardSwish fused; under EDGERT_ISA=scalar, avx2 and the CPU's best (which choose the
 * transforms: scalar, AVX2, AVX-512) with every GEMM variant those allow; and the output is bit-identical on
 * 1, 2 and 3 threads of a real pool. A conv through the CONV_ND kernel checks that the op takes this path
 * where it pays.
 *
 * Tolerance, from the arithmetic: with u = 2^-24, each stage rounds in float32 sums of terms whose
 * magnitudes are those of the same computation on |d|, |g| and the matrices' absolute values (B^T d B:
 * up to 2 * alpha roundings along the two axes; U = G g G^T: one, computed in double; the GEMM: Cin; A^T M
 * A and the bias: up to 2 * alpha + 1). To first order the error is then at most
 *   (Cin + 4 * alpha + 2) * u * S,  S = |A^T| [sum_c (|B^T| |d_c| |B|) .* (|G| |g_c| |G^T|)] |A| + |b|,
 * which the test computes in float64 for every output. The activation adds at most its slope (1 for
 * ReLU, 1.5 for HardSwish) times that, plus one rounding of the result. S is larger than sum |x * w| by
 * the transforms' gain (F(4x4)'s A^T rows sum to 19), which is why F(4x4) is less accurate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv_nd_test.h"
#include "core/interp.h"
#include "core/pool.h"
#include "core/thread_pool.h"
#include "ops/conv_nd_winograd.h"
#include "test_random.h"

typedef struct {
  int64_t batch, groups, cin, cout; /* channels per group */
  int64_t in_h, in_w, pads[4];      /* top, left, bottom, right */
  bool bias;
  er_activation act;
} wino_case;

static uint32_t rng_state = 4242u;

static double rand_unit(void) { return test_random_unit(&rng_state); }

static int64_t out_h(const wino_case *c) { return c->in_h + c->pads[0] + c->pads[2] - 2; }
static int64_t out_w(const wino_case *c) { return c->in_w + c->pads[1] + c->pads[3] - 2; }

static er_conv_nd_attrs case_attrs(const wino_case *c) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  a.group = (int32_t)c->groups;
  a.n_kernel = a.n_strides = a.n_dilations = 2;
  a.n_pads = 4;
  for (int i = 0; i < 2; i++) {
    a.kernel[i] = 3;
    a.strides[i] = a.dilations[i] = 1;
  }
  a.pads[0] = c->pads[0], a.pads[1] = c->pads[1], a.pads[2] = c->pads[2], a.pads[3] = c->pads[3];
  a.activation = c->act;
  return a;
}

static er_conv_nd_geometry case_geometry(const wino_case *c, er_op_ctx *ctx) {
  er_conv_nd_attrs a = case_attrs(c);
  int64_t kernel[2] = {3, 3};
  er_tensor x;
  memset(&x, 0, sizeof x);
  x.dtype = EDGERT_FLOAT32;
  x.ndim = 4;
  x.dims[0] = c->batch, x.dims[1] = c->groups * c->cin, x.dims[2] = c->in_h, x.dims[3] = c->in_w;
  er_conv_nd_geometry d;
  memset(&d, 0, sizeof d);
  CHECK_OK(er_window_nd_init(ctx, &a, &x, kernel, ER_WINDOW_FLOOR, &d.win));
  d.out_channels = c->groups * c->cout, d.group = c->groups;
  d.in_per_group = c->cin, d.out_per_group = c->cout;
  return d;
}

/* The transform matrices again, in float64, for the bound. */
static const double kBT[2][6][6] = {{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
                                    {{4, 0, -5, 0, 1, 0},
                                     {0, -4, -4, 1, 1, 0},
                                     {0, 4, -4, -1, 1, 0},
                                     {0, -2, -1, 2, 1, 0},
                                     {0, 2, -1, -2, 1, 0},
                                     {0, 4, 0, -5, 0, 1}}};
static const double kG[2][6][3] = {{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
                                   {{0.25, 0, 0},
                                    {1.0 / 6, 1.0 / 6, 1.0 / 6},
                                    {1.0 / 6, 1.0 / 6, 1.0 / 6},
                                    {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                    {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                    {0, 0, 1}}}; /* absolute values */
static const double kAT[2][4][6] = {
    {{1, 1, 1, 0}, {0, 1, 1, 1}},
    {{1, 1, 1, 1, 1, 0}, {0, 1, 1, 2, 2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, 1, 8, 8, 1}}};

/* out[i][j] = sum_k sum_l |L[i][k]| in[k][l] |R[j][l]| (in >= 0), L rows x n, R cols x n. */
static void abs_sandwich(const double *l, int64_t rows, const double *in, int64_t n, const double *r,
                         int64_t cols, int64_t ld_l, int64_t ld_r, double *out) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      double s = 0;
      for (int64_t k = 0; k < n; k++)
        for (int64_t q = 0; q < n; q++)
          s += fabs(l[i * ld_l + k]) * in[k * n + q] * fabs(r[j * ld_r + q]);
      out[i * cols + j] = s;
    }
}

/* want: the conv in float64, then the activation in float32 as every kernel applies it. */
static void reference(const wino_case *c, const float *x, const float *w, const float *b, double *want) {
  const int64_t oh = out_h(c), ow = out_w(c), channels = c->groups * c->cin, outs = c->groups * c->cout;
  er_fused_act act = {c->act, 0, 0, NULL};
  for (int64_t n = 0; n < c->batch; n++)
    for (int64_t o = 0; o < outs; o++) {
      int64_t grp = o / c->cout;
      for (int64_t oy = 0; oy < oh; oy++)
        for (int64_t ox = 0; ox < ow; ox++) {
          double acc = c->bias ? b[o] : 0.0;
          for (int64_t ci = 0; ci < c->cin; ci++)
            for (int64_t ky = 0; ky < 3; ky++)
              for (int64_t kx = 0; kx < 3; kx++) {
                int64_t iy = oy - c->pads[0] + ky, ix = ox - c->pads[1] + kx;
                if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w) continue;
                acc += (double)x[((n * channels + grp * c->cin + ci) * c->in_h + iy) * c->in_w + ix] *
                       (double)w[((o * c->cin + ci) * 3 + ky) * 3 + kx];
              }
          want[((n * outs + o) * oh + oy) * ow + ox] = er_fused_act_apply(&act, (float)acc);
        }
    }
}

/* bound: S above for tile size m, per output. |G| |g| |G^T| per weight kernel and |B^T| |d| |B| per
 * tile and input channel are made once and paired for every output channel. */
static void winograd_bound(const wino_case *c, int64_t m, const float *x, const float *w, const float *b,
                           double *bound) {
  const int64_t oh = out_h(c), ow = out_w(c), alpha = m + 2, xis = alpha * alpha, t = m == 4 ? 1 : 0;
  const int64_t channels = c->groups * c->cin, outs = c->groups * c->cout;
  double *ud = malloc((size_t)(outs * c->cin * xis) * sizeof *ud);
  double *vd = malloc((size_t)(c->cin * xis) * sizeof *vd);
  for (int64_t k = 0; k < outs * c->cin; k++) {
    double g[9];
    for (int64_t i = 0; i < 9; i++)
      g[i] = fabs(w[k * 9 + i]);
    for (int64_t i = 0; i < alpha; i++)
      for (int64_t j = 0; j < alpha; j++) {
        double sum = 0;
        for (int64_t r = 0; r < 3; r++)
          for (int64_t q = 0; q < 3; q++)
            sum += kG[t][i][r] * g[r * 3 + q] * kG[t][j][q];
        ud[k * xis + i * alpha + j] = sum;
      }
  }
  for (int64_t n = 0; n < c->batch; n++)
    for (int64_t grp = 0; grp < c->groups; grp++)
      for (int64_t ty = 0; ty * m < oh; ty++)
        for (int64_t tx = 0; tx * m < ow; tx++) {
          for (int64_t ci = 0; ci < c->cin; ci++) {
            double d[36];
            for (int64_t r = 0; r < alpha; r++)
              for (int64_t q = 0; q < alpha; q++) {
                int64_t iy = ty * m - c->pads[0] + r, ix = tx * m - c->pads[1] + q;
                bool in = iy >= 0 && iy < c->in_h && ix >= 0 && ix < c->in_w;
                d[r * alpha + q] =
                    in ? fabs(x[((n * channels + grp * c->cin + ci) * c->in_h + iy) * c->in_w + ix]) : 0.0;
              }
            abs_sandwich(&kBT[t][0][0], alpha, d, alpha, &kBT[t][0][0], alpha, 6, 6, vd + ci * xis);
          }
          for (int64_t o = grp * c->cout; o < (grp + 1) * c->cout; o++) {
            double prod[36] = {0}, s[16];
            for (int64_t ci = 0; ci < c->cin; ci++)
              for (int64_t i = 0; i < xis; i++)
                prod[i] += vd[ci * xis + i] * ud[(o * c->cin + ci) * xis + i];
            abs_sandwich(&kAT[t][0][0], m, prod, alpha, &kAT[t][0][0], m, 6, 6, s);
            for (int64_t r = 0; r < m && ty * m + r < oh; r++)
              for (int64_t q = 0; q < m && tx * m + q < ow; q++)
                bound[((n * outs + o) * oh + ty * m + r) * ow + tx * m + q] =
                    s[r * m + q] + (c->bias ? fabs(b[o]) : 0.0);
          }
        }
  free(ud);
  free(vd);
}

/* Plans (tile size m, GEMM variant uk) and runs the case on `threads` threads (1: no pool). False when
 * the pool cannot be made. */
static bool run_plan(const wino_case *c, int m, const er_f32_gemm_ukernels *uk, int32_t threads,
                     const float *x, const float *w, const float *b, float *y) {
  er_interp interp = {.limits = edgert_limits_default()};
  interp.n_threads = threads;
  if (threads > 1 && er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) return false;
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(c, &ctx);
  er_tensor xt, wt;
  memset(&xt, 0, sizeof xt);
  memset(&wt, 0, sizeof wt);
  xt.dtype = EDGERT_FLOAT32;
  wt.kind = ER_TENSOR_CONST;
  wt.data = (void *)w;
  CHECK(er_f32_conv_winograd_applies(&d, &xt, &wt));
  er_fused_act act = {c->act, 0, 0, NULL};
  er_f32_conv_winograd_plan p;
  size_t bytes = 0;
  CHECK_OK(er_f32_conv_winograd_prepare(&ctx, &d, w, &act, m, uk, er_cpu_detect(), &p, &bytes));
  void *scratch = malloc(bytes ? bytes : 1);
  er_f32_conv_winograd_run(&ctx, &p, x, c->bias ? b : NULL, y, scratch);
  free(scratch);
  er_pool_free(&interp.pool);
  er_thread_pool_free(interp.thread_pool);
  return true;
}

static const char *case_text(const wino_case *c) {
  static char text[200];
  snprintf(text, sizeof text,
           "N %lld groups %lld Cin %lld Cout %lld in %lldx%lld pads %lld,%lld,%lld,%lld bias %d act %d",
           (long long)c->batch, (long long)c->groups, (long long)c->cin, (long long)c->cout,
           (long long)c->in_h, (long long)c->in_w, (long long)c->pads[0], (long long)c->pads[1],
           (long long)c->pads[2], (long long)c->pads[3], (int)c->bias, (int)c->act);
  return text;
}

static double worst_ratio[2]; /* largest |error| / tolerance seen, F(2x2) and F(4x4) */

static bool check_case(const wino_case *c) {
  const int64_t channels = c->groups * c->cin, outs = c->groups * c->cout;
  const int64_t x_n = c->batch * channels * c->in_h * c->in_w, w_n = outs * c->cin * 9;
  const int64_t y_n = c->batch * outs * out_h(c) * out_w(c);
  /* exact sizes, so that a read past the input or a write past the output shows under ASan */
  float *x = malloc((size_t)x_n * sizeof *x), *w = malloc((size_t)w_n * sizeof *w);
  float *b = malloc((size_t)outs * sizeof *b);
  float *y1 = malloc((size_t)y_n * sizeof *y1), *yt = malloc((size_t)y_n * sizeof *yt);
  double *want = malloc((size_t)y_n * sizeof *want), *bound = malloc((size_t)y_n * sizeof *bound);
  for (int64_t i = 0; i < x_n; i++)
    x[i] = (float)rand_unit();
  for (int64_t i = 0; i < w_n; i++)
    w[i] = (float)rand_unit();
  for (int64_t i = 0; i < outs; i++)
    b[i] = (float)rand_unit();
  const double slope = c->act == ER_ACT_HARD_SWISH ? 1.5 : 1.0, u = ldexp(1.0, -24);
  bool ok = true;
  reference(c, x, w, b, want);
  for (int m = 2; m <= 4 && ok; m += 2) {
    winograd_bound(c, m, x, w, b, bound);
    const char *isas[] = {"scalar", "avx2", NULL};
    for (int i = 0; i < 3 && ok; i++) {
      if (isas[i])
        setenv("EDGERT_ISA", isas[i], 1);
      else
        unsetenv("EDGERT_ISA");
      const er_f32_gemm_ukernels *uk;
      for (int v = 0; ok && (uk = er_f32_gemm_variant(er_cpu_detect(), v)); v++) {
        run_plan(c, m, uk, 1, x, w, b, y1);
        for (int64_t j = 0; j < y_n && ok; j++) {
          double tol = slope * (double)(c->cin + 4 * (m + 2) + 2) * u * bound[j] + 2 * u * fabs(want[j]);
          double err = fabs((double)y1[j] - want[j]);
          ok = err <= tol;
          if (tol > 0 && err / tol > worst_ratio[m / 4]) worst_ratio[m / 4] = err / tol;
          CHECK_MSG(ok, "F(%dx%d) %s %s %s: y[%lld] = %.9g, want %.9g (tol %.3g)", m, m,
                    isas[i] ? isas[i] : "best", uk->name, case_text(c), (long long)j, y1[j], want[j], tol);
        }
        for (int32_t threads = 2; threads <= 3 && ok; threads++) {
          if (!run_plan(c, m, uk, threads, x, w, b, yt)) break; /* no pthreads in this build */
          ok = memcmp(y1, yt, (size_t)y_n * sizeof *yt) == 0;
          CHECK_MSG(ok, "F(%dx%d) %s %s: %d threads differ from 1", m, m, uk->name, case_text(c),
                    (int)threads);
        }
      }
    }
  }
  unsetenv("EDGERT_ISA");
  free(x);
  free(w);
  free(b);
  free(y1);
  free(yt);
  free(want);
  free(bound);
  return ok;
}

/* Maps 1x1 .. 14x14 (not multiples of the tiles), pads 0..2 on each side, channels 1, 3, 17, 33. */
static void test_odd_shapes_match_reference(void) {
  static const int64_t maps[][2] = {{1, 1}, {2, 3}, {5, 7}, {13, 13}, {14, 14}};
  static const int64_t chans[] = {1, 3, 17, 33};
  static const int64_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 1, 0, 2}, {0, 2, 1, 0}};
  int index = 0;
  for (size_t mi = 0; mi < sizeof maps / sizeof *maps; mi++)
    for (size_t pi = 0; pi < sizeof pads / sizeof *pads; pi++)
      for (size_t ci = 0; ci < sizeof chans / sizeof *chans; ci++, index++) {
        wino_case c = {1,
                       1,
                       chans[ci],
                       chans[(ci + pi + mi) % 4],
                       maps[mi][0],
                       maps[mi][1],
                       {pads[pi][0], pads[pi][1], pads[pi][2], pads[pi][3]},
                       index % 3 != 1,
                       index % 3 == 0 ? ER_ACT_RELU : (index % 3 == 1 ? ER_ACT_NONE : ER_ACT_HARD_SWISH)};
        if (out_h(&c) < 1 || out_w(&c) < 1) continue;
        if (!check_case(&c)) return;
      }
}

/* Groups, batch 2, maps large enough for several tile blocks and tile rows wider than a vector, pads
 * wider than the kernel. */
static void test_groups_batches_large_maps(void) {
  static const wino_case cases[] = {
      {2, 2, 3, 17, 5, 7, {1, 1, 1, 1}, true, ER_ACT_RELU},
      {2, 2, 17, 33, 13, 13, {1, 2, 0, 1}, false, ER_ACT_HARD_SWISH},
      {1, 3, 8, 8, 14, 14, {1, 1, 1, 1}, true, ER_ACT_NONE},
      {1, 1, 64, 40, 56, 56, {1, 1, 1, 1}, true, ER_ACT_RELU},
      {2, 1, 16, 24, 70, 37, {2, 0, 1, 2}, true, ER_ACT_RELU},
      {1, 1, 33, 64, 27, 27, {1, 1, 1, 1}, true, ER_ACT_RELU},
      {1, 1, 9, 10, 6, 70, {3, 4, 0, 5}, true, ER_ACT_RELU}, /* tiles wholly in the padding */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (!check_case(&cases[i])) return;
}

/* Through CONV_ND: a layer where Winograd pays runs it (same outputs as the plan called directly with
 * the tile the op chose), and gives the reference's outputs. */
static void test_conv_nd_takes_winograd_path(void) {
  wino_case c = {1, 1, 32, 48, 20, 20, {1, 1, 1, 1}, true, ER_ACT_RELU};
  er_interp interp = {.limits = edgert_limits_default()};
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(&c, &ctx);
  int m = er_f32_conv_winograd_choose_tile(&d, er_cpu_detect());
  er_pool_free(&interp.pool);
  if (m == 0) {
    printf("  (this CPU runs the conv by the GEMM: no vector transforms for its ISA)\n");
    return;
  }
  CHECK(m == 2 || m == 4);
  const int64_t x_n = c.cin * c.in_h * c.in_w, w_n = c.cout * c.cin * 9, y_n = c.cout * out_h(&c) * out_w(&c);
  float *x = malloc((size_t)x_n * sizeof *x), *w = malloc((size_t)w_n * sizeof *w);
  float *b = malloc((size_t)c.cout * sizeof *b), *y = malloc((size_t)y_n * sizeof *y);
  float *direct = malloc((size_t)y_n * sizeof *direct);
  for (int64_t i = 0; i < x_n; i++)
    x[i] = (float)rand_unit();
  for (int64_t i = 0; i < w_n; i++)
    w[i] = (float)rand_unit();
  for (int64_t i = 0; i < c.cout; i++)
    b[i] = (float)rand_unit();
  er_conv_nd_attrs a = case_attrs(&c);
  th_graph *g = th_new();
  int xi = th_tensor(g, EDGERT_FLOAT32, 4, (int64_t[]){1, c.cin, c.in_h, c.in_w}, NULL);
  int wi = th_tensor(g, EDGERT_FLOAT32, 4, (int64_t[]){c.cout, c.cin, 3, 3}, w);
  int bi = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){c.cout}, b);
  int yi = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_CONV_ND, &a, sizeof a, 3, (int[]){xi, wi, bi}, 1, (int[]){yi});
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  CHECK_OK(conv_nd_run_graph(g, x, y, (size_t)y_n * sizeof *y, NULL));
  run_plan(&c, m, er_f32_gemm_select(er_cpu_detect()), 1, x, w, b, direct);
  CHECK(memcmp(y, direct, (size_t)y_n * sizeof *y) == 0);
  free(x);
  free(w);
  free(b);
  free(y);
  free(direct);
}

static void report_margin(void) {
  printf("  worst |error| / tolerance: F(2x2) %.3g, F(4x4) %.3g\n", worst_ratio[0], worst_ratio[1]);
}

/* The tile by layer (on a CPU with vector transforms): F(4x4) where its fewer tiles pay (resnet18's 56x56
 * and 28x28 layers, squeezenet1_1's 55x55), F(2x2) on a small map where F(4x4)'s larger U costs as much
 * as its tiles save (squeezenet1_1's 13x13 64 -> 256) or its U would be too large (resnet18's 14x14), and
 * the GEMM beyond the weight limit (resnet18's 7x7 512 -> 512). */
static void test_tile_choice(void) {
  static const struct {
    wino_case c;
    int tile;
  } layers[] = {
      {{1, 1, 64, 64, 56, 56, {1, 1, 1, 1}, true, ER_ACT_RELU}, 4},
      {{1, 1, 128, 128, 28, 28, {1, 1, 1, 1}, true, ER_ACT_RELU}, 4},
      {{1, 1, 16, 64, 55, 55, {1, 1, 1, 1}, true, ER_ACT_RELU}, 4},
      {{1, 1, 64, 256, 13, 13, {1, 1, 1, 1}, true, ER_ACT_RELU}, 2},
      {{1, 1, 256, 256, 14, 14, {1, 1, 1, 1}, true, ER_ACT_RELU}, 2},
      {{1, 1, 512, 512, 7, 7, {1, 1, 1, 1}, true, ER_ACT_RELU}, 0},
  };
  er_cpu_features cpu = er_cpu_detect();
  if (!cpu.avx2_fma && !cpu.avx512) {
    printf("  (tiles chosen for x86 vector transforms: nothing to check on this CPU)\n");
    return;
  }
  for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
    er_interp interp = {.limits = edgert_limits_default()};
    er_op_ctx ctx = {.interp = &interp};
    er_conv_nd_geometry d = case_geometry(&layers[i].c, &ctx);
    int m = er_f32_conv_winograd_choose_tile(&d, cpu);
    CHECK_MSG(m == layers[i].tile, "%lld -> %lld on %lldx%lld: tile %d, expected %d",
              (long long)layers[i].c.cin, (long long)layers[i].c.cout, (long long)layers[i].c.in_h,
              (long long)layers[i].c.in_w, m, layers[i].tile);
    er_pool_free(&interp.pool);
  }
}

void run_tests(void) {
  RUN(test_tile_choice);
  RUN(test_odd_shapes_match_reference);
  RUN(test_groups_batches_large_maps);
  RUN(test_conv_nd_takes_winograd_path);
  report_margin();
}
