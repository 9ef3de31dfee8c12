/* LOGISTIC (sigmoid) for float32, int8, uint8 and int16, matching TFLite Micro: int8 rescales the input
 * to Q4.27 and evaluates gemmlowp's fixed-point logistic (reference/integer_ops/logistic.h); uint8 does
 * the same with TFLite's uint8 reference (reference_ops::Logistic(LogisticParams, uint8): output scale
 * 1/256 zero point 0, 256 kept as 255); int16 needs zero points of 0 and an output scale of 2^-15, and
 * interpolates TFLite's 256-entry sigmoid table. (TFLite's own interpreter now runs uint8 through a table
 * built in float, which can differ from this fixed-point reference by one step.) */
#include <math.h>

#include "core/cpu.h"
#include "ops/elementwise_f32.h"
#include "ops/sigmoid_tanh_common.h"

/* float32 runs through a vectorized sigmoid chosen at prepare (er_f32_vsigmoid: logistic_float's cutoffs
 * and formula with a polynomial exp, within 2 ulp of it). */
typedef struct {
  er_f32_vunary_fn sigmoid;
} logistic_f32_data;

static edgert_status logistic_prepare_f32(er_op_ctx *ctx) {
  logistic_f32_data *d = ACT_ALLOC_OP_DATA(ctx, logistic_f32_data);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->sigmoid = er_f32_elementwise_select(er_cpu_detect())->unary[ER_F32_VSIGMOID];
  ctx->op_data = d;
  er_output_may_overwrite(ctx, 0);
  return EDGERT_OK;
}

static edgert_status logistic_prepare_int8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                           sigmoid_tanh_data *d) {
  if (out->q.zero_point != INT8_MIN)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "int8 output zero point is %d, must be -128",
                   (int)out->q.zero_point);
  sigmoid_tanh_prepare_q4_input(in, d);
  return EDGERT_OK;
}

/* uint8 (TFLite's SigmoidPrepare for uint8): output scale exactly 1/256 and zero point 0. */
static edgert_status logistic_prepare_uint8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out,
                                            sigmoid_tanh_data *d) {
  if (out->q.zero_point != 0 || out->q.scale != 1.0f / 256.0f)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 output must have scale 1/256 and zero point 0, has %g and %d", (double)out->q.scale,
                   (int)out->q.zero_point);
  edgert_status st = sigmoid_tanh_check_uint8_input(ctx, in);
  if (st != EDGERT_OK) return st;
  sigmoid_tanh_prepare_q4_input(in, d);
  return EDGERT_OK;
}

static edgert_status logistic_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  sigmoid_tanh_data *d;
  edgert_status st = sigmoid_tanh_prepare_common(ctx, &in, &out, &d);
  if (st != EDGERT_OK) return st;
  if (!d) return in->dtype == EDGERT_FLOAT32 ? logistic_prepare_f32(ctx) : EDGERT_OK;
  switch (in->dtype) {
  case EDGERT_INT8: return logistic_prepare_int8(ctx, in, out, d);
  case EDGERT_UINT8: return logistic_prepare_uint8(ctx, in, out, d);
  default: return sigmoid_tanh_prepare_int16(ctx, in, out, 0, d);
  }
}

/* The reference. TFLite's float reference cuts off where the result is 1.0f or exp(x) to float precision. */
static inline float logistic_float(float x) {
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.0f;
  if (x > cutoff_upper) return 1.0f;
  if (x < cutoff_lower) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

static inline int8_t logistic_int8(const sigmoid_tanh_data *d, int8_t q) {
  int32_t x_q4;
  const int side = sigmoid_tanh_q4_input(d, q, &x_q4);
  if (side) return side < 0 ? INT8_MIN : INT8_MAX;
  const int32_t y_q0 = fx_logistic(x_q4, 4);
  /* From Q0.31 to the output's 2^-8 steps, then onto the -128 zero point. */
  const int32_t y = er_rounding_divide_by_pot(y_q0, 31 - 8) + INT8_MIN;
  return (int8_t)er_clamp_i32(y, INT8_MIN, INT8_MAX);
}

/* As the int8 path, onto 2^-8 steps with zero point 0; 1.0 (256) is kept as the largest uint8. */
static inline uint8_t logistic_uint8(const sigmoid_tanh_data *d, uint8_t q) {
  int32_t x_q4;
  const int side = sigmoid_tanh_q4_input(d, q, &x_q4);
  if (side) return side < 0 ? 0 : UINT8_MAX;
  const int32_t y = er_rounding_divide_by_pot(fx_logistic(x_q4, 4), 31 - 8);
  return (uint8_t)(y > UINT8_MAX ? UINT8_MAX : y);
}

/* The table holds sigmoid(i/24); the input arrives on the scale 1/(3*4096), so the top bits above 9
 * index the table and the low 9 interpolate. Negative inputs use sigmoid(-x) = 1 - sigmoid(x). */
static inline int16_t logistic_int16(int32_t multiplier, int left_shift, int16_t q) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int32_t x = sigmoid_tanh_int16_input(multiplier, left_shift, q);
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

static const sigmoid_tanh_fns logistic_fns = {logistic_float, logistic_d, logistic_int8, logistic_uint8,
                                              logistic_int16};

static edgert_status logistic_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  if (in->dtype == EDGERT_FLOAT32) {
    const logistic_f32_data *d = ctx->op_data;
    er_f32_vunary_run(ctx, d->sigmoid, er_tensor_elements(in), in->data, er_output(ctx, 0)->data, NULL);
    return EDGERT_OK;
  }
  return sigmoid_tanh_eval(ctx, &logistic_fns);
}

const er_kernel er_kernel_logistic = {.prepare = logistic_prepare, .eval = logistic_eval};
