/* qs8 NHWC depthwise convolution, AVX-512 (F, BW, VL, DQ), for depth multiplier 1 or one input channel
 * (others run the scalar kernel): 32 channels at a time (16 for the last 16 or fewer), each
 * tap's (x + input_offset) * w formed exactly in int16 lanes and widened into two int32 accumulators;
 * the last channels under a lane mask, so there is no scalar tail; 8 or 16 channels as groups of pixels
 * (below). The requantization is TFLite's, with the same bits as er_requantize_i32 (see dwconv_qs8_avx2.c
 * for the reasoning). */
#include <immintrin.h>
#include <stdbool.h>
#include <string.h>

#include "ops/depthwise_conv_nhwc.h"
#include "ops/index_math.h"

static inline __m512i requantize_16(__m512i acc, __m512i multiplier, __m512i shift) {
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  const __m512i left = _mm512_max_epi32(shift, zero);
  const __m512i right =
      _mm512_min_epi32(_mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero), _mm512_set1_epi32(31));
  const __m512i x = _mm512_sllv_epi32(acc, left);
  const __m512i nudge = _mm512_set1_epi64(1LL << 30);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, multiplier), nudge);
  __m512i odd =
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(multiplier, 32)), nudge);
  even = _mm512_srli_epi64(even, 31);
  odd = _mm512_slli_epi64(_mm512_srli_epi64(odd, 31), 32);
  __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  const __m512i int_min = _mm512_set1_epi32(INT32_MIN);
  const __mmask16 overflow =
      _mm512_cmpeq_epi32_mask(x, int_min) & _mm512_cmpeq_epi32_mask(multiplier, int_min);
  high = _mm512_mask_mov_epi32(high, overflow, _mm512_set1_epi32(INT32_MAX));
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
  const __m512i remainder = _mm512_and_si512(high, mask);
  const __m512i half = _mm512_srai_epi32(mask, 1);
  const __m512i threshold = _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(high, zero), half, one);
  const __m512i shifted = _mm512_srav_epi32(high, right);
  return _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, one);
}

typedef struct {
  __m512i output_offset, act_min, act_max;
} epilogue;

/* Requantizes, offsets, clamps and stores (truncating to int8, values are in range) the channels of
 * `lanes` starting at c. */
static inline void store_16(const er_qs8_dwconv_args *a, const epilogue *e, __m512i acc, int64_t c,
                            __mmask16 lanes, int8_t *out) {
  __m512i v = requantize_16(acc, _mm512_maskz_loadu_epi32(lanes, a->multipliers + c),
                            _mm512_maskz_loadu_epi32(lanes, a->shifts + c));
  v = _mm512_add_epi32(v, e->output_offset);
  v = _mm512_min_epi32(_mm512_max_epi32(v, e->act_min), e->act_max);
  _mm512_mask_cvtepi32_storeu_epi8(out + c, lanes, v);
}

typedef struct {
  const int8_t *in;     /* input at the first tap inside the image, channel 0 */
  const int8_t *filter; /* filter at that tap, channel 0 */
  int64_t taps_y, taps_x;
  int64_t in_step_y, in_step_x, filter_step_y, filter_step_x;
} pixel_window;

/* The steps of a pixel's window through the input and the filter (the window itself is set per pixel). */
static inline pixel_window window_steps(const er_conv_geometry *g) {
  return (pixel_window){.in_step_y = g->dil_h * g->in_w * g->in_c,
                        .in_step_x = g->dil_w * g->in_c,
                        .filter_step_y = g->filter_w * g->out_c,
                        .filter_step_x = g->out_c};
}

/* Output channels [c, channels) of one pixel. one_input: the input has one channel, which every output
 * channel reads (broadcast); otherwise output channel c reads input channel c. */
