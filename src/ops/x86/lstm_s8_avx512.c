/* The int8 LSTM's gate arithmetic with AVX-512, 16 packed rows at a time, bit for bit TFLM's: each part
 * (input, recurrent) as dot + constant - w_zero_point * sum(x) (prepare proved it stays in int32),
 * MultiplyByQuantizedMultiplier (wrapping left shift, saturating rounding doubling high multiply with
 * division toward zero, rounding right shift), clamped to int16; the sum clamped to int16; then the
 * int16 sigmoid (Q3.12 in, Q0.15 out) or tanh, both interpolating the 256-entry table, whose two
 * neighbours one 32-bit gather fetches. */
#include <immintrin.h>

#include "ops/fixedpoint_math.h"
#include "ops/lstm.h"

/* (a * b * 2 + 2^31 rounding) / 2^32 with gemmlowp's nudge and truncation toward zero; b is never
 * INT32_MIN (prepare checks it), so nothing saturates. */
static inline __m512i high_mul(__m512i a, __m512i b) {
  const __m512i nudge_pos = _mm512_set1_epi64(1 << 30), nudge_neg = _mm512_set1_epi64(1 - (1 << 30));
  const __m512i bias_neg = _mm512_set1_epi64(((int64_t)1 << 31) - 1);
  __m512i even = _mm512_mul_epi32(a, b);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
  const __mmask8 even_neg = _mm512_cmplt_epi64_mask(even, _mm512_setzero_si512());
  const __mmask8 odd_neg = _mm512_cmplt_epi64_mask(odd, _mm512_setzero_si512());
  even = _mm512_add_epi64(even, _mm512_mask_blend_epi64(even_neg, nudge_pos, nudge_neg));
  odd = _mm512_add_epi64(odd, _mm512_mask_blend_epi64(odd_neg, nudge_pos, nudge_neg));
  /* truncation toward zero: negative sums get 2^31 - 1 added before the arithmetic shift */
  even = _mm512_mask_add_epi64(even, _mm512_cmplt_epi64_mask(even, _mm512_setzero_si512()), even, bias_neg);
  odd = _mm512_mask_add_epi64(odd, _mm512_cmplt_epi64_mask(odd, _mm512_setzero_si512()), odd, bias_neg);
  even = _mm512_srai_epi64(even, 31);
  odd = _mm512_slli_epi64(_mm512_srai_epi64(odd, 31), 32);
  return _mm512_mask_blend_epi32((__mmask16)0xAAAA, even, odd);
}

/* gemmlowp RoundingDivideByPOT with a per-lane exponent in [0, 31]. */
static inline __m512i rounding_shift_right(__m512i x, __m512i exponent) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
  const __m512i remainder = _mm512_and_si512(x, mask);
  __m512i threshold = _mm512_srai_epi32(mask, 1);
  threshold =
      _mm512_mask_add_epi32(threshold, _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()), threshold, one);
  const __m512i shifted = _mm512_srav_epi32(x, exponent);
  return _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, one);
}

static inline __m512i clamp_i16(__m512i v) {
  return _mm512_min_epi32(_mm512_max_epi32(v, _mm512_set1_epi32(INT16_MIN)), _mm512_set1_epi32(INT16_MAX));
}

/* One part's int16 term for rows [at, at + 16). */
static inline __m512i part_term(const lstm_int8_row_rescale *r, const int32_t *dots, int32_t x_sum,
                                size_t at) {
  __m512i acc = _mm512_add_epi32(_mm512_loadu_si512(dots + at), _mm512_loadu_si512(r->constant + at));
  acc = _mm512_sub_epi32(
      acc, _mm512_mullo_epi32(_mm512_loadu_si512(r->w_zero_point + at), _mm512_set1_epi32(x_sum)));
  acc = _mm512_sllv_epi32(acc, _mm512_loadu_si512(r->left_shift + at));
  acc = high_mul(acc, _mm512_loadu_si512(r->multiplier + at));
  return clamp_i16(rounding_shift_right(acc, _mm512_loadu_si512(r->right_shift + at)));
}

/* table[i] in the low half, table[i + 1] in the high half, for i <= 254. */
static inline __m512i table_pairs(const uint16_t *table, __m512i index) {
  return _mm512_i32gather_epi32(_mm512_min_epu32(index, _mm512_set1_epi32(254)), (const void *)table, 2);
}

