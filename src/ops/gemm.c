/* GEMM: ONNX Gemm, Y = act(alpha * A' * B' + beta * C), with A' = A^T when trans_a and B' = B^T when
 * trans_b (A' is [M, K], B' is [K, N]) and act the activation the optimizer fused (attrs). C (optional
 * input 2) broadcasts to [M, N] one way: a scalar, [N], [M, 1], [1, N] or [M, N].
 * float32 runs on the packed GEMM core (gemm_f32.h) when B' or A' is constant (packed once, alpha folded
 * in) or alpha is 1; beta * C becomes its bias per column or per row. One row times a constant B given
 * transposed (a classifier on one image: x [1, 1280] times B [1000, 1280]) runs as dot products with B's
 * rows where they lie (er_f32_gemm_ukernels.dot_row, where the CPU's variant has one): the product streams
 * B's bytes once either way, and packing them was a third of the fresh memory mobilenet_v2 touches at
 * load. Otherwise, and for float64, float16 (sums in double, rounded once), int32 and int64 (wrapping,
 * alpha and beta applied in double and truncated as ONNX's reference does for integers), the reference
 * loops run. */
#include "core/kernel.h"
#include "ops/gemm_f32.h"
#include "ops/index_math.h"
#include "ops/linalg_values.h"

/* The float32 fast path's plan. */
typedef struct {
  const er_f32_gemm_ukernels *uk;
  const float *a_packed, *b_packed; /* the constant operand, packed, alpha folded in; NULL when plain */
  er_f32_matrix a, b;               /* layout of a plain operand (data set at eval) */
  er_f32_bias_kind bias_kind;       /* beta * C per row or column; NONE with c_full or without C */
  const float *bias;                /* beta * C when C is constant, else made at eval in scratch */
  int64_t bias_count;
  const void *weights; /* B [N, K] as stored (maybe in the model file, any alignment) when one row runs as
                          dot products with its rows, else NULL */
  bool c_full;         /* C is [M, N]: beta * C is added after the product, then the activation */
  size_t gemm_scratch; /* bytes of scratch for er_f32_gemm_run; the bias follows */
} gemm_fast;

typedef struct {
  edgert_dtype dtype;
  double alpha, beta;
  int64_t m, n, k;
  int64_t a_m, a_k, b_k, b_n; /* element strides of A'[m][k] and B'[k][n] */
  int64_t c_m, c_n;           /* strides of C broadcast over [M, N]; 0 where it repeats */
  bool has_c;
  er_fused_act act;
  gemm_fast *fast; /* float32 on the GEMM core, or NULL */
} gemm_data;

static bool dtype_supported(edgert_dtype dt) {
  return lv_is_float(dt) || dt == EDGERT_INT32 || dt == EDGERT_INT64 || dt == EDGERT_UINT32 ||
         dt == EDGERT_UINT64;
}

static edgert_status plan_c(er_op_ctx *ctx, gemm_data *d, const er_tensor *c) {
  if (!c) return EDGERT_OK;
  d->has_c = true;
  if (c->ndim > 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "C has rank %d; at most 2 allowed", (int)c->ndim);
  int64_t cm = c->ndim == 2 ? c->dims[0] : 1, cn = c->ndim >= 1 ? er_dim(c, -1) : 1;
  if ((cm != 1 && cm != d->m) || (cn != 1 && cn != d->n))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "C [%lld, %lld] does not broadcast to [%lld, %lld]", (long long)cm,
                   (long long)cn, (long long)d->m, (long long)d->n);
  d->c_n = cn == 1 ? 0 : 1;
  d->c_m = cm == 1 ? 0 : cn;
  return EDGERT_OK;
}

/* A constant with values: in memory, or (B, reads_file_inputs) where it lies in the model file. */
static bool is_constant(const er_tensor *t) { return t->kind == ER_TENSOR_CONST && er_const_bytes(t); }

/* beta * C as a bias of `count` values (one per row when per_row, else per column), into out. */
static void make_bias(const gemm_data *d, const float *c, bool per_row, int64_t count, float *out) {
  int64_t stride = per_row ? d->c_m : d->c_n;
  for (int64_t i = 0; i < count; i++)
    out[i] = (float)(d->beta * c[i * stride]);
}

