/* CONV_ND's float32 fast paths (depthwise: conv_nd_depthwise.c; constant weights: conv_nd_gemm.c) agree
 * with the reference kernel on odd shapes: 1-D and 2-D, channels 1..19, sizes 1..17 and wider rows that
 * cross every vector tail, kernels 1..7, strides 1..3, dilations, asymmetric and automatic pads, groups,
 * batch 2, with and without bias, each fused activation. Each case runs under EDGERT_ISA=scalar, avx2 and
 * the CPU's best, so every micro-kernel this machine has is checked.
 *
 * The truth is the reference kernel in float64 (every float64 conv runs it). A float32 run with the weights
 * fed at run time checks the float32 reference too (the GEMM path needs constant weights; the depthwise
 * path reads them at run time, so there it checks that). Tolerance:
 * |got - want| <= 1e-5 * (1 + sum |x * w| + |b|), the sum itself computed by the reference on |x|, |w|,
 * |b|. Pointwise convs on the maps of the torchvision nets (1x1 to 56x56) run in both of the GEMM path's
 * orientations (conv_nd_gemm.h) and give the same bits on 1, 2 and 3 threads. */
#include <stdlib.h>
#include <string.h>

#include "conv_nd_test.h"
#include "core/interp.h"
#include "core/thread_pool.h"
#include "ops/conv_nd_gemm.h"
#include "test_random.h"

typedef struct {
  int rank;
  int64_t batch, channels, out_channels, group;
  int64_t in[2], kernel[2], stride[2], dilation[2], pads[4];
  er_padding auto_pad;
  bool bias;
  er_activation act;
} conv_case;

static uint32_t rng_state = 12345u;

static int64_t rand_in(int64_t lo, int64_t hi) { return test_random_in(&rng_state, lo, hi); }
static double rand_unit(void) { return test_random_unit(&rng_state); }

static er_conv_nd_attrs case_attrs(const conv_case *c) {
  er_conv_nd_attrs a = conv_nd_default_attrs();
  a.group = (int32_t)c->group;
  a.auto_pad = c->auto_pad;
  a.n_kernel = a.n_strides = a.n_dilations = c->rank;
  a.n_pads = c->auto_pad == ER_PAD_EXPLICIT ? 2 * c->rank : 0;
  for (int i = 0; i < c->rank; i++) {
    a.kernel[i] = c->kernel[i];
    a.strides[i] = c->stride[i];
    a.dilations[i] = c->dilation[i];
    a.pads[i] = c->pads[i];
    a.pads[c->rank + i] = c->pads[2 + i];
  }
  a.activation = c->act;
  a.act_min = -0.5f;
  a.act_max = 0.7f;
  return a;
}

static int64_t out_dim(const conv_case *c, int i) {
  int64_t effective = (c->kernel[i] - 1) * c->dilation[i] + 1;
  if (c->auto_pad != ER_PAD_EXPLICIT) return (c->in[i] + c->stride[i] - 1) / c->stride[i];
  return (c->in[i] + c->pads[i] + c->pads[2 + i] - effective) / c->stride[i] + 1;
}

static int64_t volume(int rank, const int64_t *dims) {
  int64_t v = 1;
  for (int i = 0; i < rank; i++)
    v *= dims[i];
  return v;
}

/* Runs the case in dtype (x, w, b of that dtype); weights_as_input feeds W at run time. */
static edgert_status run_case(const conv_case *c, edgert_dtype dt, const er_conv_nd_attrs *a, const void *x,
                              const void *w, const void *b, bool weights_as_input, void *y, size_t y_bytes) {
  int ndim = c->rank + 2;
  int64_t x_dims[4] = {c->batch, c->channels, c->in[0], c->in[1]};
  int64_t w_dims[4] = {c->out_channels, c->channels / c->group, c->kernel[0], c->kernel[1]};
  th_graph *g = th_new();
  int xi = th_tensor(g, dt, ndim, x_dims, NULL);
  int wi = th_tensor(g, dt, ndim, w_dims, weights_as_input ? NULL : w);
  int bi = b ? th_tensor(g, dt, 1, (int64_t[]){c->out_channels}, b) : -1;
  int yi = th_tensor(g, dt, -1, NULL, NULL);
  th_node(g, ER_OP_CONV_ND, a, sizeof *a, 3, (int[]){xi, wi, bi}, 1, (int[]){yi});
  edgert_status st;
  if (weights_as_input) {
    th_io(g, 2, (int[]){xi, wi}, 1, (int[]){yi});
    st = th_run(g, (const void *[]){x, w});
    if (st == EDGERT_OK) {
      CHECK_EQ_INT(th_output_info(g, 0).bytes, y_bytes);
      memcpy(y, th_output(g, 0), y_bytes);
    } else {
      puts(th_error(g));
    }
    th_free(g);
    return st;
  }
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  return conv_nd_run_graph(g, x, y, y_bytes, NULL);
}

