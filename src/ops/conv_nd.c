/* CONV_ND: ONNX Conv, NCHW with 1 to ER_NN_MAX_SPATIAL spatial dims, groups, strides, dilations, explicit
 * or automatic padding; float32 and float64. X is [N, C, D1..Dn], W is [M, C / group, k1..kn], the
 * optional bias B is [M]; output channel m of group g reads input channels g*C/group .. (g+1)*C/group - 1.
 * The fused activation of the attrs (set by the optimizer) applies to the output.
 *
 * Float32 takes a fast path chosen at prepare: depthwise convs (group == C == M, 1-D or 2-D) a direct
 * kernel (conv_nd_depthwise.h); 3x3 convs of at most 4 input channels (the nets' stem) a direct kernel
 * on AVX-512 CPUs (conv_nd_direct.h); 3x3 stride-1 convs with constant weights where it pays Winograd
 * (conv_nd_winograd.h); others with constant weights a GEMM with the weights on the left
 * (conv_nd_gemm.h). Everything else, float64 and weights computed at run time, runs the portable
 * reference kernel: for each output pixel it lists the input pixels its window covers once (the taps, in
 * scratch) and reuses that list for every channel. Its sums run in double; it is the truth the fast
 * paths are tested against (tests/ops/test_conv_nd_fast.c). */
#include <math.h>
#include <string.h>

#include "ops/conv_nd_common.h"
#include "ops/conv_nd_depthwise.h"
#include "ops/conv_nd_direct.h"
#include "ops/conv_nd_gemm.h"
#include "ops/conv_nd_winograd.h"
#include "ops/window_nd.h"

typedef enum { CONV_REFERENCE = 0, CONV_DEPTHWISE, CONV_DIRECT, CONV_WINOGRAD, CONV_GEMM } conv_path;

typedef struct {
  er_conv_nd_geometry geo;
  er_fused_act act;
  conv_path path;
  er_f32_dwconv_nchw_plan dw;
  er_f32_conv_nchw_direct_plan direct;
  er_f32_conv_nchw_gemm_plan gemm;
  er_f32_conv_winograd_plan winograd;
} conv_data;

static edgert_status conv_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st) return st;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  if ((st = er_conv_nd_check_float_dtypes(ctx, x, w, b, y))) return st;
  conv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  if ((st = er_conv_nd_geometry_init(ctx, x, w, b, &d->geo))) return st;
  if ((st = er_conv_nd_set_output(ctx, &d->geo, y))) return st;
  d->act = er_conv_nd_fused_act(er_attrs(ctx));
  ctx->op_data = d;
  if ((st = er_keep_input(ctx, 2))) return st; /* every path reads the bias at eval */
  if (er_f32_dwconv_nchw_applies(&d->geo, x->dtype)) {
    d->path = CONV_DEPTHWISE;
    if ((st = er_copy_input(ctx, 1)) || (st = er_keep_input(ctx, 1))) return st;
    ctx->scratch_bytes = er_f32_dwconv_nchw_prepare(ctx, &d->geo, &d->act, &d->dw);
    return ctx->scratch_bytes ? EDGERT_OK : EDGERT_ERR_NO_MEMORY;
  }
  if (er_f32_conv_nchw_direct_applies(&d->geo, x, w)) {
    d->path = CONV_DIRECT;
    if ((st = er_copy_input(ctx, 1))) return st;
    st = er_f32_conv_nchw_direct_prepare(ctx, &d->geo, w, &d->act, &d->direct);
    if (st == EDGERT_OK) er_input_packed(ctx, 1);
    return st;
  }
  er_cpu_features cpu = er_cpu_detect();
  int tile = er_f32_conv_winograd_applies(&d->geo, x, w) ? er_f32_conv_winograd_choose_tile(&d->geo, cpu) : 0;
  if (tile) {
    d->path = CONV_WINOGRAD;
    if ((st = er_copy_input(ctx, 1))) return st;
    st = er_f32_conv_winograd_prepare(ctx, &d->geo, w->data, &d->act, tile, er_f32_gemm_select(cpu), cpu,
                                      &d->winograd, &ctx->scratch_bytes);
    if (st == EDGERT_OK) er_input_packed(ctx, 1);
    return st;
  }
  if (er_f32_conv_nchw_gemm_applies(&d->geo, x, w)) {
    d->path = CONV_GEMM;
    return er_f32_conv_nchw_gemm_prepare(ctx, &d->geo, w, &d->act, &d->gemm, &ctx->scratch_bytes);
  }
  d->path = CONV_REFERENCE;
  if ((st = er_copy_input(ctx, 1)) || (st = er_keep_input(ctx, 1))) return st;
  ctx->scratch_bytes = er_conv_nd_scratch_bytes(&d->geo);
  return EDGERT_OK;
}