static inline void dwconv_pixel_channels(const er_qs8_dwconv_args *a, const epilogue *e,
                                         const pixel_window *p, int8_t *out, bool one_input, int64_t c,
                                         int64_t channels) {
  const __m512i offset16 = _mm512_set1_epi16((int16_t)a->input_offset);
  const int64_t taps_y = p->taps_y, taps_x = p->taps_x, in_step_x = p->in_step_x, w_step_x = p->filter_step_x;
  for (; c + 16 < channels; c += 32) {
    const int64_t n = channels - c < 32 ? channels - c : 32;
    const bool full = n == 32;
    const __mmask32 lanes = n == 32 ? 0xFFFFFFFFu : (__mmask32)((1u << n) - 1u);
    const __mmask16 lanes_lo = (__mmask16)lanes, lanes_hi = (__mmask16)(lanes >> 16);
    __m512i acc_lo = a->bias ? _mm512_maskz_loadu_epi32(lanes_lo, a->bias + c) : _mm512_setzero_si512();
    __m512i acc_hi = a->bias ? _mm512_maskz_loadu_epi32(lanes_hi, a->bias + c + 16) : _mm512_setzero_si512();
    for (int64_t ty = 0; ty < taps_y; ty++) {
      const int8_t *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const int8_t *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < taps_x; tx++, in += in_step_x, w += w_step_x) {
        /* full blocks load without a mask: cheaper, and they stay inside the rows; a one-channel input
         * is read one byte at a time (a vector load would run past its row) */
        const __m256i w8 = full ? _mm256_loadu_si256((const __m256i *)w) : _mm256_maskz_loadu_epi8(lanes, w);
        __m512i x;
        if (one_input) {
          x = _mm512_set1_epi16((int16_t)(*in + a->input_offset));
        } else {
          const __m256i x8 =
              full ? _mm256_loadu_si256((const __m256i *)in) : _mm256_maskz_loadu_epi8(lanes, in);
          x = _mm512_add_epi16(_mm512_cvtepi8_epi16(x8), offset16);
        }
        __m512i prod = _mm512_mullo_epi16(x, _mm512_cvtepi8_epi16(w8));
        acc_lo = _mm512_add_epi32(acc_lo, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(prod)));
        acc_hi = _mm512_add_epi32(acc_hi, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(prod, 1)));
      }
    }
    store_16(a, e, acc_lo, c, lanes_lo, out);
    store_16(a, e, acc_hi, c + 16, lanes_hi, out);
  }
  if (c < channels) { /* 16 channels or fewer left: one accumulator, products in a 256-bit vector */
    const int64_t n = channels - c;
    const __mmask16 lanes = (__mmask16)((1u << n) - 1u);
    const __m256i offset = _mm512_castsi512_si256(offset16);
    __m512i acc = a->bias ? _mm512_maskz_loadu_epi32(lanes, a->bias + c) : _mm512_setzero_si512();
    for (int64_t ty = 0; ty < taps_y; ty++) {
      const int8_t *in = p->in + ty * p->in_step_y + (one_input ? 0 : c);
      const int8_t *w = p->filter + ty * p->filter_step_y + c;
      for (int64_t tx = 0; tx < taps_x; tx++, in += in_step_x, w += w_step_x) {
        __m256i x = one_input
                        ? _mm256_set1_epi16((int16_t)(*in + a->input_offset))
                        : _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8(lanes, in)), offset);
        __m256i prod = _mm256_mullo_epi16(x, _mm256_cvtepi8_epi16(_mm_maskz_loadu_epi8(lanes, w)));
        acc = _mm512_add_epi32(acc, _mm512_cvtepi16_epi32(prod));
      }
    }
    store_16(a, e, acc, c, lanes, out);
  }
}

static void dwconv_pixel_one_input(const er_qs8_dwconv_args *a, const epilogue *e, const pixel_window *p,
                                   int8_t *out) {
  dwconv_pixel_channels(a, e, p, out, true, 0, a->g.out_c);
}

