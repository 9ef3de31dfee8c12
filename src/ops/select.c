/* SELECT: output = condition ? x : y elementwise, with numpy broadcasting across all three inputs (TFLite
 * SELECT_V2 semantics). Values are copied as raw elements of any dtype; quantized x, y and output must
 * share scale and zero point, since a raw copy cannot rescale.
 *
 * TFLite's older SELECT (v1) lets a rank-1 condition pick whole rows of higher-rank x and y
 * (er_select_attrs.rank1_selects_rows): that condition is planned as if shaped [N, 1, ..., 1]. */
#include <string.h>

#include "ops/broadcast.h"

typedef struct {
  er_bcast plan;
  size_t elem_bytes;
} select_data;

static bool same_quantization(const er_tensor *a, const er_tensor *b) {
  return a->q.scale == b->q.scale && a->q.zero_point == b->q.zero_point;
}

static edgert_status select_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 3, 3, 1);
  if (st != EDGERT_OK) return st;
  er_tensor *cond = er_input(ctx, 0), *x = er_input(ctx, 1), *y = er_input(ctx, 2), *out = er_output(ctx, 0);
  if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if ((st = er_check_dtype(ctx, cond, EDGERT_BOOL, "condition")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, y, x->dtype, "input 2")) != EDGERT_OK) return st;
  if ((st = er_check_dtype(ctx, out, x->dtype, "output")) != EDGERT_OK) return st;
  size_t elem_bytes = edgert_dtype_size(x->dtype);
  if (elem_bytes == 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported", edgert_dtype_name(x->dtype));
  if (!same_quantization(x, y) || !same_quantization(x, out))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "x, y and output must share scale and zero point");
  select_data *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  p->elem_bytes = elem_bytes;
  ctx->op_data = p;
  const er_select_attrs *a = er_attrs(ctx);
  er_tensor row_cond = *cond; /* only its shape is read while planning; eval uses the real tensor */
  if (a && a->rank1_selects_rows && cond->ndim == 1 && x->ndim > 1) {
    row_cond.ndim = x->ndim;
    for (int32_t d = 1; d < x->ndim; d++) row_cond.dims[d] = 1;
  }
  return er_broadcast_prepare(ctx, 3, (const er_tensor *const[]){&row_cond, x, y}, out, &p->plan);
}

static edgert_status select_eval(er_op_ctx *ctx) {
  const select_data *p = ctx->op_data;
  const uint8_t *cond = er_input(ctx, 0)->data;
  const unsigned char *x = er_input(ctx, 1)->data, *y = er_input(ctx, 2)->data;
  unsigned char *out = er_output(ctx, 0)->data;
  const size_t es = p->elem_bytes;
  const int64_t n = er_bcast_row_len(&p->plan);
  const int64_t sc = er_bcast_row_step(&p->plan, 1), sx = er_bcast_row_step(&p->plan, 2),
                sy = er_bcast_row_step(&p->plan, 3);
  er_bcast_iter it;
  for (bool more = er_bcast_begin(&it, &p->plan); more; more = er_bcast_next(&it)) {
    const uint8_t *c_row = cond + it.offset[1];
    const unsigned char *x_row = x + (size_t)it.offset[2] * es, *y_row = y + (size_t)it.offset[3] * es;
    unsigned char *out_row = out + (size_t)it.offset[0] * es;
    for (int64_t i = 0; i < n; i++) {
      const unsigned char *src =
          c_row[i * sc] ? x_row + (size_t)(i * sx) * es : y_row + (size_t)(i * sy) * es;
      memcpy(out_row + (size_t)i * es, src, es);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_select = {.prepare = select_prepare, .eval = select_eval};
