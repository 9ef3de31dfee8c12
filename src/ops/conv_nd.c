/* CONV_ND: ONNX Conv, NCHW with 1 to ER_NN_MAX_SPATIAL spatial dims, groups, strides, dilations, explicit
 * or automatic padding; float32 and float64. X is [N, C, D1..Dn], W is [M, C / group, k1..kn], the
 * optional bias B is [M]; output channel m of group g reads input channels g*C/group .. (g+1)*C/group - 1.
 * This is the portable reference kernel: for each output pixel it lists the input pixels its window
 * covers once (the taps, in scratch) and reuses that list for every channel. Sums run in double. */
#include <string.h>

#include "ops/conv_nd_common.h"
#include "ops/window_nd.h"

static edgert_status conv_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st) return st;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  if ((st = er_conv_nd_check_float_dtypes(ctx, x, w, b, y))) return st;
  er_conv_nd_geometry *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  if ((st = er_conv_nd_geometry_init(ctx, x, w, b, d))) return st;
  if ((st = er_conv_nd_set_output(ctx, d, y))) return st;
  ctx->op_data = d;
  ctx->scratch_bytes = er_conv_nd_scratch_bytes(d);
  return EDGERT_OK;
}

/* One function per element type; both accumulate in double. */
#define DEFINE_CONV_EVAL(NAME, T)                                                                            \
  static void NAME(const er_conv_nd_geometry *d, const T *x, const T *wt, const T *b, T *y, int64_t *off,    \
                   int64_t *kidx) {                                                                          \
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
          y[(n * d->out_channels + m) * g->out_size + p] = (T)acc;                                           \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_CONV_EVAL(conv_f32, float)
DEFINE_CONV_EVAL(conv_f64, double)

static edgert_status conv_eval(er_op_ctx *ctx) {
  const er_conv_nd_geometry *d = ctx->op_data;
  er_tensor *x = er_input(ctx, 0), *w = er_input(ctx, 1), *b = er_input(ctx, 2), *y = er_output(ctx, 0);
  int64_t *off = ctx->scratch, *kidx = off + d->win.kernel_size;
  if (x->dtype == EDGERT_FLOAT32)
    conv_f32(d, x->data, w->data, b ? b->data : NULL, y->data, off, kidx);
  else
    conv_f64(d, x->data, w->data, b ? b->data : NULL, y->data, off, kidx);
  return EDGERT_OK;
}

const er_kernel er_kernel_conv_nd = {conv_prepare, conv_eval};
