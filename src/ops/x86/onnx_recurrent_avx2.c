/* The ONNX RNN/GRU/LSTM fast path's lane primitives built with AVX2 and FMA. sigmoid and tanh are the
 * portable loops of ops/onnx_recurrent_lanes.h, which the compiler vectorizes 8 wide here (no FMA
 * contraction in ISO C mode: they equal the baseline bit for bit). add_vec_mat and the one-pass LSTM cell
 * are written with intrinsics: the same formulas with FMA and a Newton-refined vrcpps reciprocal, so
 * they differ from the baseline in the last bits only. */
#include <immintrin.h>

#include "ops/onnx_recurrent_lanes.h"

/* out += v^T M with FMA, four lanes per pass over the rows (then one at a time); even and odd rows go to
 * separate accumulators so that the chains of dependent FMAs are half as long. */
static void add_vec_mat_avx2(float *out, const float *m, int64_t stride, const float *v, int64_t rows,
                             int64_t lanes) {
  int64_t l = 0;
  for (; l + 4 <= lanes; l += 4) {
    float *o = out + l * ER_RNN_LANES;
    const float *mc = m + l * ER_RNN_LANES;
    __m256 a0 = _mm256_loadu_ps(o), a1 = _mm256_loadu_ps(o + 8), a2 = _mm256_loadu_ps(o + 16),
           a3 = _mm256_loadu_ps(o + 24);
    __m256 b0 = _mm256_setzero_ps(), b1 = b0, b2 = b0, b3 = b0;
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
      const float *r0 = mc + i * stride, *r1 = r0 + stride;
      const __m256 v0 = _mm256_broadcast_ss(v + i), v1 = _mm256_broadcast_ss(v + i + 1);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0), v0, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 8), v0, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 16), v0, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 24), v0, a3);
      b0 = _mm256_fmadd_ps(_mm256_loadu_ps(r1), v1, b0);
      b1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + 8), v1, b1);
      b2 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + 16), v1, b2);
      b3 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + 24), v1, b3);
    }
    if (i < rows) {
      const float *r0 = mc + i * stride;
      const __m256 v0 = _mm256_broadcast_ss(v + i);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0), v0, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 8), v0, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 16), v0, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + 24), v0, a3);
    }
    _mm256_storeu_ps(o, _mm256_add_ps(a0, b0));
    _mm256_storeu_ps(o + 8, _mm256_add_ps(a1, b1));
    _mm256_storeu_ps(o + 16, _mm256_add_ps(a2, b2));
    _mm256_storeu_ps(o + 24, _mm256_add_ps(a3, b3));
  }
  for (; l < lanes; l++) {
    float *o = out + l * ER_RNN_LANES;
    const float *mc = m + l * ER_RNN_LANES;
    __m256 a = _mm256_loadu_ps(o), b = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
      a = _mm256_fmadd_ps(_mm256_loadu_ps(mc + i * stride), _mm256_broadcast_ss(v + i), a);
      b = _mm256_fmadd_ps(_mm256_loadu_ps(mc + (i + 1) * stride), _mm256_broadcast_ss(v + i + 1), b);
    }
    if (i < rows) a = _mm256_fmadd_ps(_mm256_loadu_ps(mc + i * stride), _mm256_broadcast_ss(v + i), a);
    _mm256_storeu_ps(o, _mm256_add_ps(a, b));
  }
}

static void sigmoid_avx2(float *v, int64_t lanes) { er_rnn_sigmoid_lanes(v, lanes); }

static void tanh_avx2(float *v, int64_t lanes) { er_rnn_tanh_lanes(v, lanes); }

