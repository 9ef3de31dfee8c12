/* Shared integer math (src/core/quant.c) against TensorFlow Lite's own expectations, from
 * tensorflow/lite/kernels/internal/quantization_util_test.cc (QuantizeMultiplierSmallerThanOneExp,
 * QuantizeMultiplierGreaterThanOne, QuantizeMultiplierUnderflow, MultiplyByQuantizedMultiplierInt32 and
 * Int64, PreprocessSoftmaxScaling in the double-rounding build, QuantizeMultiplierArray) and the behaviour
 * gemmlowp's fixedpoint.h documents for SaturatingRoundingDoublingHighMul and RoundingDivideByPOT. */
#include <math.h>

#include "core/quant.h"
#include "test.h"

static void expect_multiplier(double real, int32_t want_m, int want_shift) {
  int32_t m;
  int shift;
  er_quantize_multiplier(real, &m, &shift);
  CHECK_MSG(m == want_m && shift == want_shift, "QuantizeMultiplier(%.17g) = (%d, %d), expected (%d, %d)",
            real, (int)m, shift, (int)want_m, want_shift);
}

static void quantize_multiplier_below_one(void) {
  expect_multiplier(0.25, 1073741824, -1);
  expect_multiplier(0.50 - 5e-9, 2147483627, -1);
  expect_multiplier(0.50 - 1e-10, 1073741824, 0);
  expect_multiplier(0.50, 1073741824, 0);
  expect_multiplier(0.75, 1610612736, 0);
  expect_multiplier(1 - 1e-9, 2147483646, 0);
}

static void quantize_multiplier_above_one(void) {
  expect_multiplier(1 + 1e-11, 1073741824, 1);
  expect_multiplier(1.25, 1342177280, 1);
  expect_multiplier(1.50, 1610612736, 1);
  expect_multiplier(1.75, 1879048192, 1);
  expect_multiplier(2 - 1e-9, 2147483647, 1);
  expect_multiplier(2 - 1e-11, 1073741824, 2);
  expect_multiplier(2, 1073741824, 2);
}

static void quantize_multiplier_underflow(void) {
  expect_multiplier(ldexp(1.0f, -31), 1073741824, -30);
  expect_multiplier(ldexp(1.0f, -32), 1073741824, -31);
  expect_multiplier(ldexp(0.99f, -32), 0, 0);
  expect_multiplier(ldexp(1.0f, -33), 0, 0);
}

/* PreprocessSoftmaxScaling (double rounding) feeds QuantizeMultiplier values up to 2^31 - 1 and expects
 * shift 31: there must be no clamp of the shift at 30 (that clamp belongs to the single-rounding build). */
static void quantize_multiplier_no_shift_clamp(void) {
  double max_real = (double)((1LL << 31) - 1);
  double real = fmin(1.0 * 16.0 * (double)(1 << (31 - 4)), max_real);
  expect_multiplier(real, 2147483647, 31);
  expect_multiplier(fmin(1.0 * 8.0 * (double)(1 << (31 - 4)), max_real), 1073741824, 31);
}

static void quantize_multiplier_array(void) {
  static const double weights[13] = {-4, -2, -1, -0.5, -0.25, -0.125, 0, 0.125, 0.25, 0.5, 1, 2, 4};
  static const int32_t want_m[13] = {-1073741824, -1073741824, -1073741824, -1073741824, -1073741824,
                                     -1073741824, 0,           1073741824,  1073741824,  1073741824,
                                     1073741824,  1073741824,  1073741824};
  static const int want_shift[13] = {3, 2, 1, 0, -1, -2, 0, -2, -1, 0, 1, 2, 3};
  for (int i = 0; i < 13; i++)
    expect_multiplier(weights[i], want_m[i], want_shift[i]);
}

static int32_t quant_and_multiply(int32_t x, double real) {
  int32_t m;
  int shift;
  er_quantize_multiplier(real, &m, &shift);
  return er_multiply_by_quantized_multiplier(x, m, shift);
}

static int32_t quant_and_multiply_64(int64_t x, double real) {
  int32_t m;
  int shift;
  er_quantize_multiplier(real, &m, &shift);
  return er_multiply_by_quantized_multiplier_64(x, m, shift);
}

static void multiply_int32(void) {
  CHECK_EQ_INT(quant_and_multiply(0, 0.1), 0);
  CHECK_EQ_INT(quant_and_multiply(1, 0), 0);
  CHECK_EQ_INT(quant_and_multiply(10000, 0.00097656), 10);
  CHECK_EQ_INT(quant_and_multiply(-10000, 0.00097656), -10);
  CHECK_EQ_INT(quant_and_multiply(INT32_MIN, 0.00001), -21475);
  CHECK_EQ_INT(quant_and_multiply(INT32_MAX, 0.00001), 21475);
  /* negative multipliers exist only in the double-rounding build */
  CHECK_EQ_INT(quant_and_multiply(10000, -0.00097656), -10);
  CHECK_EQ_INT(quant_and_multiply(-10000, -0.00097656), 10);
  CHECK_EQ_INT(quant_and_multiply(INT32_MIN, -0.00001), 21475);
  CHECK_EQ_INT(quant_and_multiply(INT32_MAX, -0.00001), -21475);
  /* maximum x and multiplier */
  const int32_t x = INT32_MAX, m = INT32_MAX;
  const int32_t want = (int32_t)round((double)((int64_t)x * m) / (double)(1LL << 34));
  CHECK_EQ_INT(er_multiply_by_quantized_multiplier(x, m, -3), want);
  CHECK_EQ_INT(er_multiply_by_quantized_multiplier(-x, m, -3), -want);
}

