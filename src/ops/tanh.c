/* TANH for float32, int8, uint8 and int16, matching TFLite Micro: int8 rescales the input to Q4.27 and
 * evaluates gemmlowp's fixed-point tanh with the output on a 2^-7 scale (reference/integer_ops/tanh.h);
 * uint8 does the same as TFLite's uint8 reference (reference/tanh.h: output zero point 128, 256 kept as
 * 255); int16 needs zero points of 0 and an output scale of 2^-15 and uses the sigmoid table through
 * tanh(x) = 2 sigmoid(2x) - 1. (TFLite's own interpreter now runs uint8 through a table built in float,
 * which can differ from this fixed-point reference by one step.) */
#include <math.h>

#include "ops/activation_common.h"
#include "ops/elementwise_types.h"
#include "ops/fixedpoint_math.h"

typedef struct {
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int input_left_shift;
} tanh_data;

static edgert_status tanh_prepare_int16(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                        tanh_data *d) {
  if (in->q.zero_point != 0 || out->q.zero_point != 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 zero points must be 0 (input %d, output %d)",
                   (int)in->q.zero_point, (int)out->q.zero_point);
  int out_log2;
  if (!fx_checked_log2(out->q.scale, &out_log2) || out_log2 != -15)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 output scale is %g, must be 2^-15",
                   (double)out->q.scale);
  if (!fx_int16_table_input_params(in->q.scale, 1, &d->input_multiplier, &d->input_left_shift))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 input scale %g is too large", (double)in->q.scale);
  return EDGERT_OK;
}

/* The uint8 reference writes its result on scale 1/128 around 128 whatever the output says (TFLite does
 * not check), so anything else is refused here rather than mislabelled; its input rescaling must be a
 * multiplier above 1 (QuantizeMultiplierGreaterThanOne). */
static edgert_status tanh_check_uint8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (out->q.zero_point != 128 || out->q.scale != 1.0f / 128.0f)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 output must have scale 1/128 and zero point 128, has %g and %d",
                   (double)out->q.scale, (int)out->q.zero_point);
  if (!((double)in->q.scale * (double)(1 << 27) > 1.0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "uint8 input scale %g is too small", (double)in->q.scale);
  return EDGERT_OK;
}

static edgert_status tanh_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (er_is_float(in->dtype)) return EDGERT_OK; /* float64, float16, bfloat16: ONNX models */
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8 && in->dtype != EDGERT_INT16)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8, int16");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  tanh_data *d = ACT_ALLOC_OP_DATA(ctx, tanh_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  if (in->dtype == EDGERT_INT16) return tanh_prepare_int16(ctx, in, out, d);
  if (in->dtype == EDGERT_UINT8 && (st = tanh_check_uint8(ctx, in, out)) != EDGERT_OK) return st;
  /* TFLM assumes (without checking) an int8 output of scale 2^-7 and zero point 0; uint8 was checked. */
  d->input_zero_point = in->q.zero_point;
  fx_q4_input_params(in->q.scale, &d->input_multiplier, &d->input_left_shift, &d->input_range_radius);
  return EDGERT_OK;
}

static inline int8_t tanh_int8(const tanh_data *d, int8_t q) {
  const int32_t x = (int32_t)q - d->input_zero_point;
  if (x <= -d->input_range_radius) return INT8_MIN;
  if (x >= d->input_range_radius) return INT8_MAX;
  const int32_t x_q4 = er_multiply_by_quantized_multiplier(x, d->input_multiplier, d->input_left_shift);
  const int32_t y_q0 = fx_tanh(x_q4, 4);
  const int32_t y = er_rounding_divide_by_pot(y_q0, 31 - 7);
  return (int8_t)er_clamp_i32(y, INT8_MIN, INT8_MAX);
}

/* On 2^-7 steps around 128; 1.0 (256) is kept as the largest uint8. */
static inline uint8_t tanh_uint8(const tanh_data *d, uint8_t q) {
  const int32_t x = (int32_t)q - d->input_zero_point;
  if (x <= -d->input_range_radius) return 0;
  if (x >= d->input_range_radius) return UINT8_MAX;
  const int32_t x_q4 = er_multiply_by_quantized_multiplier(x, d->input_multiplier, d->input_left_shift);
  const int32_t y = er_rounding_divide_by_pot(fx_tanh(x_q4, 4), 31 - 7) + 128;
  return (uint8_t)(y > UINT8_MAX ? UINT8_MAX : y);
}

/* The input on the scale 1/(3*4096) doubled is 2x for the sigmoid table, so here the top bits above 8
 * index it and the low 8 interpolate; the result is 2 sigmoid - 1 with rounding, odd in x. */
static inline int16_t tanh_int16(int32_t multiplier, int left_shift, int16_t q) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int64_t round = left_shift > 0 ? (int64_t)1 << (left_shift - 1) : 0;
  const int32_t x = (int32_t)(((int64_t)q * multiplier + round) >> left_shift);
  const uint32_t abs_x = (uint32_t)(x < 0 ? -(int64_t)x : x);
  const uint32_t uh = abs_x >> 8;
  int32_t result;
  if (uh >= 255) {
    result = 0xFFFF << 8;
  } else {
    const uint32_t ua = table[uh], ub = table[uh + 1];
    result = (int32_t)((ua << 8) + (abs_x & 0xffu) * (ub - ua));
  }
  result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
  return (int16_t)(result >> 8);
}

static double tanh_d(double x, const void *unused) {
  (void)unused;
  return tanh(x);
}

static edgert_status tanh_eval(er_op_ctx *ctx) {
  const tanh_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (er_is_extra_float(in->dtype)) {
    er_map_extra_float(in, out, tanh_d, NULL);
    return EDGERT_OK;
  }
  switch (in->dtype) {
  case EDGERT_FLOAT32: {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = tanhf(x[i]);
    break;
  }
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = tanh_int8(d, x[i]);
    break;
  }
  case EDGERT_UINT8: {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = tanh_uint8(d, x[i]);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    int16_t *y = out->data;
    /* A zero multiplier marks a power-of-two input scale: 3 << shift folds the 1/3 scaling in. */
    int32_t multiplier = d->input_multiplier ? d->input_multiplier : 3 << d->input_left_shift;
    int left_shift = d->input_multiplier ? d->input_left_shift : 0;
    for (int64_t i = 0; i < n; i++)
      y[i] = tanh_int16(multiplier, left_shift, x[i]);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_tanh = {tanh_prepare, tanh_eval};
