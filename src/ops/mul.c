/* MUL with numpy broadcasting: float32, int32 and int64 with a fused activation, quantized int8 and
 * int16 (TFLite reference_integer_ops/mul.h), and for ONNX models plain float64, float16 and uint8..uint64.
 * The quantized product of the offset inputs is rescaled by input1_scale * input2_scale / output_scale as one
 * quantized multiplier. As in TFLite, int16 requires zero points of 0, which also keeps the 32-bit product
 * from overflowing. */
#include "core/cpu.h"
#include "core/quant.h"
#include "ops/broadcast.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_qs8.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
  const er_f32_vbinary_ukernels *f32; /* float32: chosen for this CPU at prepare */
  er_f32_elementwise_params f32_params;
  int64_t act_min_i, act_max_i;
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier;
  int output_shift;
  int32_t act_min_q, act_max_q;
  /* int8: the same arithmetic as micro-kernels chosen for this CPU */
  const er_qs8_elementwise_isa *qs8;
  er_qs8_mul_params qs8_params;
} mul_data;

static edgert_status prepare_quantized(er_op_ctx *ctx, mul_data *p, er_activation act, const er_tensor *a,
                                       const er_tensor *b, const er_tensor *out) {
  edgert_status st = er_check_binary_quant(ctx, a, b, out);
  if (st != EDGERT_OK) return st;
  if (out->dtype == EDGERT_INT16 && (a->q.zero_point != 0 || b->q.zero_point != 0 || out->q.zero_point != 0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 MUL needs zero points of 0 (got %d, %d, %d)",
                   (int)a->q.zero_point, (int)b->q.zero_point, (int)out->q.zero_point);
  p->input1_offset = -a->q.zero_point;
  p->input2_offset = -b->q.zero_point;
  p->output_offset = out->q.zero_point;
  const double real_multiplier = (double)a->q.scale * (double)b->q.scale / (double)out->q.scale;
  er_quantize_multiplier(real_multiplier, &p->output_multiplier, &p->output_shift);
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  er_activation_range_quantized(act, out->q.scale, out->q.zero_point, qmin, qmax, &p->act_min_q,
                                &p->act_max_q);
  p->qs8_params = (er_qs8_mul_params){.a_offset = p->input1_offset,
                                      .b_offset = p->input2_offset,
                                      .multiplier = p->output_multiplier,
                                      .shift = p->output_shift,
                                      .out_offset = p->output_offset,
                                      .min = p->act_min_q,
                                      .max = p->act_max_q};
  p->qs8 = er_qs8_mul_params_vectorizable(&p->qs8_params) ? er_qs8_elementwise_select(er_cpu_detect())
                                                          : &er_qs8_elementwise__scalar;
  return EDGERT_OK;
}

static edgert_status mul_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  er_activation act;
  edgert_status st = er_arith_binary_io(ctx, &a, &b, &out, &act);
  if (st != EDGERT_OK) return st;

  mul_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  switch (a->dtype) {
  case EDGERT_FLOAT32:
    er_activation_range_float(act, &p->f32_params.min, &p->f32_params.max);
    p->f32 = &er_f32_elementwise_select(er_cpu_detect())->binary[ER_F32_VMUL];
    er_output_may_overwrite(ctx, 0);
    er_output_may_overwrite(ctx, 1);
    break;
  case EDGERT_INT32: er_activation_range_int(act, INT32_MIN, INT32_MAX, &p->act_min_i, &p->act_max_i); break;
  case EDGERT_INT64: er_activation_range_int(act, INT64_MIN, INT64_MAX, &p->act_min_i, &p->act_max_i); break;
  case EDGERT_INT8:
  case EDGERT_INT16: st = prepare_quantized(ctx, p, act, a, b, out); break;
  /* Plain dtypes of ONNX models: no fused activation, integers wrap around. */
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_UINT8:
  case EDGERT_UINT16:
  case EDGERT_UINT32:
  case EDGERT_UINT64: st = er_check_plain_binary(ctx, act, a, b, out); break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "dtype %s is not supported (float32, float64, float16, int32, int64, uint8..uint64, "
                   "quantized int8, int16)",
                   edgert_dtype_name(a->dtype));
  }
  if (st != EDGERT_OK) return st;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

static inline int32_t mul_quantized(int32_t x, int32_t y, const mul_data *p) {
  const int32_t product = (x + p->input1_offset) * (y + p->input2_offset);
  const int32_t out =
      er_multiply_by_quantized_multiplier(product, p->output_multiplier, p->output_shift) + p->output_offset;
  return er_clamp_i32(out, p->act_min_q, p->act_max_q);
}

/* Products wrap around in two's complement on overflow, as TFLite's kernels do in practice. */
static inline int32_t wrap_mul_i32(int32_t x, int32_t y) { return (int32_t)((uint32_t)x * (uint32_t)y); }
static inline int64_t wrap_mul_i64(int64_t x, int64_t y) { return (int64_t)((uint64_t)x * (uint64_t)y); }

static edgert_status mul_eval(er_op_ctx *ctx) {
  const mul_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    er_f32_vbinary_run(ctx, plan, p->f32, a->data, b->data, out->data, &p->f32_params);
    break;
  case EDGERT_INT32:
    ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data,
                    (int32_t)er_clamp_i64(wrap_mul_i32(x, y), p->act_min_i, p->act_max_i));
    break;
  case EDGERT_INT64:
    ER_BCAST_BINARY(plan, int64_t, a->data, int64_t, b->data, int64_t, out->data,
                    er_clamp_i64(wrap_mul_i64(x, y), p->act_min_i, p->act_max_i));
    break;
  case EDGERT_INT8: er_qs8_vmul_run(ctx, plan, p->qs8, &p->qs8_params, a->data, b->data, out->data); break;
  case EDGERT_INT16:
    ER_BCAST_BINARY(plan, int16_t, a->data, int16_t, b->data, int16_t, out->data,
                    (int16_t)mul_quantized(x, y, p));
    break;
  case EDGERT_FLOAT64:
    ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, x *y);
    break;
  case EDGERT_FLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data, ER_HALF_OP(x, y, *));
    break;
#define PLAIN_CASE(D, T)                                                                                     \
  case D: ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, ER_WRAP_MUL(T, x, y)); break;
    ER_UNSIGNED_INT_TYPES(PLAIN_CASE)
#undef PLAIN_CASE
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_mul = {.prepare = mul_prepare, .eval = mul_eval};