/* The lstm_int8.c sigmoid_q12 on 16 lanes: x = 3v indexes the table every 2^9. */
static inline __m512i sigmoid_q12(__m512i v, const uint16_t *table) {
  const __m512i x = _mm512_mullo_epi32(v, _mm512_set1_epi32(3));
  const __m512i ax = _mm512_abs_epi32(x);
  const __m512i index = _mm512_srli_epi32(ax, 9);
  const __m512i pairs = table_pairs(table, index);
  const __m512i a = _mm512_and_si512(pairs, _mm512_set1_epi32(0xFFFF)), b = _mm512_srli_epi32(pairs, 16);
  __m512i r = _mm512_add_epi32(
      _mm512_slli_epi32(a, 9),
      _mm512_mullo_epi32(_mm512_and_si512(ax, _mm512_set1_epi32(0x1FF)), _mm512_sub_epi32(b, a)));
  r = _mm512_mask_mov_epi32(r, _mm512_cmpge_epu32_mask(index, _mm512_set1_epi32(255)),
                            _mm512_set1_epi32(0x7FFF << 10));
  const __m512i positive = _mm512_add_epi32(r, _mm512_set1_epi32(1 << 9));
  const __m512i negative = _mm512_sub_epi32(_mm512_set1_epi32((1 << 25) + (1 << 9) - 1), r);
  r = _mm512_mask_blend_epi32(_mm512_cmpge_epi32_mask(x, _mm512_setzero_si512()), negative, positive);
  return _mm512_srli_epi32(r, 10);
}

/* The lstm_int8.c tanh_pot(v, -12) on 16 lanes: x = 3v indexes the table every 2^8. */
static inline __m512i tanh_q12(__m512i v, const uint16_t *table) {
  const __m512i x = _mm512_mullo_epi32(v, _mm512_set1_epi32(3));
  const __m512i ax = _mm512_abs_epi32(x);
  const __m512i index = _mm512_srli_epi32(ax, 8);
  const __m512i pairs = table_pairs(table, index);
  const __m512i a = _mm512_and_si512(pairs, _mm512_set1_epi32(0xFFFF)), b = _mm512_srli_epi32(pairs, 16);
  __m512i r = _mm512_add_epi32(
      _mm512_slli_epi32(a, 8),
      _mm512_mullo_epi32(_mm512_and_si512(ax, _mm512_set1_epi32(0xFF)), _mm512_sub_epi32(b, a)));
  r = _mm512_mask_mov_epi32(r, _mm512_cmpge_epu32_mask(index, _mm512_set1_epi32(255)),
                            _mm512_set1_epi32(0xFFFF << 8));
  const __m512i positive = _mm512_add_epi32(r, _mm512_set1_epi32(-(1 << 23) + (1 << 7)));
  const __m512i negative = _mm512_sub_epi32(_mm512_set1_epi32((1 << 23) + (1 << 7) - 1), r);
  r = _mm512_mask_blend_epi32(_mm512_cmpge_epi32_mask(x, _mm512_setzero_si512()), negative, positive);
  return _mm512_srai_epi32(r, 8);
}

void er_s8_lstm_gates__avx512(const struct lstm_int8_fast_s *f, const int32_t *x_dots, const int32_t *h_dots,
                              int32_t x_sum, int32_t h_sum, int16_t *out) {
  for (int32_t b = 0; b < f->row_blocks; b++) {
    const size_t at = (size_t)b * ER_S8_LSTM_ROWS;
    const __m512i sum = clamp_i16(_mm512_add_epi32(part_term(&f->input_rows, x_dots, x_sum, at),
                                                   part_term(&f->recurrent_rows, h_dots, h_sum, at)));
    __m512i gate = sigmoid_q12(sum, f->sigmoid_table);
    const __mmask16 tanh_rows = f->tanh_rows[b];
    if (tanh_rows) gate = _mm512_mask_mov_epi32(gate, tanh_rows, tanh_q12(sum, f->sigmoid_table));
    _mm256_storeu_si256((__m256i *)(void *)(out + at), _mm512_cvtepi32_epi16(gate));
  }
}

/* MultiplyByQuantizedMultiplier with one multiplier and shift for all lanes. */
static inline __m512i rescale_uniform(__m512i x, lstm_rescale r) {
  const int left = r.shift > 0 ? r.shift : 0, right = r.shift > 0 ? 0 : -r.shift;
  x = _mm512_sllv_epi32(x, _mm512_set1_epi32(left));
  return rounding_shift_right(high_mul(x, _mm512_set1_epi32(r.multiplier)),
                              _mm512_set1_epi32(right > 31 ? 31 : right));
}

