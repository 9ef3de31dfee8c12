/* Float32 NCHW depthwise convolution: planning, the threaded driver and the portable micro-kernels; see
 * conv_nd_depthwise.h. */
#include "ops/conv_nd_depthwise.h"

#include <string.h>

#include "core/cpu.h"
#include "ops/index_math.h"

/* A band's scratch aims at this many floats (128 KiB, well inside L2); a band is at least one output
 * row, and a row whose padded input rows would pass the hard limit (16 MiB) is left to the reference
 * kernel. */
#define DW_BAND_TARGET_FLOATS ((int64_t)32 * 1024)
#define DW_ROW_LIMIT_FLOATS ((int64_t)4 * 1024 * 1024)
/* Output columns are computed in whole vectors of up to this many floats. */
#define DW_VECTOR 16
/* The direct path keeps a row of zeros as wide as the input. */
#define DW_DIRECT_MAX_WIDTH ((int64_t)1 << 20)

bool er_f32_dwconv_nchw_applies(const er_conv_nd_geometry *d, edgert_dtype dtype) {
  const er_window_nd *g = &d->win;
  if (dtype != EDGERT_FLOAT32) return false;
  if (d->group != g->channels || d->out_channels != g->channels) return false;
  if (g->batch < 1 || g->channels < 1 || g->out_size < 1) return false; /* empty: the reference's */
  er_window_2d v;
  return er_window_2d_init(g, DW_VECTOR, DW_ROW_LIMIT_FLOATS, &v);
}

static er_f32_dwconv_nchw_row_fn choose_row(int64_t taps) {
  er_cpu_features cpu = er_cpu_detect();
#if defined(ER_SIMD_X86)
  if (cpu.avx512)
    return taps == 9 ? er_f32_dwconv_nchw_3x3__avx512
                     : (taps == 25 ? er_f32_dwconv_nchw_5x5__avx512 : er_f32_dwconv_nchw_any__avx512);
  if (cpu.avx2_fma)
    return taps == 9 ? er_f32_dwconv_nchw_3x3__avx2
                     : (taps == 25 ? er_f32_dwconv_nchw_5x5__avx2 : er_f32_dwconv_nchw_any__avx2);
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon)
    return taps == 9 ? er_f32_dwconv_nchw_3x3__neon
                     : (taps == 25 ? er_f32_dwconv_nchw_5x5__neon : er_f32_dwconv_nchw_any__neon);
#endif
  (void)cpu;
  return taps == 9 ? er_f32_dwconv_nchw_3x3__scalar
                   : (taps == 25 ? er_f32_dwconv_nchw_5x5__scalar : er_f32_dwconv_nchw_any__scalar);
}

static er_f32_dwconv_nchw_direct_fn choose_direct(const er_window_2d *v) {
  er_cpu_features cpu = er_cpu_detect();
  bool k3 = v->kh == 3 && v->kw == 3, k5 = v->kh == 5 && v->kw == 5;
  if (!(k3 || k5) || v->stride_w > 2 || v->in_w < 1 || v->in_w > DW_DIRECT_MAX_WIDTH) return NULL;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) {
    if (v->stride_w == 1)
      return k3 ? er_f32_dwconv_nchw_direct_3x3s1__avx512 : er_f32_dwconv_nchw_direct_5x5s1__avx512;
    return k3 ? er_f32_dwconv_nchw_direct_3x3s2__avx512 : er_f32_dwconv_nchw_direct_5x5s2__avx512;
  }
  if (cpu.avx2_fma) {
    if (v->stride_w == 1)
      return k3 ? er_f32_dwconv_nchw_direct_3x3s1__avx2 : er_f32_dwconv_nchw_direct_5x5s1__avx2;
    return k3 ? er_f32_dwconv_nchw_direct_3x3s2__avx2 : er_f32_dwconv_nchw_direct_5x5s2__avx2;
  }
#endif
  (void)cpu;
  return NULL;
}

