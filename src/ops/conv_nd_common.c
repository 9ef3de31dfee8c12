/* Shape checks of the N-d NCHW convolutions; see conv_nd_common.h. */
#include "ops/conv_nd_common.h"

static edgert_status check_weights(er_op_ctx *ctx, const er_conv_nd_attrs *a, const er_tensor *x,
                                   const er_tensor *w, int64_t *kernel) {
  if (w->ndim != x->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights have rank %d, input rank %d", (int)w->ndim, (int)x->ndim);
  if (er_tensor_elements(w) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "weight shape is invalid");
  for (int i = 0; i < w->ndim - 2; i++) {
    kernel[i] = w->dims[2 + i];
    if (a->n_kernel && a->kernel[i] != kernel[i])
      return er_fail(ctx, EDGERT_ERR_SHAPE, "kernel_shape[%d] = %lld but the weights have %lld", i,
                     (long long)a->kernel[i], (long long)kernel[i]);
  }
  return EDGERT_OK;
}

edgert_status er_conv_nd_check_float_dtypes(er_op_ctx *ctx, const er_tensor *x, const er_tensor *w,
                                            const er_tensor *b, const er_tensor *y) {
  edgert_status st;
  if (x->dtype != EDGERT_FLOAT32 && x->dtype != EDGERT_FLOAT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported (float32, float64)",
                   edgert_dtype_name(x->dtype));
  if ((st = er_check_dtype(ctx, w, x->dtype, "weights"))) return st;
  if (b && (st = er_check_dtype(ctx, b, x->dtype, "bias"))) return st;
  return er_check_dtype(ctx, y, x->dtype, "output");
}

edgert_status er_conv_nd_geometry_init(er_op_ctx *ctx, const er_tensor *x, const er_tensor *w,
                                       const er_tensor *bias, er_conv_nd_geometry *d) {
  const er_conv_nd_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "convolution attributes are missing");
  int64_t kernel[ER_NN_MAX_SPATIAL] = {0};
  edgert_status st;
  if (x->ndim < 3 || x->ndim > 2 + ER_NN_MAX_SPATIAL)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be NCHW with 1 to %d spatial dims, got rank %d",
                   ER_NN_MAX_SPATIAL, (int)x->ndim);
  if ((st = check_weights(ctx, a, x, w, kernel))) return st;
  if ((st = er_window_nd_init(ctx, a, x, kernel, ER_WINDOW_FLOOR, &d->win))) return st;
  d->group = a->group;
  d->out_channels = w->dims[0];
  if (d->group < 1 || d->win.channels % d->group != 0 || d->out_channels % d->group != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "group %lld must divide input channels %lld and output channels %lld", (long long)d->group,
                   (long long)d->win.channels, (long long)d->out_channels);
  d->in_per_group = d->win.channels / d->group;
  d->out_per_group = d->out_channels / d->group;
  if (w->dims[1] != d->in_per_group)
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "weights have %lld input channels, expected %lld (channels / group)",
                   (long long)w->dims[1], (long long)d->in_per_group);
  if (bias && (bias->ndim != 1 || bias->dims[0] != d->out_channels))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bias must be [%lld]", (long long)d->out_channels);
  return EDGERT_OK;
}

edgert_status er_conv_nd_set_output(er_op_ctx *ctx, const er_conv_nd_geometry *d, er_tensor *y) {
  int64_t dims[ER_MAX_DIMS];
  dims[0] = d->win.batch;
  dims[1] = d->out_channels;
  for (int i = 0; i < d->win.rank; i++)
    dims[2 + i] = d->win.out[i];
  return er_set_output_shape(ctx, y, d->win.rank + 2, dims);
}

size_t er_conv_nd_scratch_bytes(const er_conv_nd_geometry *d) {
  return 2 * (size_t)d->win.kernel_size * sizeof(int64_t);
}

er_fused_act er_conv_nd_fused_act(const er_conv_nd_attrs *a) {
  er_fused_act act = {a->activation, a->act_min, a->act_max, NULL};
  return act;
}
