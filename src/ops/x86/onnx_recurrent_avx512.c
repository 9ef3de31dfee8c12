/* The ONNX RNN/GRU/LSTM fast path's lane primitives with AVX-512 and FMA: 16 floats per register (the
 * 8-float lanes taken in pairs, a masked half register for an odd one), products fused into the sums,
 * reciprocals from vrcp14ps plus a Newton step, and the whole LSTM cell (gates, cell update, hidden
 * state) in one pass over the lanes. Same formulas as ops/onnx_recurrent_lanes.h; FMA rounding makes
 * them differ from the baseline in the last bits only. */
#include <immintrin.h>
#include <stdbool.h>

#include "ops/onnx_recurrent_lanes.h"

/* The mask of the floats of lanes [first, first + 2) that exist. */
static inline __mmask16 pair_mask(int64_t lane, int64_t lanes) {
  return lane + 1 < lanes ? (__mmask16)0xFFFF : (__mmask16)0x00FF;
}

/* out += v^T M, two lanes (16 floats) per register, up to four registers per pass over the rows; even
 * and odd rows go to separate accumulators so that the chains of dependent FMAs are half as long. */
static void add_vec_mat_avx512(float *out, const float *m, int64_t stride, const float *v, int64_t rows,
                               int64_t lanes) {
  int64_t l = 0;
  for (; l + 8 <= lanes; l += 8) {
    float *o = out + l * ER_RNN_LANES;
    const float *mc = m + l * ER_RNN_LANES;
    __m512 a0 = _mm512_loadu_ps(o), a1 = _mm512_loadu_ps(o + 16), a2 = _mm512_loadu_ps(o + 32),
           a3 = _mm512_loadu_ps(o + 48);
    __m512 b0 = _mm512_setzero_ps(), b1 = b0, b2 = b0, b3 = b0;
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
      const float *r0 = mc + i * stride, *r1 = r0 + stride;
      const __m512 v0 = _mm512_set1_ps(v[i]), v1 = _mm512_set1_ps(v[i + 1]);
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(r0), v0, a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 16), v0, a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 32), v0, a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 48), v0, a3);
      b0 = _mm512_fmadd_ps(_mm512_loadu_ps(r1), v1, b0);
      b1 = _mm512_fmadd_ps(_mm512_loadu_ps(r1 + 16), v1, b1);
      b2 = _mm512_fmadd_ps(_mm512_loadu_ps(r1 + 32), v1, b2);
      b3 = _mm512_fmadd_ps(_mm512_loadu_ps(r1 + 48), v1, b3);
    }
    if (i < rows) {
      const float *r0 = mc + i * stride;
      const __m512 v0 = _mm512_set1_ps(v[i]);
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(r0), v0, a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 16), v0, a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 32), v0, a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(r0 + 48), v0, a3);
    }
    _mm512_storeu_ps(o, _mm512_add_ps(a0, b0));
    _mm512_storeu_ps(o + 16, _mm512_add_ps(a1, b1));
    _mm512_storeu_ps(o + 32, _mm512_add_ps(a2, b2));
    _mm512_storeu_ps(o + 48, _mm512_add_ps(a3, b3));
  }
  for (; l < lanes; l += 2) {
    const __mmask16 k = pair_mask(l, lanes);
    float *o = out + l * ER_RNN_LANES;
    const float *mc = m + l * ER_RNN_LANES;
    __m512 a = _mm512_maskz_loadu_ps(k, o), b = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
      a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, mc + i * stride), _mm512_set1_ps(v[i]), a);
      b = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, mc + (i + 1) * stride), _mm512_set1_ps(v[i + 1]), b);
    }
    if (i < rows) a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, mc + i * stride), _mm512_set1_ps(v[i]), a);
    _mm512_mask_storeu_ps(o, k, _mm512_add_ps(a, b));
  }
}

/* e^x for |x| <= 87 (bounded first, NaN kept): the baseline's Cody-Waite reduction and polynomial. */
static inline __m512 exp_bounded(__m512 x) {
  x = _mm512_max_ps(_mm512_set1_ps(-87.0f), _mm512_min_ps(_mm512_set1_ps(87.0f), x));
  const __m512 magic = _mm512_set1_ps(ER_EXP_F32_ROUND_MAGIC);
  const __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(ER_EXP_F32_LOG2E), magic);
  const __m512 n = _mm512_sub_ps(t, magic);
  const __m512i k = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_castps_si512(magic));
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ER_EXP_F32_LN2_HI), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ER_EXP_F32_LN2_LO), r);
  __m512 q = _mm512_set1_ps(ER_EXP_F32_C6);
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C5));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C4));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C3));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C2));
  const __m512 p = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(r, r), q, r), _mm512_set1_ps(1.0f));
  return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(p), _mm512_slli_epi32(k, 23)));
}