static void multiply_int64(void) {
  CHECK_EQ_INT(quant_and_multiply_64(0, 0.1), 0);
  CHECK_EQ_INT(quant_and_multiply_64(1, 0), 0);
  CHECK_EQ_INT(quant_and_multiply_64(10000, 0.00097656), 10);
  CHECK_EQ_INT(quant_and_multiply_64(-10000, 0.00097656), -10);
  CHECK_EQ_INT(quant_and_multiply_64(-(1LL << 47), 0.00001), -1407385600);
  CHECK_EQ_INT(quant_and_multiply_64((1LL << 47) - 1, 0.00001), 1407385600);
  const int64_t x = (1LL << 47) - 1;
  CHECK_EQ_INT(er_multiply_by_quantized_multiplier_64(x, INT32_MAX, -31), 65534);
  CHECK_EQ_INT(er_multiply_by_quantized_multiplier_64(-x, INT32_MAX, -31), -65534);
}

/* gemmlowp: the doubling high multiply saturates only for INT32_MIN * INT32_MIN and rounds to nearest with
 * ties upward (its nudge is 2^30 for positive products and 1 - 2^30 for negative ones, then the division
 * truncates); RoundingDivideByPOT rounds to nearest with ties away from zero. */
static void fixed_point_primitives(void) {
  CHECK_EQ_INT(er_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  CHECK_EQ_INT(er_saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
  CHECK_EQ_INT(er_saturating_rounding_doubling_high_mul(3, 1 << 30), 2);   /* 1.5 -> 2 */
  CHECK_EQ_INT(er_saturating_rounding_doubling_high_mul(-3, 1 << 30), -1); /* -1.5 -> -1 */
  CHECK_EQ_INT(er_rounding_divide_by_pot(5, 1), 3);
  CHECK_EQ_INT(er_rounding_divide_by_pot(-5, 1), -3);
  CHECK_EQ_INT(er_rounding_divide_by_pot(-6, 2), -2); /* -1.5 -> -2 */
  CHECK_EQ_INT(er_rounding_divide_by_pot(-5, 2), -1); /* -1.25 -> -1 */
  CHECK_EQ_INT(er_rounding_divide_by_pot_64(-((int64_t)3 << 40), 41), -2);
  CHECK_EQ_INT(er_rounding_divide_by_pot(7, 0), 7);
}

/* kernel_util.cc CalculateActivationRangeQuantized: bounds are zero_point + round(bound / scale), then
 * limited to the type's range. */
static void activation_range_quantized(void) {
  int32_t lo, hi;
  er_activation_range_quantized(ER_ACT_NONE, 0.5f, -1, -128, 127, &lo, &hi);
  CHECK(lo == -128 && hi == 127);
  er_activation_range_quantized(ER_ACT_RELU, 0.5f, -1, -128, 127, &lo, &hi);
  CHECK(lo == -1 && hi == 127);
  er_activation_range_quantized(ER_ACT_RELU6, 0.25f, 3, -128, 127, &lo, &hi);
  CHECK(lo == 3 && hi == 27);
  er_activation_range_quantized(ER_ACT_RELU6, 0.01f, 0, -128, 127, &lo, &hi);
  CHECK(lo == 0 && hi == 127);
  er_activation_range_quantized(ER_ACT_RELU_N1_TO_1, 1.0f / 256, 0, -32768, 32767, &lo, &hi);
  CHECK(lo == -256 && hi == 256);
  /* A zero point beyond the range gives min > max, and the clamp then yields max, as TFLite's
   * std::min(std::max(v, lo), hi) does. */
  er_activation_range_quantized(ER_ACT_RELU, 1.0f, 200, -128, 127, &lo, &hi);
  CHECK(lo == 200 && hi == 127);
  CHECK_EQ_INT(er_clamp_i32(0, lo, hi), 127);
}

void run_tests(void) {
  RUN(quantize_multiplier_below_one);
  RUN(quantize_multiplier_above_one);
  RUN(quantize_multiplier_underflow);
  RUN(quantize_multiplier_no_shift_clamp);
  RUN(quantize_multiplier_array);
  RUN(multiply_int32);
  RUN(multiply_int64);
  RUN(fixed_point_primitives);
  RUN(activation_range_quantized);
}
