/* VARIADIC_MAX, VARIADIC_MIN, VARIADIC_SUM and VARIADIC_MEAN: ONNX's Max, Min, Sum and Mean over one or
 * more inputs that broadcast together (numpy rules). Max and Min take every numeric dtype; Sum and Mean
 * the float dtypes, as the ONNX spec allows. A NaN wins Max and Min (numpy's maximum/minimum, which the
 * ONNX reference uses), unlike TFLite's MAXIMUM/MINIMUM.
 *
 * The output is folded in place: the first step combines inputs 0 and 1 (or copies input 0 when it is
 * alone) into the output, each later step combines the output with the next input. Every step walks a
 * broadcast plan made at prepare, so eval does not allocate. */
#include <math.h>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

typedef struct {
  int32_t n;
  er_bcast *plans; /* [n]: plans[0] over inputs 0 and 1 (or 0 twice), plans[k] over output and input k */
} variadic_data;

static bool is_max_or_min(er_op op) { return op == ER_OP_VARIADIC_MAX || op == ER_OP_VARIADIC_MIN; }

static edgert_status check_inputs(er_op_ctx *ctx, int n, const er_tensor **inputs) {
  const er_op op = ctx->node->op;
  for (int k = 0; k < n; k++) {
    inputs[k] = er_input(ctx, k);
    if (!inputs[k]) return er_fail(ctx, EDGERT_ERR_MALFORMED, "input %d is missing", k);
    if (inputs[k]->dtype != inputs[0]->dtype)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %d is %s, input 0 is %s", k,
                     edgert_dtype_name(inputs[k]->dtype), edgert_dtype_name(inputs[0]->dtype));
  }
  const edgert_dtype t = inputs[0]->dtype;
  const bool ok = is_max_or_min(op) ? er_is_numeric(t) : er_is_float(t);
  if (!ok || !er_is_unquantized(inputs[0]))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (%s, unquantized)",
                   edgert_dtype_name(t), is_max_or_min(op) ? "numeric" : "float");
  return EDGERT_OK;
}

static edgert_status variadic_prepare(er_op_ctx *ctx) {
  const int n = ctx->node->n_inputs;
  edgert_status st = er_check_io(ctx, 1, n < 1 ? 1 : n, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *out = er_output(ctx, 0);
  if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  variadic_data *p = er_persist_alloc(ctx, sizeof *p);
  const er_tensor **inputs = er_persist_alloc(ctx, sizeof *inputs * (size_t)n);
  er_bcast *plans = er_persist_alloc(ctx, sizeof *plans * (size_t)n);
  if (!p || !inputs || !plans) return EDGERT_ERR_NO_MEMORY;
  if ((st = check_inputs(ctx, n, inputs)) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, inputs[0]->dtype, "output")) != EDGERT_OK) return st;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  if (!er_broadcast_shape(n, inputs, &ndim, dims))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "the shapes of the %d inputs do not broadcast together", n);
  if ((st = er_set_output_shape(ctx, out, ndim, dims)) != EDGERT_OK) return st;
  er_bcast_plan(&plans[0], ndim, dims, 2, (const er_tensor *const[]){inputs[0], inputs[n > 1 ? 1 : 0]});
  for (int k = 2; k < n; k++)
    er_bcast_plan(&plans[k], ndim, dims, 2, (const er_tensor *const[]){out, inputs[k]});
  p->n = n;
  p->plans = plans;
  ctx->op_data = p;
  return EDGERT_OK;
}

/* Runs one fold step of the loop EXPR(x, y) on the dtype's C type T; a = first operand's data. */
#define STEP(T, a, b, EXPR) ER_BCAST_BINARY(plan, T, a, T, b, T, out->data, EXPR)

/* A NaN in either operand wins, as in numpy. */
#define FMAX(x, y) ((x) > (y) || (x) != (x) ? (x) : (y))
#define FMIN(x, y) ((x) < (y) || (x) != (x) ? (x) : (y))
#define IMAX(x, y) ((x) > (y) ? (x) : (y))
#define IMIN(x, y) ((x) < (y) ? (x) : (y))

