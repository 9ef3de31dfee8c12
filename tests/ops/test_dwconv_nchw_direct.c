/* The NCHW float32 depthwise convolution (conv_nd_depthwise.h) called directly: the direct kernels (input
 * rows read in place, padding by column masks and a row of zeros) and the padded-copy kernels agree with
 * a float64 loop over the ONNX definition on odd shapes (widths across every vector tail, heights 1..9,
 * kernels 3 and 5, strides 1 and 2 on each axis, dilations, asymmetric pads, batch 2; small stride-2 maps,
 * which AVX-512 runs as phase planes); and the output is
 * bit-identical on 1, 2 and 3 threads of a real pool (the bands change with the thread count). Each case
 * runs under EDGERT_ISA=scalar, avx2 and the CPU's best. Tolerance: 1e-5 * (1 + sum |x * w| + |b|). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/interp.h"
#include "core/pool.h"
#include "core/thread_pool.h"
#include "ops/conv_nd_depthwise.h"
#include "test.h"
#include "test_random.h"

typedef struct {
  int64_t batch, channels, in_h, in_w, kh, kw, stride_h, stride_w, dil_h, dil_w, pads[4];
  er_activation act;
} dw_case;

static uint32_t rng_state = 777u;

static double rand_unit(void) { return test_random_unit(&rng_state); }

static er_conv_nd_geometry case_geometry(const dw_case *c, er_op_ctx *ctx) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = (int32_t)c->channels;
  a.auto_pad = ER_PAD_EXPLICIT;
  a.n_kernel = a.n_strides = a.n_dilations = 2;
  a.n_pads = 4;
  int64_t kernel[2] = {c->kh, c->kw};
  a.strides[0] = c->stride_h;
  a.strides[1] = c->stride_w;
  a.dilations[0] = c->dil_h;
  a.dilations[1] = c->dil_w;
  for (int i = 0; i < 4; i++)
    a.pads[i] = c->pads[i];
  er_tensor x;
  memset(&x, 0, sizeof x);
  x.dtype = EDGERT_FLOAT32;
  x.ndim = 4;
  x.dims[0] = c->batch;
  x.dims[1] = c->channels;
  x.dims[2] = c->in_h;
  x.dims[3] = c->in_w;
  er_conv_nd_geometry d;
  memset(&d, 0, sizeof d);
  CHECK_OK(er_window_nd_init(ctx, &a, &x, kernel, ER_WINDOW_FLOOR, &d.win));
  d.out_channels = d.group = c->channels;
  d.in_per_group = d.out_per_group = 1;
  return d;
}

/* y and the bound (the same sum over |x|, |w|, |b|) in float64, straight from the definition. */
static void reference(const dw_case *c, const er_window_nd *g, const float *x, const float *w, const float *b,
                      double *want, double *bound) {
  int64_t oh = g->out[0], ow = g->out[1];
  for (int64_t n = 0; n < c->batch; n++)
    for (int64_t ch = 0; ch < c->channels; ch++)
      for (int64_t oy = 0; oy < oh; oy++)
        for (int64_t ox = 0; ox < ow; ox++) {
          double acc = b[ch], abs_acc = fabs((double)b[ch]);
          for (int64_t ky = 0; ky < c->kh; ky++)
            for (int64_t kx = 0; kx < c->kw; kx++) {
              int64_t iy = oy * c->stride_h - c->pads[0] + ky * c->dil_h;
              int64_t ix = ox * c->stride_w - c->pads[1] + kx * c->dil_w;
              if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w) continue;
              double xv = x[((n * c->channels + ch) * c->in_h + iy) * c->in_w + ix];
              double wv = w[(ch * c->kh + ky) * c->kw + kx];
              acc += xv * wv;
              abs_acc += fabs(xv * wv);
            }
          int64_t i = ((n * c->channels + ch) * oh + oy) * ow + ox;
          er_fused_act act = {c->act, -0.5f, 0.7f, NULL};
          want[i] = er_fused_act_apply(&act, (float)acc);
          bound[i] = abs_acc;
        }
}

