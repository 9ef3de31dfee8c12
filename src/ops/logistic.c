/* LOGISTIC (sigmoid) for float32, int8, uint8 and int16, matching TFLite Micro: int8 rescales the input
 * to Q4.27 and evaluates gemmlowp's fixed-point logistic (reference/integer_ops/logistic.h); uint8 does
 * the same with TFLite's uint8 reference (reference_ops::Logistic(LogisticParams, uint8): output scale
 * 1/256 zero point 0, 256 kept as 255); int16 needs zero points of 0 and an output scale of 2^-15, and
 * interpolates TFLite's 256-entry sigmoid table. (TFLite's own interpreter now runs uint8 through a table
 * built in float, which can differ from this fixed-point reference by one step.) */
#include <math.h>

#include "ops/activation_common.h"
#include "ops/elementwise_types.h"
#include "ops/fixedpoint_math.h"

typedef struct {
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int input_left_shift;
} logistic_data;

static edgert_status logistic_prepare_int8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                           logistic_data *d) {
  if (out->q.zero_point != INT8_MIN)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int8 output zero point is %d, must be -128",
                   (int)out->q.zero_point);
  d->input_zero_point = in->q.zero_point;
  fx_q4_input_params(in->q.scale, &d->input_multiplier, &d->input_left_shift, &d->input_range_radius);
  return EDGERT_OK;
}

/* uint8 (TFLite's SigmoidPrepare for uint8): output scale exactly 1/256 and zero point 0; the input
 * rescaling to Q4.27 must be a multiplier above 1, as QuantizeMultiplierGreaterThanOne requires. */
static edgert_status logistic_prepare_uint8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                            logistic_data *d) {
  if (out->q.zero_point != 0 || out->q.scale != 1.0f / 256.0f)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 output must have scale 1/256 and zero point 0, has %g and %d", (double)out->q.scale,
                   (int)out->q.zero_point);
  if (!((double)in->q.scale * (double)(1 << 27) > 1.0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "uint8 input scale %g is too small", (double)in->q.scale);
  d->input_zero_point = in->q.zero_point;
  fx_q4_input_params(in->q.scale, &d->input_multiplier, &d->input_left_shift, &d->input_range_radius);
  return EDGERT_OK;
}

/* int16 is symmetric (zero points 0) with an output scale of exactly 2^-15, as TFLM requires. */
static edgert_status logistic_prepare_int16(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                            logistic_data *d) {
  if (in->q.zero_point != 0 || out->q.zero_point != 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 zero points must be 0 (input %d, output %d)",
                   (int)in->q.zero_point, (int)out->q.zero_point);
  int out_log2;
  if (!fx_checked_log2(out->q.scale, &out_log2) || out_log2 != -15)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 output scale is %g, must be 2^-15",
                   (double)out->q.scale);
  if (!fx_int16_table_input_params(in->q.scale, 0, &d->input_multiplier, &d->input_left_shift))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int16 input scale %g is too large", (double)in->q.scale);
  return EDGERT_OK;
}

