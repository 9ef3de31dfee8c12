/* The NCHW float32 direct convolution for few input channels (conv_nd_direct.h) called directly: it agrees
 * with a float64 loop over the ONNX definition on odd shapes (widths 1..40, across every vector tail and both
 * halves of a stride-2 load, heights 1..9, 1 to 4 input channels, 1 to 33 output channels across the
 * 16-channel blocks, strides 1 and 2, symmetric and asymmetric pads 0..2, batch 2, with and without bias, no
 * activation, ReLU6 (in registers) and HardSwish (after each row)); the output is bit-identical on 1, 2 and
 * 3 threads of a real pool (the work items change with the thread count); fused activations give the bits
 * of the separate activation; and the path declines what it does not take, and CPUs without AVX-512
 * (EDGERT_ISA=avx2, scalar). Tolerance: 1e-5 * (1 + sum |x * w| + |b|). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/interp.h"
#include "core/pool.h"
#include "core/thread_pool.h"
#include "ops/conv_nd_direct.h"
#include "test.h"
#include "test_random.h"

typedef struct {
  int64_t batch, cin, cout, in_h, in_w, kh, kw, stride, dil, pads[4];
  bool bias;
  er_activation act;
} direct_case;

static uint32_t rng_state = 4242u;

static double rand_unit(void) { return test_random_unit(&rng_state); }

static er_conv_nd_geometry case_geometry(const direct_case *c, er_op_ctx *ctx) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = 1;
  a.auto_pad = ER_PAD_EXPLICIT;
  a.n_kernel = a.n_strides = a.n_dilations = 2;
  a.n_pads = 4;
  int64_t kernel[2] = {c->kh, c->kw};
  a.strides[0] = a.strides[1] = c->stride;
  a.dilations[0] = a.dilations[1] = c->dil;
  for (int i = 0; i < 4; i++)
    a.pads[i] = c->pads[i];
  er_tensor x;
  memset(&x, 0, sizeof x);
  x.dtype = EDGERT_FLOAT32;
  x.ndim = 4;
  x.dims[0] = c->batch;
  x.dims[1] = c->cin;
  x.dims[2] = c->in_h;
  x.dims[3] = c->in_w;
  er_conv_nd_geometry d;
  memset(&d, 0, sizeof d);
  CHECK_OK(er_window_nd_init(ctx, &a, &x, kernel, ER_WINDOW_FLOOR, &d.win));
  d.out_channels = c->cout;
  d.group = 1;
  d.in_per_group = c->cin;
  d.out_per_group = c->cout;
  return d;
}

static er_tensor tensor_of(const float *data, edgert_dtype dtype, er_tensor_kind kind) {
  er_tensor t;
  memset(&t, 0, sizeof t);
  t.dtype = dtype;
  t.kind = kind;
  t.data = (void *)data;
  return t;
}

/* y and the bound (the same sum over |x * w| and |b|) in float64, straight from the definition. */
static void reference(const direct_case *c, const er_window_nd *g, const float *x, const float *w,
                      const float *b, double *want, double *bound) {
  int64_t oh = g->out[0], ow = g->out[1];
  er_fused_act act = {c->act, 0.0f, 0.0f, NULL};
  for (int64_t n = 0; n < c->batch; n++)
    for (int64_t m = 0; m < c->cout; m++)
      for (int64_t oy = 0; oy < oh; oy++)
        for (int64_t ox = 0; ox < ow; ox++) {
          double bv = b ? b[m] : 0.0, acc = bv, abs_acc = fabs(bv);
          for (int64_t ch = 0; ch < c->cin; ch++)
            for (int64_t ky = 0; ky < c->kh; ky++)
              for (int64_t kx = 0; kx < c->kw; kx++) {
                int64_t iy = oy * c->stride - c->pads[0] + ky * c->dil;
                int64_t ix = ox * c->stride - c->pads[1] + kx * c->dil;
                if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w) continue;
                double xv = x[((n * c->cin + ch) * c->in_h + iy) * c->in_w + ix];
                double wv = w[((m * c->cin + ch) * c->kh + ky) * c->kw + kx];
                acc += xv * wv;
                abs_acc += fabs(xv * wv);
              }
          int64_t i = ((n * c->cout + m) * oh + oy) * ow + ox;
          want[i] = er_fused_act_apply(&act, (float)acc);
          bound[i] = abs_acc;
        }
}

