/* TANH for float32, int8, uint8 and int16, matching TFLite Micro: int8 rescales the input to Q4.27 and
 * evaluates gemmlowp's fixed-point tanh with the output on a 2^-7 scale (reference/integer_ops/tanh.h);
 * uint8 does the same as TFLite's uint8 reference (reference/tanh.h: output zero point 128, 256 kept as
 * 255); int16 needs zero points of 0 and an output scale of 2^-15 and uses the sigmoid table through
 * tanh(x) = 2 sigmoid(2x) - 1. (TFLite's own interpreter now runs uint8 through a table built in float,
 * which can differ from this fixed-point reference by one step.) */
#include <math.h>

#include "ops/sigmoid_tanh_common.h"

/* The uint8 reference writes its result on scale 1/128 around 128 whatever the output says (TFLite does
 * not check), so anything else is refused here rather than mislabelled. */
static edgert_status tanh_check_uint8(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (out->q.zero_point != 128 || out->q.scale != 1.0f / 128.0f)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "uint8 output must have scale 1/128 and zero point 128, has %g and %d",
                   (double)out->q.scale, (int)out->q.zero_point);
  return sigmoid_tanh_check_uint8_input(ctx, in);
}

static edgert_status tanh_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  sigmoid_tanh_data *d;
  edgert_status st = sigmoid_tanh_prepare_common(ctx, &in, &out, &d);
  if (st != EDGERT_OK || !d) return st;
  if (in->dtype == EDGERT_INT16) return sigmoid_tanh_prepare_int16(ctx, in, out, 1, d);
  if (in->dtype == EDGERT_UINT8 && (st = tanh_check_uint8(ctx, in, out)) != EDGERT_OK) return st;
  /* TFLM assumes (without checking) an int8 output of scale 2^-7 and zero point 0; uint8 was checked. */
  sigmoid_tanh_prepare_q4_input(in, d);
  return EDGERT_OK;
}

static inline int8_t tanh_int8(const sigmoid_tanh_data *d, int8_t q) {
  int32_t x_q4;
  const int side = sigmoid_tanh_q4_input(d, q, &x_q4);
  if (side) return side < 0 ? INT8_MIN : INT8_MAX;
  const int32_t y_q0 = fx_tanh(x_q4, 4);
  const int32_t y = er_rounding_divide_by_pot(y_q0, 31 - 7);
  return (int8_t)er_clamp_i32(y, INT8_MIN, INT8_MAX);
}

/* On 2^-7 steps around 128; 1.0 (256) is kept as the largest uint8. */
static inline uint8_t tanh_uint8(const sigmoid_tanh_data *d, uint8_t q) {
  int32_t x_q4;
  const int side = sigmoid_tanh_q4_input(d, q, &x_q4);
  if (side) return side < 0 ? 0 : UINT8_MAX;
  const int32_t y = er_rounding_divide_by_pot(fx_tanh(x_q4, 4), 31 - 7) + 128;
  return (uint8_t)(y > UINT8_MAX ? UINT8_MAX : y);
}

/* The input on the scale 1/(3*4096) doubled is 2x for the sigmoid table, so here the top bits above 8
 * index it and the low 8 interpolate; the result is 2 sigmoid - 1 with rounding, odd in x. */
static inline int16_t tanh_int16(int32_t multiplier, int left_shift, int16_t q) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int32_t x = sigmoid_tanh_int16_input(multiplier, left_shift, q);
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

static const sigmoid_tanh_fns tanh_fns = {tanhf, tanh_d, tanh_int8, tanh_uint8, tanh_int16};

static edgert_status tanh_eval(er_op_ctx *ctx) { return sigmoid_tanh_eval(ctx, &tanh_fns); }

const er_kernel er_kernel_tanh = {.prepare = tanh_prepare, .eval = tanh_eval};