static bool prepare_direct(er_op_ctx *ctx, er_f32_dwconv_nchw_plan *p) {
  const er_window_2d *v = &p->win;
  int64_t vectors = (v->out_w + DW_VECTOR - 1) / DW_VECTOR;
  float *zeros = er_persist_alloc(ctx, (size_t)v->in_w * sizeof *zeros);
  p->col_off = er_persist_alloc(ctx, (size_t)v->kw * sizeof *p->col_off);
  p->col_mask = er_persist_alloc(ctx, (size_t)(vectors * v->kw) * sizeof *p->col_mask);
  if (!zeros || !p->col_off || !p->col_mask) return false;
  memset(zeros, 0, (size_t)v->in_w * sizeof *zeros);
  p->zeros = zeros;
  for (int64_t kx = 0; kx < v->kw; kx++)
    p->col_off[kx] = kx * v->dil_w - v->pad_left;
  er_window_2d_col_masks(v, p->col_off, p->col_mask);
  /* A work item's scratch is the list of its input rows. */
  size_t row_bytes = (size_t)er_window_2d_band_in_rows(v, p->band_rows) * sizeof(const float *);
  p->thread_bytes = (row_bytes + 63) / 64 * 64;
  return true;
}

/* Whether a stride-2 window on this map fits the phase planes (conv_nd_depthwise.h; AVX-512 only, see
 * choose_plane): no dilation, rows of at most 32 inputs, and every input column's phase column inside the
 * output's width (ceil(in_w / 2) <= out_w, as with the nets' "same" padding). */
static bool phases_fit(const er_window_2d *v) {
  return v->stride_h == 2 && v->stride_w == 2 && v->dil_h == 1 && v->dil_w == 1 && v->in_w <= 32 &&
         v->out_w <= 16 && (v->in_w + 1) / 2 <= v->out_w;
}

/* The whole-plane kernel for this window, or NULL: AVX-512, a plane of at most ER_DWCONV_PLANE_MAX
 * outputs, and stride 1 with input rows as wide as the output's, or stride 2 as phase planes (*phases set,
 * else NULL). */
static er_f32_dwconv_nchw_plane_fn choose_plane(const er_window_2d *v, er_f32_dwconv_nchw_phases_fn *phases) {
  *phases = NULL;
  const bool small = v->out_h * v->out_w <= ER_DWCONV_PLANE_MAX;
  const bool stride1 = v->stride_h == 1 && v->stride_w == 1 && v->in_w == v->out_w, stride2 = phases_fit(v);
#if defined(ER_SIMD_X86)
  if (er_cpu_detect().avx512 && small && (stride1 || stride2)) {
    if (!stride1) *phases = er_f32_dwconv_nchw_phases__avx512;
    return er_f32_dwconv_nchw_plane__avx512;
  }
#endif
  (void)small, (void)stride1, (void)stride2;
  return NULL;
}

/* x mod 2 in {0, 1} for any sign. */
static int64_t parity(int64_t x) { return x & 1; }

/* Tap offsets and lane masks of the whole-plane path (conv_nd_depthwise.h): from the output's flat index
 * into the input plane (stride 1) or into the phase planes (stride 2: tap row ky reads phase row parity
 * py = (ky - pad_top) mod 2 at oy + (ky - pad_top - py) / 2, and likewise along x). */
static bool prepare_plane(er_op_ctx *ctx, er_f32_dwconv_nchw_plan *p) {
  const er_window_2d *v = &p->win;
  p->plane_off = er_persist_alloc(ctx, (size_t)p->taps * sizeof *p->plane_off);
  p->plane_mask = er_persist_alloc(ctx, (size_t)p->taps * 4 * sizeof *p->plane_mask);
  if (!p->plane_off || !p->plane_mask) return false;
  const int64_t stride = p->phases ? 2 : 1;
  p->phase_rows = p->phases ? (v->in_h + 1) / 2 : 0;
  for (int64_t ky = 0; ky < v->kh; ky++)
    for (int64_t kx = 0; kx < v->kw; kx++) {
      const int64_t t = ky * v->kw + kx, dy = ky * v->dil_h - v->pad_top, dx = kx * v->dil_w - v->pad_left;
      if (p->phases) {
        const int64_t py = parity(dy), px = parity(dx);
        p->plane_off[t] = (2 * py + px) * er_dwconv_phase_floats(p->phase_rows, v->out_w) +
                          (dy - py) / 2 * v->out_w + (dx - px) / 2;
      } else {
        p->plane_off[t] = dy * v->in_w + dx;
      }
      for (int64_t vec = 0; vec < 4; vec++) {
        uint16_t m = 0;
        for (int64_t e = 0; e < 16; e++) {
          const int64_t o = vec * 16 + e;
          const int64_t iy = o / v->out_w * stride + dy, ix = o % v->out_w * stride + dx;
          if (o < v->out_h * v->out_w && iy >= 0 && iy < v->in_h && ix >= 0 && ix < v->in_w)
            m |= (uint16_t)(1u << e);
        }
        p->plane_mask[t * 4 + vec] = m;
      }
    }
  if (p->phases)
    p->thread_bytes = (size_t)er_round_up_i64(
        4 * er_dwconv_phase_floats(p->phase_rows, v->out_w) * (int64_t)sizeof(float), 64);
  return true;
}

