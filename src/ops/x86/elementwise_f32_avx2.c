/* float32 elementwise micro-kernels for AVX2 + FMA (see ops/elementwise_f32.h): 8 lanes, tails through
 * maskload / maskstore. Clamps are max(lo, v) then min(hi, v) with the bound as the first operand,
 * which is exactly v < lo ? lo : v and v > hi ? hi : v (NaN and signed zeros included). */
#include <float.h>
#include <immintrin.h>

#include "ops/elementwise_f32.h"
#include "ops/vector_math.h"
#include "ops/x86/sum8_avx2.h"

/* Lanes below n set, for 0 < n < 8. */
static inline __m256i tail_mask(size_t n) {
  static const int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i *)(ones_then_zeros + 8 - n));
}

static inline __m256 clamp8(__m256 v, __m256 lo, __m256 hi) {
  return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

/* er_exp_f32 on 8 lanes (FMA for the reduction and the polynomial). */
static inline __m256 exp8(__m256 x) {
  const __m256 magic = _mm256_set1_ps(ER_EXP_F32_ROUND_MAGIC);
  x = _mm256_min_ps(_mm256_set1_ps(ER_EXP_F32_MAX_X), x);
  x = _mm256_max_ps(_mm256_set1_ps(ER_EXP_F32_MIN_X), x);
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
  const __m256 p = _mm256_add_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_mul_ps(r, r), q, r));
  /* 2^k in two normal halves, so a subnormal result rounds once. */
  const __m256i k1 = _mm256_srai_epi32(k, 1), k2 = _mm256_sub_epi32(k, k1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

static inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 low = _mm256_cmp_ps(x, _mm256_set1_ps(ER_SIGMOID_F32_LOWER), _CMP_LT_OQ);
  const __m256 high = _mm256_cmp_ps(x, _mm256_set1_ps(ER_SIGMOID_F32_UPPER), _CMP_GT_OQ);
  const __m256 minus_x = _mm256_xor_ps(x, _mm256_set1_ps(-0.0f));
  const __m256 e = exp8(_mm256_blendv_ps(minus_x, x, low));
  __m256 y = _mm256_div_ps(one, _mm256_add_ps(one, e));
  y = _mm256_blendv_ps(y, e, low);
  return _mm256_blendv_ps(y, one, high);
}

#define DEFINE_BINARY(NAME, OP)                                                                              \
  static void er_f32_v##NAME##__avx2(size_t n, const float *a, const float *b, float *y,                     \
                                     const er_f32_elementwise_params *p) {                                   \
    const __m256 lo = _mm256_set1_ps(p->min), hi = _mm256_set1_ps(p->max);                                   \
    for (; n >= 8; n -= 8, a += 8, b += 8, y += 8)                                                           \
      _mm256_storeu_ps(y, clamp8(OP(_mm256_loadu_ps(a), _mm256_loadu_ps(b)), lo, hi));                       \
    if (n) {                                                                                                 \
      const __m256i m = tail_mask(n);                                                                        \
      _mm256_maskstore_ps(y, m, clamp8(OP(_mm256_maskload_ps(a, m), _mm256_maskload_ps(b, m)), lo, hi));     \
    }                                                                                                        \
  }                                                                                                          \
  static void er_f32_v##NAME##c__avx2(size_t n, const float *a, const float *b, float *y,                    \
                                      const er_f32_elementwise_params *p) {                                  \
    const __m256 lo = _mm256_set1_ps(p->min), hi = _mm256_set1_ps(p->max), c = _mm256_set1_ps(b[0]);         \
    for (; n >= 8; n -= 8, a += 8, y += 8)                                                                   \
      _mm256_storeu_ps(y, clamp8(OP(_mm256_loadu_ps(a), c), lo, hi));                                        \
    if (n) {                                                                                                 \
      const __m256i m = tail_mask(n);                                                                        \
      _mm256_maskstore_ps(y, m, clamp8(OP(_mm256_maskload_ps(a, m), c), lo, hi));                            \
    }                                                                                                        \
  }                                                                                                          \
  static void er_f32_vr##NAME##c__avx2(size_t n, const float *a, const float *b, float *y,                   \
                                       const er_f32_elementwise_params *p) {                                 \
    const __m256 lo = _mm256_set1_ps(p->min), hi = _mm256_set1_ps(p->max), c = _mm256_set1_ps(b[0]);         \
    for (; n >= 8; n -= 8, a += 8, y += 8)                                                                   \
      _mm256_storeu_ps(y, clamp8(OP(c, _mm256_loadu_ps(a)), lo, hi));                                        \
    if (n) {                                                                                                 \
      const __m256i m = tail_mask(n);                                                                        \
      _mm256_maskstore_ps(y, m, clamp8(OP(c, _mm256_maskload_ps(a, m)), lo, hi));                            \
    }                                                                                                        \
  }

DEFINE_BINARY(add, _mm256_add_ps)
DEFINE_BINARY(sub, _mm256_sub_ps)
DEFINE_BINARY(mul, _mm256_mul_ps)
DEFINE_BINARY(div, _mm256_div_ps)
#undef DEFINE_BINARY

/* A unary kernel from an 8-lane function F(v, p) (masked-off lanes compute on zeros and are not stored). */
#define DEFINE_UNARY(NAME, F)                                                                                \
  static void er_f32_v##NAME##__avx2(size_t n, const float *x, float *y,                                     \
                                     const er_f32_elementwise_params *p) {                                   \
    for (; n >= 8; n -= 8, x += 8, y += 8)                                                                   \
      _mm256_storeu_ps(y, F(_mm256_loadu_ps(x), p));                                                         \
    if (n) {                                                                                                 \
      const __m256i m = tail_mask(n);                                                                        \
      _mm256_maskstore_ps(y, m, F(_mm256_maskload_ps(x, m), p));                                             \
    }                                                                                                        \
  }