/* Plans and runs the case on `threads` threads (1: no pool). False when the pool cannot be made. */
static bool run_plan(const dw_case *c, int32_t threads, const float *x, const float *w, const float *b,
                     float *y) {
  er_interp interp = {.limits = edgert_limits_default()};
  interp.n_threads = threads;
  if (threads > 1 && er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) return false;
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(c, &ctx);
  CHECK(er_f32_dwconv_nchw_applies(&d, EDGERT_FLOAT32));
  er_fused_act act = {c->act, -0.5f, 0.7f, NULL};
  er_f32_dwconv_nchw_plan p;
  size_t bytes = er_f32_dwconv_nchw_prepare(&ctx, &d, &act, &p);
  CHECK(bytes > 0);
  void *scratch = malloc(bytes);
  er_f32_dwconv_nchw_run(&ctx, &p, x, w, b, y, scratch);
  free(scratch);
  er_pool_free(&interp.pool);
  er_thread_pool_free(interp.thread_pool);
  return true;
}

static const char *case_text(const dw_case *c) {
  static char text[200];
  snprintf(text, sizeof text,
           "in %lldx%lld k %lldx%lld s %lldx%lld d %lldx%lld pads %lld,%lld,%lld,%lld act %d",
           (long long)c->in_h, (long long)c->in_w, (long long)c->kh, (long long)c->kw, (long long)c->stride_h,
           (long long)c->stride_w, (long long)c->dil_h, (long long)c->dil_w, (long long)c->pads[0],
           (long long)c->pads[1], (long long)c->pads[2], (long long)c->pads[3], (int)c->act);
  return text;
}

