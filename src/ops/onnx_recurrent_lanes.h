/* The lane primitives of the ONNX RNN/GRU/LSTM fast path (onnx_recurrent.c), as static inline portable
 * C so that one source serves every ISA: onnx_recurrent.c compiles them for the baseline (SSE2 on
 * x86-64, plain scalar code on an MCU) and src/ops/x86/onnx_recurrent_avx2.c for AVX2, where GCC
 * vectorizes the same loops 8 wide. No FMA contraction happens (ISO C mode), so every build gives the
 * same bits. Data come in whole lanes: `lanes` groups of ER_RNN_LANES floats. */
#ifndef EDGERT_OPS_ONNX_RECURRENT_LANES_H
#define EDGERT_OPS_ONNX_RECURRENT_LANES_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ops/vector_math.h"

#define ER_RNN_LANES 8

/* The loops that take the time, chosen at prepare (er_rnn_lane_kernels_for). */
typedef struct {
  void (*add_vec_mat)(float *out, const float *m, int64_t stride, const float *v, int64_t rows, int64_t lanes);
  void (*sigmoid)(float *v, int64_t lanes);
  void (*tanh)(float *v, int64_t lanes);
  /* One whole LSTM step after the products, without peepholes, in one pass: gates i, o, f, c (blocks of
   * `lanes` lanes) bounded by the clip (bits of a float; infinity: none), c = f * c + i * tanh(c_gate)
   * (f = 1 - i with input_forget), h = o * tanh(c). NULL: the step runs the loops above in turn. */
  void (*lstm_cell)(float *g, float *c, float *h, int64_t lanes, uint32_t clip_bits, bool input_forget);
} er_rnn_lane_kernels;

#if defined(ER_SIMD_X86)
extern const er_rnn_lane_kernels er_rnn_lane_kernels_avx2;
extern const er_rnn_lane_kernels er_rnn_lane_kernels_avx512;
#endif

/* out += v^T M for M of `rows` rows (row stride `stride`): the columns of out are independent sums, each
 * added up in row order. Four lanes at a time where possible (then two, then one), so that enough
 * independent accumulators hide the latency of the additions. */
#define ER_RNN_WIDE (4 * ER_RNN_LANES)

static inline void er_rnn_add_vec_mat(float *restrict out, const float *restrict m, int64_t stride, const float *restrict v,
                        int64_t rows, int64_t lanes) {
  int64_t l = 0;
  for (; l + 4 <= lanes; l += 4, out += ER_RNN_WIDE, m += ER_RNN_WIDE) {
    /* four arrays of one lane each (not one of four lanes): GCC then keeps them all in registers */
    float a0[ER_RNN_LANES], a1[ER_RNN_LANES], a2[ER_RNN_LANES], a3[ER_RNN_LANES];
    for (int k = 0; k < ER_RNN_LANES; k++) a0[k] = out[k], a1[k] = out[ER_RNN_LANES + k];
    for (int k = 0; k < ER_RNN_LANES; k++) a2[k] = out[2 * ER_RNN_LANES + k], a3[k] = out[3 * ER_RNN_LANES + k];
    for (int64_t i = 0; i < rows; i++) {
      const float vi = v[i], *row = m + i * stride;
      for (int k = 0; k < ER_RNN_LANES; k++) a0[k] += row[k] * vi;
      for (int k = 0; k < ER_RNN_LANES; k++) a1[k] += row[ER_RNN_LANES + k] * vi;
      for (int k = 0; k < ER_RNN_LANES; k++) a2[k] += row[2 * ER_RNN_LANES + k] * vi;
      for (int k = 0; k < ER_RNN_LANES; k++) a3[k] += row[3 * ER_RNN_LANES + k] * vi;
    }
    for (int k = 0; k < ER_RNN_LANES; k++) out[k] = a0[k], out[ER_RNN_LANES + k] = a1[k];
    for (int k = 0; k < ER_RNN_LANES; k++) out[2 * ER_RNN_LANES + k] = a2[k], out[3 * ER_RNN_LANES + k] = a3[k];
  }
  if (l + 2 <= lanes) {
    float a0[ER_RNN_LANES], a1[ER_RNN_LANES];
    for (int k = 0; k < ER_RNN_LANES; k++) a0[k] = out[k], a1[k] = out[ER_RNN_LANES + k];
    for (int64_t i = 0; i < rows; i++) {
      const float vi = v[i], *row = m + i * stride;
      for (int k = 0; k < ER_RNN_LANES; k++) a0[k] += row[k] * vi;
      for (int k = 0; k < ER_RNN_LANES; k++) a1[k] += row[ER_RNN_LANES + k] * vi;
    }
    for (int k = 0; k < ER_RNN_LANES; k++) out[k] = a0[k], out[ER_RNN_LANES + k] = a1[k];
    l += 2, out += 2 * ER_RNN_LANES, m += 2 * ER_RNN_LANES;
  }
  for (; l < lanes; l++, out += ER_RNN_LANES, m += ER_RNN_LANES) {
    float acc[ER_RNN_LANES];
    for (int k = 0; k < ER_RNN_LANES; k++) acc[k] = out[k];
    for (int64_t i = 0; i < rows; i++) {
      const float vi = v[i], *row = m + i * stride;
      for (int k = 0; k < ER_RNN_LANES; k++) acc[k] += row[k] * vi;
    }
    for (int k = 0; k < ER_RNN_LANES; k++) out[k] = acc[k];
  }
}

