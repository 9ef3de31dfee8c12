/* int8 GEMM micro-kernel for AVX-512 VNNI: an 8 x 16 tile (eight rows share each weight load), vpdpbusd on
 * activations offset to uint8 (x + 128; the column constants take 128 * sum_w back off) and int8 weights,
 * four products per int32 lane. The requantization is the AVX-512 one. See ops/gemm_s8.h. */
#include <immintrin.h>
#include <string.h>

#include "ops/gemm_s8.h"

static inline __m512i broadcast_quad(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

void er_s8_gemm_8x16c4__avx512vnni(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const uint8_t *pa = a;
  const int8_t *pw = w;
  __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  __m512i acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
  for (int64_t g = 0; g < k_groups; g++, pa += 32, pw += 64) {
    const __m512i wv = _mm512_loadu_si512(pw);
    acc0 = _mm512_dpbusd_epi32(acc0, broadcast_quad(pa + 0), wv);
    acc1 = _mm512_dpbusd_epi32(acc1, broadcast_quad(pa + 4), wv);
    acc2 = _mm512_dpbusd_epi32(acc2, broadcast_quad(pa + 8), wv);
    acc3 = _mm512_dpbusd_epi32(acc3, broadcast_quad(pa + 12), wv);
    acc4 = _mm512_dpbusd_epi32(acc4, broadcast_quad(pa + 16), wv);
    acc5 = _mm512_dpbusd_epi32(acc5, broadcast_quad(pa + 20), wv);
    acc6 = _mm512_dpbusd_epi32(acc6, broadcast_quad(pa + 24), wv);
    acc7 = _mm512_dpbusd_epi32(acc7, broadcast_quad(pa + 28), wv);
  }
  _mm512_storeu_si512(c + 0, acc0);
  _mm512_storeu_si512(c + 16, acc1);
  _mm512_storeu_si512(c + 32, acc2);
  _mm512_storeu_si512(c + 48, acc3);
  _mm512_storeu_si512(c + 64, acc4);
  _mm512_storeu_si512(c + 80, acc5);
  _mm512_storeu_si512(c + 96, acc6);
  _mm512_storeu_si512(c + 112, acc7);
}