/* Plans float32 on the GEMM core; leaves d->fast NULL (the reference loop) when alpha cannot be folded
 * into a constant operand and is not 1. */
static edgert_status plan_fast(er_op_ctx *ctx, gemm_data *d, const er_gemm_attrs *at, const er_tensor *ta,
                               const er_tensor *tb, const er_tensor *tc) {
  bool b_const = is_constant(tb), a_const = !b_const && is_constant(ta);
  if (!b_const && !a_const && d->alpha != 1.0) return EDGERT_OK;
  gemm_fast *f = er_persist_alloc(ctx, sizeof *f);
  if (!f) return EDGERT_ERR_NO_MEMORY;
  f->uk = er_f32_gemm_select(er_cpu_detect());
  f->a = (er_f32_matrix){NULL, ta->dims[1], at->trans_a};
  f->b = (er_f32_matrix){NULL, tb->dims[1], at->trans_b};
  size_t bytes;
  if (b_const && at->trans_b && d->m == 1 && d->alpha == 1.0 && f->uk->dot_row) {
    edgert_status st = er_keep_input(ctx, 1);
    if (st != EDGERT_OK) return st;
    f->weights = er_const_bytes(tb);
  } else if (b_const || a_const) {
    bool ok = b_const ? er_f32_gemm_packed_b_bytes(f->uk, d->k, d->n, &bytes)
                      : er_f32_gemm_packed_a_bytes(f->uk, d->m, d->k, &bytes);
    if (!ok) return er_fail(ctx, EDGERT_ERR_LIMIT, "packed %s is too large", b_const ? "B" : "A");
    float *packed = er_persist_alloc(ctx, bytes ? bytes : 1);
    if (!packed) return EDGERT_ERR_NO_MEMORY;
    if (b_const) {
      f->b.data = er_const_bytes(tb);
      er_f32_gemm_pack_b(ctx, f->uk, d->k, d->n, f->b, (float)d->alpha, packed);
      f->b_packed = packed;
    } else {
      f->a.data = ta->data;
      er_f32_gemm_pack_a(f->uk, d->m, d->k, f->a, (float)d->alpha, packed);
      f->a_packed = packed;
    }
    er_input_packed(ctx, b_const ? 1 : 0);
  }
  if (!er_f32_gemm_scratch_bytes(f->uk, d->m, d->n, d->k, f->a_packed, f->b_packed, er_num_threads(ctx),
                                 &f->gemm_scratch))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "GEMM [%lld x %lld x %lld] is too large", (long long)d->m,
                   (long long)d->n, (long long)d->k);
  if (d->has_c) {
    f->c_full = d->c_m != 0 && d->c_n != 0;
    bool per_row = d->c_m != 0 && d->c_n == 0;
    if (!f->c_full) {
      f->bias_kind = per_row ? ER_F32_BIAS_PER_ROW : ER_F32_BIAS_PER_COL;
      f->bias_count = per_row ? d->m : d->n;
      if (is_constant(tc)) {
        float *bias = er_persist_alloc(ctx, (size_t)f->bias_count * sizeof *bias + 1);
        if (!bias) return EDGERT_ERR_NO_MEMORY;
        make_bias(d, tc->data, per_row, f->bias_count, bias);
        f->bias = bias;
      }
    }
  }
  ctx->scratch_bytes = f->gemm_scratch + (f->bias ? 0 : (size_t)f->bias_count * sizeof(float));
  d->fast = f;
  return EDGERT_OK;
}

