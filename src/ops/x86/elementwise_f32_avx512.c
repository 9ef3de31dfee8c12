/* float32 elementwise micro-kernels for AVX-512 (see ops/elementwise_f32.h): 16 lanes, tails through
 * masked loads and stores. Clamps are max(lo, v) then min(hi, v) with the bound as the first operand,
 * which is exactly v < lo ? lo : v and v > hi ? hi : v (NaN and signed zeros included). */
#include <float.h>
#include <immintrin.h>

#include "ops/elementwise_f32.h"
#include "ops/vector_math.h"

static inline __mmask16 tail_mask(size_t n) { return (__mmask16)((1u << n) - 1u); }

static inline __m512 clamp16(__m512 v, __m512 lo, __m512 hi) {
  return _mm512_min_ps(hi, _mm512_max_ps(lo, v));
}

/* er_exp_f32 on 16 lanes (FMA for the reduction and the polynomial). scalef applies 2^n with one rounding,
 * which is what the scalar form's two halves compute (exact in the normal range, one rounding into the
 * subnormals, infinity past the top), in one instruction instead of eight. */
static inline __m512 exp16(__m512 x) {
  const __m512 magic = _mm512_set1_ps(ER_EXP_F32_ROUND_MAGIC);
  x = _mm512_min_ps(_mm512_set1_ps(ER_EXP_F32_MAX_X), x);
  x = _mm512_max_ps(_mm512_set1_ps(ER_EXP_F32_MIN_X), x);
  const __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(ER_EXP_F32_LOG2E), magic);
  const __m512 n = _mm512_sub_ps(t, magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ER_EXP_F32_LN2_HI), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ER_EXP_F32_LN2_LO), r);
  __m512 q = _mm512_set1_ps(ER_EXP_F32_C6);
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C5));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C4));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C3));
  q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(ER_EXP_F32_C2));
  const __m512 p = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_mul_ps(r, r), q, r));
  return _mm512_scalef_ps(p, n);
}

static inline __m512 sigmoid16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __mmask16 low = _mm512_cmp_ps_mask(x, _mm512_set1_ps(ER_SIGMOID_F32_LOWER), _CMP_LT_OQ);
  const __mmask16 high = _mm512_cmp_ps_mask(x, _mm512_set1_ps(ER_SIGMOID_F32_UPPER), _CMP_GT_OQ);
  const __m512 minus_x =
      _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN)));
  const __m512 e = exp16(_mm512_mask_mov_ps(minus_x, low, x));
  __m512 y = _mm512_div_ps(one, _mm512_add_ps(one, e));
  y = _mm512_mask_mov_ps(y, low, e);
  return _mm512_mask_mov_ps(y, high, one);
}

#define DEFINE_BINARY(NAME, OP)                                                                              \
  static void er_f32_v##NAME##__avx512(size_t n, const float *a, const float *b, float *y,                   \
                                       const er_f32_elementwise_params *p) {                                 \
    const __m512 lo = _mm512_set1_ps(p->min), hi = _mm512_set1_ps(p->max);                                   \
    for (; n >= 16; n -= 16, a += 16, b += 16, y += 16)                                                      \
      _mm512_storeu_ps(y, clamp16(OP(_mm512_loadu_ps(a), _mm512_loadu_ps(b)), lo, hi));                      \
    if (n) {                                                                                                 \
      const __mmask16 m = tail_mask(n);                                                                      \
      _mm512_mask_storeu_ps(y, m,                                                                            \
                            clamp16(OP(_mm512_maskz_loadu_ps(m, a), _mm512_maskz_loadu_ps(m, b)), lo, hi));  \
    }                                                                                                        \
  }                                                                                                          \
  static void er_f32_v##NAME##c__avx512(size_t n, const float *a, const float *b, float *y,                  \
                                        const er_f32_elementwise_params *p) {                                \
    const __m512 lo = _mm512_set1_ps(p->min), hi = _mm512_set1_ps(p->max), c = _mm512_set1_ps(b[0]);         \
    for (; n >= 16; n -= 16, a += 16, y += 16)                                                               \
      _mm512_storeu_ps(y, clamp16(OP(_mm512_loadu_ps(a), c), lo, hi));                                       \
    if (n) {                                                                                                 \
      const __mmask16 m = tail_mask(n);                                                                      \
      _mm512_mask_storeu_ps(y, m, clamp16(OP(_mm512_maskz_loadu_ps(m, a), c), lo, hi));                      \
    }                                                                                                        \
  }                                                                                                          \
  static void er_f32_vr##NAME##c__avx512(size_t n, const float *a, const float *b, float *y,                 \
                                         const er_f32_elementwise_params *p) {                               \
    const __m512 lo = _mm512_set1_ps(p->min), hi = _mm512_set1_ps(p->max), c = _mm512_set1_ps(b[0]);         \
    for (; n >= 16; n -= 16, a += 16, y += 16)                                                               \
      _mm512_storeu_ps(y, clamp16(OP(c, _mm512_loadu_ps(a)), lo, hi));                                       \
    if (n) {                                                                                                 \
      const __mmask16 m = tail_mask(n);                                                                      \
      _mm512_mask_storeu_ps(y, m, clamp16(OP(c, _mm512_maskz_loadu_ps(m, a)), lo, hi));                      \
    }                                                                                                        \
  }

DEFINE_BINARY(add, _mm512_add_ps)
DEFINE_BINARY(sub, _mm512_sub_ps)
DEFINE_BINARY(mul, _mm512_mul_ps)
DEFINE_BINARY(div, _mm512_div_ps)
#undef DEFINE_BINARY