/* ---- depth multiplier 1: a block of up to 32 channels at a time over the rows ----
 * Pixels whose whole window lies in the image (all but a border) take the taps two at a time: the two
 * taps' int16 inputs interleaved (vpunpck{l,h}wd) and multiplied by their interleaved weights with one
 * vpmaddwd, which sums the pair into int32. The weights are interleaved once per block, and the input
 * offset's share, input_offset * (sum of the taps' weights), joins the bias once, so a tap costs a load,
 * a widening, an unpack and a multiply-add where it cost eight operations. The int32 sums are those of
 * the per-tap loop modulo 2^32 (exact products, wrapping adds), so the bits are the same. The pairs
 * leave channels 8l..8l+3 of each 128-bit lane l in one accumulator and 8l+4..8l+7 in the other, put back
 * in order before the requantization. Border pixels run the per-tap loop above. */
#define MAX_TAPS 25

#define MAX_PAIRS ((MAX_TAPS + 1) / 2)

typedef enum { PICK_NONE, PICK_BYTES, PICK_QWORDS } pick_mode;

typedef struct {
  __m512i w_lo[MAX_PAIRS], w_hi[MAX_PAIRS]; /* interleaved weights of taps 2p and 2p + 1 */
  __m512i bias_lo, bias_hi;                 /* bias + input_offset * sum of weights, in pair order */
  int64_t tap_offset[MAX_TAPS];             /* input bytes from the window's first tap */
  int64_t taps, c, n;                       /* c: the block's first channel, n its channels (1..32) */
  __mmask32 lanes;
  /* How a tap's 32 inputs are read: 32 contiguous bytes (n of them under `lanes`), or for pixel groups
   * (below) the first `span` bytes at its offset, lane v taking byte pick[v] (PICK_BYTES), or the 8-byte
   * groups whose indices the low four qwords of pick hold (PICK_QWORDS). */
  pick_mode pick_mode;
  __mmask64 span;
  __m512i pick;
} full_window_block;

/* The block of channels [c, c + n) of a full window. */
static void init_block(const er_qs8_dwconv_args *a, const pixel_window *p, int64_t c, int64_t n,
                       full_window_block *b) {
  const er_conv_geometry *g = &a->g;
  b->taps = g->filter_h * g->filter_w, b->c = c, b->n = n, b->pick_mode = PICK_NONE;
  b->lanes = n >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << n) - 1u);
  for (int64_t t = 0; t < b->taps; t++)
    b->tap_offset[t] = (t / g->filter_w) * p->in_step_y + (t % g->filter_w) * p->in_step_x;
  const __m512i zero = _mm512_setzero_si512(), offset = _mm512_set1_epi16((int16_t)a->input_offset);
  /* the bias in pair order (lane l: channels 8l..8l+3, and 8l+4..8l+7) */
  const __m512i bias0 = a->bias ? _mm512_maskz_loadu_epi32((__mmask16)b->lanes, a->bias + c) : zero;
  const __m512i bias1 =
      a->bias ? _mm512_maskz_loadu_epi32((__mmask16)(b->lanes >> 16), a->bias + c + 16) : zero;
  b->bias_lo = _mm512_permutex2var_epi32(
      bias0, _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0), bias1);
  b->bias_hi = _mm512_permutex2var_epi32(
      bias0, _mm512_set_epi32(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6, 5, 4), bias1);
  for (int64_t t = 0; t < b->taps; t += 2) {
    const __m512i w0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(b->lanes, a->filter + t * g->out_c + c));
    const __m512i w1 =
        t + 1 < b->taps
            ? _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(b->lanes, a->filter + (t + 1) * g->out_c + c))
            : zero;
    b->w_lo[t / 2] = _mm512_unpacklo_epi16(w0, w1);
    b->w_hi[t / 2] = _mm512_unpackhi_epi16(w0, w1);
    /* the offset's share of the pair: input_offset * (w0 + w1), exact in int32 (wrapping adds) */
    b->bias_lo = _mm512_add_epi32(b->bias_lo, _mm512_madd_epi16(b->w_lo[t / 2], offset));
    b->bias_hi = _mm512_add_epi32(b->bias_hi, _mm512_madd_epi16(b->w_hi[t / 2], offset));
  }
}

/* The block's 32 int16 inputs of the tap at x; mode is b->pick_mode, a constant at each call (inlined), so
 * that the branches cost nothing in the tap loop. */
