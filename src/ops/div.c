/* DIV with numpy broadcasting: float32 and int32 with a fused activation, quantized int8 as
 * TFLite-Micro's reference div.h computes it, and for ONNX models plain float64, float16, int64 and
 * uint8..uint64 (integers truncate toward zero, as C and ONNX Runtime do).
 *
 * Quantized division never divides: the divisor (offset by its zero point, made positive by moving its
 * sign to the dividend) becomes a fixed-point reciprocal by Newton-Raphson (TFLite GetReciprocal), the
 * dividend is shifted up to use all its headroom and multiplied by it, and one quantized multiplier of
 * input1_scale / (input2_scale * output_scale) rescales the quotient. Division by zero is an error, as
 * in TFLite's int32 path, checked over the divisor before any output is written. */
#include "core/cpu.h"
#include "core/quant.h"
#include "ops/broadcast.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_types.h"
#include "ops/fixedpoint_math.h"

typedef struct {
  er_bcast plan;
  const er_f32_vbinary_ukernels *f32; /* float32: chosen for this CPU at prepare */
  er_f32_elementwise_params f32_params;
  int64_t act_min_i, act_max_i;
  int32_t input1_offset, input2_offset, output_offset;
  int32_t output_multiplier;
  int output_shift;
  int32_t act_min_q, act_max_q;
} div_data;

static edgert_status prepare_int8(er_op_ctx *ctx, div_data *p, er_activation act, const er_tensor *a,
                                  const er_tensor *b, const er_tensor *out) {
  edgert_status st = er_check_binary_quant(ctx, a, b, out);
  if (st != EDGERT_OK) return st;
  p->input1_offset = -a->q.zero_point;
  p->input2_offset = -b->q.zero_point;
  p->output_offset = out->q.zero_point;
  /* In float, as TFLite-Micro's CalculateOpDataDiv computes it, then widened. */
  const float real_multiplier = a->q.scale / (b->q.scale * out->q.scale);
  er_quantize_multiplier((double)real_multiplier, &p->output_multiplier, &p->output_shift);
  er_activation_range_quantized(act, out->q.scale, out->q.zero_point, -128, 127, &p->act_min_q,
                                &p->act_max_q);
  return EDGERT_OK;
}

static edgert_status div_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  er_activation act;
  edgert_status st = er_arith_binary_io(ctx, &a, &b, &out, &act);
  if (st != EDGERT_OK) return st;
  div_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  switch (a->dtype) {
  case EDGERT_FLOAT32:
    er_activation_range_float(act, &p->f32_params.min, &p->f32_params.max);
    p->f32 = &er_f32_elementwise_select(er_cpu_detect())->binary[ER_F32_VDIV];
    er_output_may_overwrite(ctx, 0);
    er_output_may_overwrite(ctx, 1);
    break;
  case EDGERT_INT32: er_activation_range_int(act, INT32_MIN, INT32_MAX, &p->act_min_i, &p->act_max_i); break;
  case EDGERT_INT8: st = prepare_int8(ctx, p, act, a, b, out); break;
  /* Plain dtypes of ONNX models: no fused activation; integers truncate toward zero. */
  case EDGERT_FLOAT64:
  case EDGERT_FLOAT16:
  case EDGERT_INT64:
  case EDGERT_UINT8:
  case EDGERT_UINT16:
  case EDGERT_UINT32:
  case EDGERT_UINT64: st = er_check_plain_binary(ctx, act, a, b, out); break;
  default:
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "dtype %s is not supported (float32, float64, float16, int32, int64, uint8..uint64, "
                   "quantized int8)",
                   edgert_dtype_name(a->dtype));
  }
  if (st != EDGERT_OK) return st;
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

/* Leading bits equal to the sign bit, not counting the sign bit itself (TFLite CountLeadingSignBits). */
static inline int count_leading_sign_bits(int32_t x) {
  return x >= 0 ? fx_count_leading_zeros((uint32_t)x) - 1 : fx_count_leading_zeros(~(uint32_t)x) - 1;
}

static inline int32_t div_int8(int32_t x, int32_t y, const div_data *p) {
  int32_t dividend = x + p->input1_offset;
  int32_t divisor = y + p->input2_offset;
  if (divisor < 0) { /* the reciprocal is used as a multiplier and must be positive */
    dividend = -dividend;
    divisor = -divisor;
  }
  int reciprocal_shift;
  const int32_t reciprocal = fx_reciprocal(divisor, 31, &reciprocal_shift);
  const int headroom = count_leading_sign_bits(dividend);
  const int32_t unscaled_quotient =
      er_saturating_rounding_doubling_high_mul((int32_t)((uint32_t)dividend << headroom), reciprocal);
  const int total_shift = p->output_shift - reciprocal_shift - headroom;
  /* A zero dividend has 31 bits of headroom, which can push the shift past 31; any 32-bit value divided
   * by 2^32 or more rounds to 0, and C shifts that wide are undefined. */
  const int32_t quotient =
      total_shift < -31
          ? 0
          : er_multiply_by_quantized_multiplier(unscaled_quotient, p->output_multiplier, total_shift);
  const int32_t out = quotient + p->output_offset;
  return er_clamp_i32(out, p->act_min_q, p->act_max_q);
}

/* int32 division truncates toward zero as C and TFLite do; INT32_MIN / -1 wraps instead of trapping. */
static inline int32_t div_i32(int32_t x, int32_t y) { return y == -1 ? (int32_t)(0u - (uint32_t)x) : x / y; }

/* Whether any divisor element is zero in real terms (raw value equal to `zero`). */
static bool has_zero_divisor(const er_tensor *b, int64_t zero) {
  const int64_t n = er_tensor_elements(b);
  for (int64_t i = 0; i < n; i++) {
    int64_t v = b->dtype == EDGERT_INT32 ? ((const int32_t *)b->data)[i] : ((const int8_t *)b->data)[i];
    if (v == zero) return true;
  }
  return false;
}

static edgert_status div_eval(er_op_ctx *ctx) {
  const div_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    er_f32_vbinary_run(ctx, plan, p->f32, a->data, b->data, out->data, &p->f32_params);
    break;
  case EDGERT_INT32:
    if (has_zero_divisor(b, 0)) return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");
    ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data,
                    (int32_t)er_clamp_i64(div_i32(x, y), p->act_min_i, p->act_max_i));
    break;
  case EDGERT_INT8:
    if (has_zero_divisor(b, -p->input2_offset)) return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");
    ER_BCAST_BINARY(plan, int8_t, a->data, int8_t, b->data, int8_t, out->data, (int8_t)div_int8(x, y, p));
    break;
  case EDGERT_FLOAT64:
    ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, x / y);
    break;
  case EDGERT_FLOAT16:
    ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data, ER_HALF_OP(x, y, /));
    break;
  case EDGERT_INT64:
    if (er_any_int_zero(b)) return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");
    ER_BCAST_BINARY(plan, int64_t, a->data, int64_t, b->data, int64_t, out->data, er_div_trunc_i64(x, y));
    break;
#define PLAIN_CASE(D, T)                                                                                     \
  case D:                                                                                                    \
    if (er_any_int_zero(b)) return er_fail(ctx, EDGERT_ERR_RUNTIME, "division by zero");                     \
    ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, (T)(x / y));                                 \
    break;
    ER_UNSIGNED_INT_TYPES(PLAIN_CASE)
#undef PLAIN_CASE
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_div = {.prepare = div_prepare, .eval = div_eval};