static inline __m512i load_i16(const int16_t *p, __mmask16 k) {
  return _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(k, p));
}

/* The lstm_int8.c tanh_pot on 16 lanes for a cell scale of 2^power: x = 3v brought to table units by a
 * rounding right shift or a left shift, then the table every 2^8. */
static inline __m512i tanh_pot(__m512i v, int power, const uint16_t *table) {
  int left_shift = 15 + power - 3;
  int32_t multiplier = 3;
  if (left_shift >= 0) {
    multiplier = 3 << left_shift;
    left_shift = 0;
  } else {
    left_shift = -left_shift;
  }
  const int32_t round = left_shift > 0 ? 1 << (left_shift - 1) : 0;
  const __m512i x = _mm512_srai_epi32(
      _mm512_add_epi32(_mm512_mullo_epi32(v, _mm512_set1_epi32(multiplier)), _mm512_set1_epi32(round)),
      (unsigned)left_shift);
  const __m512i ax = _mm512_abs_epi32(x);
  const __m512i index = _mm512_srli_epi32(ax, 8);
  const __m512i pairs = table_pairs(table, index);
  const __m512i a = _mm512_and_si512(pairs, _mm512_set1_epi32(0xFFFF)), b = _mm512_srli_epi32(pairs, 16);
  __m512i r = _mm512_add_epi32(
      _mm512_slli_epi32(a, 8),
      _mm512_mullo_epi32(_mm512_and_si512(ax, _mm512_set1_epi32(0xFF)), _mm512_sub_epi32(b, a)));
  r = _mm512_mask_mov_epi32(r, _mm512_cmpge_epu32_mask(index, _mm512_set1_epi32(255)),
                            _mm512_set1_epi32(0xFFFF << 8));
  const __m512i positive = _mm512_add_epi32(r, _mm512_set1_epi32(-(1 << 23) + (1 << 7)));
  const __m512i negative = _mm512_sub_epi32(_mm512_set1_epi32((1 << 23) + (1 << 7) - 1), r);
  r = _mm512_mask_blend_epi32(_mm512_cmpge_epi32_mask(x, _mm512_setzero_si512()), negative, positive);
  return _mm512_srai_epi32(r, 8);
}

void er_s8_lstm_cell__avx512(const lstm_int8_params *q, size_t len, const int16_t *gates, int16_t *cell,
                             int8_t *hidden) {
  const int16_t *input = gates + LSTM_GATE_INPUT * len, *forget = gates + LSTM_GATE_FORGET * len,
                *cell_gate = gates + LSTM_GATE_CELL * len, *output = gates + LSTM_GATE_OUTPUT * len;
  const uint16_t *table = fx_sigmoid_table_uint16();
  const __m512i clip = _mm512_set1_epi32(q->quantized_cell_clip);
  for (size_t i = 0; i < len; i += 16) {
    const __mmask16 k = len - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (len - i)) - 1u);
    const __m512i c = load_i16(cell + i, k);
    const __m512i kept =
        clamp_i16(rescale_uniform(_mm512_mullo_epi32(load_i16(forget + i, k), c), q->forget_times_cell));
    const __m512i added = clamp_i16(rescale_uniform(
        _mm512_mullo_epi32(load_i16(input + i, k), load_i16(cell_gate + i, k)), q->input_times_cell_gate));
    __m512i updated = clamp_i16(_mm512_add_epi32(kept, added));
    if (q->clip_cell)
      updated =
          _mm512_min_epi32(_mm512_max_epi32(updated, _mm512_sub_epi32(_mm512_setzero_si512(), clip)), clip);
    _mm512_mask_cvtepi32_storeu_epi16(cell + i, k, updated);
    const __m512i t = tanh_pot(updated, q->cell_scale_power, table);
    __m512i h = _mm512_add_epi32(
        rescale_uniform(_mm512_mullo_epi32(t, load_i16(output + i, k)), q->output_times_tanh_cell),
        _mm512_set1_epi32(q->hidden_zero_point));
    h = _mm512_min_epi32(_mm512_max_epi32(h, _mm512_set1_epi32(INT8_MIN)), _mm512_set1_epi32(INT8_MAX));
    _mm512_mask_cvtepi32_storeu_epi8(hidden + i, k, h);
  }
}
