/* Float32 NCHW direct convolution for few input channels: planning and the threaded driver; see
 * conv_nd_direct.h. */
#include "ops/conv_nd_direct.h"

#include <string.h>

#include "core/cpu.h"
#include "ops/index_math.h"

/* Output columns per vector. */
#define DIRECT_VECTOR 16
/* er_window_2d_init's bound on one output row's padded input rows (this path copies none; it only bounds the
 * sizes), and the widest input row the zero row stands in for. */
#define DIRECT_ROW_LIMIT_FLOATS ((int64_t)4 * 1024 * 1024)
#define DIRECT_MAX_WIDTH ((int64_t)1 << 20)
/* Work items per thread, so that uneven items still balance. */
#define DIRECT_ITEMS_PER_THREAD 4

static er_f32_conv_nchw_direct_fn choose_kernel(const er_window_2d *v) {
  er_cpu_features cpu = er_cpu_detect();
  if (v->kh != 3 || v->kw != 3 || v->dil_h != 1 || v->dil_w != 1) return NULL;
  if (v->stride_h != v->stride_w || v->stride_w < 1 || v->stride_w > 2) return NULL;
  if (v->in_w < 1 || v->in_w > DIRECT_MAX_WIDTH) return NULL;
#if defined(ER_SIMD_X86)
  if (cpu.avx512)
    return v->stride_w == 1 ? er_f32_conv_nchw_direct_3x3s1__avx512 : er_f32_conv_nchw_direct_3x3s2__avx512;
#endif
  (void)cpu;
  return NULL;
}

bool er_f32_conv_nchw_direct_applies(const er_conv_nd_geometry *d, const er_tensor *x, const er_tensor *w) {
  const er_window_nd *g = &d->win;
  if (x->dtype != EDGERT_FLOAT32 || w->kind != ER_TENSOR_CONST || !er_const_bytes(w)) return false;
  if (g->rank != 2 || d->group != 1) return false;
  if (g->batch < 1 || g->out_size < 1 || d->out_channels < 1) return false; /* empty: the reference's */
  if (g->channels < 1 || g->channels > ER_CONV_DIRECT_MAX_CIN) return false;
  er_window_2d v;
  if (!er_window_2d_init(g, DIRECT_VECTOR, DIRECT_ROW_LIMIT_FLOATS, &v)) return false;
  return choose_kernel(&v) != NULL;
}

/* w [cout][cin][kh][kw] as [cout_blocks][cin][kh][kw][16], zero past cout. */
static void relayout_weights(const er_f32_conv_nchw_direct_plan *p, const float *w, float *packed) {
  int64_t taps = p->cin * p->win.kh * p->win.kw;
  memset(packed, 0, (size_t)(p->cout_blocks * taps * ER_CONV_DIRECT_BLOCK) * sizeof *packed);
  for (int64_t m = 0; m < p->cout; m++) {
    float *block = packed + m / ER_CONV_DIRECT_BLOCK * taps * ER_CONV_DIRECT_BLOCK;
    for (int64_t t = 0; t < taps; t++)
      block[t * ER_CONV_DIRECT_BLOCK + m % ER_CONV_DIRECT_BLOCK] = w[m * taps + t];
  }
}

