/* FLOOR_DIV and FLOOR_MOD with numpy broadcasting (TFLite floor_div.cc, floor_mod.cc).
 *
 * FLOOR_DIV (float32, int32) divides in double and floors, as TFLite's FloorDiv does, so float results
 * round the same way; a zero divisor is an error for both dtypes, as in TFLite. Integer quotients beyond
 * int32 (only INT32_MIN / -1) saturate.
 *
 * FLOOR_MOD (float32, int16, int32, int64) takes C's truncated remainder (fmodf for floats) and moves it into
 * the divisor's sign: the result has the sign of the divisor. Integer division by zero is an error; a float
 * zero divisor gives NaN. For ONNX's Mod (fmod = 0) FLOOR_MOD also takes int8, uint8..uint64 (where it is
 * the plain remainder) and float64. */
#include <math.h>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
} floor_data;

static edgert_status floor_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  const bool is_div = ctx->node->op == ER_OP_FLOOR_DIV;
  const bool supported = a->dtype == EDGERT_FLOAT32 || a->dtype == EDGERT_INT32 ||
                         (!is_div && (er_is_int(a->dtype) || a->dtype == EDGERT_FLOAT64));
  if (!supported)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int32%s)",
                   edgert_dtype_name(a->dtype), is_div ? "" : ", float64, int8..int64, uint8..uint64");
  if ((a->dtype == EDGERT_INT8 || er_is_unsigned_int(a->dtype)) &&
      (!er_is_unquantized(a) || !er_is_unquantized(b)))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "quantized %s is not supported", edgert_dtype_name(a->dtype));
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  floor_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static bool has_zero_divisor(const er_tensor *b) {
  if (er_is_int(b->dtype)) return er_any_int_zero(b);
  const int64_t n = er_tensor_elements(b);
  for (int64_t i = 0; i < n; i++) {
    bool zero = b->dtype == EDGERT_FLOAT32 ? ((const float *)b->data)[i] == 0.0f
                : b->dtype == EDGERT_INT16 ? ((const int16_t *)b->data)[i] == 0
                : b->dtype == EDGERT_INT32 ? ((const int32_t *)b->data)[i] == 0
                                           : ((const int64_t *)b->data)[i] == 0;
    if (zero) return true;
  }
  return false;
}

static inline float floor_div_f32(float x, float y) { return (float)floor((double)x / (double)y); }

static inline int32_t floor_div_i32(int32_t x, int32_t y) {
  const double q = floor((double)x / (double)y);
  return q >= 2147483647.0 ? INT32_MAX : (int32_t)q;
}

static inline float floor_mod_f32(float x, float y) {
  const float r = fmodf(x, y);
  return (r != 0.0f && ((y < 0.0f) != (r < 0.0f))) ? r + y : r;
}

static inline double floor_mod_f64(double x, double y) {
  const double r = fmod(x, y);
  return (r != 0.0 && ((y < 0.0) != (r < 0.0))) ? r + y : r;
}

/* Truncated remainder moved to the divisor's sign; x % -1 is 0 (and avoids C's INT_MIN % -1 trap). */
static inline int64_t floor_mod_int(int64_t x, int64_t y) {
  const int64_t r = y == -1 ? 0 : x % y;
  return (r != 0 && ((y < 0) != (r < 0))) ? r + y : r;
}

static edgert_status floor_eval(er_op_ctx *ctx) {
  const floor_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  const bool is_div = ctx->node->op == ER_OP_FLOOR_DIV;
  if ((is_div || er_is_int(b->dtype)) && has_zero_divisor(b))
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    if (is_div)
      ER_BCAST_BINARY(plan, float, a->data, float, b->data, float, out->data, floor_div_f32(x, y));
    else
      ER_BCAST_BINARY(plan, float, a->data, float, b->data, float, out->data, floor_mod_f32(x, y));
    break;
  case EDGERT_INT32:
    if (is_div)
      ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data, floor_div_i32(x, y));
    else
      ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data,
                      (int32_t)floor_mod_int(x, y));
    break;
  case EDGERT_INT16:
    ER_BCAST_BINARY(plan, int16_t, a->data, int16_t, b->data, int16_t, out->data,
                    (int16_t)floor_mod_int(x, y));
    break;
  case EDGERT_INT64:
    ER_BCAST_BINARY(plan, int64_t, a->data, int64_t, b->data, int64_t, out->data, floor_mod_int(x, y));
    break;
  case EDGERT_INT8:
    ER_BCAST_BINARY(plan, int8_t, a->data, int8_t, b->data, int8_t, out->data, (int8_t)floor_mod_int(x, y));
    break;
  case EDGERT_FLOAT64:
    ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, floor_mod_f64(x, y));
    break;
#define UNSIGNED_CASE(D, T)                                                                                  \
  case D: ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, (T)(x % y)); break;
    ER_UNSIGNED_INT_TYPES(UNSIGNED_CASE)
#undef UNSIGNED_CASE
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_floor_div = {.prepare = floor_prepare, .eval = floor_eval};
const er_kernel er_kernel_floor_mod = {.prepare = floor_prepare, .eval = floor_eval};