static edgert_status gemm_prepare(er_op_ctx *ctx) {
  const er_gemm_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  edgert_status st = er_check_io(ctx, 2, 3, 1);
  if (st) return st;
  const er_tensor *ta = er_input(ctx, 0), *tb = er_input(ctx, 1), *tc = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  if (!dtype_supported(ta->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported", edgert_dtype_name(ta->dtype));
  if ((st = er_check_dtype(ctx, tb, ta->dtype, "B")) ||
      (st = er_check_dtype(ctx, out, ta->dtype, "output")) ||
      (tc && (st = er_check_dtype(ctx, tc, ta->dtype, "C"))))
    return st;
  if (ta->ndim != 2 || tb->ndim != 2 || er_tensor_elements(ta) < 0 || er_tensor_elements(tb) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "A and B must be 2-D (have rank %d and %d)", (int)ta->ndim,
                   (int)tb->ndim);
  gemm_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->dtype = ta->dtype;
  d->alpha = a->alpha, d->beta = a->beta;
  d->m = a->trans_a ? ta->dims[1] : ta->dims[0];
  d->k = a->trans_a ? ta->dims[0] : ta->dims[1];
  int64_t bk = a->trans_b ? tb->dims[1] : tb->dims[0];
  d->n = a->trans_b ? tb->dims[0] : tb->dims[1];
  if (bk != d->k)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "A' has %lld columns but B' has %lld rows", (long long)d->k,
                   (long long)bk);
  d->a_m = a->trans_a ? 1 : d->k;
  d->a_k = a->trans_a ? d->m : 1;
  d->b_k = a->trans_b ? 1 : d->n;
  d->b_n = a->trans_b ? d->k : 1;
  if ((st = plan_c(ctx, d, tc)) || (st = er_keep_input(ctx, 2))) return st; /* eval may read C */
  /* float32 packs a constant B (plan_fast) from the file; other paths read its floats at eval */
  if (!(d->dtype == EDGERT_FLOAT32 && is_constant(tb)) && (st = er_copy_input(ctx, 1))) return st;
  d->act = (er_fused_act){a->activation, a->act_min, a->act_max, NULL};
  er_fused_act_vectorize(&d->act, er_cpu_detect());
  if (d->dtype == EDGERT_FLOAT32 && (st = plan_fast(ctx, d, a, ta, tb, tc))) return st;
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, 2, (const int64_t[]){d->m, d->n});
}

/* An activation on a value computed in double (dtypes other than float32 keep their precision). */
static double act_f64(const er_fused_act *a, double v) {
  switch (a->kind) {
  case ER_ACT_NONE: return v;
  case ER_ACT_RELU: return v < 0 ? 0 : v;
  case ER_ACT_RELU_N1_TO_1: return v < -1 ? -1 : (v > 1 ? 1 : v);
  case ER_ACT_RELU6: return v < 0 ? 0 : (v > 6 ? 6 : v);
  case ER_ACT_TANH: return tanh(v);
  case ER_ACT_SIGMOID: return 1 / (1 + exp(-v));
  case ER_ACT_CLIP: return v < a->min ? a->min : (v > a->max ? a->max : v);
  case ER_ACT_HARD_SWISH: {
    double r = v + 3;
    return v * (r < 0 ? 0 : (r > 6 ? 6 : r)) / 6;
  }
  case ER_ACT_SILU: return v / (1 + exp(-v));
  }
  return v;
}

/* One row of A' times B' for a constant B given [N, K] (gemm_fast.weights): dot products with B's rows
 * where they lie, a block of outputs per task, then the bias and the activation. */
typedef struct {
  const gemm_data *d;
  const float *x, *bias; /* bias: per column of C, or NULL */
  float row_bias;        /* C's value for the row, when bias is NULL */
  float *y;
} dot_task;

#define DOT_TASK_OUTPUTS 64

static void dot_outputs(void *arg, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const dot_task *t = arg;
  const gemm_fast *f = t->d->fast;
  const int64_t j0 = begin * DOT_TASK_OUTPUTS, j1 = er_min_i64(end * DOT_TASK_OUTPUTS, t->d->n);
  f->uk->dot_row((size_t)(j1 - j0), (size_t)t->d->k, t->x,
                 (const unsigned char *)f->weights + sizeof(float) * (size_t)(j0 * t->d->k), (size_t)t->d->k,
                 t->y + j0);
  for (int64_t j = j0; j < j1; j++)
    t->y[j] += t->bias ? t->bias[j] : t->row_bias;
  if (!f->c_full) er_fused_act_apply_n(&t->d->act, t->y + j0, j1 - j0);
}