static void set_isa(const char *isa) {
  if (isa)
    setenv("EDGERT_ISA", isa, 1);
  else
    unsetenv("EDGERT_ISA");
}

static bool check_against(const conv_case *c, const float *got, const double *want, const double *bound,
                          int64_t n, const char *what) {
  for (int64_t i = 0; i < n; i++) {
    double tol = 1e-5 * (1.0 + bound[i]);
    if (!(fabs((double)got[i] - want[i]) <= tol) && !(isnan(got[i]) && isnan(want[i]))) {
      CHECK_MSG(
          false,
          "%s: rank %d N %lld C %lld M %lld group %lld in %lldx%lld k %lldx%lld s %lldx%lld d %lldx%lld "
          "pads %lld,%lld,%lld,%lld auto_pad %d bias %d act %d: y[%lld] = %.9g, want %.9g (tol %g)",
          what, c->rank, (long long)c->batch, (long long)c->channels, (long long)c->out_channels,
          (long long)c->group, (long long)c->in[0], (long long)c->in[1], (long long)c->kernel[0],
          (long long)c->kernel[1], (long long)c->stride[0], (long long)c->stride[1],
          (long long)c->dilation[0], (long long)c->dilation[1], (long long)c->pads[0], (long long)c->pads[1],
          (long long)c->pads[2], (long long)c->pads[3], (int)c->auto_pad, (int)c->bias, (int)c->act,
          (long long)i, got[i], want[i], tol);
      return false;
    }
  }
  return true;
}

/* Runs one case every way and compares; returns false after the first mismatch. */
static bool check_case(const conv_case *c) {
  int64_t x_n = c->batch * c->channels * volume(c->rank, c->in);
  int64_t w_n = c->out_channels * (c->channels / c->group) * volume(c->rank, c->kernel);
  int64_t out[2] = {out_dim(c, 0), c->rank == 2 ? out_dim(c, 1) : 1};
  int64_t y_n = c->batch * c->out_channels * out[0] * out[1];
  float *xf = malloc((size_t)(x_n + w_n + c->out_channels + y_n) * sizeof(float));
  double *xd = malloc((size_t)(2 * (x_n + w_n + c->out_channels) + 2 * y_n) * sizeof(double));
  float *wf = xf + x_n, *bf = wf + w_n, *yf = bf + c->out_channels;
  double *wd = xd + x_n, *bd = wd + w_n, *xa = bd + c->out_channels, *wa = xa + x_n, *ba = wa + w_n;
  double *want = ba + c->out_channels, *bound = want + y_n;
  for (int64_t i = 0; i < x_n + w_n + c->out_channels; i++) {
    xf[i] = (float)rand_unit();
    xd[i] = xf[i];
    xa[i] = fabs(xd[i]);
  }
  er_conv_nd_attrs a = case_attrs(c), plain = a;
  plain.activation = ER_ACT_NONE;
  bool ok = true;
  CHECK_OK(run_case(c, EDGERT_FLOAT64, &a, xd, wd, c->bias ? bd : NULL, false, want, (size_t)y_n * 8));
  CHECK_OK(run_case(c, EDGERT_FLOAT64, &plain, xa, wa, c->bias ? ba : NULL, false, bound, (size_t)y_n * 8));
  const char *isas[] = {"scalar", "avx2", NULL};
  for (int i = 0; i < 3 && ok; i++) {
    set_isa(isas[i]);
    CHECK_OK(run_case(c, EDGERT_FLOAT32, &a, xf, wf, c->bias ? bf : NULL, false, yf, (size_t)y_n * 4));
    ok = check_against(c, yf, want, bound, y_n, isas[i] ? isas[i] : "best ISA");
  }
  set_isa(NULL);
  if (ok) {
    CHECK_OK(run_case(c, EDGERT_FLOAT32, &a, xf, wf, c->bias ? bf : NULL, true, yf, (size_t)y_n * 4));
    ok = check_against(c, yf, want, bound, y_n, "float32 reference");
  }
  free(xf);
  free(xd);
  return ok;
}