/* Plans and runs the case on `threads` threads (1: no pool). False when the pool cannot be made. */
static bool run_plan(const direct_case *c, int32_t threads, const float *x, const float *w, const float *b,
                     float *y) {
  er_interp interp = {.limits = edgert_limits_default()};
  interp.n_threads = threads;
  if (threads > 1 && er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) return false;
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(c, &ctx);
  er_tensor xt = tensor_of(x, EDGERT_FLOAT32, ER_TENSOR_ACTIVATION),
            wt = tensor_of(w, EDGERT_FLOAT32, ER_TENSOR_CONST);
  CHECK(er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  er_fused_act act = {c->act, 0.0f, 0.0f, NULL};
  er_f32_conv_nchw_direct_plan p;
  CHECK_OK(er_f32_conv_nchw_direct_prepare(&ctx, &d, &wt, &act, &p));
  er_f32_conv_nchw_direct_run(&ctx, &p, x, b, y);
  er_pool_free(&interp.pool);
  er_thread_pool_free(interp.thread_pool);
  return true;
}

static const char *case_text(const direct_case *c) {
  static char text[200];
  snprintf(text, sizeof text,
           "n %lld cin %lld cout %lld in %lldx%lld s %lld pads %lld,%lld,%lld,%lld bias %d act %d",
           (long long)c->batch, (long long)c->cin, (long long)c->cout, (long long)c->in_h, (long long)c->in_w,
           (long long)c->stride, (long long)c->pads[0], (long long)c->pads[1], (long long)c->pads[2],
           (long long)c->pads[3], (int)c->bias, (int)c->act);
  return text;
}

static bool check_case(const direct_case *c) {
  er_interp interp = {.limits = edgert_limits_default()};
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(c, &ctx);
  er_pool_free(&interp.pool);
  int64_t x_n = c->batch * c->cin * c->in_h * c->in_w, w_n = c->cout * c->cin * c->kh * c->kw;
  int64_t y_n = c->batch * c->cout * d.win.out[0] * d.win.out[1];
  /* Exact sizes, so a read past the input or a write past the output shows under ASan. */
  float *x = malloc((size_t)x_n * sizeof *x), *w = malloc((size_t)w_n * sizeof *w);
  float *b = c->bias ? malloc((size_t)c->cout * sizeof *b) : NULL;
  float *y1 = malloc((size_t)y_n * sizeof *y1), *yt = malloc((size_t)y_n * sizeof *yt);
  double *want = malloc((size_t)y_n * sizeof *want), *bound = malloc((size_t)y_n * sizeof *bound);
  for (int64_t i = 0; i < x_n; i++)
    x[i] = (float)(4.0 * rand_unit()); /* wide enough to cross HardSwish's and ReLU6's bends */
  for (int64_t i = 0; i < w_n; i++)
    w[i] = (float)rand_unit();
  for (int64_t i = 0; b && i < c->cout; i++)
    b[i] = (float)rand_unit();
  reference(c, &d.win, x, w, b, want, bound);
  bool ok = run_plan(c, 1, x, w, b, y1);
  for (int64_t j = 0; j < y_n && ok; j++) {
    double tol = 1e-5 * (1.0 + bound[j]);
    ok = fabs((double)y1[j] - want[j]) <= tol;
    CHECK_MSG(ok, "%s: y[%lld] = %.9g, want %.9g", case_text(c), (long long)j, y1[j], want[j]);
  }
  for (int32_t threads = 2; threads <= 3 && ok; threads++) {
    memset(yt, 0xFF, (size_t)y_n * sizeof *yt);
    if (!run_plan(c, threads, x, w, b, yt)) break; /* no pthreads in this build */
    ok = memcmp(y1, yt, (size_t)y_n * sizeof *yt) == 0;
    CHECK_MSG(ok, "%s: %d threads differ from 1", case_text(c), (int)threads);
  }
  free(x);
  free(w);
  free(b);
  free(y1);
  free(yt);
  free(want);
  free(bound);
  return ok;
}

static bool have_avx512(void) { return er_cpu_detect().avx512; }

/* Every width 1..40 at both strides, with the other dims cycling through their odd values. */
static void test_shapes(void) {
  if (!have_avx512()) {
    printf("skip test_shapes: no AVX-512 (the path does not apply)\n");
    return;
  }
  static const int64_t couts[] = {1, 15, 16, 17, 33};
  static const int64_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 1, 0, 2}, {0, 2, 1, 0}, {1, 0, 2, 1}};
  static const er_activation acts[] = {ER_ACT_NONE, ER_ACT_RELU6, ER_ACT_HARD_SWISH};
  int i = 0;
  for (int64_t width = 1; width <= 40; width++)
    for (int64_t stride = 1; stride <= 2; stride++, i++) {
      direct_case c = {2,      1 + i % 4, couts[i % 5], 1 + i % 9,  width,      3, 3,
                       stride, 1,         {0, 0, 0, 0}, i % 7 != 3, acts[i % 3]};
      memcpy(c.pads, pads[(i / 2) % 5], sizeof c.pads);
      if (c.in_h + c.pads[0] + c.pads[2] < 3) c.in_h = 3;
      if (c.in_w + c.pads[1] + c.pads[3] < 3) continue;
      if (!check_case(&c)) return;
    }
}

