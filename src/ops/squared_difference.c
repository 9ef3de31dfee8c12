/* SQUARED_DIFFERENCE: (x - y)^2 with numpy broadcasting, for float32, int32 and quantized int8 (TFLite
 * squared_difference.cc). The int8 path brings both inputs to a common scale as ADD does, but with a left
 * shift of 7 so that the squared difference still fits 32 bits, and rescales the square by
 * (2 * max input scale)^2 / (2^14 * output scale). */
#include "core/quant.h"
#include "ops/broadcast.h"

typedef struct {
  er_bcast plan;
  int32_t input1_offset, input2_offset, output_offset;
  int32_t input1_multiplier, input2_multiplier, output_multiplier;
  int input1_shift, input2_shift, output_shift;
} squared_difference_data;

enum { LEFT_SHIFT = 7 };

static edgert_status prepare_int8(er_op_ctx *ctx, squared_difference_data *p, const er_tensor *a,
                                  const er_tensor *b, const er_tensor *out) {
  edgert_status st = er_check_binary_quant(ctx, a, b, out);
  if (st != EDGERT_OK) return st;
  p->input1_offset = -a->q.zero_point;
  p->input2_offset = -b->q.zero_point;
  p->output_offset = out->q.zero_point;
  const double twice_max_input_scale = 2.0 * (double)(a->q.scale > b->q.scale ? a->q.scale : b->q.scale);
  const double real_input1 = (double)a->q.scale / twice_max_input_scale;
  const double real_input2 = (double)b->q.scale / twice_max_input_scale;
  const double real_output = twice_max_input_scale * twice_max_input_scale /
                             ((double)(1 << (2 * LEFT_SHIFT)) * (double)out->q.scale);
  er_quantize_multiplier(real_input1, &p->input1_multiplier, &p->input1_shift);
  er_quantize_multiplier(real_input2, &p->input2_multiplier, &p->input2_shift);
  er_quantize_multiplier(real_output, &p->output_multiplier, &p->output_shift);
  return EDGERT_OK;
}

static edgert_status squared_difference_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  edgert_status st = er_binary_io(ctx, &a, &b, &out);
  if (st != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, a->dtype, "output")) != EDGERT_OK) return st;
  squared_difference_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  switch (a->dtype) {
  case EDGERT_FLOAT32:
  case EDGERT_INT32: break;
  case EDGERT_INT8: st = prepare_int8(ctx, p, a, b, out); break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int32, int8)",
                   edgert_dtype_name(a->dtype));
  }
  if (st != EDGERT_OK) return st;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static inline int8_t squared_difference_int8(int32_t x, int32_t y, const squared_difference_data *p) {
  const int32_t scaled1 = er_multiply_by_quantized_multiplier((x + p->input1_offset) * (1 << LEFT_SHIFT),
                                                              p->input1_multiplier, p->input1_shift);
  const int32_t scaled2 = er_multiply_by_quantized_multiplier((y + p->input2_offset) * (1 << LEFT_SHIFT),
                                                              p->input2_multiplier, p->input2_shift);
  const int32_t diff = scaled1 - scaled2;
  /* |diff| <= 255 * 2^7 / 2 after rescaling, so its square stays below 2^31. */
  const int32_t out =
      er_multiply_by_quantized_multiplier(diff * diff, p->output_multiplier, p->output_shift) +
      p->output_offset;
  return (int8_t)er_clamp_i32(out, -128, 127);
}

static inline int32_t squared_difference_i32(int32_t x, int32_t y) {
  const uint32_t diff = (uint32_t)x - (uint32_t)y; /* wraps as TFLite's int32 arithmetic does in practice */
  return (int32_t)(diff * diff);
}

static edgert_status squared_difference_eval(er_op_ctx *ctx) {
  const squared_difference_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    ER_BCAST_BINARY(plan, float, a->data, float, b->data, float, out->data, (x - y) * (x - y));
    break;
  case EDGERT_INT32:
    ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data,
                    squared_difference_i32(x, y));
    break;
  case EDGERT_INT8:
    ER_BCAST_BINARY(plan, int8_t, a->data, int8_t, b->data, int8_t, out->data,
                    squared_difference_int8(x, y, p));
    break;
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_squared_difference = {.prepare = squared_difference_prepare,
                                                .eval = squared_difference_eval};