static const er_activation kActs[] = {ER_ACT_NONE,       ER_ACT_RELU, ER_ACT_RELU6,   ER_ACT_CLIP,
                                      ER_ACT_HARD_SWISH, ER_ACT_SILU, ER_ACT_SIGMOID, ER_ACT_TANH};

/* Shrinks dilation, then kernel, until the window fits the padded input. */
static void fit_window(conv_case *c) {
  for (int i = 0; i < c->rank; i++) {
    int64_t padded = c->in[i] + (c->auto_pad == ER_PAD_EXPLICIT ? c->pads[i] + c->pads[2 + i] : 0);
    if ((c->kernel[i] - 1) * c->dilation[i] + 1 > padded) c->dilation[i] = 1;
    if (c->kernel[i] > padded) c->kernel[i] = padded;
  }
}

typedef enum { KIND_REGULAR, KIND_DEPTHWISE, KIND_GROUPED, KIND_POINTWISE } case_kind;

static conv_case random_case(int index) {
  conv_case c;
  memset(&c, 0, sizeof c);
  case_kind kind = (case_kind)(index % 4);
  c.rank = index % 5 == 4 ? 1 : 2;
  c.batch = index % 3 == 0 ? 2 : 1;
  c.channels = rand_in(1, 19);
  for (int i = 0; i < 2; i++) {
    c.in[i] = i < c.rank ? rand_in(1, 17) : 1;
    c.kernel[i] = i < c.rank ? rand_in(1, 7) : 1;
    c.stride[i] = i < c.rank ? rand_in(1, 3) : 1;
    c.dilation[i] = i < c.rank && test_random_next(&rng_state) % 4 == 0 ? 2 : 1;
    c.pads[i] = i < c.rank ? rand_in(0, 3) : 0;
    c.pads[2 + i] = i < c.rank ? rand_in(0, 3) : 0;
  }
  c.auto_pad = index % 11 == 5 ? ER_PAD_SAME : (index % 11 == 7 ? ER_PAD_SAME_LOWER : ER_PAD_EXPLICIT);
  c.group = 1;
  c.out_channels = rand_in(1, 19);
  if (kind == KIND_DEPTHWISE) {
    c.group = c.out_channels = c.channels;
    int64_t k = test_random_next(&rng_state) % 2 ? 3 : 5; /* mostly the specialised kernels */
    for (int i = 0; i < c.rank; i++)
      if (test_random_next(&rng_state) % 4) c.kernel[i] = k;
  } else if (kind == KIND_GROUPED) {
    do
      c.group = rand_in(1, c.channels);
    while (c.channels % c.group);
    c.out_channels = c.group * rand_in(1, 3);
  } else if (kind == KIND_POINTWISE) {
    c.auto_pad = ER_PAD_EXPLICIT;
    for (int i = 0; i < 2; i++) {
      c.kernel[i] = c.stride[i] = 1;
      c.pads[i] = c.pads[2 + i] = 0;
    }
  }
  c.bias = index % 5 != 1;
  c.act = kActs[(index / 4) % 8];
  fit_window(&c);
  return c;
}

static void test_random_shapes_match_reference(void) {
  for (int i = 0; i < 400; i++) {
    conv_case c = random_case(i);
    if (!check_case(&c)) break;
  }
}

/* Depthwise 3x3 and 5x5, strides 1 and 2, over row widths around every vector size and tail. */
static void test_depthwise_row_tails(void) {
  static const int64_t widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 97};
  for (int k = 3; k <= 5; k += 2) {
    for (int64_t s = 1; s <= 2; s++) {
      for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
        int64_t pad = k / 2;
        conv_case c = {2,
                       1,
                       3,
                       3,
                       3,
                       {5, widths[i]},
                       {k, k},
                       {s, s},
                       {1, 1},
                       {pad, pad, pad, pad},
                       ER_PAD_EXPLICIT,
                       true,
                       i % 2 ? ER_ACT_RELU6 : ER_ACT_NONE};
        fit_window(&c);
        if (!check_case(&c)) return;
      }
    }
  }
}

