/* The int8 LSTM's gate products with AVX-512 VNNI: 16 packed weight rows per block, 4 bytes of K per
 * vpdpbusd, activations as uint8 (x + 128; prepare folds the 128 * sum_w back out of the row constants).
 * Four blocks run side by side to hide the accumulate latency. */
#include <immintrin.h>

#include "ops/lstm.h"

static inline __m512i broadcast_group(const int8_t *x, int32_t kg) {
  int32_t v;
  __builtin_memcpy(&v, x + (size_t)kg * 4, sizeof v);
  return _mm512_set1_epi32(v);
}

void er_s8_lstm_matvec_16x4__avx512vnni(int32_t row_blocks, int32_t k_groups, const int8_t *packed_w,
                                        const int8_t *x, int32_t *out) {
  const size_t block_bytes = (size_t)k_groups * 64;
  int32_t b = 0;
  for (; b + 4 <= row_blocks; b += 4) {
    const int8_t *w = packed_w + (size_t)b * block_bytes;
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int32_t kg = 0; kg < k_groups; kg++) {
      const __m512i xv = broadcast_group(x, kg);
      const int8_t *wk = w + (size_t)kg * 64;
      acc0 = _mm512_dpbusd_epi32(acc0, xv, _mm512_loadu_si512(wk));
      acc1 = _mm512_dpbusd_epi32(acc1, xv, _mm512_loadu_si512(wk + block_bytes));
      acc2 = _mm512_dpbusd_epi32(acc2, xv, _mm512_loadu_si512(wk + 2 * block_bytes));
      acc3 = _mm512_dpbusd_epi32(acc3, xv, _mm512_loadu_si512(wk + 3 * block_bytes));
    }
    _mm512_storeu_si512(out + (size_t)b * 16, acc0);
    _mm512_storeu_si512(out + (size_t)b * 16 + 16, acc1);
    _mm512_storeu_si512(out + (size_t)b * 16 + 32, acc2);
    _mm512_storeu_si512(out + (size_t)b * 16 + 48, acc3);
  }
  for (; b < row_blocks; b++) {
    const int8_t *w = packed_w + (size_t)b * block_bytes;
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0;
    int32_t kg = 0;
    for (; kg + 2 <= k_groups; kg += 2) {
      acc0 = _mm512_dpbusd_epi32(acc0, broadcast_group(x, kg), _mm512_loadu_si512(w + (size_t)kg * 64));
      acc1 =
          _mm512_dpbusd_epi32(acc1, broadcast_group(x, kg + 1), _mm512_loadu_si512(w + (size_t)kg * 64 + 64));
    }
    if (kg < k_groups)
      acc0 = _mm512_dpbusd_epi32(acc0, broadcast_group(x, kg), _mm512_loadu_si512(w + (size_t)kg * 64));
    _mm512_storeu_si512(out + (size_t)b * 16, _mm512_add_epi32(acc0, acc1));
  }
}