static inline __attribute__((always_inline)) __m512i block_inputs(const full_window_block *b, const int8_t *x,
                                                                  pick_mode mode) {
  if (mode == PICK_BYTES)
    return _mm512_permutexvar_epi16(
        b->pick, _mm512_cvtepi8_epi16(_mm256_castsi128_si256(_mm_maskz_loadu_epi8((__mmask16)b->span, x))));
  if (mode == PICK_QWORDS)
    return _mm512_cvtepi8_epi16(
        _mm512_castsi512_si256(_mm512_permutexvar_epi64(b->pick, _mm512_maskz_loadu_epi8(b->span, x))));
  /* a full block's loads stay inside the pixel's channels */
  return _mm512_cvtepi8_epi16(b->n == 32 ? _mm256_loadu_si256((const __m256i *)x)
                                         : _mm256_maskz_loadu_epi8(b->lanes, x));
}

/* The block's channels of a pixel whose window starts at `in` and lies wholly in the image (mode: as
 * block_inputs). */
static inline __attribute__((always_inline)) void
full_window_pixel(const er_qs8_dwconv_args *a, const epilogue *e, const full_window_block *b,
                  const int8_t *in, int8_t *out, pick_mode mode) {
  const __m512i zero = _mm512_setzero_si512();
  __m512i acc_lo = b->bias_lo, acc_hi = b->bias_hi;
  in += b->c;
  for (int64_t t = 0; t < b->taps; t += 2) {
    const __m512i x0 = block_inputs(b, in + b->tap_offset[t], mode);
    const __m512i x1 = t + 1 < b->taps ? block_inputs(b, in + b->tap_offset[t + 1], mode) : zero;
    acc_lo = _mm512_add_epi32(acc_lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(x0, x1), b->w_lo[t / 2]));
    acc_hi = _mm512_add_epi32(acc_hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(x0, x1), b->w_hi[t / 2]));
  }
  /* back in channel order: channels 0-15, then 16-31 */
  const __m512i first = _mm512_set_epi32(23, 22, 21, 20, 7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0);
  const __m512i second = _mm512_set_epi32(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8);
  const __mmask16 lanes_lo = (__mmask16)b->lanes, lanes_hi = (__mmask16)(b->lanes >> 16);
  store_16(a, e, _mm512_permutex2var_epi32(acc_lo, first, acc_hi), b->c, lanes_lo, out);
  if (lanes_hi) store_16(a, e, _mm512_permutex2var_epi32(acc_lo, second, acc_hi), b->c + 16, lanes_hi, out);
}

/* Channels [c, c_end) of output pixel ox of a row whose window rows are [fy0, fy0 + p.taps_y) from input
 * row iy0, by the per-tap loop (any window, clipped to the image). */
static void clipped_pixel(const er_qs8_dwconv_args *a, const epilogue *e, pixel_window p, const int8_t *image,
                          int64_t iy0, int64_t fy0, int64_t ox, int64_t c, int64_t c_end, int8_t *out) {
  const er_conv_geometry *g = &a->g;
  const int64_t ix0 = ox * g->stride_w - g->pad_w;
  int64_t fx0, fx1;
  er_dwconv_tap_range(ix0, g->dil_w, g->filter_w, g->in_w, &fx0, &fx1);
  p.taps_x = fx1 - fx0;
  const bool empty = p.taps_x == 0 || p.taps_y == 0; /* a window wholly in the padding */
  p.in = empty ? image : image + ((iy0 + fy0 * g->dil_h) * g->in_w + ix0 + fx0 * g->dil_w) * g->in_c;
  p.filter = empty ? a->filter : a->filter + (fy0 * g->filter_w + fx0) * g->out_c;
  if (g->in_c == g->out_c)
    dwconv_pixel_channels(a, e, &p, out, false, c, c_end);
  else
    dwconv_pixel_one_input(a, e, &p, out);
}