static edgert_status logistic_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st == EDGERT_OK) st = act_same_dtype(ctx, in, out);
  if (st != EDGERT_OK) return st;
  if (er_is_float(in->dtype)) return EDGERT_OK; /* float64, float16, bfloat16: ONNX models */
  if (in->dtype != EDGERT_INT8 && in->dtype != EDGERT_UINT8 && in->dtype != EDGERT_INT16)
    return act_unsupported_dtype(ctx, in, "float32, int8, uint8, int16");
  if ((st = act_require_scale(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = act_require_scale(ctx, out, "output")) != EDGERT_OK) return st;
  logistic_data *d = ACT_ALLOC_OP_DATA(ctx, logistic_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = d;
  switch (in->dtype) {
  case EDGERT_INT8: return logistic_prepare_int8(ctx, in, out, d);
  case EDGERT_UINT8: return logistic_prepare_uint8(ctx, in, out, d);
  default: return logistic_prepare_int16(ctx, in, out, d);
  }
}

/* TFLite's float reference cuts off where the result is 1.0f or exp(x) to float precision. */
static inline float logistic_float(float x) {
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.0f;
  if (x > cutoff_upper) return 1.0f;
  if (x < cutoff_lower) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

static inline int8_t logistic_int8(const logistic_data *d, int8_t q) {
  const int32_t x = (int32_t)q - d->input_zero_point;
  if (x <= -d->input_range_radius) return INT8_MIN;
  if (x >= d->input_range_radius) return INT8_MAX;
  const int32_t x_q4 = er_multiply_by_quantized_multiplier(x, d->input_multiplier, d->input_left_shift);
  const int32_t y_q0 = fx_logistic(x_q4, 4);
  /* From Q0.31 to the output's 2^-8 steps, then onto the -128 zero point. */
  const int32_t y = er_rounding_divide_by_pot(y_q0, 31 - 8) + INT8_MIN;
  return (int8_t)er_clamp_i32(y, INT8_MIN, INT8_MAX);
}

/* As the int8 path, onto 2^-8 steps with zero point 0; 1.0 (256) is kept as the largest uint8. */
static inline uint8_t logistic_uint8(const logistic_data *d, uint8_t q) {
  const int32_t x = (int32_t)q - d->input_zero_point;
  if (x <= -d->input_range_radius) return 0;
  if (x >= d->input_range_radius) return UINT8_MAX;
  const int32_t x_q4 = er_multiply_by_quantized_multiplier(x, d->input_multiplier, d->input_left_shift);
  const int32_t y = er_rounding_divide_by_pot(fx_logistic(x_q4, 4), 31 - 8);
  return (uint8_t)(y > UINT8_MAX ? UINT8_MAX : y);
}

/* The table holds sigmoid(i/24); the input arrives on the scale 1/(3*4096), so the top bits above 9
 * index the table and the low 9 interpolate. Negative inputs use sigmoid(-x) = 1 - sigmoid(x). */
static inline int16_t logistic_int16(int32_t multiplier, int left_shift, int16_t q) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int64_t round = left_shift > 0 ? (int64_t)1 << (left_shift - 1) : 0;
  const int32_t x = (int32_t)(((int64_t)q * multiplier + round) >> left_shift);
  const uint32_t abs_x = (uint32_t)(x < 0 ? -(int64_t)x : x);
  const uint32_t uh = abs_x >> 9;
  uint32_t result;
  if (uh >= 255) {
    result = 0x7FFFu << 10;
  } else {
    const uint32_t ua = table[uh], ub = table[uh + 1];
    result = (ua << 9) + (abs_x & 0x1ffu) * (ub - ua);
  }
  result = x >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1u;
  return (int16_t)(result >> 10);
}

static double logistic_d(double x, const void *unused) {
  (void)unused;
  return 1.0 / (1.0 + exp(-x));
}

static edgert_status logistic_eval(er_op_ctx *ctx) {
  const logistic_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  if (er_is_extra_float(in->dtype)) {
    er_map_extra_float(in, out, logistic_d, NULL);
    return EDGERT_OK;
  }
  switch (in->dtype) {
  case EDGERT_FLOAT32: {
    const float *x = in->data;
    float *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = logistic_float(x[i]);
    break;
  }
  case EDGERT_INT8: {
    const int8_t *x = in->data;
    int8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = logistic_int8(d, x[i]);
    break;
  }
  case EDGERT_UINT8: {
    const uint8_t *x = in->data;
    uint8_t *y = out->data;
    for (int64_t i = 0; i < n; i++)
      y[i] = logistic_uint8(d, x[i]);
    break;
  }
  case EDGERT_INT16: {
    const int16_t *x = in->data;
    int16_t *y = out->data;
    /* A zero multiplier marks a power-of-two input scale: 3 << shift folds the 1/3 scaling in. */
    int32_t multiplier = d->input_multiplier ? d->input_multiplier : 3 << d->input_left_shift;
    int left_shift = d->input_multiplier ? d->input_left_shift : 0;
    for (int64_t i = 0; i < n; i++)
      y[i] = logistic_int16(multiplier, left_shift, x[i]);
    break;
  }
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "dtype changed after prepare");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_logistic = {logistic_prepare, logistic_eval};
