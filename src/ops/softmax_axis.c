/* SOFTMAX_AXIS: ONNX Softmax, LogSoftmax and Hardmax on float32, float64 and float16. From opset 13 the
 * op works along one axis; before, the input is seen as 2-D [prod(dims[:axis]), prod(dims[axis:])] and
 * each whole row is normalized (coerce_2d). Each row is computed in double after subtracting its
 * maximum, so large inputs do not overflow exp. Hardmax puts 1 at the first maximum of a row. */
#include <math.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "ops/elementwise_f32.h"
#include "ops/linalg_values.h"

typedef struct {
  er_softmax_kind kind;
  edgert_dtype dtype;
  int64_t outer, n, inner; /* rows of n elements, inner apart */
  /* float32 Softmax over contiguous rows (the last axis, or the 2-D coercion): the vectorized row kernels
   * in float, within a few ulp of the double computation below; NULL otherwise. */
  const er_f32_elementwise_isa *f32_rows;
} softmax_data;

static edgert_status softmax_prepare(er_op_ctx *ctx) {
  const er_softmax_axis_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st) return st;
  er_tensor *in = er_input(ctx, 0), *out = er_output(ctx, 0);
  if (!lv_is_float(in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not a float type",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, out, in->dtype, "output"))) return st;
  if (er_tensor_elements(in) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  int32_t rank = in->ndim;
  int32_t axis = a->axis < 0 ? a->axis + rank : a->axis;
  /* a scalar is one row of one element; the 2-D coercion also takes axis == rank (rows of one element) */
  if (rank == 0 && (a->axis == 0 || a->axis == -1))
    axis = 0;
  else if (axis < 0 || axis > rank || (axis == rank && !a->coerce_2d))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is out of range for rank %d", (int)a->axis, (int)rank);
  softmax_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->kind = a->kind;
  d->dtype = in->dtype;
  d->outer = er_shape_elements(axis, in->dims);
  if (rank == 0) {
    d->n = 1, d->inner = 1;
  } else if (a->coerce_2d) {
    d->n = er_shape_elements(rank - axis, in->dims + axis);
    d->inner = 1;
  } else {
    d->n = in->dims[axis];
    d->inner = er_shape_elements(rank - axis - 1, in->dims + axis + 1);
  }
  if (d->outer < 0 || d->n < 0 || d->inner < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  if (d->kind == ER_SOFTMAX_PLAIN && d->dtype == EDGERT_FLOAT32 && d->inner == 1)
    d->f32_rows = er_f32_elementwise_select(er_cpu_detect());
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

static void softmax_row(const softmax_data *d, const void *in, void *out, int64_t first) {
  double max = -INFINITY;
  int64_t arg = 0;
  for (int64_t i = 0; i < d->n; i++) {
    double v = lv_load(in, d->dtype, first + i * d->inner);
    if (v > max) max = v, arg = i;
  }
  if (d->kind == ER_SOFTMAX_HARD) {
    for (int64_t i = 0; i < d->n; i++)
      lv_store(out, d->dtype, first + i * d->inner, i == arg ? 1.0 : 0.0);
    return;
  }
  double sum = 0;
  for (int64_t i = 0; i < d->n; i++)
    sum += exp(lv_load(in, d->dtype, first + i * d->inner) - max);
  double log_sum = log(sum);
  for (int64_t i = 0; i < d->n; i++) {
    double shifted = lv_load(in, d->dtype, first + i * d->inner) - max;
    lv_store(out, d->dtype, first + i * d->inner,
             d->kind == ER_SOFTMAX_LOG ? shifted - log_sum : exp(shifted) / sum);
  }
}

static edgert_status softmax_eval(er_op_ctx *ctx) {
  const softmax_data *d = ctx->op_data;
  const void *in = er_input(ctx, 0)->data;
  void *out = er_output(ctx, 0)->data;
  if (d->f32_rows) {
    er_f32_softmax_run(ctx, d->f32_rows, d->outer, d->n, in, out, 1.0f);
    return EDGERT_OK;
  }
  for (int64_t o = 0; o < d->outer; o++)
    for (int64_t j = 0; j < d->inner; j++)
      softmax_row(d, in, out, o * d->n * d->inner + j);
  return EDGERT_OK;
}

const er_kernel er_kernel_softmax_axis = {.prepare = softmax_prepare, .eval = softmax_eval};