/* Where output row `row` (batch * out_h + y) reads and writes: its window's first input row iy0 and first
 * tap row inside the image fy0, its image and its output; p->taps_y is set to its tap rows inside. */
typedef struct {
  int64_t iy0, fy0;
  const int8_t *image;
  int8_t *out;
} output_row;

static output_row start_row(const er_qs8_dwconv_args *a, int64_t row, pixel_window *p) {
  const er_conv_geometry *g = &a->g;
  const int64_t batch = row / g->out_h, oy = row % g->out_h;
  output_row o = {.iy0 = oy * g->stride_h - g->pad_h};
  int64_t fy1;
  er_dwconv_tap_range(o.iy0, g->dil_h, g->filter_h, g->in_h, &o.fy0, &fy1);
  p->taps_y = fy1 - o.fy0;
  o.image = a->input + batch * g->in_h * g->in_w * g->in_c;
  o.out = a->output + row * g->out_w * g->out_c;
  return o;
}

/* The output columns [*lo, *hi) whose window lies wholly inside the image across. */
static void full_columns(const er_conv_geometry *g, int64_t *lo, int64_t *hi) {
  const int64_t reach = (g->filter_w - 1) * g->dil_w; /* from a window's first tap to its last */
  *lo = er_min_i64(g->out_w, (g->pad_w + g->stride_w - 1) / g->stride_w);
  const int64_t last = g->in_w - 1 - reach + g->pad_w; /* ox * stride_w may be at most this */
  *hi = last < 0 ? *lo : er_min_i64(g->out_w, last / g->stride_w + 1);
  if (*hi < *lo) *hi = *lo;
}

/* Output rows [row_begin, row_end), channels [c, c_end): a pixel whose window lies wholly in the image
 * takes the paired taps of block b when there is one, the others the per-tap loop. */
static void dwconv_rows(const er_qs8_dwconv_args *a, const epilogue *e, pixel_window p,
                        const full_window_block *b, int64_t c, int64_t c_end, int64_t row_begin,
                        int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c;
  int64_t full_lo, full_hi;
  full_columns(g, &full_lo, &full_hi);
  for (int64_t row = row_begin; row < row_end; row++) {
    const output_row o = start_row(a, row, &p);
    int8_t *out = o.out;
    for (int64_t ox = 0; ox < g->out_w; ox++, out += out_c) {
      if (b && p.taps_y == g->filter_h && ox >= full_lo && ox < full_hi)
        full_window_pixel(a, e, b, o.image + (o.iy0 * g->in_w + ox * g->stride_w - g->pad_w) * in_c, out,
                          PICK_NONE);
      else
        clipped_pixel(a, e, p, o.image, o.iy0, o.fy0, ox, c, c_end, out);
    }
  }
}

/* ---- 8 or 16 output channels (depth multiplier 1, or one input channel): several pixels a block ----
 * A block's 32 lanes are then 32 / C consecutive output pixels of C channels: with multiplier 1 at stride
 * 1 their taps' inputs are 32 contiguous bytes (NHWC), at a larger stride the pixels' C-byte groups of
 * one 64-byte load, gathered by one permute; with one input channel, the group's bytes of a tap (stride
 * apart) spread over their pixels' lanes by one permute. So the paired-tap kernel above runs on
 * them as on 32 channels, with each channel's weights, bias and requantization repeated per pixel, and
 * writes their 32 contiguous output bytes. A group whose windows do not all lie in the image takes the
 * per-tap loop pixel by pixel. */
typedef struct {
  int8_t filter[MAX_TAPS * 32];
  int32_t bias[32], multipliers[32], shifts[32];
} repeated_channels;

/* Bytes that a group's inputs of one tap span: from its first pixel's first channel to its last's last. */
static int64_t group_span(const er_conv_geometry *g) {
  return ((32 / g->out_c - 1) * g->stride_w + 1) * g->in_c;
}

/* Whether the pixel groups run this convolution: 8 or 16 output channels, a window of at most MAX_TAPS,
 * and a group's inputs of a tap within one 64-byte load (multiplier 1, stride 1: 32 contiguous bytes) or,
 * with one input channel, within 16 bytes. */
