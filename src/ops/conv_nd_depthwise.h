/* Float32 depthwise convolution in NCHW (ONNX Conv with group == C == M, 1-D or 2-D): the fast path of
 * CONV_ND for one input channel per output channel (mobilenets, efficientnet).
 *
 * Each work item is a band of output rows of one (batch, channel) plane. Where the CPU has a direct kernel
 * for the window (AVX-512 or AVX2; 3x3 or 5x5, horizontal stride 1 or 2: the nets' depthwise convs), the
 * band's input rows are read in place: a list of row pointers (a row of zeros above and below the input)
 * and column masks on every load stand for the padding, so nothing is copied and the result does not
 * depend on the band split. Otherwise (the portable path) the band first copies the input rows
 * the band reads into per-thread scratch, zero-padded and split by column phase (er_window_2d in
 * window_nd.h). In that layout every tap (ky, kx) of output column j reads position j + const of one
 * phase row, whatever the stride, the dilation or the padding: the micro-kernels see contiguous loads and
 * no borders, and a 3x3 or 5x5 kernel of any stride is just 9 or 25 fixed offsets. The micro-kernels
 * compute one output row. */
#ifndef EDGERT_OPS_CONV_ND_DEPTHWISE_H
#define EDGERT_OPS_CONV_ND_DEPTHWISE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"
#include "ops/conv_nd_common.h"
#include "ops/fused_activation.h"

/* `rows` output rows of one channel: out[r * ow + j] = clamp(bias + sum_t w[t] * in[r * in_step + tap_off[t]
 * + j], lo, hi) for j in [0, ow). It may read in[r * in_step + tap_off[t] + j] for j up to ow rounded up
 * to 16 (the scratch has that slack). taps is 9 for the 3x3 variants, 25 for the 5x5 ones, anything for
 * the generic ones. Narrow rows (the nets' late layers) are computed several at a time. */
typedef void (*er_f32_dwconv_nchw_row_fn)(const float *in, int64_t in_step, const int64_t *tap_off,
                                          int64_t taps, const float *w, float bias, float lo, float hi,
                                          float *out, int64_t ow, int64_t rows);