/* e^x for |x| <= 87 (bounded first, NaN kept): the baseline's Cody-Waite reduction and polynomial. */
static inline __m256 exp_bounded(__m256 x) {
  x = _mm256_max_ps(_mm256_set1_ps(-87.0f), _mm256_min_ps(_mm256_set1_ps(87.0f), x));
  const __m256 magic = _mm256_set1_ps(ER_EXP_F32_ROUND_MAGIC);
  const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(ER_EXP_F32_LOG2E), magic);
  const __m256 n = _mm256_sub_ps(t, magic);
  const __m256i k = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(ER_EXP_F32_LN2_HI), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(ER_EXP_F32_LN2_LO), r);
  __m256 q = _mm256_set1_ps(ER_EXP_F32_C6);
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(ER_EXP_F32_C5));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(ER_EXP_F32_C4));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(ER_EXP_F32_C3));
  q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(ER_EXP_F32_C2));
  const __m256 p = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(r, r), q, r), _mm256_set1_ps(1.0f));
  return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(k, 23)));
}

/* 1 / d for d >= 1: 12-bit estimate, one Newton step. */
static inline __m256 reciprocal(__m256 d) {
  const __m256 r = _mm256_rcp_ps(d);
  return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r);
}

static inline __m256 sigmoid8(__m256 x) {
  return reciprocal(_mm256_add_ps(_mm256_set1_ps(1.0f), exp_bounded(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

/* The baseline's tanh: odd polynomial below |x| = 0.3, (1 - e) / (1 + e) with e = e^-2|x| above. */
static inline __m256 tanh8(__m256 x) {
  const __m256 sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32((int32_t)0x80000000u));
  const __m256 a = _mm256_andnot_ps(sign_bit, x);
  const __m256 e = exp_bounded(_mm256_mul_ps(_mm256_set1_ps(-2.0f), a));
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 big = _mm256_mul_ps(_mm256_sub_ps(one, e), reciprocal(_mm256_add_ps(one, e)));
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 q = _mm256_set1_ps(-0x1.226e36p-7f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(0x1.664f48p-6f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-0x1.ba1ba2p-5f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(0x1.111112p-3f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-0x1.555556p-2f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(x, x2), q, x);
  const __m256 use_small = _mm256_cmp_ps(a, _mm256_set1_ps(0.3f), _CMP_LT_OQ);
  return _mm256_blendv_ps(_mm256_or_ps(big, _mm256_and_ps(x, sign_bit)), small, use_small);
}

/* |x| bounded by `clip`, sign and NaN kept. */
static inline __m256 bound(__m256 x, __m256 clip) {
  return _mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), clip), _mm256_min_ps(clip, x));
}

/* One LSTM step after the products (no peepholes): gates i, o, f, c in blocks `lanes` lanes apart. */
static void lstm_cell_avx2(float *g, float *c, float *h, int64_t lanes, uint32_t clip_bits,
                           bool input_forget) {
  const int64_t np = lanes * ER_RNN_LANES;
  const bool clipped = clip_bits < 0x7f800000u;
  const __m256 clip = _mm256_castsi256_ps(_mm256_set1_epi32((int32_t)clip_bits));
  for (int64_t j = 0; j < np; j += ER_RNN_LANES) {
    __m256 gi = _mm256_loadu_ps(g + j), go = _mm256_loadu_ps(g + np + j),
           gf = _mm256_loadu_ps(g + 2 * np + j), gc = _mm256_loadu_ps(g + 3 * np + j);
    if (clipped) {
      gi = bound(gi, clip);
      go = bound(go, clip);
      gf = bound(gf, clip);
      gc = bound(gc, clip);
    }
    const __m256 in_gate = sigmoid8(gi), out_gate = sigmoid8(go);
    const __m256 forget = input_forget ? _mm256_sub_ps(_mm256_set1_ps(1.0f), in_gate) : sigmoid8(gf);
    const __m256 cell = _mm256_fmadd_ps(forget, _mm256_loadu_ps(c + j), _mm256_mul_ps(in_gate, tanh8(gc)));
    _mm256_storeu_ps(c + j, cell);
    _mm256_storeu_ps(h + j, _mm256_mul_ps(out_gate, tanh8(cell)));
  }
}

const er_rnn_lane_kernels er_rnn_lane_kernels_avx2 = {add_vec_mat_avx2, sigmoid_avx2, tanh_avx2,
                                                      lstm_cell_avx2};
