/* CUMSUM: running sums along one axis (TFLite cumsum.cc, reference_ops::CumSum) for float32, int32 and
 * int64 (and float64 for ONNX CumSum). The axis is input 1, an int32 (or, for ONNX, int64) with one element,
 * negative counting from the back; it is read at eval (it may be computed) and checked there. Exclusive sums
 * start at zero and leave out the element itself; reverse sums run from the end of the axis. Integer sums
 * wrap on overflow, as the int arithmetic TFLite compiles to does on every target we know of. */
#include <string.h>

#include "ops/movement.h"

static edgert_status cumsum_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, 0), *axis = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (!er_attrs(ctx)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  if (in->dtype != EDGERT_FLOAT32 && in->dtype != EDGERT_FLOAT64 && in->dtype != EDGERT_INT32 &&
      in->dtype != EDGERT_INT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input is %s; supported: float32, float64, int32, int64",
                   edgert_dtype_name(in->dtype));
  if (out->dtype != in->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  /* TFLite's axis is int32; ONNX CumSum allows int64 too. */
  if (!mv_is_index_dtype(axis))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axis is %s, expected int32 or int64",
                   edgert_dtype_name(axis->dtype));
  if (er_tensor_elements(axis) != 1)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis must hold one value, holds %lld",
                   (long long)er_tensor_elements(axis));
  if (in->ndim < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have at least one dim");
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

/* One sum along the axis: `len` elements `stride` apart starting at `first`. */
#define CUMSUM_LINE(T, ACC_T, x, y, first, len, stride, exclusive, reverse)                                  \
  do {                                                                                                       \
    ACC_T sum_ = 0;                                                                                          \
    for (int64_t k_ = 0; k_ < (len); k_++) {                                                                 \
      int64_t at_ = (first) + ((reverse) ? (len)-1 - k_ : k_) * (stride);                                    \
      if (exclusive) {                                                                                       \
        (y)[at_] = (T)sum_;                                                                                  \
        sum_ += (ACC_T)(x)[at_];                                                                             \
      } else {                                                                                               \
        sum_ += (ACC_T)(x)[at_];                                                                             \
        (y)[at_] = (T)sum_;                                                                                  \
      }                                                                                                      \
    }                                                                                                        \
  } while (0)

static edgert_status cumsum_eval(er_op_ctx *ctx) {
  const er_cumsum_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t axis_value = mv_index_at(er_input(ctx, 1), 0);
  int32_t axis;
  edgert_status st = mv_normalize_axis(ctx, axis_value, in->ndim, &axis);
  if (st != EDGERT_OK) return st;
  int64_t outer = mv_dims_product(in->dims, 0, axis), len = in->dims[axis];
  int64_t inner = mv_dims_product(in->dims, axis + 1, in->ndim);
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) {
      int64_t first = o * len * inner + i;
      switch (in->dtype) {
      case EDGERT_FLOAT32: {
        const float *x = in->data;
        float *y = out->data;
        CUMSUM_LINE(float, float, x, y, first, len, inner, a->exclusive, a->reverse);
        break;
      }
      case EDGERT_FLOAT64: {
        const double *x = in->data;
        double *y = out->data;
        CUMSUM_LINE(double, double, x, y, first, len, inner, a->exclusive, a->reverse);
        break;
      }
      case EDGERT_INT32: {
        const int32_t *x = in->data;
        int32_t *y = out->data;
        CUMSUM_LINE(int32_t, uint32_t, x, y, first, len, inner, a->exclusive, a->reverse);
        break;
      }
      default: {
        const int64_t *x = in->data;
        int64_t *y = out->data;
        CUMSUM_LINE(int64_t, uint64_t, x, y, first, len, inner, a->exclusive, a->reverse);
        break;
      }
      }
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_cumsum = {.prepare = cumsum_prepare, .eval = cumsum_eval};
