/* DET: ONNX Det, the determinant of each square matrix in the last two dims [..., M, M], by Gaussian
 * elimination with partial pivoting in double. The matrix is copied into scratch (M * M doubles) so the
 * input is left alone. float32, float64, float16. */
#include <math.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  edgert_dtype dtype;
  int64_t batches, m;
} det_data;

static edgert_status det_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st) return st;
  const er_tensor *x = er_input(ctx, 0);
  er_tensor *y = er_output(ctx, 0);
  if (!lv_is_float(x->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not a float type", edgert_dtype_name(x->dtype));
  if ((st = er_check_dtype(ctx, y, x->dtype, "output"))) return st;
  if (x->ndim < 2 || er_dim(x, -1) != er_dim(x, -2) || er_tensor_elements(x) < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be [..., M, M]");
  det_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->dtype = x->dtype;
  d->m = er_dim(x, -1);
  d->batches = er_shape_elements(x->ndim - 2, x->dims);
  if (d->batches < 0 || !er_bytes_for(EDGERT_FLOAT64, d->m * d->m, &ctx->scratch_bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "matrix is too large");
  ctx->op_data = d;
  return er_set_output_shape(ctx, y, x->ndim - 2, x->dims);
}

static double determinant(double *a, int64_t m) {
  double det = 1;
  for (int64_t c = 0; c < m; c++) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < m; r++)
      if (fabs(a[r * m + c]) > fabs(a[pivot * m + c])) pivot = r;
    if (a[pivot * m + c] == 0) return 0;
    if (pivot != c) {
      for (int64_t k = 0; k < m; k++) {
        double t = a[c * m + k];
        a[c * m + k] = a[pivot * m + k];
        a[pivot * m + k] = t;
      }
      det = -det;
    }
    det *= a[c * m + c];
    for (int64_t r = c + 1; r < m; r++) {
      double f = a[r * m + c] / a[c * m + c];
      for (int64_t k = c; k < m; k++)
        a[r * m + k] -= f * a[c * m + k];
    }
  }
  return det;
}

static edgert_status det_eval(er_op_ctx *ctx) {
  const det_data *d = ctx->op_data;
  const void *x = er_input(ctx, 0)->data;
  void *y = er_output(ctx, 0)->data;
  double *a = ctx->scratch;
  for (int64_t b = 0; b < d->batches; b++) {
    for (int64_t i = 0; i < d->m * d->m; i++)
      a[i] = lv_load(x, d->dtype, b * d->m * d->m + i);
    lv_store(y, d->dtype, b, determinant(a, d->m));
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_det = {.prepare = det_prepare, .eval = det_eval};