/* Shapes like the torchvision nets', large enough to use several im2col column blocks and K blocks. */
static void test_large_layers_match_reference(void) {
  static const conv_case cases[] = {
      {2, 1, 64, 40, 1, {34, 34}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, ER_PAD_EXPLICIT, true, ER_ACT_RELU},
      {2, 2, 3, 16, 1, {33, 31}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, ER_PAD_EXPLICIT, true, ER_ACT_RELU6},
      {2, 1, 24, 32, 1, {20, 20}, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, ER_PAD_EXPLICIT, false, ER_ACT_NONE},
      {2,
       1,
       96,
       50,
       1,
       {9, 9},
       {1, 1},
       {1, 1},
       {1, 1},
       {0, 0, 0, 0},
       ER_PAD_EXPLICIT,
       true,
       ER_ACT_HARD_SWISH},
      {2, 1, 40, 20, 1, {9, 9}, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}, ER_PAD_EXPLICIT, true, ER_ACT_NONE},
      {2, 1, 32, 32, 32, {56, 56}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, ER_PAD_EXPLICIT, true, ER_ACT_SILU},
      {2, 1, 16, 16, 16, {57, 57}, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, ER_PAD_EXPLICIT, true, ER_ACT_CLIP},
      {2, 1, 8, 8, 8, {30, 30}, {3, 3}, {1, 1}, {3, 3}, {3, 3, 3, 3}, ER_PAD_EXPLICIT, false, ER_ACT_NONE},
      {2, 1, 32, 64, 4, {15, 15}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, ER_PAD_EXPLICIT, true, ER_ACT_RELU},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (!check_case(&cases[i])) return;
}

/* A pointwise conv case: N, C, M, group, H x W, bias, activation. */
static conv_case pointwise(int64_t batch, int64_t channels, int64_t out_channels, int64_t group, int64_t h,
                           int64_t w, bool bias, er_activation act) {
  conv_case c = {2,      batch,  channels,     out_channels,    group, {h, w}, {1, 1},
                 {1, 1}, {1, 1}, {0, 0, 0, 0}, ER_PAD_EXPLICIT, bias,  act};
  return c;
}

/* The maps of mobilenet / efficientnet 1x1 convs (squeeze-excite on 1x1, 7x7, 14x14, 28x28, 56x56) and
 * odd ones (13x13), channels with row tails of every micro-tile, groups and batch 2: each orientation the
 * cost model picks against the reference, on every ISA. */
static const conv_case *pointwise_cases(size_t *count) {
  static conv_case cases[12];
  cases[0] = pointwise(1, 48, 24, 1, 1, 1, true, ER_ACT_SILU);    /* squeeze-excite: one pixel */
  cases[1] = pointwise(2, 24, 49, 1, 1, 1, true, ER_ACT_SIGMOID); /* batch 2, one pixel */
  cases[2] = pointwise(1, 160, 96, 1, 7, 7, true, ER_ACT_RELU6);  /* 7x7, K = 160 */
  cases[3] = pointwise(2, 300, 37, 1, 7, 7, false, ER_ACT_NONE);  /* K blocks, odd M */
  cases[4] = pointwise(1, 37, 50, 1, 13, 13, true, ER_ACT_HARD_SWISH);
  cases[5] = pointwise(1, 64, 40, 2, 14, 14, true, ER_ACT_CLIP); /* groups */
  cases[6] = pointwise(1, 96, 70, 1, 14, 14, true, ER_ACT_SILU);
  cases[7] = pointwise(1, 32, 24, 1, 28, 28, true, ER_ACT_RELU);
  cases[8] = pointwise(2, 24, 20, 1, 56, 56, true, ER_ACT_RELU6);  /* batch 2, small K */
  cases[9] = pointwise(1, 16, 8, 2, 1, 1, false, ER_ACT_NONE);     /* grouped, one pixel */
  cases[10] = pointwise(1, 144, 26, 1, 28, 28, true, ER_ACT_NONE); /* B in place, M tail */
  cases[11] = pointwise(1, 20, 100, 1, 56, 56, true, ER_ACT_SILU); /* X packed */
  *count = sizeof cases / sizeof *cases;
  return cases;
}

static void test_pointwise_layers_match_reference(void) {
  /* the cases cover both orientations of the best variant */
  const er_f32_gemm_ukernels *uk = er_f32_gemm_select(er_cpu_detect());
  CHECK(er_f32_conv_pointwise_transposed(uk, 24, 1, 48));
  CHECK(er_f32_conv_pointwise_transposed(uk, 8, 1, 16));
  CHECK(!er_f32_conv_pointwise_transposed(uk, 20, 56 * 56, 24));
  if (uk->nr >= 16) CHECK(er_f32_conv_pointwise_transposed(uk, 96, 49, 160));
  size_t count;
  const conv_case *cases = pointwise_cases(&count);
  for (size_t i = 0; i < count; i++)
    if (!check_case(&cases[i])) return;
}

