/* CLIP (ONNX Clip): min(max(x, lo), hi) elementwise, where lo (input 1) and hi (input 2) are optional
 * one-element tensors of x's dtype, read at eval since they may be computed. Without lo or hi that side
 * is unbounded; lo > hi gives hi everywhere, as numpy's clip does. Every numeric dtype; NaN in x stays
 * NaN. */
#include <math.h>

#include "core/cpu.h"
#include "ops/activation_common.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_f32_vunary_fn f32_clamp; /* float32: the vectorized clamp chosen for this CPU */
} clip_data;

static edgert_status check_bound(er_op_ctx *ctx, const er_tensor *bound, const er_tensor *x,
                                 const char *what) {
  if (!bound) return EDGERT_OK;
  edgert_status st = er_check_dtype(ctx, bound, x->dtype, what);
  if (st != EDGERT_OK) return st;
  if (er_tensor_elements(bound) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold one value, has %lld", what,
                   (long long)er_tensor_elements(bound));
  return EDGERT_OK;
}

static edgert_status clip_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 3, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *x = er_input(ctx, 0), *out = er_output(ctx, 0);
  if (!x || !out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "input 0 or output 0 is missing");
  if (!er_is_numeric(x->dtype) || !er_is_unquantized(x))
    return act_unsupported_dtype(ctx, x, "unquantized numeric dtypes");
  if ((st = er_check_dtype(ctx, out, x->dtype, "output")) != EDGERT_OK) return st;
  if ((st = check_bound(ctx, er_input(ctx, 1), x, "min")) != EDGERT_OK) return st;
  if ((st = check_bound(ctx, er_input(ctx, 2), x, "max")) != EDGERT_OK) return st;
  clip_data *d = ACT_ALLOC_OP_DATA(ctx, clip_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->f32_clamp = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VCLAMP];
  ctx->op_data = d;
  if ((st = er_set_output_shape(ctx, out, x->ndim, x->dims)) != EDGERT_OK) return st;
  if (x->dtype == EDGERT_FLOAT32) er_output_may_overwrite(ctx, 0);
  return EDGERT_OK;
}

/* Clamps n values of C type T; lo_p / hi_p point at the bounds or are NULL. */
#define CLIP_TYPED(T, x_data, lo_p, hi_p, y_data, n)                                                         \
  do {                                                                                                       \
    const T *x_ = (const T *)(x_data);                                                                       \
    T *y_ = (T *)(y_data);                                                                                   \
    const bool has_lo_ = (lo_p) != NULL, has_hi_ = (hi_p) != NULL;                                           \
    const T lo_ = has_lo_ ? *(const T *)(lo_p) : 0, hi_ = has_hi_ ? *(const T *)(hi_p) : 0;                  \
    for (int64_t i_ = 0; i_ < (n); i_++) {                                                                   \
      T v_ = x_[i_];                                                                                         \
      if (has_lo_ && v_ < lo_) v_ = lo_;                                                                     \
      if (has_hi_ && v_ > hi_) v_ = hi_;                                                                     \
      y_[i_] = v_;                                                                                           \
    }                                                                                                        \
  } while (0)

static void clip_half(const er_tensor *x, const void *lo_p, const void *hi_p, er_tensor *out, int64_t n) {
  const double lo = lo_p ? er_load_float(lo_p, x->dtype, 0) : -INFINITY;
  const double hi = hi_p ? er_load_float(hi_p, x->dtype, 0) : INFINITY;
  for (int64_t i = 0; i < n; i++) {
    double v = er_load_float(x->data, x->dtype, i);
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    er_store_float(out->data, out->dtype, i, v);
  }
}

static edgert_status clip_eval(er_op_ctx *ctx) {
  const er_tensor *x = er_input(ctx, 0), *lo = er_input(ctx, 1), *hi = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  const void *lo_p = lo ? lo->data : NULL, *hi_p = hi ? hi->data : NULL;
  const int64_t n = er_tensor_elements(x);
  switch (x->dtype) {
  case EDGERT_FLOAT32: {
    /* A missing bound is an infinite one: v < -inf and v > inf never hold, as with no test at all. */
    const clip_data *d = ctx->op_data;
    const er_f32_elementwise_params bounds = {lo_p ? *(const float *)lo_p : -INFINITY,
                                              hi_p ? *(const float *)hi_p : INFINITY, 0.0f, 0.0f};
    er_f32_vunary_run(ctx, d->f32_clamp, n, x->data, out->data, &bounds);
    break;
  }
  case EDGERT_FLOAT64: CLIP_TYPED(double, x->data, lo_p, hi_p, out->data, n); break;
  case EDGERT_FLOAT16:
  case EDGERT_BFLOAT16: clip_half(x, lo_p, hi_p, out, n); break;
#define INT_CASE(D, T)                                                                                       \
  case D: CLIP_TYPED(T, x->data, lo_p, hi_p, out->data, n); break;
    ER_INT_TYPES(INT_CASE)
#undef INT_CASE
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_clip = {.prepare = clip_prepare, .eval = clip_eval};
