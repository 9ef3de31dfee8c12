/* The portable int8 ADD / SUB / MUL micro-kernels (the reference arithmetic itself), the choice of variant,
 * and the drivers that walk a broadcast plan in threaded chunks of rows. */
#include "ops/elementwise_qs8.h"

/* Rows' worth of elements below which a chunk is not worth handing to another thread. */
#define QS8_GRAIN 16384

static void er_qs8_vadd__scalar(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                                const er_qs8_add_params *p) {
  for (size_t i = 0; i < n; i++) {
    const int32_t raw = er_qs8_add_rescale(a[i], &p->a, p->left_shift) +
                        p->b_sign * er_qs8_add_rescale(b[i], &p->b, p->left_shift);
    y[i] = (int8_t)er_qs8_add_output(raw, p);
  }
}

static void er_qs8_vaddc__scalar(size_t n, const int8_t *x, const er_qs8_rescale *r, int32_t sign,
                                 int32_t addend, int8_t *y, const er_qs8_add_params *p) {
  for (size_t i = 0; i < n; i++)
    y[i] = (int8_t)er_qs8_add_output(addend + sign * er_qs8_add_rescale(x[i], r, p->left_shift), p);
}

static void er_qs8_vmul__scalar(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                                const er_qs8_mul_params *p) {
  for (size_t i = 0; i < n; i++)
    y[i] = (int8_t)er_qs8_mul_output((a[i] + p->a_offset) * (b[i] + p->b_offset), p);
}

static void er_qs8_vmulc__scalar(size_t n, const int8_t *x, int32_t x_offset, int32_t factor, int8_t *y,
                                 const er_qs8_mul_params *p) {
  for (size_t i = 0; i < n; i++)
    y[i] = (int8_t)er_qs8_mul_output((x[i] + x_offset) * factor, p);
}

const er_qs8_elementwise_isa er_qs8_elementwise__scalar = {
    "scalar", er_qs8_vadd__scalar, er_qs8_vaddc__scalar, er_qs8_vmul__scalar, er_qs8_vmulc__scalar};

const er_qs8_elementwise_isa *er_qs8_elementwise_select(er_cpu_features cpu) {
  (void)cpu;
#if defined(ER_SIMD_X86)
  if (cpu.avx2_fma) return &er_qs8_elementwise__avx2;
#endif
#if defined(ER_SIMD_ARM)
  if (cpu.neon) return &er_qs8_elementwise__neon;
#endif
  return &er_qs8_elementwise__scalar;
}

/* The vector kernels compute the doubling high multiply as (a * m + 2^30) >> 31, which equals the
 * reference for every a when m > 0 (its saturating case needs m = INT32_MIN). ADD's inputs shifted left
 * by left_shift must stay within int32 without wrapping, as they do for int8 (20 bits). */
bool er_qs8_add_params_vectorizable(const er_qs8_add_params *p) {
  return p->a.multiplier > 0 && p->b.multiplier > 0 && p->out_multiplier > 0 && p->a.shift <= 0 &&
         p->b.shift <= 0 && p->out_shift <= 0 && p->left_shift >= 0 && p->left_shift <= 20;
}

bool er_qs8_mul_params_vectorizable(const er_qs8_mul_params *p) { return p->multiplier > 0; }

typedef struct {
  const er_bcast *plan;
  const er_qs8_elementwise_isa *isa;
  const void *params;
  const int8_t *a, *b;
  int8_t *y;
} qs8_task;

static void add_row(const qs8_task *t, int64_t n, int64_t step_a, int64_t step_b, const int8_t *a,
                    const int8_t *b, int8_t *y) {
  const er_qs8_add_params *p = t->params;
  if (step_a == step_b) {
    t->isa->vadd((size_t)n, a, b, y, p);
  } else if (step_b == 0) {
    const int32_t addend = p->b_sign * er_qs8_add_rescale(b[0], &p->b, p->left_shift);
    t->isa->vaddc((size_t)n, a, &p->a, 1, addend, y, p);
  } else {
    const int32_t addend = er_qs8_add_rescale(a[0], &p->a, p->left_shift);
    t->isa->vaddc((size_t)n, b, &p->b, p->b_sign, addend, y, p);
  }
}

static void mul_row(const qs8_task *t, int64_t n, int64_t step_a, int64_t step_b, const int8_t *a,
                    const int8_t *b, int8_t *y) {
  const er_qs8_mul_params *p = t->params;
  if (step_a == step_b)
    t->isa->vmul((size_t)n, a, b, y, p);
  else if (step_b == 0)
    t->isa->vmulc((size_t)n, a, p->a_offset, b[0] + p->b_offset, y, p);
  else
    t->isa->vmulc((size_t)n, b, p->b_offset, a[0] + p->a_offset, y, p);
}

typedef void (*row_fn)(const qs8_task *t, int64_t n, int64_t step_a, int64_t step_b, const int8_t *a,
                       const int8_t *b, int8_t *y);

static void run_rows(const qs8_task *t, row_fn row, int64_t begin, int64_t end) {
  const int64_t n = er_bcast_row_len(t->plan);
  const int64_t step_a = er_bcast_row_step(t->plan, 1), step_b = er_bcast_row_step(t->plan, 2);
  er_bcast_iter it;
  er_bcast_seek(&it, t->plan, begin);
  for (int64_t r = begin; r < end; r++) {
    row(t, n, step_a, step_b, t->a + it.offset[1], t->b + it.offset[2], t->y + it.offset[0]);
    er_bcast_next(&it);
  }
}

static void run_elements(const qs8_task *t, row_fn row, int64_t begin, int64_t end) {
  const int64_t step_a = er_bcast_row_step(t->plan, 1), step_b = er_bcast_row_step(t->plan, 2);
  row(t, end - begin, step_a, step_b, t->a + begin * step_a, t->b + begin * step_b, t->y + begin);
}

static void add_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  run_rows(arg, add_row, begin, end);
}
static void add_elements(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  run_elements(arg, add_row, begin, end);
}
static void mul_rows(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  run_rows(arg, mul_row, begin, end);
}
static void mul_elements(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  run_elements(arg, mul_row, begin, end);
}

static void run_plan(er_op_ctx *ctx, qs8_task *t, er_task_fn rows_fn, er_task_fn elements_fn) {
  if (t->plan->elements <= 0) return;
  const int64_t row_len = er_bcast_row_len(t->plan), rows = t->plan->elements / row_len;
  if (rows == 1)
    er_parallel_for(ctx, row_len, QS8_GRAIN, elements_fn, t);
  else
    er_parallel_for(ctx, rows, row_len >= QS8_GRAIN ? 1 : QS8_GRAIN / row_len, rows_fn, t);
}

void er_qs8_vadd_run(er_op_ctx *ctx, const er_bcast *plan, const er_qs8_elementwise_isa *isa,
                     const er_qs8_add_params *p, const int8_t *a, const int8_t *b, int8_t *y) {
  qs8_task t = {plan, isa, p, a, b, y};
  run_plan(ctx, &t, add_rows, add_elements);
}

void er_qs8_vmul_run(er_op_ctx *ctx, const er_bcast *plan, const er_qs8_elementwise_isa *isa,
                     const er_qs8_mul_params *p, const int8_t *a, const int8_t *b, int8_t *y) {
  qs8_task t = {plan, isa, p, a, b, y};
  run_plan(ctx, &t, mul_rows, mul_elements);
}