size_t er_f32_dwconv_nchw_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d, const er_fused_act *act,
                                  er_f32_dwconv_nchw_plan *p) {
  memset(p, 0, sizeof *p);
  er_window_2d_init(&d->win, DW_VECTOR, DW_ROW_LIMIT_FLOATS, &p->win); /* checked by _applies */
  const er_window_2d *v = &p->win;
  int32_t threads = er_num_threads(ctx);
  p->channels = d->win.channels;
  p->planes = d->win.batch * d->win.channels;
  p->taps = v->kh * v->kw;
  p->band_rows = er_window_2d_band_rows(v, DW_BAND_TARGET_FLOATS, p->planes, threads);
  p->bands = (v->out_h + p->band_rows - 1) / p->band_rows;
  p->act = *act;
  er_fused_act_vectorize(&p->act, er_cpu_detect());
  if (er_fused_act_as_clamp(act, &p->lo, &p->hi)) p->act.kind = ER_ACT_NONE;
  p->plane = choose_plane(v, &p->phases);
  p->direct = p->plane ? NULL : choose_direct(v);
  if (p->plane) {
    p->band_rows = v->out_h, p->bands = 1;
    if (!prepare_plane(ctx, p)) return 0;
  } else if (p->direct) {
    if (!prepare_direct(ctx, p)) return 0;
  } else {
    p->tap_off = er_persist_alloc(ctx, (size_t)p->taps * sizeof *p->tap_off);
    if (!p->tap_off) return 0;
    er_window_2d_tap_offsets(v, p->tap_off);
    int64_t band_floats = er_window_2d_band_in_rows(v, p->band_rows) * v->row_pitch;
    p->thread_bytes = (size_t)((band_floats + DW_VECTOR - 1) / DW_VECTOR * DW_VECTOR) * sizeof(float);
    p->row = choose_row(p->taps);
  }
  /* 64 more bytes let eval align each thread's slice to 64 bytes. */
  return (size_t)threads * p->thread_bytes + 64;
}

typedef struct {
  const er_f32_dwconv_nchw_plan *p;
  const float *x, *w, *bias;
  float *y;
  unsigned char *scratch;
} dw_task;

/* The input rows of a band, in place (rows outside the input are the zero row), for the direct kernels. */
static void direct_band(const dw_task *t, const float *plane, int64_t oy0, int64_t rows, const float *w,
                        float bias, float *y, const float **in_rows) {
  const er_f32_dwconv_nchw_plan *p = t->p;
  const er_window_2d *v = &p->win;
  int64_t first = oy0 * v->stride_h - v->pad_top, count = er_window_2d_band_in_rows(v, rows);
  for (int64_t i = 0; i < count; i++) {
    int64_t iy = first + i;
    in_rows[i] = iy >= 0 && iy < v->in_h ? plane + iy * v->in_w : p->zeros;
  }
  p->direct(in_rows, v->stride_h, v->dil_h, p->col_off, p->col_mask, w, bias, p->lo, p->hi, y, v->out_w,
            rows);
}