void er_f32_dwconv_nchw_3x3__scalar(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
void er_f32_dwconv_nchw_5x5__scalar(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
void er_f32_dwconv_nchw_any__scalar(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
#if defined(ER_SIMD_X86)
void er_f32_dwconv_nchw_3x3__avx2(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
void er_f32_dwconv_nchw_5x5__avx2(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
void er_f32_dwconv_nchw_any__avx2(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
void er_f32_dwconv_nchw_3x3__avx512(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
void er_f32_dwconv_nchw_5x5__avx512(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
void er_f32_dwconv_nchw_any__avx512(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows);
#endif
#if defined(ER_SIMD_ARM)
void er_f32_dwconv_nchw_3x3__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
void er_f32_dwconv_nchw_5x5__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
void er_f32_dwconv_nchw_any__neon(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                  const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                  int64_t rows);
#endif

/* Direct micro-kernels, which read the input rows in place instead of a padded copy: `rows` output rows
 * of ow columns (contiguous rows of ow floats). Output row r, tap (ky, kx), output column j reads
 * in_rows[r * row_step + ky * dil_h][j * stride + col_off[kx]] for the lanes col_mask allows: vector v
 * (columns 16v ..) of tap column kx takes col_mask[v * kw + kx], bit e meaning float e from
 * in_rows[..] + 16v * stride + col_off[kx] is read (stride 2: 32 bits, the even ones). A row above or
 * below the input is a row of zeros; masked-off floats read as zero (the padding) and are never touched.
 * Fixed kernel size and stride; no portable variant (the padded-copy path is the portable one). */
typedef void (*er_f32_dwconv_nchw_direct_fn)(const float *const *in_rows, int64_t row_step, int64_t dil_h,
                                             const int64_t *col_off, const uint32_t *col_mask, const float *w,
                                             float bias, float lo, float hi, float *out, int64_t ow,
                                             int64_t rows);
#if defined(ER_SIMD_X86)
#define ER_DECLARE_DWCONV_DIRECT(NAME)                                                                       \
  void NAME(const float *const *in_rows, int64_t row_step, int64_t dil_h, const int64_t *col_off,            \
            const uint32_t *col_mask, const float *w, float bias, float lo, float hi, float *out,            \
            int64_t ow, int64_t rows);
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_3x3s1__avx2)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_3x3s2__avx2)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_5x5s1__avx2)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_5x5s2__avx2)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_3x3s1__avx512)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_3x3s2__avx512)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_5x5s1__avx512)
ER_DECLARE_DWCONV_DIRECT(er_f32_dwconv_nchw_direct_5x5s2__avx512)
#undef ER_DECLARE_DWCONV_DIRECT
#endif

/* Whole-plane micro-kernels for small maps (at most ER_DWCONV_PLANE_MAX outputs, stride 1, input rows as
 * wide as the output's): the plane as flat vectors of 16 outputs, where tap t reads the input at the
 * output's flat index + tap_off[t] (the input rows are as wide as the output's), lanes whose tap falls in
 * the padding (or past the plane) masked: vector v of tap t loads under mask[t * 4 + v]. A 7x7 map fills
 * 49 of 64 lanes this way where rows of 7 filled 7 of 16. Each output is one FMA chain over the taps in
 * order. Masked-off floats are not read (a tap's vector may start before the plane). */
#define ER_DWCONV_PLANE_MAX 64
typedef void (*er_f32_dwconv_nchw_plane_fn)(const float *in, const int64_t *tap_off, const uint16_t *mask,
                                            int64_t taps, const float *w, float bias, float lo, float hi,
                                            float *out, int64_t size);
#if defined(ER_SIMD_X86)
void er_f32_dwconv_nchw_plane__avx512(const float *in, const int64_t *tap_off, const uint16_t *mask,
                                      int64_t taps, const float *w, float bias, float lo, float hi,
                                      float *out, int64_t size);
#endif

/* The stride-2 form of the whole-plane path: the input plane (in_h x in_w) is first split by row and column
 * parity into four phase planes of `rows` x `width` floats, phase (py, px) at dst + (2 * py + px) *
 * er_dwconv_phase_floats(rows, width) holding in[2r + py][2c + px] at [r][c]. There each tap of a stride-2
 * window reads at a fixed offset from the output's flat index, as a stride-1 tap does in the input (width is
 * the output's), so the plane kernel runs on it unchanged. Floats past the input are left unwritten (no mask
 * lets a tap read them). AVX-512: in_w at most 32, width at most 16. */
/* Floats between phase planes: rows * width and 16 of slack (the split writes whole vectors). */
static inline int64_t er_dwconv_phase_floats(int64_t rows, int64_t width) { return rows * width + 16; }
typedef void (*er_f32_dwconv_nchw_phases_fn)(const float *in, int64_t in_h, int64_t in_w, int64_t rows,
                                             int64_t width, float *dst);
#if defined(ER_SIMD_X86)
void er_f32_dwconv_nchw_phases__avx512(const float *in, int64_t in_h, int64_t in_w, int64_t rows,
                                       int64_t width, float *dst);
#endif

/* Everything eval needs, computed at prepare. */
typedef struct {
  er_window_2d win;
  int64_t planes, channels; /* planes = batch * channels */
  int64_t taps;
  int64_t band_rows; /* output rows per work item */
  int64_t bands;     /* work items per plane */
  int64_t *tap_off;  /* er_window_2d_tap_offsets (the padded-copy path) */
  er_fused_act act;  /* applied after the row kernel when it is not a clamp */
  float lo, hi;      /* the clamp the row kernel applies (-inf, inf: none) */
  er_f32_dwconv_nchw_row_fn row;
  /* The direct path, when the CPU has a direct kernel for this size and stride (else NULL): */
  er_f32_dwconv_nchw_direct_fn direct;
  int64_t *col_off;    /* kw entries: kx * dil_w - pad_left */
  uint32_t *col_mask;  /* ceil(out_w / 16) * kw entries */
  const float *zeros;  /* in_w zeros: the rows above and below the input */
  /* The whole-plane path, for small maps (else NULL; one work item per plane): */
  er_f32_dwconv_nchw_plane_fn plane;
  int64_t *plane_off;   /* taps entries */
  uint16_t *plane_mask; /* taps * 4 entries */
  /* Stride 2: the phase split run first (else NULL), into phase planes of phase_rows rows (scratch). */
  er_f32_dwconv_nchw_phases_fn phases;
  int64_t phase_rows;
  size_t thread_bytes; /* scratch bytes per thread (a multiple of 64) */
} er_f32_dwconv_nchw_plan;

/* True when d is a float32 depthwise conv this path runs (1 or 2 spatial dims, group == C == M). */
bool er_f32_dwconv_nchw_applies(const er_conv_nd_geometry *d, edgert_dtype dtype);

/* Fills p (tap offsets in er_persist_alloc memory) for d, the fused activation act and the CPU's best
 * micro-kernel (er_cpu_detect); returns the scratch bytes eval needs, or 0 after recording an error. */
size_t er_f32_dwconv_nchw_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const er_fused_act *act,
                                  er_f32_dwconv_nchw_plan *p);

/* Runs the convolution: x [N, C, H, W], w [C, 1, kh, kw], bias [C] or NULL, y [N, C, OH, OW]; scratch
 * as prepare asked, aligned to 16. */
void er_f32_dwconv_nchw_run(er_op_ctx *ctx, const er_f32_dwconv_nchw_plan *p, const float *x, const float *w,
                            const float *bias, float *y, void *scratch);

#endif
