/* The portable float32 elementwise micro-kernels (the __scalar variant, the same expressions as the
 * reference kernels), the choice of variant by CPU features, and the drivers that walk a broadcast plan
 * or a tensor in threaded chunks. */
#include "ops/elementwise_f32.h"

#include <float.h>
#include <math.h>

#include "core/quant.h"
#include "ops/vector_math.h"

/* Elements (or rows' worth of elements) below which a chunk is not worth handing to another thread:
 * about a microsecond of work. Smaller chunks than the bare dispatch cost would suggest, because the
 * producer of an elementwise op's input (a conv split over channels) left each thread's share in that
 * thread's cache, and the thread pool hands the same share back to it: the squeeze-excite Mul and Add of
 * mobilenet_v3_small (10 to 50 thousand elements) run split, not on one thread reading the other core's
 * half. */
#define ELEMENTWISE_GRAIN 4096

/* --- scalar micro-kernels --- */

/* For each op: "v" reads both vectors, "vc" a vector and b[0], "vrc" b[0] op a[i]. */
#define DEFINE_SCALAR_BINARY(NAME, OP)                                                                       \
  static void er_f32_v##NAME##__scalar(size_t n, const float *a, const float *b, float *y,                   \
                                       const er_f32_elementwise_params *p) {                                 \
    for (size_t i = 0; i < n; i++)                                                                           \
      y[i] = er_clamp_f(a[i] OP b[i], p->min, p->max);                                                       \
  }                                                                                                          \
  static void er_f32_v##NAME##c__scalar(size_t n, const float *a, const float *b, float *y,                  \
                                        const er_f32_elementwise_params *p) {                                \
    const float c = b[0];                                                                                    \
    for (size_t i = 0; i < n; i++)                                                                           \
      y[i] = er_clamp_f(a[i] OP c, p->min, p->max);                                                          \
  }                                                                                                          \
  static void er_f32_vr##NAME##c__scalar(size_t n, const float *a, const float *b, float *y,                 \
                                         const er_f32_elementwise_params *p) {                               \
    const float c = b[0];                                                                                    \
    for (size_t i = 0; i < n; i++)                                                                           \
      y[i] = er_clamp_f(c OP a[i], p->min, p->max);                                                          \
  }

DEFINE_SCALAR_BINARY(add, +)
DEFINE_SCALAR_BINARY(sub, -)
DEFINE_SCALAR_BINARY(mul, *)
DEFINE_SCALAR_BINARY(div, /)
#undef DEFINE_SCALAR_BINARY

/* max first, then min, as CLIP and RELU do: with min > max the result is max. */
static inline float clamp_max_then_min(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

static void er_f32_vclamp__scalar(size_t n, const float *x, float *y, const er_f32_elementwise_params *p) {
  for (size_t i = 0; i < n; i++)
    y[i] = clamp_max_then_min(x[i], p->min, p->max);
}

static void er_f32_vsigmoid__scalar(size_t n, const float *x, float *y, const er_f32_elementwise_params *p) {
  (void)p;
  for (size_t i = 0; i < n; i++)
    y[i] = er_sigmoid_f32(x[i]);
}

/* unary_float.c's fmax(0, fmin(1, v)) written as comparisons, which compilers inline: NaN gives 1. */
static void er_f32_vhard_sigmoid__scalar(size_t n, const float *x, float *y,
                                         const er_f32_elementwise_params *p) {
  const double alpha = p->alpha, beta = p->beta;
  for (size_t i = 0; i < n; i++) {
    const double v = alpha * x[i] + beta;
    const double below_one = v < 1.0 ? v : 1.0;
    y[i] = (float)(below_one > 0.0 ? below_one : 0.0);
  }
}

static void er_f32_vhard_swish__scalar(size_t n, const float *x, float *y,
                                       const er_f32_elementwise_params *p) {
  (void)p;
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] * er_clamp_f(x[i] + 3.0f, 0.0f, 6.0f) / 6.0f;
}

/* Starts from -FLT_MAX and skips NaN as the reference softmax does. */
static void er_f32_vleaky_relu__scalar(size_t n, const float *x, float *y,
                                       const er_f32_elementwise_params *p) {
  const float alpha = p->alpha;
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
}

static void er_f32_vsilu__scalar(size_t n, const float *x, float *y, const er_f32_elementwise_params *p) {
  (void)p;
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] / (1.0f + er_exp_f32(-x[i]));
}

static float er_f32_rmax__scalar(size_t n, const float *x) {
  float max = -FLT_MAX;
  for (size_t i = 0; i < n; i++)
    max = x[i] > max ? x[i] : max;
  return max;
}