edgert_status er_f32_conv_nchw_direct_prepare(er_op_ctx *ctx, const er_conv_nd_geometry *d,
                                              const er_tensor *w, const er_fused_act *act,
                                              er_f32_conv_nchw_direct_plan *p) {
  memset(p, 0, sizeof *p);
  er_window_2d_init(&d->win, DIRECT_VECTOR, DIRECT_ROW_LIMIT_FLOATS, &p->win); /* checked by _applies */
  const er_window_2d *v = &p->win;
  p->batch = d->win.batch;
  p->cin = d->win.channels;
  p->cout = d->out_channels;
  p->cout_blocks = er_div_up_i64(p->cout, ER_CONV_DIRECT_BLOCK);
  p->kernel = choose_kernel(v);
  /* Bands: enough work items for every thread, as few as that allows. */
  int64_t items = (int64_t)er_num_threads(ctx) * DIRECT_ITEMS_PER_THREAD;
  int64_t bands = er_min_i64(v->out_h, er_div_up_i64(items, p->batch * p->cout_blocks));
  p->band_rows = er_div_up_i64(v->out_h, bands);
  p->bands = er_div_up_i64(v->out_h, p->band_rows);
  p->act = *act;
  er_fused_act_vectorize(&p->act, er_cpu_detect());
  /* Clamps run in registers; the other activations over each finished row (HardSwish in registers measured
   * no faster: its division costs the same there). */
  if (er_fused_act_as_clamp(act, &p->lo, &p->hi)) p->act.kind = ER_ACT_NONE;

  int64_t vectors = er_div_up_i64(v->out_w, DIRECT_VECTOR);
  int64_t packed_floats = p->cout_blocks * p->cin * v->kh * v->kw * ER_CONV_DIRECT_BLOCK;
  float *packed = er_persist_alloc(ctx, (size_t)packed_floats * sizeof *packed);
  float *zeros = er_persist_alloc(ctx, (size_t)v->in_w * sizeof *zeros);
  p->col_off = er_persist_alloc(ctx, (size_t)v->kw * sizeof *p->col_off);
  p->col_mask = er_persist_alloc(ctx, (size_t)(vectors * v->kw) * sizeof *p->col_mask);
  if (!packed || !zeros || !p->col_off || !p->col_mask) return EDGERT_ERR_NO_MEMORY;
  relayout_weights(p, w->data, packed);
  p->weights = packed;
  memset(zeros, 0, (size_t)v->in_w * sizeof *zeros);
  p->zeros = zeros;
  for (int64_t kx = 0; kx < v->kw; kx++)
    p->col_off[kx] = kx * v->dil_w - v->pad_left;
  er_window_2d_col_masks(v, p->col_off, p->col_mask);
  return EDGERT_OK;
}

typedef struct {
  const er_f32_conv_nchw_direct_plan *p;
  const float *x, *bias;
  float *y;
} direct_task;

/* Work item = (image, output-channel block, band of output rows), one output row at a time. */
static void direct_items(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const direct_task *t = arg;
  const er_f32_conv_nchw_direct_plan *p = t->p;
  const er_window_2d *v = &p->win;
  int64_t in_plane = v->in_h * v->in_w, out_plane = v->out_h * v->out_w;
  int64_t block_floats = p->cin * v->kh * v->kw * ER_CONV_DIRECT_BLOCK;
  const float *in_rows[ER_CONV_DIRECT_MAX_CIN * 3];
  for (int64_t item = begin; item < end; item++) {
    int64_t band = item % p->bands, rest = item / p->bands;
    int64_t block = rest % p->cout_blocks, n = rest / p->cout_blocks;
    int64_t m0 = block * ER_CONV_DIRECT_BLOCK, couts = er_min_i64(p->cout - m0, ER_CONV_DIRECT_BLOCK);
    float bias[ER_CONV_DIRECT_BLOCK] = {0};
    for (int64_t m = 0; m < couts && t->bias; m++)
      bias[m] = t->bias[m0 + m];
    const float *x = t->x + n * p->cin * in_plane;
    const float *w = p->weights + block * block_floats;
    int64_t oy_end = er_min_i64(v->out_h, (band + 1) * p->band_rows);
    for (int64_t oy = band * p->band_rows; oy < oy_end; oy++) {
      for (int64_t c = 0; c < p->cin; c++)
        for (int64_t ky = 0; ky < v->kh; ky++) {
          int64_t iy = oy * v->stride_h - v->pad_top + ky * v->dil_h;
          in_rows[c * v->kh + ky] = iy >= 0 && iy < v->in_h ? x + c * in_plane + iy * v->in_w : p->zeros;
        }
      float *y = t->y + (n * p->cout + m0) * out_plane + oy * v->out_w;
      p->kernel(in_rows, p->cin, p->col_off, p->col_mask, w, bias, p->lo, p->hi, y, out_plane, couts,
                v->out_w);
      for (int64_t m = 0; m < couts; m++)
        er_fused_act_apply_n(&p->act, y + m * out_plane, v->out_w);
    }
  }
}

void er_f32_conv_nchw_direct_run(er_op_ctx *ctx, const er_f32_conv_nchw_direct_plan *p, const float *x,
                                 const float *bias, float *y) {
  direct_task t = {p, x, bias, y};
  const int64_t items = p->batch * p->cout_blocks * p->bands;
  const double macs = (double)(p->batch * p->cout * p->cin * 9) * (double)(p->win.out_h * p->win.out_w);
  er_parallel_for(ctx, items, er_grain_for_work(items, 1, macs), direct_items, &t);
}