static bool check_case(const dw_case *c) {
  er_interp interp = {.limits = edgert_limits_default()};
  er_op_ctx ctx = {.interp = &interp};
  er_conv_nd_geometry d = case_geometry(c, &ctx);
  int64_t x_n = c->batch * c->channels * c->in_h * c->in_w, w_n = c->channels * c->kh * c->kw;
  int64_t y_n = c->batch * c->channels * d.win.out[0] * d.win.out[1];
  /* Exact sizes, so a read past the input or a write past the output shows under ASan. */
  float *x = malloc((size_t)x_n * sizeof *x), *w = malloc((size_t)w_n * sizeof *w);
  float *b = malloc((size_t)c->channels * sizeof *b);
  float *y1 = malloc((size_t)y_n * sizeof *y1), *yt = malloc((size_t)y_n * sizeof *yt);
  double *want = malloc((size_t)y_n * sizeof *want), *bound = malloc((size_t)y_n * sizeof *bound);
  for (int64_t i = 0; i < x_n; i++)
    x[i] = (float)rand_unit();
  for (int64_t i = 0; i < w_n; i++)
    w[i] = (float)rand_unit();
  for (int64_t i = 0; i < c->channels; i++)
    b[i] = (float)rand_unit();
  reference(c, &d.win, x, w, b, want, bound);
  bool ok = true;
  const char *isas[] = {"scalar", "avx2", NULL};
  for (int i = 0; i < 3 && ok; i++) {
    if (isas[i])
      setenv("EDGERT_ISA", isas[i], 1);
    else
      unsetenv("EDGERT_ISA");
    run_plan(c, 1, x, w, b, y1);
    for (int64_t j = 0; j < y_n && ok; j++) {
      double tol = 1e-5 * (1.0 + bound[j]);
      ok = fabs((double)y1[j] - want[j]) <= tol;
      CHECK_MSG(ok, "%s %s: y[%lld] = %.9g, want %.9g", isas[i] ? isas[i] : "best", case_text(c),
                (long long)j, y1[j], want[j]);
    }
    for (int32_t threads = 2; threads <= 3 && ok; threads++) {
      if (!run_plan(c, threads, x, w, b, yt)) break; /* no pthreads in this build */
      ok = memcmp(y1, yt, (size_t)y_n * sizeof *yt) == 0;
      CHECK_MSG(ok, "%s %s: %d threads differ from 1", isas[i] ? isas[i] : "best", case_text(c),
                (int)threads);
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
  er_pool_free(&interp.pool);
  return ok;
}

/* Widths across every vector tail (and both halves of a stride-2 load), each stride and kernel. */
static void test_widths_strides_kernels(void) {
  static const int64_t widths[] = {1, 2, 3, 5, 8, 15, 16, 17, 31, 32, 33, 34, 47, 63, 65, 97};
  for (int k = 3; k <= 5; k += 2)
    for (int64_t sh = 1; sh <= 2; sh++)
      for (int64_t sw = 1; sw <= 2; sw++)
        for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
          int64_t pad = k / 2;
          dw_case c = {2,
                       3,
                       1 + (int64_t)(i % 9),
                       widths[i],
                       k,
                       k,
                       sh,
                       sw,
                       1,
                       1,
                       {pad, pad, pad, pad},
                       i % 3 ? ER_ACT_NONE : ER_ACT_RELU6};
          if (c.in_h + 2 * pad < k) c.in_h = k;
          if (c.in_w + 2 * pad < k) continue;
          if (!check_case(&c)) return;
        }
}

/* Dilations, asymmetric and zero pads, pads wider than the kernel reach, every fused activation. */
static void test_pads_dilations_activations(void) {
  static const dw_case cases[] = {
      {1, 4, 9, 20, 3, 3, 1, 1, 2, 2, {2, 2, 2, 2}, ER_ACT_NONE},
      {2, 2, 11, 37, 3, 3, 2, 2, 2, 3, {0, 3, 1, 0}, ER_ACT_CLIP},
      {1, 5, 7, 18, 5, 5, 1, 2, 1, 1, {0, 0, 0, 0}, ER_ACT_HARD_SWISH},
      {1, 3, 8, 40, 5, 5, 2, 1, 2, 1, {4, 1, 0, 6}, ER_ACT_SILU},
      {1, 2, 6, 6, 3, 3, 1, 1, 1, 1, {3, 3, 3, 3}, ER_ACT_SIGMOID},
      {2, 17, 14, 14, 5, 5, 1, 1, 1, 1, {2, 2, 2, 2}, ER_ACT_RELU},
      {1, 16, 57, 57, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, ER_ACT_TANH},
      {1, 8, 7, 7, 5, 5, 2, 2, 1, 1, {2, 2, 2, 2}, ER_ACT_RELU_N1_TO_1},
      /* stride-2 small maps (the phase-plane path on AVX-512): the nets' 14 -> 7 layers, TensorFlow's
       * "same" pads (bottom and right only), odd sizes, a pad past the kernel's reach, a 1-row map */
      {2, 5, 14, 14, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, ER_ACT_RELU6},
      {1, 6, 14, 14, 5, 5, 2, 2, 1, 1, {2, 2, 2, 2}, ER_ACT_SILU},
      {1, 4, 14, 14, 3, 3, 2, 2, 1, 1, {0, 0, 1, 1}, ER_ACT_NONE},
      {1, 4, 13, 15, 5, 5, 2, 2, 1, 1, {1, 2, 3, 2}, ER_ACT_NONE},
      {1, 3, 9, 31, 3, 3, 2, 2, 1, 1, {3, 1, 3, 1}, ER_ACT_NONE},
      {1, 3, 2, 32, 3, 3, 2, 2, 1, 1, {1, 1, 1, 1}, ER_ACT_NONE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (!check_case(&cases[i])) return;
}

void run_tests(void) {
  RUN(test_widths_strides_kernels);
  RUN(test_pads_dilations_activations);
}