static void dw_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  const dw_task *t = arg;
  const er_f32_dwconv_nchw_plan *p = t->p;
  const er_window_2d *v = &p->win;
  void *buf = t->scratch + (size_t)thread * p->thread_bytes;
  for (int64_t item = begin; item < end; item++) {
    int64_t plane = item / p->bands, band = item % p->bands, c = plane % p->channels;
    int64_t oy0 = band * p->band_rows;
    int64_t rows = v->out_h - oy0 < p->band_rows ? v->out_h - oy0 : p->band_rows;
    const float *x = t->x + plane * v->in_h * v->in_w;
    const float *w = t->w + c * p->taps;
    float bias = t->bias ? t->bias[c] : 0.0f;
    float *y = t->y + (plane * v->out_h + oy0) * v->out_w;
    if (p->plane) {
      if (p->phases) {
        p->phases(x, v->in_h, v->in_w, p->phase_rows, v->out_w, buf);
        x = buf;
      }
      p->plane(x, p->plane_off, p->plane_mask, p->taps, w, bias, p->lo, p->hi, y, v->out_h * v->out_w);
    } else if (p->direct) {
      direct_band(t, x, oy0, rows, w, bias, y, buf);
    } else {
      er_window_2d_fill_rows(v, x, oy0 * v->stride_h - v->pad_top, er_window_2d_band_in_rows(v, rows), 0.0f,
                             buf);
      p->row(buf, v->stride_h * v->row_pitch, p->tap_off, p->taps, w, bias, p->lo, p->hi, y, v->out_w, rows);
    }
    er_fused_act_apply_n(&p->act, y, rows * v->out_w);
  }
}

void er_f32_dwconv_nchw_run(er_op_ctx *ctx, const er_f32_dwconv_nchw_plan *p, const float *x, const float *w,
                            const float *bias, float *y, void *scratch) {
  uintptr_t at = ((uintptr_t)scratch + 63) & ~(uintptr_t)63;
  dw_task t = {p, x, w, bias, y, (unsigned char *)at};
  const double macs = (double)p->planes * (double)(p->win.out_h * p->win.out_w) * (double)p->taps;
  er_parallel_for(ctx, p->planes * p->bands, er_grain_for_work(p->planes * p->bands, 1, macs), dw_items, &t);
}

/* The portable micro-kernels. */

static inline float clamp(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

/* Fixed tap counts let the compiler unroll the tap loop and keep the weights in registers. */
#define DEFINE_DWCONV_FIXED(NAME, TAPS)                                                                      \
  void NAME(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps, const float *w,          \
            float bias, float lo, float hi, float *out, int64_t ow, int64_t rows) {                          \
    (void)taps;                                                                                              \
    float k[TAPS];                                                                                           \
    for (int t = 0; t < TAPS; t++)                                                                           \
      k[t] = w[t];                                                                                           \
    for (int64_t r = 0; r < rows; r++, in += in_step, out += ow) {                                           \
      for (int64_t j = 0; j < ow; j++) {                                                                     \
        float acc = bias;                                                                                    \
        for (int t = 0; t < TAPS; t++)                                                                       \
          acc += k[t] * in[tap_off[t] + j];                                                                  \
        out[j] = clamp(acc, lo, hi);                                                                         \
      }                                                                                                      \
    }                                                                                                        \
  }

DEFINE_DWCONV_FIXED(er_f32_dwconv_nchw_3x3__scalar, 9)
DEFINE_DWCONV_FIXED(er_f32_dwconv_nchw_5x5__scalar, 25)

void er_f32_dwconv_nchw_any__scalar(const float *in, int64_t in_step, const int64_t *tap_off, int64_t taps,
                                    const float *w, float bias, float lo, float hi, float *out, int64_t ow,
                                    int64_t rows) {
  for (int64_t r = 0; r < rows; r++, in += in_step, out += ow) {
    for (int64_t j = 0; j < ow; j++)
      out[j] = bias;
    for (int64_t t = 0; t < taps; t++) {
      const float *src = in + tap_off[t];
      float k = w[t];
      for (int64_t j = 0; j < ow; j++)
        out[j] += k * src[j];
    }
    for (int64_t j = 0; j < ow; j++)
      out[j] = clamp(out[j], lo, hi);
  }
}