static inline __m256 clamp_of(__m256 v, const er_f32_elementwise_params *p) {
  return clamp8(v, _mm256_set1_ps(p->min), _mm256_set1_ps(p->max));
}

static inline __m256 sigmoid_of(__m256 v, const er_f32_elementwise_params *p) {
  (void)p;
  return sigmoid8(v);
}

/* In double, as the reference: alpha * x is exact there, so the FMA rounds as its multiply-add does.
 * min(v, 1) first with v as the first operand gives 1 for NaN, as fmin does. */
static inline __m128 hard_sigmoid4(__m128 x, __m256d alpha, __m256d beta) {
  const __m256d v = _mm256_fmadd_pd(_mm256_cvtps_pd(x), alpha, beta);
  return _mm256_cvtpd_ps(_mm256_max_pd(_mm256_min_pd(v, _mm256_set1_pd(1.0)), _mm256_setzero_pd()));
}

static inline __m256 hard_sigmoid_of(__m256 v, const er_f32_elementwise_params *p) {
  const __m256d alpha = _mm256_set1_pd(p->alpha), beta = _mm256_set1_pd(p->beta);
  const __m128 lo = hard_sigmoid4(_mm256_castps256_ps128(v), alpha, beta);
  const __m128 hi = hard_sigmoid4(_mm256_extractf128_ps(v, 1), alpha, beta);
  return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}

static inline __m256 hard_swish_of(__m256 v, const er_f32_elementwise_params *p) {
  (void)p;
  const __m256 r = clamp8(_mm256_add_ps(v, _mm256_set1_ps(3.0f)), _mm256_setzero_ps(), _mm256_set1_ps(6.0f));
  return _mm256_div_ps(_mm256_mul_ps(v, r), _mm256_set1_ps(6.0f));
}

static inline __m256 leaky_relu_of(__m256 v, const er_f32_elementwise_params *p) {
  const __m256 positive = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
  return _mm256_blendv_ps(_mm256_mul_ps(v, _mm256_set1_ps(p->alpha)), v, positive);
}

static inline __m256 silu_of(__m256 v, const er_f32_elementwise_params *p) {
  (void)p;
  return _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_xor_ps(v, _mm256_set1_ps(-0.0f)))));
}

DEFINE_UNARY(clamp, clamp_of)
DEFINE_UNARY(sigmoid, sigmoid_of)
DEFINE_UNARY(hard_sigmoid, hard_sigmoid_of)
DEFINE_UNARY(hard_swish, hard_swish_of)
DEFINE_UNARY(leaky_relu, leaky_relu_of)
DEFINE_UNARY(silu, silu_of)
#undef DEFINE_UNARY

static inline float hmax8(__m256 m) {
  __m128 v = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  v = _mm_max_ps(v, _mm_movehl_ps(v, v));
  v = _mm_max_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(v);
}

/* max(x, m) with x first keeps m where x is NaN, so NaN is skipped as in the reference. */
static float er_f32_rmax__avx2(size_t n, const float *x) {
  __m256 m = _mm256_set1_ps(-FLT_MAX);
  for (; n >= 8; n -= 8, x += 8)
    m = _mm256_max_ps(_mm256_loadu_ps(x), m);
  if (n) {
    const __m256i mask = tail_mask(n);
    const __m256 v = _mm256_blendv_ps(m, _mm256_maskload_ps(x, mask), _mm256_castsi256_ps(mask));
    m = _mm256_max_ps(v, m);
  }
  return hmax8(m);
}

static float er_f32_raddstoreexpminusmax__avx2(size_t n, const float *x, float max, float *y,
                                               const er_f32_elementwise_params *p) {
  const __m256 vmax = _mm256_set1_ps(max), beta = _mm256_set1_ps(p->beta);
  __m256 sum = _mm256_setzero_ps();
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 e = exp8(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x), vmax), beta));
    _mm256_storeu_ps(y, e);
    sum = _mm256_add_ps(sum, e);
  }
  if (n) {
    const __m256i mask = tail_mask(n);
    const __m256 e = exp8(_mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(x, mask), vmax), beta));
    _mm256_maskstore_ps(y, mask, e);
    sum = _mm256_add_ps(sum, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
  }
  return er_sum8_avx2(sum);
}

const er_f32_elementwise_isa er_f32_elementwise__avx2 = {
    "avx2",
    {{er_f32_vadd__avx2, er_f32_vaddc__avx2, er_f32_vraddc__avx2},
     {er_f32_vsub__avx2, er_f32_vsubc__avx2, er_f32_vrsubc__avx2},
     {er_f32_vmul__avx2, er_f32_vmulc__avx2, er_f32_vrmulc__avx2},
     {er_f32_vdiv__avx2, er_f32_vdivc__avx2, er_f32_vrdivc__avx2}},
    {er_f32_vclamp__avx2, er_f32_vsigmoid__avx2, er_f32_vhard_sigmoid__avx2, er_f32_vhard_swish__avx2,
     er_f32_vleaky_relu__avx2, er_f32_vsilu__avx2},
    er_f32_rmax__avx2,
    er_f32_raddstoreexpminusmax__avx2,
};
