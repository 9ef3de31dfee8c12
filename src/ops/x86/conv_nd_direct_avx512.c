/* AVX-512 micro-kernels of the NCHW float32 direct convolution for few input channels (conv_nd_direct.h):
 * one output row of a block of 16 output channels, 16 output columns per step. Each tap is loaded once (a
 * stride-2 tap: the 31 floats its 16 outputs span, two masked loads, the even ones kept by one permute) and
 * feeds 16 accumulators, one per output channel, through FMAs with a broadcast weight (folded into the FMA's
 * memory operand): 16 independent chains hide the FMA latency and the loads stay well below the FMAs. Every
 * output adds its taps in order (c, ky, kx) in one chain. */
#include <immintrin.h>

#include "ops/conv_nd_direct.h"

static inline __m512 clamp16(__m512 v, __m512 lo, __m512 hi) {
  /* max(lo, v) and min(hi, v) return v when v is NaN, as the scalar clamp does. */
  return _mm512_min_ps(hi, _mm512_max_ps(lo, v));
}

static inline __mmask16 mask16(int64_t left) {
  return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
}

static inline __m512 load_taps_s1(const float *p, uint32_t mask, __m512i even) {
  (void)even;
  return _mm512_maskz_loadu_ps((__mmask16)mask, p);
}

static inline __m512 load_taps_s2(const float *p, uint32_t mask, __m512i even) {
  __m512 lo = _mm512_maskz_loadu_ps((__mmask16)mask, p);
  __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(mask >> 16), p + 16);
  return _mm512_permutex2var_ps(lo, even, hi);
}

#define DEFINE_CONV_DIRECT_AVX512(NAME, STRIDE, LOAD)                                                        \
  void NAME(const float *const *in_rows, int64_t cin, const int64_t *col_off, const uint32_t *col_mask,      \
            const float *w, const float *bias, float lo, float hi, float *out, int64_t out_cstride,          \
            int64_t couts, int64_t ow) {                                                                     \
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);        \
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);                                         \
    const int64_t coff0 = col_off[0], coff1 = col_off[1], coff2 = col_off[2];                                \
    for (int64_t j = 0; j < ow; j += 16, col_mask += 3) {                                                    \
      __m512 acc[16];                                                                                        \
      _Pragma("GCC unroll 16") for (int oc = 0; oc < 16; oc++) acc[oc] = _mm512_set1_ps(bias[oc]);           \
      const float *wc = w;                                                                                   \
      for (int64_t c = 0; c < cin; c++) {                                                                    \
        _Pragma("GCC unroll 3") for (int ky = 0; ky < 3; ky++) {                                             \
          const float *row = in_rows[c * 3 + ky] + j * STRIDE;                                               \
          _Pragma("GCC unroll 3") for (int kx = 0; kx < 3; kx++, wc += 16) {                                 \
            const int64_t coff = kx == 0 ? coff0 : (kx == 1 ? coff1 : coff2);                                \
            __m512 x = LOAD(row + coff, col_mask[kx], even);                                                 \
            _Pragma("GCC unroll 16") for (int oc = 0; oc < 16; oc++) acc[oc] =                               \
                _mm512_fmadd_ps(x, _mm512_set1_ps(wc[oc]), acc[oc]);                                         \
          }                                                                                                  \
        }                                                                                                    \
      }                                                                                                      \
      const __mmask16 store = mask16(ow - j);                                                                \
      _Pragma("GCC unroll 16") for (int oc = 0; oc < 16; oc++) {                                             \
        if (oc < couts)                                                                                      \
          _mm512_mask_storeu_ps(out + oc * out_cstride + j, store, clamp16(acc[oc], vlo, vhi));              \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_CONV_DIRECT_AVX512(er_f32_conv_nchw_direct_3x3s1__avx512, 1, load_taps_s1)
DEFINE_CONV_DIRECT_AVX512(er_f32_conv_nchw_direct_3x3s2__avx512, 2, load_taps_s2)
