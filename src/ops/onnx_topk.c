/* ONNX_TOPK (ONNX TopK-11): the k largest (or smallest) values along an axis and their int64 positions,
 * best first; equal values keep the lower position first, as the spec requires. k is input 1, a constant
 * int64 with one value in [0, axis size], read at prepare when constant; when computed at run time the
 * declared output shape stands in and eval checks k against it. Each line along the
 * axis is built by insertion into the first k places of the output (binary search for the place, then
 * shift), so eval needs no memory. Values compare as double, which is exact for every dtype but int64
 * beyond 2^53. */
#include "ops/movement.h"
#include "ops/onnx_number.h"

typedef struct {
  int64_t outer, len, inner, k;
  bool deferred;
} topk_plan;

/* k from input 1, checked against the axis size. */
static edgert_status read_k(er_op_ctx *ctx, const topk_plan *p, int64_t *k) {
  *k = mv_index_at(er_input(ctx, 1), 0);
  if (*k < 0 || *k > p->len)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "k = %lld is outside [0, %lld]", (long long)*k, (long long)p->len);
  return EDGERT_OK;
}

static edgert_status topk_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 2);
  if (st != EDGERT_OK) return st;
  const er_topk_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *k = er_input(ctx, 1);
  er_tensor *values = er_output(ctx, 0), *indices = er_output(ctx, 1);
  if (!values || !indices) return er_fail(ctx, EDGERT_ERR_MALFORMED, "both outputs must be present");
  if (values->dtype != in->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and values dtypes differ");
  if ((st = er_check_dtype(ctx, indices, EDGERT_INT64, "indices output")) != EDGERT_OK) return st;
  if (in->dtype == EDGERT_BOOL) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "TopK of bool");
  if ((st = mv_check_index(ctx, k, "k (input 1)")) != EDGERT_OK) return st;
  if (er_tensor_elements(k) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "k must hold one value");
  if (in->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have at least one dim");
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs ? attrs->axis : -1, in->ndim, &axis)) != EDGERT_OK) return st;
  topk_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->len = in->dims[axis];
  p->deferred = !mv_is_const(k);
  if (!p->deferred) {
    if ((st = read_k(ctx, p, &p->k)) != EDGERT_OK) return st;
  } else {
    int32_t ndim;
    int64_t declared[ER_MAX_DIMS];
    if (!mv_declared_shape(values, &ndim, declared) || ndim != in->ndim)
      return er_need_value(ctx, k, "k");
    p->k = declared[axis];
  }
  p->outer = mv_dims_product(in->dims, 0, axis);
  p->inner = mv_dims_product(in->dims, axis + 1, in->ndim);
  ctx->op_data = p;
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0; i < in->ndim; i++)
    dims[i] = i == axis ? p->k : in->dims[i];
  if ((st = er_set_output_shape(ctx, values, in->ndim, dims)) != EDGERT_OK) return st;
  return er_set_output_shape(ctx, indices, in->ndim, dims);
}

static edgert_status topk_eval(er_op_ctx *ctx) {
  const topk_plan *p = ctx->op_data;
  const er_topk_attrs *attrs = er_attrs(ctx);
  if (p->deferred) {
    int64_t k;
    edgert_status st = read_k(ctx, p, &k);
    if (st != EDGERT_OK) return st;
    if (k != p->k)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "k = %lld but the model declares outputs for k = %lld",
                     (long long)k, (long long)p->k);
  }
  bool largest = !attrs || attrs->largest;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *values = er_output(ctx, 0), *indices = er_output(ctx, 1);
  int64_t *idx_out = indices->data;
  size_t es = edgert_dtype_size(in->dtype);
  if (p->k == 0) return EDGERT_OK;
  for (int64_t o = 0; o < p->outer; o++) {
    for (int64_t i = 0; i < p->inner; i++) {
      int64_t in_base = o * p->len * p->inner + i, out_base = o * p->k * p->inner + i;
      int64_t *best = idx_out; /* positions kept so far, at out_base + j * inner */
      int64_t kept = 0;
      for (int64_t j = 0; j < p->len; j++) {
        double v = number_at(in, in_base + j * p->inner);
        /* First place whose value v beats (ties keep the earlier position in front). */
        int64_t lo = 0, hi = kept;
        while (lo < hi) {
          int64_t mid = (lo + hi) / 2;
          double m = number_at(in, in_base + best[out_base + mid * p->inner] * p->inner);
          if (largest ? v > m : v < m)
            hi = mid;
          else
            lo = mid + 1;
        }
        if (lo >= p->k) continue;
        int64_t last = kept < p->k ? kept : p->k - 1;
        for (int64_t s = last; s > lo; s--)
          best[out_base + s * p->inner] = best[out_base + (s - 1) * p->inner];
        best[out_base + lo * p->inner] = j;
        if (kept < p->k) kept++;
      }
      for (int64_t s = 0; s < p->k; s++) {
        int64_t pos = best[out_base + s * p->inner];
        memcpy((unsigned char *)values->data + (size_t)(out_base + s * p->inner) * es,
               (const unsigned char *)in->data + (size_t)(in_base + pos * p->inner) * es, es);
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_onnx_topk = {.prepare = topk_prepare, .eval = topk_eval};
