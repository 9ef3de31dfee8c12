/* int8 GEMM micro-kernel for AVX-VNNI: a 4 x 8 tile, vpdpbusd on activations offset to uint8 (x + 128;
 * the column constants take 128 * sum_w back off) and int8 weights, four products per int32 lane. The
 * requantization is the AVX2 one. See ops/gemm_s8.h. */
#include <immintrin.h>
#include <string.h>

#include "ops/gemm_s8.h"

static inline __m256i broadcast_quad(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

void er_s8_gemm_4x8c4__avxvnni(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const uint8_t *pa = a;
  const int8_t *pw = w;
  __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  for (int64_t g = 0; g < k_groups; g++, pa += 16, pw += 32) {
    const __m256i wv = _mm256_loadu_si256((const __m256i *)pw);
    acc0 = _mm256_dpbusd_avx_epi32(acc0, broadcast_quad(pa + 0), wv);
    acc1 = _mm256_dpbusd_avx_epi32(acc1, broadcast_quad(pa + 4), wv);
    acc2 = _mm256_dpbusd_avx_epi32(acc2, broadcast_quad(pa + 8), wv);
    acc3 = _mm256_dpbusd_avx_epi32(acc3, broadcast_quad(pa + 12), wv);
  }
  _mm256_storeu_si256((__m256i *)(c + 0), acc0);
  _mm256_storeu_si256((__m256i *)(c + 8), acc1);
  _mm256_storeu_si256((__m256i *)(c + 16), acc2);
  _mm256_storeu_si256((__m256i *)(c + 24), acc3);
}