/* y of a pointwise case through conv_nd_gemm.c directly, on `threads` threads of a real pool (1: none). */
static bool run_pointwise_threads(const conv_case *c, int32_t threads, const float *x, const float *w,
                                  const float *b, float *y) {
  er_interp interp = {.limits = edgert_limits_default()};
  interp.n_threads = threads;
  if (threads > 1 && er_thread_pool_create(threads, &interp.thread_pool) != EDGERT_OK) return false;
  er_node node; /* no inputs: prepare's er_input_packed has nothing to mark */
  memset(&node, 0, sizeof node);
  er_op_ctx ctx = {.interp = &interp, .node = &node};
  er_conv_nd_attrs a = case_attrs(c);
  er_tensor xt, wt;
  memset(&xt, 0, sizeof xt);
  memset(&wt, 0, sizeof wt);
  xt.dtype = EDGERT_FLOAT32;
  xt.ndim = 4;
  xt.dims[0] = c->batch, xt.dims[1] = c->channels, xt.dims[2] = c->in[0], xt.dims[3] = c->in[1];
  wt.kind = ER_TENSOR_CONST;
  wt.data = (void *)w;
  er_conv_nd_geometry d;
  memset(&d, 0, sizeof d);
  CHECK_OK(er_window_nd_init(&ctx, &a, &xt, c->kernel, ER_WINDOW_FLOOR, &d.win));
  d.out_channels = c->out_channels, d.group = c->group;
  d.in_per_group = c->channels / c->group, d.out_per_group = c->out_channels / c->group;
  CHECK(er_f32_conv_nchw_gemm_applies(&d, &xt, &wt));
  er_fused_act act = er_conv_nd_fused_act(&a);
  er_f32_conv_nchw_gemm_plan p;
  size_t bytes = 0;
  CHECK_OK(er_f32_conv_nchw_gemm_prepare(&ctx, &d, &wt, &act, &p, &bytes));
  void *scratch = aligned_alloc(64, (bytes + 64) / 64 * 64);
  er_f32_conv_nchw_gemm_run(&ctx, &p, x, c->bias ? b : NULL, y, scratch);
  free(scratch);
  er_pool_free(&interp.pool);
  er_thread_pool_free(interp.thread_pool);
  return true;
}

/* 2 and 3 threads give the bits of 1, in both orientations. */
static void test_pointwise_threads_match_one_thread_bit_for_bit(void) {
  size_t count;
  const conv_case *cases = pointwise_cases(&count);
  for (size_t i = 0; i < count; i++) {
    const conv_case *c = &cases[i];
    int64_t x_n = c->batch * c->channels * c->in[0] * c->in[1];
    int64_t w_n = c->out_channels * (c->channels / c->group);
    int64_t y_n = c->batch * c->out_channels * c->in[0] * c->in[1];
    float *x = malloc((size_t)(x_n + w_n + c->out_channels + 2 * y_n) * sizeof *x);
    float *w = x + x_n, *b = w + w_n, *one = b + c->out_channels, *many = one + y_n;
    for (int64_t j = 0; j < x_n + w_n + c->out_channels; j++)
      x[j] = (float)rand_unit();
    bool ran = run_pointwise_threads(c, 1, x, w, b, one);
    for (int32_t threads = 2; threads <= 3 && ran; threads++) {
      if (!run_pointwise_threads(c, threads, x, w, b, many)) break; /* no pthreads in this build */
      CHECK_MSG(memcmp(one, many, (size_t)y_n * sizeof *one) == 0,
                "pointwise N %lld C %lld M %lld group %lld %lldx%lld: %d threads differ from 1",
                (long long)c->batch, (long long)c->channels, (long long)c->out_channels, (long long)c->group,
                (long long)c->in[0], (long long)c->in[1], (int)threads);
    }
    free(x);
  }
}

void run_tests(void) {
  RUN(test_random_shapes_match_reference);
  RUN(test_depthwise_row_tails);
  RUN(test_large_layers_match_reference);
  RUN(test_pointwise_layers_match_reference);
  RUN(test_pointwise_threads_match_one_thread_bit_for_bit);
}
