/* MINIMUM and MAXIMUM with numpy broadcasting (TFLite maximum_minimum.cc). Quantized tensors are compared
 * raw, which is only right when inputs and output share one scale and zero point; TFLite's converter
 * guarantees that for these ops, and we refuse models that break it rather than answer wrongly. Ties and
 * NaN follow TFLite: MAXIMUM returns x > y ? x : y, MINIMUM x < y ? x : y. */
#include "ops/broadcast.h"

typedef struct {
  er_bcast plan;
  bool is_max;
} minmax_data;

static bool same_quantization(const er_tensor *a, const er_tensor *b) {
  return a->q.scale == b->q.scale && a->q.zero_point == b->q.zero_point;
}

static edgert_status minmax_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  switch (a->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_INT32:
  case EDGERT_INT64: break;
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16:
    if (!same_quantization(a, b) || !same_quantization(a, out))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "quantized inputs and output must share scale and zero point (got %g/%d, %g/%d, %g/%d)",
                     (double)a->q.scale, (int)a->q.zero_point, (double)b->q.scale, (int)b->q.zero_point,
                     (double)out->q.scale, (int)out->q.zero_point);
    break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported", edgert_dtype_name(a->dtype));
  }
  minmax_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->is_max = ctx->node->op == ER_OP_MAXIMUM;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

#define MINMAX_LOOP(T)                                                                                       \
  do {                                                                                                       \
    if (p->is_max)                                                                                           \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, x > y ? x : y);                            \
    else                                                                                                     \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, x < y ? x : y);                            \
  } while (0)

static edgert_status minmax_eval(er_op_ctx *ctx) {
  const minmax_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
  case EDGERT_FLOAT32: MINMAX_LOOP(float); break;
  case EDGERT_INT32: MINMAX_LOOP(int32_t); break;
  case EDGERT_INT64: MINMAX_LOOP(int64_t); break;
  case EDGERT_INT8: MINMAX_LOOP(int8_t); break;
  case EDGERT_UINT8: MINMAX_LOOP(uint8_t); break;
  case EDGERT_INT16: MINMAX_LOOP(int16_t); break;
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_minimum = {.prepare = minmax_prepare, .eval = minmax_eval};
const er_kernel er_kernel_maximum = {.prepare = minmax_prepare, .eval = minmax_eval};