/* float32 on the GEMM core. */
static void gemm_f32_fast(er_op_ctx *ctx, const gemm_data *d, const float *a, const float *b, const float *c,
                          float *out) {
  const gemm_fast *f = d->fast;
  er_f32_gemm_args g = {.m = d->m,
                        .n = d->n,
                        .k = d->k,
                        .a_packed = f->a_packed,
                        .a = f->a,
                        .b_packed = f->b_packed,
                        .b = f->b,
                        .c = out,
                        .ldc = d->n,
                        .bias_kind = f->bias_kind,
                        .bias = f->bias,
                        .act = f->c_full ? (er_fused_act){ER_ACT_NONE, 0, 0, NULL} : d->act};
  g.a.data = a, g.b.data = b;
  if (f->bias_kind != ER_F32_BIAS_NONE && !f->bias) {
    float *bias = (float *)((char *)ctx->scratch + f->gemm_scratch);
    make_bias(d, c, f->bias_kind == ER_F32_BIAS_PER_ROW, f->bias_count, bias);
    g.bias = bias;
  }
  if (f->weights) { /* one row: A' is a's floats in order, transposed or not */
    dot_task t = {d, a, g.bias_kind == ER_F32_BIAS_PER_COL ? g.bias : NULL,
                  g.bias_kind == ER_F32_BIAS_PER_ROW ? g.bias[0] : 0.0f, out};
    er_parallel_for(ctx, (d->n + DOT_TASK_OUTPUTS - 1) / DOT_TASK_OUTPUTS, 1, dot_outputs, &t);
  } else {
    er_f32_gemm_run(ctx, f->uk, &g, ctx->scratch);
  }
  if (f->c_full) {
    for (int64_t m = 0; m < d->m; m++)
      for (int64_t n = 0; n < d->n; n++) {
        float *y = &out[m * d->n + n];
        *y = er_fused_act_apply(&d->act, (float)(*y + d->beta * c[m * d->c_m + n * d->c_n]));
      }
  }
}

/* float32 without per-element dispatch; sums in double. */
static void gemm_f32(const gemm_data *d, const float *a, const float *b, const float *c, float *out) {
  for (int64_t m = 0; m < d->m; m++)
    for (int64_t n = 0; n < d->n; n++) {
      double acc = 0;
      const float *a_m = a + m * d->a_m, *b_n = b + n * d->b_n;
      for (int64_t k = 0; k < d->k; k++)
        acc += (double)a_m[k * d->a_k] * b_n[k * d->b_k];
      double y = d->alpha * acc;
      if (c) y += d->beta * c[m * d->c_m + n * d->c_n];
      out[m * d->n + n] = er_fused_act_apply(&d->act, (float)y);
    }
}

static edgert_status gemm_eval(er_op_ctx *ctx) {
  const gemm_data *d = ctx->op_data;
  const void *a = er_input(ctx, 0)->data, *b = er_input(ctx, 1)->data;
  const er_tensor *c = er_input(ctx, 2);
  void *out = er_output(ctx, 0)->data;
  if (d->fast) {
    gemm_f32_fast(ctx, d, a, b, c ? c->data : NULL, out);
    return EDGERT_OK;
  }
  if (d->dtype == EDGERT_FLOAT32) {
    gemm_f32(d, a, b, c ? c->data : NULL, out);
    return EDGERT_OK;
  }
  bool ints = lv_is_integer(d->dtype);
  for (int64_t m = 0; m < d->m; m++)
    for (int64_t n = 0; n < d->n; n++) {
      int64_t o = m * d->n + n, ci = m * d->c_m + n * d->c_n;
      if (ints) {
        uint64_t acc = 0;
        for (int64_t k = 0; k < d->k; k++)
          acc += (uint64_t)lv_load_i64(a, d->dtype, m * d->a_m + k * d->a_k) *
                 (uint64_t)lv_load_i64(b, d->dtype, k * d->b_k + n * d->b_n);
        double y = d->alpha * (double)(int64_t)acc;
        if (d->has_c) y += d->beta * (double)lv_load_i64(c->data, d->dtype, ci);
        lv_store(out, d->dtype, o, act_f64(&d->act, y));
      } else {
        double acc = 0;
        for (int64_t k = 0; k < d->k; k++)
          acc +=
              lv_load(a, d->dtype, m * d->a_m + k * d->a_k) * lv_load(b, d->dtype, k * d->b_k + n * d->b_n);
        double y = d->alpha * acc;
        if (d->has_c) y += d->beta * lv_load(c->data, d->dtype, ci);
        lv_store(out, d->dtype, o, act_f64(&d->act, y));
      }
    }
  return EDGERT_OK;
}

const er_kernel er_kernel_gemm = {.prepare = gemm_prepare, .eval = gemm_eval, .reads_file_inputs = 1u << 1};
