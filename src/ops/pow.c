/* POW: x^y with numpy broadcasting, float32 and int32 (TFLite pow.cc). Floats use powf as TFLite's
 * std::pow(float, float) does. int32 goes through double pow as TFLite's std::pow(int, int) does, which is
 * exact for every result that fits; results beyond int32 (undefined in TFLite) saturate here. Negative
 * int32 exponents are an error, as in TFLite. */
#include <math.h>

#include "ops/broadcast.h"

typedef struct {
  er_bcast plan;
} pow_data;

static edgert_status pow_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if (a->dtype != EDGERT_FLOAT32 && a->dtype != EDGERT_INT32)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int32)",
                   edgert_dtype_name(a->dtype));
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  pow_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static inline int32_t pow_i32(int32_t base, int32_t exponent) {
  const double r = pow((double)base, (double)exponent);
  if (r >= 2147483647.0) return INT32_MAX;
  if (r <= -2147483648.0) return INT32_MIN;
  return (int32_t)r;
}

static edgert_status pow_eval(er_op_ctx *ctx) {
  const pow_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (out->dtype == EDGERT_FLOAT32) {
    ER_BCAST_BINARY(&p->plan, float, a->data, float, b->data, float, out->data, powf(x, y));
    return EDGERT_OK;
  }
  const int32_t *exponents = b->data;
  const int64_t n = er_tensor_elements(b);
  for (int64_t i = 0; i < n; i++)
    if (exponents[i] < 0)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "int32 POW does not support negative exponents");
  ER_BCAST_BINARY(&p->plan, int32_t, a->data, int32_t, b->data, int32_t, out->data, pow_i32(x, y));
  return EDGERT_OK;
}

const er_kernel er_kernel_pow = {pow_prepare, pow_eval};
