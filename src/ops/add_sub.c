/* ADD and SUB with numpy broadcasting: float32, int32 and int64 with a fused activation, quantized int8
 * and int16 with TFLite's fixed-point rescaling, and for ONNX models plain float64, float16 and uint8..uint64
 * (integers wrap around).
 *
 * Quantized inputs are brought to a common scale before they are added: each is offset by its zero
 * point, shifted left (20 bits for int8, 15 for int16, so the sum still fits 32 bits) and multiplied by
 * scale_i / (2 * max input scale); the sum is then multiplied by (2 * max scale) / (2^shift * output
 * scale). Multipliers come from doubles as TFLite-Micro's add_common.cc / sub_common.cc compute them
 * (the seanet int16 goldens need exactly that). SUB subtracts the rescaled second input, as TFLite's
 * reference SubElementwise does, rather than negating its multiplier (which rounds differently on exact
 * halves).
 *
 * int16 has a second, older scheme: when the model sets pot_scale_int16 and every scale is a power of two
 * with zero points 0, TFLite shifts the finer input right onto the output's scale and adds with
 * saturation. TFLite takes that path only under those conditions; so do we. */
#include <math.h>

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/broadcast.h"
#include "ops/elementwise_f32.h"
#include "ops/elementwise_qs8.h"
#include "ops/elementwise_types.h"

typedef struct {
  er_bcast plan;
  int32_t sign; /* +1 for ADD, -1 for SUB: applied to the rescaled second input */
  /* float32: the micro-kernels chosen for this CPU and their clamp (from the fused activation) */
  const er_f32_vbinary_ukernels *f32;
  er_f32_elementwise_params f32_params;
  /* int32 / int64 clamp from the fused activation */
  int64_t act_min_i, act_max_i;
  /* quantized: general rescaling path */
  int32_t input1_offset, input2_offset, output_offset;
  int32_t input1_multiplier, input2_multiplier, output_multiplier;
  int input1_shift, input2_shift, output_shift;
  int left_shift;
  int32_t act_min_q, act_max_q;
  /* int8: the same arithmetic as micro-kernels chosen for this CPU */
  const er_qs8_elementwise_isa *qs8;
  er_qs8_add_params qs8_params;
  /* int16 power-of-two path: right shifts that put each input on the output's scale */
  bool pot_int16;
  int input1_pot_shift, input2_pot_shift;
} add_sub_data;

/* TFLite CheckedLog2: the rounded log2 of x, and whether x is within 1e-3 (in log2) of that power of two. */
static bool checked_log2(float x, int *log2_result) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(x_log2);
  *log2_result = (int)rounded;
  return fabsf(x_log2 - rounded) < 1e-3f;
}

static bool use_pot_int16_path(const er_binary_attrs *attrs, const er_tensor *a, const er_tensor *b,
                               const er_tensor *out) {
  int unused;
  if (out->dtype != EDGERT_INT16 || !attrs || !attrs->pot_scale_int16) return false;
  if (a->q.zero_point != 0 || b->q.zero_point != 0 || out->q.zero_point != 0) return false;
  return checked_log2(a->q.scale, &unused) && checked_log2(b->q.scale, &unused) &&
         checked_log2(out->q.scale, &unused);
}

static edgert_status prepare_pot_int16(er_op_ctx *ctx, add_sub_data *p, const er_tensor *a,
                                       const er_tensor *b, const er_tensor *out) {
  int log_a, log_b, log_out;
  checked_log2(a->q.scale, &log_a);
  checked_log2(b->q.scale, &log_b);
  checked_log2(out->q.scale, &log_out);
  int shift_a = log_a - log_out, shift_b = log_b - log_out;
  /* TFLite's scheme rescales one input only, and only towards a coarser scale. */
  if ((shift_a != 0 && shift_b != 0) || shift_a > 0 || shift_b > 0 || shift_a < -31 || shift_b < -31)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "int16 power-of-two path needs one input on the output's scale and the other finer "
                   "(input shifts %d and %d)",
                   shift_a, shift_b);
  p->pot_int16 = true;
  p->input1_pot_shift = -shift_a;
  p->input2_pot_shift = -shift_b;
  return EDGERT_OK;
}

static edgert_status quantize_below_one(er_op_ctx *ctx, double real, int32_t *multiplier, int *shift,
                                        const char *what) {
  er_quantize_multiplier(real, multiplier, shift);
  if (*shift > 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s multiplier %g is not below 1 (output scale too small)",
                   what, real);
  return EDGERT_OK;
}

