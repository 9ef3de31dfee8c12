/* ADD_N: the elementwise sum of any number of same-shaped tensors (TFLite add_n.cc), float32 or int32.
 * Each element is summed from 0 in input order, as TFLite's reference AddN does, so float results match
 * bit for bit. No broadcasting: TFLite requires equal shapes. */
#include <string.h>

#include "ops/broadcast.h"

static edgert_status add_n_prepare(er_op_ctx *ctx) {
  const int n = ctx->node->n_inputs;
  edgert_status st = er_check_io(ctx, n < 1 ? 1 : n, n < 1 ? 1 : n, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *first = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (!out) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if (first->dtype != EDGERT_FLOAT32 && first->dtype != EDGERT_INT32)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int32)",
                   edgert_dtype_name(first->dtype));
  for (int i = 1; i < n; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t->dtype != first->dtype)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %d is %s, input 0 is %s", i,
                     edgert_dtype_name(t->dtype), edgert_dtype_name(first->dtype));
    if (!er_same_shape(t, first)) {
      char want[96], got[96];
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d has shape %s, input 0 has %s", i,
                     er_shape_str(t->ndim, t->dims, got, sizeof got),
                     er_shape_str(first->ndim, first->dims, want, sizeof want));
    }
  }
  if ((st = er_check_dtype(ctx, out, first->dtype, "output")) != EDGERT_OK) return st;
  return er_set_output_shape(ctx, out, first->ndim, first->dims);
}

static edgert_status add_n_eval(er_op_ctx *ctx) {
  er_tensor *out = er_output(ctx, 0);
  const int64_t count = er_tensor_elements(out);
  const int n = ctx->node->n_inputs;
  if (out->dtype == EDGERT_FLOAT32) {
    float *sum = out->data;
    for (int64_t i = 0; i < count; i++)
      sum[i] = 0.0f;
    for (int k = 0; k < n; k++) {
      const float *x = er_input(ctx, k)->data;
      for (int64_t i = 0; i < count; i++)
        sum[i] += x[i];
    }
  } else {
    /* Unsigned arithmetic gives two's-complement wraparound without undefined behaviour. */
    int32_t *sum = out->data;
    memset(sum, 0, sizeof(int32_t) * (size_t)count);
    for (int k = 0; k < n; k++) {
      const int32_t *x = er_input(ctx, k)->data;
      for (int64_t i = 0; i < count; i++)
        sum[i] = (int32_t)((uint32_t)sum[i] + (uint32_t)x[i]);
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_add_n = {.prepare = add_n_prepare, .eval = add_n_eval};
