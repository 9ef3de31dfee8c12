/* SIGN: -1, 0 or 1 by the sign of each element (TFLite sign.cc), for float32 and int32. A float NaN
 * stays NaN, as TFLite's float path returns it unchanged. */
#include <math.h>

#include "ops/activation_common.h"

static edgert_status sign_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_INT32)
    return act_unsupported_dtype(ctx, in, "float32, int32");
  return EDGERT_OK;
}

static float sign_f(float x) {
  if (isnan(x)) return x;
  return (float)((x > 0.0f) - (x < 0.0f));
}

static edgert_status sign_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (in->dtype == EDGERT_FLOAT32) {
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

const er_kernel er_kernel_sign = {sign_prepare, sign_eval};
