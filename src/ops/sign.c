/* SIGN: -1, 0 or 1 by the sign of each element (TFLite sign.cc), for float32 and int32, and for ONNX
 * models every other numeric dtype (unquantized). A float NaN stays NaN, as TFLite's float path returns it
 * unchanged. */
#include <math.h>

#include "ops/activation_common.h"
#include "ops/elementwise_types.h"

static edgert_status sign_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype == EDGERT_FLOAT32 || in->dtype == EDGERT_INT32) return EDGERT_OK;
  if (!er_is_numeric(in->dtype) || !er_is_unquantized(in))
    return act_unsupported_dtype(ctx, in, "float32, float64, float16, bfloat16, int8..int64, uint8..uint64");
  return EDGERT_OK;
}

static float sign_f(float x) {
  if (isnan(x)) return x;
  return (float)((x > 0.0f) - (x < 0.0f));
}

static double sign_d(double x, const void *unused) {
  (void)unused;
  return isnan(x) ? x : (double)((x > 0) - (x < 0));
}

/* The other integer dtypes; unsigned values are never negative. */
static void sign_integers(const er_tensor *in, er_tensor *out, int64_t n) {
  switch (in->dtype) {
#define SIGNED_CASE(D, T)                                                                                    \
  case D:                                                                                                    \
    for (int64_t i = 0; i < n; i++)                                                                          \
      ((T *)out->data)[i] = (T)((((const T *)in->data)[i] > 0) - (((const T *)in->data)[i] < 0));            \
    break;
    ER_SIGNED_INT_TYPES(SIGNED_CASE)
#undef SIGNED_CASE
#define UNSIGNED_CASE(D, T)                                                                                  \
  case D:                                                                                                    \
    for (int64_t i = 0; i < n; i++)                                                                          \
      ((T *)out->data)[i] = ((const T *)in->data)[i] != 0;                                                   \
    break;
    ER_UNSIGNED_INT_TYPES(UNSIGNED_CASE)
#undef UNSIGNED_CASE
  default: break;
  }
}

static edgert_status sign_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (er_is_extra_float(in->dtype)) {
    er_map_extra_float(in, out, sign_d, NULL);
  } else if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_INT32) {
    sign_integers(in, out, n);
  } else if (in->dtype == EDGERT_FLOAT32) {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = sign_f(x[i]);
  } else {
    const int32_t *x = in->data;
    int32_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = (x[i] > 0) - (x[i] < 0);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_sign = {.prepare = sign_prepare, .eval = sign_eval};
