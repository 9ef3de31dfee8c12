/* GEMM: ONNX Gemm, Y = alpha * A' * B' + beta * C, with A' = A^T when trans_a and B' = B^T when trans_b
 * (A' is [M, K], B' is [K, N]). C (optional input 2) broadcasts to [M, N] one way: a scalar, [N], [M, 1],
 * [1, N] or [M, N]. float32, float64, float16 (sums in double, rounded once), int32 and int64 (wrapping,
 * alpha and beta applied in double and truncated as ONNX's reference does for integers). */
#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  edgert_dtype dtype;
  double alpha, beta;
  int64_t m, n, k;
  int64_t a_m, a_k, b_k, b_n; /* element strides of A'[m][k] and B'[k][n] */
  int64_t c_m, c_n;           /* strides of C broadcast over [M, N]; 0 where it repeats */
  bool has_c;
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
  if ((st = plan_c(ctx, d, tc))) return st;
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, 2, (const int64_t[]){d->m, d->n});
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
      out[m * d->n + n] = (float)y;
    }
}

static edgert_status gemm_eval(er_op_ctx *ctx) {
  const gemm_data *d = ctx->op_data;
  const void *a = er_input(ctx, 0)->data, *b = er_input(ctx, 1)->data;
  const er_tensor *c = er_input(ctx, 2);
  void *out = er_output(ctx, 0)->data;
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
        lv_store(out, d->dtype, o, y);
      } else {
        double acc = 0;
        for (int64_t k = 0; k < d->k; k++)
          acc +=
              lv_load(a, d->dtype, m * d->a_m + k * d->a_k) * lv_load(b, d->dtype, k * d->b_k + n * d->b_n);
        double y = d->alpha * acc;
        if (d->has_c) y += d->beta * lv_load(c->data, d->dtype, ci);
        lv_store(out, d->dtype, o, y);
      }
    }
  return EDGERT_OK;
}

const er_kernel er_kernel_gemm = {gemm_prepare, gemm_eval};