static bool takes_pixel_groups(const er_conv_geometry *g) {
  if ((g->out_c != 8 && g->out_c != 16) || g->filter_h * g->filter_w > MAX_TAPS) return false;
  if (g->in_c == g->out_c) return g->dil_w == 1 && group_span(g) <= 64;
  return g->in_c == 1 && group_span(g) <= 16;
}

static void dwconv_pixel_groups(const er_qs8_dwconv_args *a, const epilogue *e, pixel_window p,
                                int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t ch = g->out_c, group = 32 / ch, taps = g->filter_h * g->filter_w;
  repeated_channels r;
  for (int64_t v = 0; v < 32; v++) {
    for (int64_t t = 0; t < taps; t++)
      r.filter[t * 32 + v] = a->filter[t * ch + v % ch];
    r.bias[v] = a->bias ? a->bias[v % ch] : 0;
    r.multipliers[v] = a->multipliers[v % ch];
    r.shifts[v] = a->shifts[v % ch];
  }
  er_qs8_dwconv_args lanes = *a; /* the block's view: 32 "channels" */
  lanes.g.out_c = 32;
  lanes.filter = r.filter, lanes.bias = r.bias, lanes.multipliers = r.multipliers, lanes.shifts = r.shifts;
  full_window_block b;
  init_block(&lanes, &p, 0, 32, &b);
  const int64_t in_c = g->in_c;
  const int64_t span = group_span(g);
  b.span = span >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << span) - 1u);
  if (in_c == 1) {
    int16_t pick[32];
    for (int64_t v = 0; v < 32; v++)
      pick[v] = (int16_t)(v / ch * g->stride_w);
    b.pick_mode = PICK_BYTES;
    b.pick = _mm512_loadu_si512(pick);
  } else if (g->stride_w > 1) {
    int64_t pick[8] = {0};
    for (int64_t q = 0; q < 4; q++) /* qword q of the block: pixel q * 8 / C, its qword q % (C / 8) */
      pick[q] = q * 8 / ch * g->stride_w * ch / 8 + q % (ch / 8);
    b.pick_mode = PICK_QWORDS;
    b.pick = _mm512_loadu_si512(pick);
  }
  int64_t full_lo, full_hi;
  full_columns(g, &full_lo, &full_hi);
  for (int64_t row = row_begin; row < row_end; row++) {
    const output_row o = start_row(a, row, &p);
    int8_t *out = o.out;
    for (int64_t ox = 0; ox < g->out_w;) {
      if (p.taps_y == g->filter_h && ox >= full_lo && ox + group <= full_hi) {
        const int8_t *in = o.image + (o.iy0 * g->in_w + ox * g->stride_w - g->pad_w) * in_c;
        if (b.pick_mode == PICK_BYTES)
          full_window_pixel(&lanes, e, &b, in, out + ox * ch, PICK_BYTES);
        else if (b.pick_mode == PICK_QWORDS)
          full_window_pixel(&lanes, e, &b, in, out + ox * ch, PICK_QWORDS);
        else
          full_window_pixel(&lanes, e, &b, in, out + ox * ch, PICK_NONE);
        ox += group;
      } else {
        clipped_pixel(a, e, p, o.image, o.iy0, o.fy0, ox, 0, ch, out + ox * ch);
        ox++;
      }
    }
  }
}

/* Rows [row_begin, row_end), block by block of channels (depth multiplier 1). */
static void dwconv_blocks(const er_qs8_dwconv_args *a, const epilogue *e, pixel_window p, int64_t row_begin,
                          int64_t row_end) {
  const int64_t channels = a->g.out_c;
  full_window_block b;
  for (int64_t c = 0; c < channels; c += 32) {
    const int64_t c_end = channels - c < 32 ? channels : c + 32;
    init_block(a, &p, c, c_end - c, &b);
    dwconv_rows(a, e, p, &b, c, c_end, row_begin, row_end);
  }
}