/* |x| bounded to the magnitude with bits `limit`, sign kept, NaN kept; done on the bits because float
 * selects keep GCC from vectorizing (they might trap). */
static inline float er_rnn_bound_magnitude(float x, int32_t limit) {
  int32_t b = (int32_t)er_f32_bits(x), mag = b & INT32_MAX, sign = b & INT32_MIN;
  int32_t bounded = mag < limit ? mag : limit;
  bounded = mag > 0x7f800000 ? mag : bounded;
  return er_f32_from_bits((uint32_t)(bounded | sign));
}

/* e^x for |x| <= 87 (bounded first): 2^n e^r with r = x - n ln2 in [-ln2/2, ln2/2] (Cody-Waite), e^r a
 * degree-6 polynomial (a least-max-relative-error fit, the one ops/vector_math.h uses). */
static inline float er_rnn_exp_bounded(float x) {
  x = er_rnn_bound_magnitude(x, 0x42ae0000); /* 87.0f */
  const float magic = ER_EXP_F32_ROUND_MAGIC;
  const float t = x * ER_EXP_F32_LOG2E + magic;
  const float n = t - magic;
  const uint32_t k = er_f32_bits(t) - er_f32_bits(magic);
  float r = x - n * ER_EXP_F32_LN2_HI;
  r = r - n * ER_EXP_F32_LN2_LO;
  float q = ER_EXP_F32_C6;
  q = q * r + ER_EXP_F32_C5;
  q = q * r + ER_EXP_F32_C4;
  q = q * r + ER_EXP_F32_C3;
  q = q * r + ER_EXP_F32_C2;
  const float p = 1.0f + (r + (r * r) * q);
  return er_f32_from_bits(er_f32_bits(p) + (k << 23)); /* n >= -126 and p >= 1 there: stays normal */
}

static inline void er_rnn_sigmoid_lanes(float *restrict v, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, v += ER_RNN_LANES)
    for (int k = 0; k < ER_RNN_LANES; k++) v[k] = 1.0f / (1.0f + er_rnn_exp_bounded(-v[k]));
}

/* tanh: an odd Taylor polynomial through x^11 below |x| = 0.3 (where 1 - e^-2|x| would lose digits),
 * (1 - e) / (1 + e) with e = e^-2|x| above. */
static inline float er_rnn_tanh(float x) {
  const float a = fabsf(x), e = er_rnn_exp_bounded(-2.0f * a);
  const uint32_t big = er_f32_bits((1.0f - e) / (1.0f + e)) | (er_f32_bits(x) & 0x80000000u);
  const float x2 = x * x;
  float q = -0x1.226e36p-7f; /* -1382/155925 */
  q = q * x2 + 0x1.664f48p-6f; /* 62/2835 */
  q = q * x2 - 0x1.ba1ba2p-5f; /* 17/315 */
  q = q * x2 + 0x1.111112p-3f; /* 2/15 */
  q = q * x2 - 0x1.555556p-2f; /* 1/3 */
  const uint32_t small = er_f32_bits(x + x * x2 * q);
  const uint32_t use_small = 0u - (uint32_t)((int32_t)er_f32_bits(a) < 0x3e99999a); /* 0.3f */
  return er_f32_from_bits((small & use_small) | (big & ~use_small));
}

static inline void er_rnn_tanh_lanes(float *restrict v, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l++, v += ER_RNN_LANES)
    for (int k = 0; k < ER_RNN_LANES; k++) v[k] = er_rnn_tanh(v[k]);
}

#endif
