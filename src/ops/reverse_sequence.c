/* REVERSE_SEQUENCE (ONNX ReverseSequence-10): for each batch entry b, the first sequence_lens[b] steps
 * along the time axis are reversed and the rest copied. batch_axis and time_axis are 0 and 1 in either
 * order; lengths come at run time and are checked at eval. */
#include <string.h>

#include "ops/movement.h"

static edgert_status reverse_sequence_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_reverse_sequence_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *lens = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  if (!attrs || in->ndim < 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "input must have rank >= 2");
  int32_t b = attrs->batch_axis, t = attrs->time_axis;
  if (!((b == 0 && t == 1) || (b == 1 && t == 0)))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "batch_axis %d and time_axis %d must be 0 and 1", (int)b, (int)t);
  if (!mv_is_index_dtype(lens) || er_tensor_elements(lens) != in->dims[b])
    return er_fail(ctx, EDGERT_ERR_SHAPE, "sequence_lens must hold %lld int32/int64 values",
                   (long long)in->dims[b]);
  return er_set_output_shape(ctx, out, in->ndim, in->dims);
}

static edgert_status reverse_sequence_eval(er_op_ctx *ctx) {
  const er_reverse_sequence_attrs *attrs = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0), *lens = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  int32_t b_axis = attrs->batch_axis, t_axis = attrs->time_axis;
  int64_t batch = in->dims[b_axis], time = in->dims[t_axis];
  size_t row = (size_t)mv_dims_product(in->dims, 2, in->ndim) * edgert_dtype_size(in->dtype);
  int64_t strides[2] = {in->dims[1], 1}; /* in rows, of dims 0 and 1 */
  for (int64_t b = 0; b < batch; b++) {
    int64_t len = mv_index_at(lens, b);
    if (len < 0 || len > time)
      return er_fail(ctx, EDGERT_ERR_RUNTIME, "sequence_lens[%lld] = %lld is outside [0, %lld]", (long long)b,
                     (long long)len, (long long)time);
    for (int64_t t = 0; t < time; t++) {
      int64_t src_t = t < len ? len - 1 - t : t;
      size_t dst = (size_t)(b * strides[b_axis] + t * strides[t_axis]) * row;
      size_t src = (size_t)(b * strides[b_axis] + src_t * strides[t_axis]) * row;
      if (row) memcpy((unsigned char *)out->data + dst, (const unsigned char *)in->data + src, row);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_reverse_sequence = {.prepare = reverse_sequence_prepare,
                                              .eval = reverse_sequence_eval};