static float er_f32_raddstoreexpminusmax__scalar(size_t n, const float *x, float max, float *y,
                                                 const er_f32_elementwise_params *p) {
  /* Four partial sums, as the vector variants keep one per lane: the rounding error grows with n / 4. */
  float sum[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (size_t i = 0; i < n; i++) {
    y[i] = er_exp_f32((x[i] - max) * p->beta);
    sum[i % 4] += y[i];
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

const er_f32_elementwise_isa er_f32_elementwise__scalar = {
    "scalar",
    {{er_f32_vadd__scalar, er_f32_vaddc__scalar, er_f32_vraddc__scalar},
     {er_f32_vsub__scalar, er_f32_vsubc__scalar, er_f32_vrsubc__scalar},
     {er_f32_vmul__scalar, er_f32_vmulc__scalar, er_f32_vrmulc__scalar},
     {er_f32_vdiv__scalar, er_f32_vdivc__scalar, er_f32_vrdivc__scalar}},
    {er_f32_vclamp__scalar, er_f32_vsigmoid__scalar, er_f32_vhard_sigmoid__scalar, er_f32_vhard_swish__scalar,
     er_f32_vleaky_relu__scalar, er_f32_vsilu__scalar},
    er_f32_rmax__scalar,
    er_f32_raddstoreexpminusmax__scalar,
};

const er_f32_elementwise_isa *er_f32_elementwise_select(er_cpu_features cpu) {
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx512) return &er_f32_elementwise__avx512;
  if (cpu.avx2_fma) return &er_f32_elementwise__avx2;
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) return &er_f32_elementwise__neon;
#endif
  return &er_f32_elementwise__scalar;
}

/* --- drivers --- */

typedef struct {
  const er_bcast *plan;
  const er_f32_vbinary_ukernels *uk;
  const float *a, *b;
  float *y;
  const er_f32_elementwise_params *p;
} vbinary_task;

/* One row of the plan: n outputs from rows of a and b, each stepping by 1 or broadcast (0). A row where
 * both are broadcast has one element (the plan drops dims of size 1). */
static void vbinary_row(const vbinary_task *t, int64_t n, int64_t step_a, int64_t step_b, const float *a,
                        const float *b, float *y) {
  if (step_a == step_b)
    t->uk->op((size_t)n, a, b, y, t->p);
  else if (step_b == 0)
    t->uk->opc((size_t)n, a, b, y, t->p);
  else
    t->uk->ropc((size_t)n, b, a, y, t->p);
}

/* A chunk of rows [begin, end). */
static void vbinary_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const vbinary_task *t = arg;
  const int64_t n = er_bcast_row_len(t->plan);
  const int64_t step_a = er_bcast_row_step(t->plan, 1), step_b = er_bcast_row_step(t->plan, 2);
  er_bcast_iter it;
  er_bcast_seek(&it, t->plan, begin);
  for (int64_t row = begin; row < end; row++) {
    vbinary_row(t, n, step_a, step_b, t->a + it.offset[1], t->b + it.offset[2], t->y + it.offset[0]);
    er_bcast_next(&it);
  }
}

/* A chunk [begin, end) of the elements of a plan that is a single row. */
static void vbinary_elements(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const vbinary_task *t = arg;
  const int64_t step_a = er_bcast_row_step(t->plan, 1), step_b = er_bcast_row_step(t->plan, 2);
  vbinary_row(t, end - begin, step_a, step_b, t->a + begin * step_a, t->b + begin * step_b, t->y + begin);
}

void er_f32_vbinary_run(er_op_ctx *ctx, const er_bcast *plan, const er_f32_vbinary_ukernels *uk,
                        const float *a, const float *b, float *y, const er_f32_elementwise_params *p) {
  if (plan->elements <= 0) return;
  vbinary_task t = {plan, uk, a, b, y, p};
  const int64_t row_len = er_bcast_row_len(plan), rows = plan->elements / row_len;
  if (rows == 1) {
    er_parallel_for(ctx, row_len, ELEMENTWISE_GRAIN, vbinary_elements, &t);
  } else {
    const int64_t grain = row_len >= ELEMENTWISE_GRAIN ? 1 : ELEMENTWISE_GRAIN / row_len;
    er_parallel_for(ctx, rows, grain, vbinary_rows, &t);
  }
}

typedef struct {
  er_f32_vunary_fn fn;
  const float *x;
  float *y;
  const er_f32_elementwise_params *p;
} vunary_task;

static void vunary_elements(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const vunary_task *t = arg;
  t->fn((size_t)(end - begin), t->x + begin, t->y + begin, t->p);
}

void er_f32_vunary_run(er_op_ctx *ctx, er_f32_vunary_fn fn, int64_t n, const float *x, float *y,
                       const er_f32_elementwise_params *p) {
  if (n <= 0) return;
  vunary_task t = {fn, x, y, p};
  er_parallel_for(ctx, n, ELEMENTWISE_GRAIN, vunary_elements, &t);
}

typedef struct {
  const er_f32_elementwise_isa *isa;
  int64_t depth;
  const float *x;
  float *y;
  er_f32_elementwise_params exp_params;
} softmax_task;

static void softmax_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const softmax_task *t = arg;
  const size_t depth = (size_t)t->depth;
  const er_f32_vbinary_fn divide = t->isa->binary[ER_F32_VDIV].opc;
  const er_f32_elementwise_params no_clamp = {-INFINITY, INFINITY, 0.0f, 0.0f};
  for (int64_t row = begin; row < end; row++) {
    const float *x = t->x + row * t->depth;
    float *y = t->y + row * t->depth;
    const float max = t->isa->rmax(depth, x);
    const float sum = t->isa->raddstoreexpminusmax(depth, x, max, y, &t->exp_params);
    divide(depth, y, &sum, y, &no_clamp);
  }
}

void er_f32_softmax_run(er_op_ctx *ctx, const er_f32_elementwise_isa *isa, int64_t rows, int64_t depth,
                        const float *x, float *y, float beta) {
  if (rows <= 0 || depth <= 0) return;
  softmax_task t = {isa, depth, x, y, {-INFINITY, INFINITY, 0.0f, beta}};
  const int64_t grain = depth >= ELEMENTWISE_GRAIN ? 1 : ELEMENTWISE_GRAIN / depth;
  er_parallel_for(ctx, rows, grain, softmax_rows, &t);
}
