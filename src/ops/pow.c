/* POW: x^y with numpy broadcasting, float32 and int32 (TFLite pow.cc). Floats use powf as TFLite's
 * std::pow(float, float) does. int32 goes through double pow as TFLite's std::pow(int, int) does, which is
 * exact for every result that fits; results beyond int32 (undefined in TFLite) saturate here. Negative
 * int32 exponents are an error, as in TFLite.
 *
 * ONNX's Pow lets the exponent have another dtype than the base (any unquantized numeric dtype) and adds
 * int64, float64, float16 and bfloat16 bases; those mixed paths compute pow in double and convert to the
 * base's dtype (integers truncate toward zero and saturate), as ONNX Runtime's static_cast of std::pow. */
#include <math.h>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
  bool mixed; /* not TFLite's float32^float32 or int32^int32: the general path in double */
} pow_data;

static bool base_dtype_ok(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_INT32 || t == EDGERT_INT64 || t == EDGERT_FLOAT64 ||
         t == EDGERT_FLOAT16 || t == EDGERT_BFLOAT16;
}

static edgert_status pow_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1), *out = er_output(ctx, 0);
  if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if (!base_dtype_ok(a->dtype) || !er_is_unquantized(a))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "base dtype %s is not supported (float32, float64, float16, bfloat16, int32, int64)",
                   edgert_dtype_name(a->dtype));
  if (!er_is_numeric(b->dtype) || !er_is_unquantized(b))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "exponent dtype %s is not supported",
                   edgert_dtype_name(b->dtype));
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  pow_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->mixed = !(a->dtype == b->dtype && (a->dtype == EDGERT_FLOAT32 || a->dtype == EDGERT_INT32));
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static inline int32_t pow_i32(int32_t base, int32_t exponent) {
  const double r = pow((double)base, (double)exponent);
  if (r >= 2147483647.0) return INT32_MAX;
  if (r <= -2147483648.0) return INT32_MIN;
  return (int32_t)r;
}

/* Element i of any numeric dtype as a double. */
static double load_number(const void *data, edgert_dtype t, int64_t i) {
  switch (t) {
#define LOAD_CASE(D, T)                                                                                      \
  case D: return (double)((const T *)data)[i];
    ER_INT_TYPES(LOAD_CASE)
#undef LOAD_CASE
  default: return er_load_float(data, t, i);
  }
}

/* Stores v into a base dtype: floats round, int32 / int64 truncate toward zero and saturate (NaN: 0). */
static void store_number(void *data, edgert_dtype t, int64_t i, double v) {
  if (t == EDGERT_INT32) {
    ((int32_t *)data)[i] = v != v               ? 0
                           : v >= 2147483647.0  ? INT32_MAX
                           : v <= -2147483648.0 ? INT32_MIN
                                                : (int32_t)v;
  } else if (t == EDGERT_INT64) {
    ((int64_t *)data)[i] = v != v                        ? 0
                           : v >= 9223372036854775807.0  ? INT64_MAX
                           : v <= -9223372036854775808.0 ? INT64_MIN
                                                         : (int64_t)v;
  } else {
    er_store_float(data, t, i, v);
  }
}

static void pow_mixed(const er_bcast *plan, const er_tensor *a, const er_tensor *b, er_tensor *out) {
  er_bcast_iter it;
  const int64_t n = er_bcast_row_len(plan);
  const int64_t sa = er_bcast_row_step(plan, 1), sb = er_bcast_row_step(plan, 2);
  for (bool more = er_bcast_begin(&it, plan); more; more = er_bcast_next(&it)) {
    for (int64_t i = 0; i < n; i++) {
      const double x = load_number(a->data, a->dtype, it.offset[1] + i * sa);
      const double y = load_number(b->data, b->dtype, it.offset[2] + i * sb);
      store_number(out->data, out->dtype, it.offset[0] + i, pow(x, y));
    }
  }
}

static edgert_status pow_eval(er_op_ctx *ctx) {
  const pow_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (p->mixed) {
    pow_mixed(&p->plan, a, b, out);
    return EDGERT_OK;
  }
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

const er_kernel er_kernel_pow = {.prepare = pow_prepare, .eval = pow_eval};