static edgert_status prepare_general_quantized(er_op_ctx *ctx, add_sub_data *p, const er_tensor *a,
                                               const er_tensor *b, const er_tensor *out) {
  p->input1_offset = -a->q.zero_point;
  p->input2_offset = -b->q.zero_point;
  p->output_offset = out->q.zero_point;
  p->left_shift = out->dtype == EDGERT_INT16 ? 15 : 20;
  const double twice_max_input_scale = 2.0 * (double)(a->q.scale > b->q.scale ? a->q.scale : b->q.scale);
  const double real_input1 = (double)a->q.scale / twice_max_input_scale;
  const double real_input2 = (double)b->q.scale / twice_max_input_scale;
  const double real_output = twice_max_input_scale / ((double)(1 << p->left_shift) * (double)out->q.scale);
  edgert_status st = quantize_below_one(ctx, real_input1, &p->input1_multiplier, &p->input1_shift, "input 0");
  if (st == EDGERT_OK)
    st = quantize_below_one(ctx, real_input2, &p->input2_multiplier, &p->input2_shift, "input 1");
  if (st == EDGERT_OK)
    st = quantize_below_one(ctx, real_output, &p->output_multiplier, &p->output_shift, "output");
  return st;
}

static edgert_status prepare_quantized(er_op_ctx *ctx, add_sub_data *p, const er_binary_attrs *attrs,
                                       const er_tensor *a, const er_tensor *b, const er_tensor *out) {
  edgert_status st = er_check_binary_quant(ctx, a, b, out);
  if (st != EDGERT_OK) return st;
  int32_t qmin, qmax;
  er_dtype_range(out->dtype, &qmin, &qmax);
  er_activation_range_quantized(attrs ? attrs->activation : ER_ACT_NONE, out->q.scale, out->q.zero_point,
                                qmin, qmax, &p->act_min_q, &p->act_max_q);
  if (use_pot_int16_path(attrs, a, b, out)) return prepare_pot_int16(ctx, p, a, b, out);
  return prepare_general_quantized(ctx, p, a, b, out);
}

static void prepare_qs8_kernels(add_sub_data *p) {
  p->qs8_params = (er_qs8_add_params){
      {p->input1_offset, p->input1_multiplier, p->input1_shift},
      {p->input2_offset, p->input2_multiplier, p->input2_shift},
      p->sign,
      p->left_shift,
      p->output_multiplier,
      p->output_shift,
      p->output_offset,
      p->act_min_q,
      p->act_max_q,
  };
  p->qs8 = er_qs8_add_params_vectorizable(&p->qs8_params) ? er_qs8_elementwise_select(er_cpu_detect())
                                                          : &er_qs8_elementwise__scalar;
}