/* A unary kernel from a 16-lane function F(v, p) (masked-off lanes compute on zeros and are not stored). */
#define DEFINE_UNARY(NAME, F)                                                                                \
  static void er_f32_v##NAME##__avx512(size_t n, const float *x, float *y,                                   \
                                       const er_f32_elementwise_params *p) {                                 \
    for (; n >= 16; n -= 16, x += 16, y += 16)                                                               \
      _mm512_storeu_ps(y, F(_mm512_loadu_ps(x), p));                                                         \
    if (n) {                                                                                                 \
      const __mmask16 m = tail_mask(n);                                                                      \
      _mm512_mask_storeu_ps(y, m, F(_mm512_maskz_loadu_ps(m, x), p));                                        \
    }                                                                                                        \
  }

static inline __m512 clamp_of(__m512 v, const er_f32_elementwise_params *p) {
  return clamp16(v, _mm512_set1_ps(p->min), _mm512_set1_ps(p->max));
}

static inline __m512 sigmoid_of(__m512 v, const er_f32_elementwise_params *p) {
  (void)p;
  return sigmoid16(v);
}

/* In double, as the reference: alpha * x is exact there, so the FMA rounds as its multiply-add does.
 * min(v, 1) first with v as the first operand gives 1 for NaN, as fmin does. */
static inline __m256 hard_sigmoid8(__m256 x, __m512d alpha, __m512d beta) {
  const __m512d v = _mm512_fmadd_pd(_mm512_cvtps_pd(x), alpha, beta);
  const __m512d y = _mm512_max_pd(_mm512_min_pd(v, _mm512_set1_pd(1.0)), _mm512_setzero_pd());
  return _mm512_cvtpd_ps(y);
}

static inline __m512 hard_sigmoid_of(__m512 v, const er_f32_elementwise_params *p) {
  const __m512d alpha = _mm512_set1_pd(p->alpha), beta = _mm512_set1_pd(p->beta);
  const __m256 lo = hard_sigmoid8(_mm512_castps512_ps256(v), alpha, beta);
  const __m256 hi =
      hard_sigmoid8(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), alpha, beta);
  return _mm512_castpd_ps(
      _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
}

static inline __m512 hard_swish_of(__m512 v, const er_f32_elementwise_params *p) {
  (void)p;
  const __m512 r = clamp16(_mm512_add_ps(v, _mm512_set1_ps(3.0f)), _mm512_setzero_ps(), _mm512_set1_ps(6.0f));
  return _mm512_div_ps(_mm512_mul_ps(v, r), _mm512_set1_ps(6.0f));
}

static inline __m512 leaky_relu_of(__m512 v, const er_f32_elementwise_params *p) {
  const __mmask16 positive = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
  return _mm512_mask_mov_ps(_mm512_mul_ps(v, _mm512_set1_ps(p->alpha)), positive, v);
}

static inline __m512 silu_of(__m512 v, const er_f32_elementwise_params *p) {
  (void)p;
  return _mm512_div_ps(
      v, _mm512_add_ps(_mm512_set1_ps(1.0f), exp16(_mm512_castsi512_ps(_mm512_xor_si512(
                                                 _mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN))))));
}

DEFINE_UNARY(clamp, clamp_of)
DEFINE_UNARY(sigmoid, sigmoid_of)
DEFINE_UNARY(hard_sigmoid, hard_sigmoid_of)
DEFINE_UNARY(hard_swish, hard_swish_of)
DEFINE_UNARY(leaky_relu, leaky_relu_of)
DEFINE_UNARY(silu, silu_of)
#undef DEFINE_UNARY

/* max(x, m) with x first keeps m where x is NaN, so NaN is skipped as in the reference. */
static float er_f32_rmax__avx512(size_t n, const float *x) {
  __m512 m = _mm512_set1_ps(-FLT_MAX);
  for (; n >= 16; n -= 16, x += 16)
    m = _mm512_max_ps(_mm512_loadu_ps(x), m);
  if (n) m = _mm512_max_ps(_mm512_mask_loadu_ps(m, tail_mask(n), x), m);
  return _mm512_reduce_max_ps(m);
}

static float er_f32_raddstoreexpminusmax__avx512(size_t n, const float *x, float max, float *y,
                                                 const er_f32_elementwise_params *p) {
  const __m512 vmax = _mm512_set1_ps(max), beta = _mm512_set1_ps(p->beta);
  __m512 sum = _mm512_setzero_ps();
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x), vmax), beta));
    _mm512_storeu_ps(y, e);
    sum = _mm512_add_ps(sum, e);
  }
  if (n) {
    const __mmask16 m = tail_mask(n);
    const __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x), vmax), beta));
    _mm512_mask_storeu_ps(y, m, e);
    sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(m, e));
  }
  return _mm512_reduce_add_ps(sum);
}

const er_f32_elementwise_isa er_f32_elementwise__avx512 = {
    "avx512",
    {{er_f32_vadd__avx512, er_f32_vaddc__avx512, er_f32_vraddc__avx512},
     {er_f32_vsub__avx512, er_f32_vsubc__avx512, er_f32_vrsubc__avx512},
     {er_f32_vmul__avx512, er_f32_vmulc__avx512, er_f32_vrmulc__avx512},
     {er_f32_vdiv__avx512, er_f32_vdivc__avx512, er_f32_vrdivc__avx512}},
    {er_f32_vclamp__avx512, er_f32_vsigmoid__avx512, er_f32_vhard_sigmoid__avx512, er_f32_vhard_swish__avx512,
     er_f32_vleaky_relu__avx512, er_f32_vsilu__avx512},
    er_f32_rmax__avx512,
    er_f32_raddstoreexpminusmax__avx512,
};
