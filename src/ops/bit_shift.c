/* BIT_SHIFT (ONNX BitShift): input 0 shifted left or right by input 1 bits, elementwise with numpy
 * broadcasting, on the unsigned dtypes ONNX allows. A shift by the type's width or more gives 0 (every bit
 * shifted out) rather than C's undefined behaviour. */
#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
  bool left;
} bit_shift_data;

static edgert_status bit_shift_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if (!er_is_unsigned_int(a->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (uint8, uint16, uint32, uint64)",
                   edgert_dtype_name(a->dtype));
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  bit_shift_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  const er_bit_shift_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "the shift direction is missing");
  p->left = attrs->left;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

#define SHIFT_LEFT(T, x, y) ((y) >= sizeof(T) * 8 ? (T)0 : (T)((x) << (y)))
#define SHIFT_RIGHT(T, x, y) ((y) >= sizeof(T) * 8 ? (T)0 : (T)((x) >> (y)))

static edgert_status bit_shift_eval(er_op_ctx *ctx) {
  const bit_shift_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
#define SHIFT_CASE(D, T)                                                                                     \
  case D:                                                                                                    \
    if (p->left)                                                                                             \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, SHIFT_LEFT(T, (uint64_t)x, y));            \
    else                                                                                                     \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, SHIFT_RIGHT(T, x, y));                     \
    break;
    ER_UNSIGNED_INT_TYPES(SHIFT_CASE)
#undef SHIFT_CASE
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_bit_shift = {.prepare = bit_shift_prepare, .eval = bit_shift_eval};
