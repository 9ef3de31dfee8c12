/* Helpers for the uint8 ("v1" asymmetric quantization) kernel tests: a uint8 tensor's scale and zero
 * point from a float range, and quantized data, both exactly as TFLite's kernel tests make them
 * (tensorflow/lite/kernels/test_util.h QuantizationParams<uint8_t> and Quantize<T>; int32 biases at
 * input scale times filter scale with zero point 0, as SingleOpModel adds them). */
#ifndef EDGERT_TESTS_UINT8_TEST_H
#define EDGERT_TESTS_UINT8_TEST_H

#include "activation_test.h"

/* A uint8 tensor quantized over [min, max]. */
typedef struct {
  float scale;
  int32_t zp;
} u8_range;

static inline u8_range u8_of(float min, float max) {
  u8_range r = {0, 0};
  tfl_quant_params(min, max, 0, 255, &r.scale, &r.zp);
  return r;
}

/* Quantizes n (at most 256) floats into q. */
static inline void quantize_u8(const float *x, int n, u8_range r, uint8_t *q) {
  int32_t v[256];
  tfl_quantize(x, n, r.scale, r.zp, 0, 255, v);
  to_u8(v, n, q);
}

static inline void quantize_bias(const float *x, int n, float scale, int32_t *q) {
  tfl_quantize(x, n, scale, 0, INT32_MIN, INT32_MAX, q);
}

static inline float dequantize_u8(uint8_t q, u8_range r) { return r.scale * (float)((int32_t)q - r.zp); }

static inline void expect_u8(const uint8_t *got, const uint8_t *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(got[i], want[i]);
}

#endif