static float half_max(uint16_t x, uint16_t y) { return FMAX(er_half_to_float(x), er_half_to_float(y)); }
static float half_min(uint16_t x, uint16_t y) { return FMIN(er_half_to_float(x), er_half_to_float(y)); }
static float bf16_max(uint16_t x, uint16_t y) {
  return FMAX(er_bfloat16_to_float(x), er_bfloat16_to_float(y));
}
static float bf16_min(uint16_t x, uint16_t y) {
  return FMIN(er_bfloat16_to_float(x), er_bfloat16_to_float(y));
}

/* One step (out = combine(a, b)) for op on dtype t. Sum also serves Mean, divided at the end. */
static void fold_step(er_op op, edgert_dtype t, const er_bcast *plan, const void *a, const void *b,
                      er_tensor *out) {
  const bool is_max = op == ER_OP_VARIADIC_MAX, is_min = op == ER_OP_VARIADIC_MIN;
  switch (t) {
  case EDGERT_FLOAT32:
    if (is_max)
      STEP(float, a, b, FMAX(x, y));
    else if (is_min)
      STEP(float, a, b, FMIN(x, y));
    else
      STEP(float, a, b, x + y);
    break;
  case EDGERT_FLOAT64:
    if (is_max)
      STEP(double, a, b, FMAX(x, y));
    else if (is_min)
      STEP(double, a, b, FMIN(x, y));
    else
      STEP(double, a, b, x + y);
    break;
  case EDGERT_FLOAT16:
    if (is_max)
      STEP(uint16_t, a, b, er_float_to_half(half_max(x, y)));
    else if (is_min)
      STEP(uint16_t, a, b, er_float_to_half(half_min(x, y)));
    else
      STEP(uint16_t, a, b, ER_HALF_OP(x, y, +));
    break;
  case EDGERT_BFLOAT16:
    if (is_max)
      STEP(uint16_t, a, b, er_float_to_bfloat16(bf16_max(x, y)));
    else if (is_min)
      STEP(uint16_t, a, b, er_float_to_bfloat16(bf16_min(x, y)));
    else
      STEP(uint16_t, a, b, er_float_to_bfloat16(er_bfloat16_to_float(x) + er_bfloat16_to_float(y)));
    break;
#define INT_CASE(D, T)                                                                                       \
  case D:                                                                                                    \
    if (is_max)                                                                                              \
      STEP(T, a, b, IMAX(x, y));                                                                             \
    else                                                                                                     \
      STEP(T, a, b, IMIN(x, y));                                                                             \
    break;
    ER_INT_TYPES(INT_CASE)
#undef INT_CASE
  default: break;
  }
}

static void divide_by_count(er_tensor *out, int32_t n) {
  const int64_t count = er_tensor_elements(out);
  for (int64_t i = 0; i < count; i++)
    er_store_float(out->data, out->dtype, i, er_load_float(out->data, out->dtype, i) / n);
}

static edgert_status variadic_eval(er_op_ctx *ctx) {
  const variadic_data *p = ctx->op_data;
  const er_op op = ctx->node->op;
  er_tensor *out = er_output(ctx, 0);
  const er_tensor *in0 = er_input(ctx, 0);
  if (p->n == 1) {
    /* Alone, input 0 is copied: max(x, x) and x + 0 would both do, but a copy is exact for Sum too. */
    memcpy(out->data, in0->data, out->bytes);
  } else {
    fold_step(op, out->dtype, &p->plans[0], in0->data, er_input(ctx, 1)->data, out);
  }
  for (int k = 2; k < p->n; k++)
    fold_step(op, out->dtype, &p->plans[k], out->data, er_input(ctx, k)->data, out);
  if (op == ER_OP_VARIADIC_MEAN && p->n > 1) divide_by_count(out, p->n);
  return EDGERT_OK;
}

const er_kernel er_kernel_variadic = {.prepare = variadic_prepare, .eval = variadic_eval};