/* The nets' stems (3 -> 16 and 3 -> 32, 3x3 stride 2 pad 1) on a smaller image, and a 4-channel one. */
static void test_stem_like(void) {
  if (!have_avx512()) return;
  static const direct_case cases[] = {
      {1, 3, 16, 38, 38, 3, 3, 2, 1, {1, 1, 1, 1}, true, ER_ACT_HARD_SWISH},
      {2, 3, 32, 29, 45, 3, 3, 2, 1, {1, 1, 1, 1}, true, ER_ACT_RELU6},
      {1, 4, 48, 17, 64, 3, 3, 2, 1, {0, 1, 1, 0}, false, ER_ACT_NONE},
      {1, 3, 20, 12, 33, 3, 3, 1, 1, {1, 1, 1, 1}, true, ER_ACT_SILU},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (!check_case(&cases[i])) return;
}

/* A fused activation gives the bits the separate activation would: HardSwish and SiLU (over each finished
 * row) and ReLU6 (a clamp in registers) against the activation on the plain conv's output. */
static void test_fused_matches_separate(void) {
  if (!have_avx512()) return;
  direct_case c = {2, 3, 33, 13, 37, 3, 3, 2, 1, {1, 1, 1, 1}, true, ER_ACT_NONE};
  er_interp interp = {.limits = edgert_limits_default()};
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(&c, &ctx);
  er_pool_free(&interp.pool);
  int64_t x_n = c.batch * c.cin * c.in_h * c.in_w, w_n = c.cout * c.cin * 9;
  int64_t y_n = c.batch * c.cout * d.win.out[0] * d.win.out[1];
  float *x = malloc((size_t)x_n * sizeof *x), *w = malloc((size_t)w_n * sizeof *w);
  float *b = malloc((size_t)c.cout * sizeof *b);
  float *plain = malloc((size_t)y_n * sizeof *plain), *fused = malloc((size_t)y_n * sizeof *fused);
  for (int64_t i = 0; i < x_n; i++)
    x[i] = (float)(4.0 * rand_unit());
  for (int64_t i = 0; i < w_n; i++)
    w[i] = (float)rand_unit();
  for (int64_t i = 0; i < c.cout; i++)
    b[i] = (float)rand_unit();
  run_plan(&c, 1, x, w, b, plain);
  static const er_activation acts[] = {ER_ACT_HARD_SWISH, ER_ACT_RELU6, ER_ACT_SILU};
  for (int a = 0; a < 3; a++) {
    c.act = acts[a];
    run_plan(&c, 1, x, w, b, fused);
    er_fused_act act = {c.act, 0.0f, 0.0f, NULL};
    er_fused_act_vectorize(&act, er_cpu_detect());
    bool same = true;
    for (int64_t i = 0; i < y_n && same; i++) {
      float want = plain[i];
      er_fused_act_apply_n(&act, &want, 1);
      same = memcmp(&want, &fused[i], sizeof want) == 0;
      CHECK_MSG(same, "act %d: y[%lld] = %.9g, separate %.9g", (int)c.act, (long long)i, fused[i], want);
    }
  }
  free(x);
  free(w);
  free(b);
  free(plain);
  free(fused);
}

/* What the path declines: too many input channels, other kernels and strides, dilation, groups, weights
 * computed at run time, float64, and CPUs without AVX-512. */
static void test_applies(void) {
  er_interp interp = {.limits = edgert_limits_default()};
  er_op_ctx ctx = {.interp = &interp};
  static const float data[1] = {0};
  er_tensor xt = tensor_of(data, EDGERT_FLOAT32, ER_TENSOR_ACTIVATION),
            wt = tensor_of(data, EDGERT_FLOAT32, ER_TENSOR_CONST);
  direct_case base = {1, 3, 16, 20, 20, 3, 3, 2, 1, {1, 1, 1, 1}, true, ER_ACT_NONE};
  er_conv_nd_geometry d = case_geometry(&base, &ctx);
  CHECK(er_f32_conv_nchw_direct_applies(&d, &xt, &wt) == have_avx512());
  direct_case c = base;
  c.cin = ER_CONV_DIRECT_MAX_CIN + 1;
  d = case_geometry(&c, &ctx);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  c = base;
  c.kh = c.kw = 5;
  d = case_geometry(&c, &ctx);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  c = base;
  c.stride = 3;
  d = case_geometry(&c, &ctx);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  c = base;
  c.dil = 2;
  d = case_geometry(&c, &ctx);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  d = case_geometry(&base, &ctx);
  d.group = 3;
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt));
  d = case_geometry(&base, &ctx);
  er_tensor w_arena = tensor_of(data, EDGERT_FLOAT32, ER_TENSOR_ACTIVATION);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &xt, &w_arena));
  er_tensor x64 = tensor_of(data, EDGERT_FLOAT64, ER_TENSOR_ACTIVATION);
  CHECK(!er_f32_conv_nchw_direct_applies(&d, &x64, &wt));
  static const char *isas[] = {"avx2", "scalar"};
  for (int i = 0; i < 2; i++) {
    setenv("EDGERT_ISA", isas[i], 1);
    CHECK_MSG(!er_f32_conv_nchw_direct_applies(&d, &xt, &wt), "applies under EDGERT_ISA=%s", isas[i]);
  }
  unsetenv("EDGERT_ISA");
  er_pool_free(&interp.pool);
}

void run_tests(void) {
  RUN(test_shapes);
  RUN(test_stem_like);
  RUN(test_fused_matches_separate);
  RUN(test_applies);
}
