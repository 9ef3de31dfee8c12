/* FMOD (ONNX Mod with fmod = 1): C's truncated remainder, whose sign follows the dividend, with numpy
 * broadcasting, on every numeric dtype. Floats use fmod (a zero divisor gives NaN); integer division by
 * zero is an error, and x % -1 is 0 without C's INT_MIN % -1 trap. */
#include <math.h>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
} fmod_data;

static edgert_status fmod_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if (!er_is_numeric(a->dtype) || !er_is_unquantized(a) || !er_is_unquantized(b))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (unquantized numeric)",
                   edgert_dtype_name(a->dtype));
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  fmod_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static inline int64_t trunc_mod_signed(int64_t x, int64_t y) { return y == -1 ? 0 : x % y; }

static edgert_status fmod_eval(er_op_ctx *ctx) {
  const fmod_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  if (er_is_int(b->dtype) && er_any_int_zero(b)) return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    ER_BCAST_BINARY(plan, float, a->data, float, b->data, float, out->data, fmodf(x, y));
    break;
  case EDGERT_FLOAT64:
    ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, fmod(x, y));
    break;
  case EDGERT_FLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data,
                    er_float_to_half(fmodf(er_half_to_float(x), er_half_to_float(y))));
    break;
  case EDGERT_BFLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data,
                    er_float_to_bfloat16(fmodf(er_bfloat16_to_float(x), er_bfloat16_to_float(y))));
    break;
#define SIGNED_CASE(D, T)                                                                                    \
  case D: ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, (T)trunc_mod_signed(x, y)); break;
    ER_SIGNED_INT_TYPES(SIGNED_CASE)
#undef SIGNED_CASE
#define UNSIGNED_CASE(D, T)                                                                                  \
  case D: ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, (T)(x % y)); break;
    ER_UNSIGNED_INT_TYPES(UNSIGNED_CASE)
#undef UNSIGNED_CASE
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_fmod = {.prepare = fmod_prepare, .eval = fmod_eval};