/* er_fused_act_apply in double, for float64 outputs. */
static double act_f64(const er_fused_act *a, double v) {
  switch (a->kind) {
  case ER_ACT_NONE: return v;
  case ER_ACT_RELU: return v < 0.0 ? 0.0 : v;
  case ER_ACT_RELU_N1_TO_1: return v < -1.0 ? -1.0 : (v > 1.0 ? 1.0 : v);
  case ER_ACT_RELU6: return v < 0.0 ? 0.0 : (v > 6.0 ? 6.0 : v);
  case ER_ACT_TANH: return tanh(v);
  case ER_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
  case ER_ACT_CLIP: return v < a->min ? a->min : (v > a->max ? a->max : v);
  case ER_ACT_HARD_SWISH: {
    double r = v + 3.0;
    r = r < 0.0 ? 0.0 : (r > 6.0 ? 6.0 : r);
    return v * r / 6.0;
  }
  case ER_ACT_SILU: return v / (1.0 + exp(-v));
  }
  return v;
}

static float act_f32(const er_fused_act *a, double v) { return er_fused_act_apply(a, (float)v); }

/* One function per element type; both accumulate in double. */
#define DEFINE_CONV_EVAL(NAME, T, ACT)                                                                       \
  static void NAME(const er_conv_nd_geometry *d, const er_fused_act *act, const T *x, const T *wt,           \
                   const T *b, T *y, int64_t *off, int64_t *kidx) {                                          \
    const er_window_nd *g = &d->win;                                                                         \
    int64_t o[ER_NN_MAX_SPATIAL] = {0};                                                                      \
    for (int64_t p = 0; p < g->out_size; p++, er_window_nd_next(g->rank, g->out, o)) {                       \
      int64_t taps = er_window_nd_taps(g, o, off, kidx, NULL);                                               \
      for (int64_t n = 0; n < g->batch; n++) {                                                               \
        for (int64_t m = 0; m < d->out_channels; m++) {                                                      \
          int64_t first_c = (m / d->out_per_group) * d->in_per_group;                                        \
          double acc = b ? (double)b[m] : 0.0;                                                               \
          for (int64_t c = 0; c < d->in_per_group; c++) {                                                    \
            const T *xc = x + (n * g->channels + first_c + c) * g->in_size;                                  \
            const T *wc = wt + (m * d->in_per_group + c) * g->kernel_size;                                   \
            for (int64_t t = 0; t < taps; t++)                                                               \
              acc += (double)xc[off[t]] * (double)wc[kidx[t]];                                               \
          }                                                                                                  \
          y[(n * d->out_channels + m) * g->out_size + p] = (T)ACT(act, acc);                                 \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_CONV_EVAL(conv_f32, float, act_f32)
DEFINE_CONV_EVAL(conv_f64, double, act_f64)

static edgert_status conv_eval(er_op_ctx *ctx) {
  const conv_data *d = ctx->op_data;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  const void *bias = b ? b->data : NULL;
  switch (d->path) {
  case CONV_DEPTHWISE:
    er_f32_dwconv_nchw_run(ctx, &d->dw, x->data, w->data, bias, y->data, ctx->scratch);
    break;
  case CONV_DIRECT: er_f32_conv_nchw_direct_run(ctx, &d->direct, x->data, bias, y->data); break;
  case CONV_WINOGRAD:
    er_f32_conv_winograd_run(ctx, &d->winograd, x->data, bias, y->data, ctx->scratch);
    break;
  case CONV_GEMM: er_f32_conv_nchw_gemm_run(ctx, &d->gemm, x->data, bias, y->data, ctx->scratch); break;
  case CONV_REFERENCE: {
    int64_t *off = ctx->scratch, *kidx = off + d->geo.win.kernel_size;
    if (x->dtype == EDGERT_FLOAT32)
      conv_f32(&d->geo, &d->act, x->data, w->data, bias, y->data, off, kidx);
    else
      conv_f64(&d->geo, &d->act, x->data, w->data, bias, y->data, off, kidx);
    break;
  }
  }
  return EDGERT_OK;
}

/* The GEMM path packs the weights or reads them as A where they lie in an ONNX file; the others copy. */
const er_kernel er_kernel_conv_nd = {
    .prepare = conv_prepare, .eval = conv_eval, .reads_file_inputs = 1u << 1};
