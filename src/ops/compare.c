/* EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL with numpy broadcasting and a bool output
 * (TFLite comparisons.cc).
 *
 * Each pair is first classified as less / equal / greater / unordered (a NaN), and a small truth table per
 * op turns the class into the answer, so one loop per dtype serves all six ops and NaN behaves as in C
 * (only NOT_EQUAL is true).
 *
 * int8 and uint8 inputs may carry different scales: as TFLite does, each is offset by its zero point,
 * shifted left 8 bits and multiplied by its own scale as a quantized multiplier, and the results are
 * compared. int16 is compared raw, as TFLite does. For ONNX models: float64, float16, bfloat16 and
 * uint16..uint64, and int8 / uint8 without quantization, compared raw. */
#include "core/quant.h"
#include "ops/broadcast.h"
#include "ops/elementwise_types.h"

enum { ORDER_LESS, ORDER_EQUAL, ORDER_GREATER, ORDER_UNORDERED };

typedef struct {
  er_bcast plan;
  bool truth[4]; /* answer for each order class */
  bool raw;      /* int8 / uint8 without quantization: compare the stored integers */
  int32_t input1_offset, input2_offset;
  int32_t input1_multiplier, input2_multiplier;
  int input1_shift, input2_shift;
} compare_data;

#define ORDER_OF(x, y)                                                                                       \
  ((x) < (y) ? ORDER_LESS : (x) == (y) ? ORDER_EQUAL : (x) > (y) ? ORDER_GREATER : ORDER_UNORDERED)

static void set_truth_table(compare_data *p, er_op op) {
  /* less, equal, greater, unordered */
  static const bool tables[6][4] = {
      {false, true, false, false}, /* EQUAL */
      {true, false, true, true},   /* NOT_EQUAL */
      {true, false, false, false}, /* LESS */
      {true, true, false, false},  /* LESS_EQUAL */
      {false, false, true, false}, /* GREATER */
      {false, true, true, false},  /* GREATER_EQUAL */
  };
  int row = op == ER_OP_EQUAL        ? 0
            : op == ER_OP_NOT_EQUAL  ? 1
            : op == ER_OP_LESS       ? 2
            : op == ER_OP_LESS_EQUAL ? 3
            : op == ER_OP_GREATER    ? 4
                                     : 5;
  for (int i = 0; i < 4; i++)
    p->truth[i] = tables[row][i];
}

static edgert_status prepare_rescaling(er_op_ctx *ctx, compare_data *p, const er_tensor *a,
                                       const er_tensor *b) {
  edgert_status st = er_check_per_tensor_quant(ctx, a, "input 0");
  if (st == EDGERT_OK) st = er_check_per_tensor_quant(ctx, b, "input 1");
  if (st != EDGERT_OK) return st;
  p->input1_offset = -a->q.zero_point;
  p->input2_offset = -b->q.zero_point;
  er_quantize_multiplier(a->q.scale, &p->input1_multiplier, &p->input1_shift);
  er_quantize_multiplier(b->q.scale, &p->input2_multiplier, &p->input2_shift);
  return EDGERT_OK;
}

static edgert_status compare_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, EDGERT_BOOL, "output")) != EDGERT_OK) return st;
  const er_op op = ctx->node->op;
  compare_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  set_truth_table(p, op);
  switch (a->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_INT16:
  case EDGERT_INT32:
  case EDGERT_INT64: break;
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_BFLOAT16:
  case EDGERT_UINT16:
  case EDGERT_UINT32:
  case EDGERT_UINT64: break;
  case EDGERT_INT8:
  case EDGERT_UINT8:
    p->raw = er_is_unquantized(a) && er_is_unquantized(b);
    if (!p->raw) st = prepare_rescaling(ctx, p, a, b);
    break;
  case EDGERT_BOOL:
    if (op != ER_OP_EQUAL && op != ER_OP_NOT_EQUAL)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "bool inputs support only EQUAL and NOT_EQUAL");
    break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported", edgert_dtype_name(a->dtype));
  }
  if (st != EDGERT_OK) return st;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

/* A quantized value on a common fine scale: (q - zero_point) * 2^8 * scale as a fixed-point product. */
static inline int32_t rescaled(int32_t q, int32_t offset, int32_t multiplier, int shift) {
  return er_multiply_by_quantized_multiplier((q + offset) * (1 << 8), multiplier, shift);
}

#define COMPARE_LOOP(T)                                                                                      \
  ER_BCAST_BINARY(plan, T, a->data, T, b->data, bool, out->data, p->truth[ORDER_OF(x, y)])

#define COMPARE_RESCALED_LOOP(T)                                                                             \
  ER_BCAST_BINARY(plan, T, a->data, T, b->data, bool, out->data,                                             \
                  p->truth[ORDER_OF(rescaled(x, p->input1_offset, p->input1_multiplier, p->input1_shift),    \
                                    rescaled(y, p->input2_offset, p->input2_multiplier, p->input2_shift))])

static edgert_status compare_eval(er_op_ctx *ctx) {
  const compare_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (a->dtype) {
  case EDGERT_FLOAT32: COMPARE_LOOP(float); break;
  case EDGERT_INT16: COMPARE_LOOP(int16_t); break;
  case EDGERT_INT32: COMPARE_LOOP(int32_t); break;
  case EDGERT_INT64: COMPARE_LOOP(int64_t); break;
  case EDGERT_INT8:
    if (p->raw)
      COMPARE_LOOP(int8_t);
    else
      COMPARE_RESCALED_LOOP(int8_t);
    break;
  case EDGERT_UINT8:
    if (p->raw)
      COMPARE_LOOP(uint8_t);
    else
      COMPARE_RESCALED_LOOP(uint8_t);
    break;
  case EDGERT_FLOAT64: COMPARE_LOOP(double); break;
  case EDGERT_UINT16: COMPARE_LOOP(uint16_t); break;
  case EDGERT_UINT32: COMPARE_LOOP(uint32_t); break;
  case EDGERT_UINT64: COMPARE_LOOP(uint64_t); break;
  case EDGERT_FLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, bool, out->data,
                    p->truth[ORDER_OF(er_half_to_float(x), er_half_to_float(y))]);
    break;
  case EDGERT_BFLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, bool, out->data,
                    p->truth[ORDER_OF(er_bfloat16_to_float(x), er_bfloat16_to_float(y))]);
    break;
  /* Read bools as bytes and normalize, so a stray byte other than 0 or 1 still counts as true. */
  case EDGERT_BOOL:
    ER_BCAST_BINARY(plan, uint8_t, a->data, uint8_t, b->data, bool, out->data,
                    p->truth[ORDER_OF(x != 0, y != 0)]);
    break;
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(a->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_equal = {.prepare = compare_prepare, .eval = compare_eval};
const er_kernel er_kernel_not_equal = {.prepare = compare_prepare, .eval = compare_eval};
const er_kernel er_kernel_less = {.prepare = compare_prepare, .eval = compare_eval};
const er_kernel er_kernel_less_equal = {.prepare = compare_prepare, .eval = compare_eval};
const er_kernel er_kernel_greater = {.prepare = compare_prepare, .eval = compare_eval};
const er_kernel er_kernel_greater_equal = {.prepare = compare_prepare, .eval = compare_eval};