static edgert_status add_sub_prepare(er_op_ctx *ctx) {
  er_tensor *a, *b, *out;
  er_activation act;
  edgert_status st = er_arith_binary_io(ctx, &a, &b, &out, &act);
  if (st != EDGERT_OK) return st;
  const er_binary_attrs *attrs = er_attrs(ctx);

  add_sub_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->sign = ctx->node->op == ER_OP_SUB ? -1 : 1;
  switch (a->dtype) {
  case EDGERT_FLOAT32:
    er_activation_range_float(act, &p->f32_params.min, &p->f32_params.max);
    p->f32 = &er_f32_elementwise_select(er_cpu_detect())->binary[p->sign > 0 ? ER_F32_VADD : ER_F32_VSUB];
    er_output_may_overwrite(ctx, 0);
    er_output_may_overwrite(ctx, 1);
    break;
  case EDGERT_INT32: er_activation_range_int(act, INT32_MIN, INT32_MAX, &p->act_min_i, &p->act_max_i); break;
  case EDGERT_INT64: er_activation_range_int(act, INT64_MIN, INT64_MAX, &p->act_min_i, &p->act_max_i); break;
  case EDGERT_INT8:
  case EDGERT_INT16: st = prepare_quantized(ctx, p, attrs, a, b, out); break;
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
  if (a->dtype == EDGERT_INT8) prepare_qs8_kernels(p);
  ctx->op_data = p;
  return er_broadcast_prepare(ctx, 2, (const er_tensor *const[]){a, b}, out, &p->plan);
}

/* One element of the general quantized path: both inputs rescaled to a common fixed-point scale,
 * combined, and rescaled to the output. */
static inline int32_t add_sub_general(int32_t x, int32_t y, const add_sub_data *p) {
  const int32_t shifted1 = (x + p->input1_offset) * (1 << p->left_shift);
  const int32_t shifted2 = (y + p->input2_offset) * (1 << p->left_shift);
  const int32_t scaled1 =
      er_multiply_by_quantized_multiplier_smaller_than_one(shifted1, p->input1_multiplier, p->input1_shift);
  const int32_t scaled2 =
      er_multiply_by_quantized_multiplier_smaller_than_one(shifted2, p->input2_multiplier, p->input2_shift);
  const int32_t raw = scaled1 + p->sign * scaled2;
  const int32_t out =
      er_multiply_by_quantized_multiplier_smaller_than_one(raw, p->output_multiplier, p->output_shift) +
      p->output_offset;
  return er_clamp_i32(out, p->act_min_q, p->act_max_q);
}

/* One element of the int16 power-of-two path. The activation range lies inside int16, so clamping to it
 * also gives TFLite's saturating int16 add. */
static inline int16_t add_sub_pot_int16(int16_t x, int16_t y, const add_sub_data *p) {
  const int32_t scaled1 = er_rounding_divide_by_pot(x, p->input1_pot_shift);
  const int32_t scaled2 = er_rounding_divide_by_pot(y, p->input2_pot_shift);
  return (int16_t)er_clamp_i32(scaled1 + p->sign * scaled2, p->act_min_q, p->act_max_q);
}

/* Integer add with two's-complement wraparound, as TFLite's int32 kernels behave on overflow, without C's
 * undefined behaviour. */
static inline int32_t wrap_add_i32(int32_t x, int32_t y, int32_t sign) {
  return (int32_t)((uint32_t)x + (uint32_t)sign * (uint32_t)y);
}
static inline int64_t wrap_add_i64(int64_t x, int64_t y, int32_t sign) {
  return (int64_t)((uint64_t)x + (uint64_t)(int64_t)sign * (uint64_t)y);
}

static edgert_status add_sub_eval(er_op_ctx *ctx) {
  const add_sub_data *p = ctx->op_data;
  const er_tensor *a = er_input(ctx, 0), *b = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  const er_bcast *plan = &p->plan;
  switch (out->dtype) {
  case EDGERT_FLOAT32:
    er_f32_vbinary_run(ctx, plan, p->f32, a->data, b->data, out->data, &p->f32_params);
    break;
  case EDGERT_INT32:
    ER_BCAST_BINARY(plan, int32_t, a->data, int32_t, b->data, int32_t, out->data,
                    (int32_t)er_clamp_i64(wrap_add_i32(x, y, p->sign), p->act_min_i, p->act_max_i));
    break;
  case EDGERT_INT64:
    ER_BCAST_BINARY(plan, int64_t, a->data, int64_t, b->data, int64_t, out->data,
                    er_clamp_i64(wrap_add_i64(x, y, p->sign), p->act_min_i, p->act_max_i));
    break;
  case EDGERT_INT8: er_qs8_vadd_run(ctx, plan, p->qs8, &p->qs8_params, a->data, b->data, out->data); break;
  case EDGERT_INT16:
    if (p->pot_int16)
      ER_BCAST_BINARY(plan, int16_t, a->data, int16_t, b->data, int16_t, out->data,
                      add_sub_pot_int16(x, y, p));
    else
      ER_BCAST_BINARY(plan, int16_t, a->data, int16_t, b->data, int16_t, out->data,
                      (int16_t)add_sub_general(x, y, p));
    break;
  case EDGERT_FLOAT64:
    if (p->sign > 0)
      ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, x + y);
    else
      ER_BCAST_BINARY(plan, double, a->data, double, b->data, double, out->data, x - y);
    break;
  case EDGERT_FLOAT16:
    if (p->sign > 0)
      ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data, ER_HALF_OP(x, y, +));
    else
      ER_BCAST_BINARY(plan, uint16_t, a->data, uint16_t, b->data, uint16_t, out->data, ER_HALF_OP(x, y, -));
    break;
#define PLAIN_CASE(D, T)                                                                                     \
  case D:                                                                                                    \
    if (p->sign > 0)                                                                                         \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, ER_WRAP_ADD(T, x, y));                     \
    else                                                                                                     \
      ER_BCAST_BINARY(plan, T, a->data, T, b->data, T, out->data, ER_WRAP_SUB(T, x, y));                     \
    break;
    ER_UNSIGNED_INT_TYPES(PLAIN_CASE)
#undef PLAIN_CASE
  default:
    return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype %s changed after prepare", edgert_dtype_name(out->dtype));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_add = {.prepare = add_sub_prepare, .eval = add_sub_eval};
const er_kernel er_kernel_sub = {.prepare = add_sub_prepare, .eval = add_sub_eval};