/* Small maps (under 8 wide: mostly border) go through a copy of each image with its padding filled with
 * the input's zero point, whose taps add nothing ((zero point + input_offset) * w = 0, as the skipped taps
 * do), so every pixel takes the full-window path. The copy lives on the stack. */
#define PADDED_MAX_BYTES 16384

static bool fits_padded(const er_conv_geometry *g, int64_t *h, int64_t *w) {
  *h = (g->out_h - 1) * g->stride_h + (g->filter_h - 1) * g->dil_h + 1;
  *w = (g->out_w - 1) * g->stride_w + (g->filter_w - 1) * g->dil_w + 1;
  /* under 16 output pixels the copy and the blocks' set-up cost more than they save (3x3 maps) */
  return g->out_h * g->out_w >= 16 && *h > 0 && *w > 0 && *h * *w * g->in_c <= PADDED_MAX_BYTES;
}

static void dwconv_padded(const er_qs8_dwconv_args *a, const epilogue *e, int64_t padded_h, int64_t padded_w,
                          int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t c = g->in_c;
  int8_t image[PADDED_MAX_BYTES];
  er_qs8_dwconv_args padded = *a;
  padded.g.in_h = padded_h, padded.g.in_w = padded_w, padded.g.pad_h = padded.g.pad_w = 0;
  padded.input = image;
  const pixel_window p = window_steps(&padded.g);
  for (int64_t row = row_begin; row < row_end;) {
    const int64_t batch = row / g->out_h, rows_end = er_min_i64(row_end, (batch + 1) * g->out_h);
    memset(image, (int8_t)-a->input_offset, (size_t)(padded_h * padded_w * c));
    const int8_t *in = a->input + batch * g->in_h * g->in_w * c;
    for (int64_t iy = 0; iy < g->in_h; iy++) {
      const int64_t y = iy + g->pad_h, x0 = g->pad_w, cols = er_min_i64(g->in_w, padded_w - x0);
      if (y < padded_h && cols > 0)
        memcpy(image + (y * padded_w + x0) * c, in + iy * g->in_w * c, (size_t)(cols * c));
    }
    padded.output = a->output + batch * g->out_h * g->out_w * c;
    dwconv_blocks(&padded, e, p, row - batch * g->out_h, rows_end - batch * g->out_h);
    row = rows_end;
  }
}

void er_qs8_dwconv_nhwc__avx512(const er_qs8_dwconv_args *a, int64_t row_begin, int64_t row_end) {
  const er_conv_geometry *g = &a->g;
  const int64_t in_c = g->in_c, out_c = g->out_c;
  if (in_c != out_c && in_c != 1) {
    er_qs8_dwconv_nhwc__scalar(a, row_begin, row_end);
    return;
  }
  const pixel_window p = window_steps(g);
  const epilogue e = {_mm512_set1_epi32(a->output_offset), _mm512_set1_epi32(a->act_min),
                      _mm512_set1_epi32(a->act_max)};
  if (takes_pixel_groups(g)) {
    dwconv_pixel_groups(a, &e, p, row_begin, row_end);
    return;
  }
  if (out_c <= 16) { /* measured: AVX2's 128/256-bit path is faster than half-empty 512-bit vectors */
    er_qs8_dwconv_nhwc__avx2(a, row_begin, row_end);
    return;
  }
  /* maps under 8 wide are mostly border: in place, their blocks' set-up and the border's per-block calls
   * cost more than the pairs save (person_detect's 6x6x128 layers ran 15% slower), so they take a padded
   * copy where it fits */
  int64_t padded_h, padded_w;
  if (in_c == out_c && g->filter_h * g->filter_w <= MAX_TAPS) {
    if (g->out_w >= 8) {
      dwconv_blocks(a, &e, p, row_begin, row_end);
      return;
    }
    if (fits_padded(g, &padded_h, &padded_w)) {
      dwconv_padded(a, &e, padded_h, padded_w, row_begin, row_end);
      return;
    }
  }
  dwconv_rows(a, &e, p, NULL, 0, out_c, row_begin, row_end);
}