/* 1 / d for d >= 1: 14-bit estimate, one Newton step (about 1 ulp). */
static inline __m512 reciprocal(__m512 d) {
  const __m512 r = _mm512_rcp14_ps(d);
  return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.0f)), r);
}

static inline __m512 sigmoid16(__m512 x) {
  return reciprocal(_mm512_add_ps(_mm512_set1_ps(1.0f), exp_bounded(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

/* The baseline's tanh: odd polynomial below |x| = 0.3, (1 - e) / (1 + e) with e = e^-2|x| above. */
static inline __m512 tanh16(__m512 x) {
  const __m512 sign_bit = _mm512_castsi512_ps(_mm512_set1_epi32((int32_t)0x80000000u));
  const __m512 a = _mm512_andnot_ps(sign_bit, x);
  const __m512 e = exp_bounded(_mm512_mul_ps(_mm512_set1_ps(-2.0f), a));
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 big = _mm512_mul_ps(_mm512_sub_ps(one, e), reciprocal(_mm512_add_ps(one, e)));
  const __m512 x2 = _mm512_mul_ps(x, x);
  __m512 q = _mm512_set1_ps(-0x1.226e36p-7f);
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(0x1.664f48p-6f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-0x1.ba1ba2p-5f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(0x1.111112p-3f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-0x1.555556p-2f));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(x, x2), q, x);
  const __mmask16 use_small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.3f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(use_small, _mm512_or_ps(big, _mm512_and_ps(x, sign_bit)), small);
}

static void sigmoid_avx512(float *v, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l += 2) {
    const __mmask16 k = pair_mask(l, lanes);
    float *p = v + l * ER_RNN_LANES;
    _mm512_mask_storeu_ps(p, k, sigmoid16(_mm512_maskz_loadu_ps(k, p)));
  }
}

static void tanh_avx512(float *v, int64_t lanes) {
  for (int64_t l = 0; l < lanes; l += 2) {
    const __mmask16 k = pair_mask(l, lanes);
    float *p = v + l * ER_RNN_LANES;
    _mm512_mask_storeu_ps(p, k, tanh16(_mm512_maskz_loadu_ps(k, p)));
  }
}

/* |x| bounded by `clip`, sign and NaN kept. */
static inline __m512 bound(__m512 x, __m512 clip) {
  return _mm512_max_ps(_mm512_sub_ps(_mm512_setzero_ps(), clip), _mm512_min_ps(clip, x));
}

/* One LSTM step after the products (no peepholes): gates i, o, f, c in blocks `padded` apart. */
static void lstm_cell_avx512(float *g, float *c, float *h, int64_t lanes, uint32_t clip_bits,
                             bool input_forget) {
  const int64_t np = lanes * ER_RNN_LANES;
  const bool clipped = clip_bits < 0x7f800000u;
  const __m512 clip = _mm512_castsi512_ps(_mm512_set1_epi32((int32_t)clip_bits));
  for (int64_t l = 0; l < lanes; l += 2) {
    const __mmask16 k = pair_mask(l, lanes);
    const int64_t j = l * ER_RNN_LANES;
    __m512 gi = _mm512_maskz_loadu_ps(k, g + j), go = _mm512_maskz_loadu_ps(k, g + np + j),
           gf = _mm512_maskz_loadu_ps(k, g + 2 * np + j), gc = _mm512_maskz_loadu_ps(k, g + 3 * np + j);
    if (clipped) {
      gi = bound(gi, clip);
      go = bound(go, clip);
      gf = bound(gf, clip);
      gc = bound(gc, clip);
    }
    const __m512 in_gate = sigmoid16(gi), out_gate = sigmoid16(go);
    const __m512 forget = input_forget ? _mm512_sub_ps(_mm512_set1_ps(1.0f), in_gate) : sigmoid16(gf);
    const __m512 cell =
        _mm512_fmadd_ps(forget, _mm512_maskz_loadu_ps(k, c + j), _mm512_mul_ps(in_gate, tanh16(gc)));
    _mm512_mask_storeu_ps(c + j, k, cell);
    _mm512_mask_storeu_ps(h + j, k, _mm512_mul_ps(out_gate, tanh16(cell)));
  }
}

const er_rnn_lane_kernels er_rnn_lane_kernels_avx512 = {add_vec_mat_avx512, sigmoid_avx512, tanh_avx512,
                                                        lstm_cell_avx512};
