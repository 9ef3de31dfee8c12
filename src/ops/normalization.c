/* ONNX normalizations on float tensors (float32, float64, float16), statistics in double:
 *  BATCH_NORM: y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c], channel dim 1; in training
 *   mode mean and var are the batch's own (over every dim but 1) and outputs 1 and 2 get the running
 *   statistics (ONNX's reference, onnx/backend/test/case/node/batchnorm.py);
 *  INSTANCE_NORM: each (n, c) slice normalized by its own mean and variance, then scale[c], bias[c];
 *  LAYER_NORM: each row of dims [axis, rank) normalized, times Scale plus B (both broadcast to the row's
 *   shape); optional outputs Mean and InvStdDev (shape dims[:axis] followed by ones);
 *  GROUP_NORM: channels split into num_groups groups normalized together, then scale and bias per channel
 *   (given per channel, or per group as opset 18 has them);
 *  MEAN_VARIANCE_NORM: (x - mean) / sqrt(variance + 1e-9) over the dims in axes_mask;
 *  LP_NORM: x divided by its L1 or L2 norm along axis;
 *  LRN: x / (bias + alpha / size * sum of squares over `size` neighbouring channels) ^ beta.
 * Variances are population variances (divided by the count), as ONNX defines them. */
#include <math.h>
#include <string.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

typedef struct {
  edgert_dtype dtype;
  double epsilon;
  int64_t outer, channels, inner; /* X seen as [outer, channels, inner] */
  int64_t groups;                 /* GROUP_NORM */
  int64_t param_len;              /* LAYER_NORM: elements per normalized row; GROUP_NORM: scale length */
  int64_t scale_n, bias_n;        /* LAYER_NORM: elements of Scale and B (they repeat over the row) */
  int32_t p;                      /* LP_NORM */
  int32_t lrn_size;
  bool training;
  double momentum;
  double alpha, beta, bias;
  /* MEAN_VARIANCE_NORM: kept and reduced dims of a strided walk */
  int32_t n_kept, n_red;
  int64_t kept_dims[ER_MAX_DIMS], kept_strides[ER_MAX_DIMS], red_dims[ER_MAX_DIMS], red_strides[ER_MAX_DIMS];
} norm_data;

static edgert_status float_io(er_op_ctx *ctx, int min_in, int max_in, int min_out, int max_out,
                              norm_data **d) {
  const er_node *node = ctx->node;
  if (node->n_inputs < min_in || node->n_inputs > max_in || node->n_outputs < min_out ||
      node->n_outputs > max_out)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d inputs and %d outputs; expected %d..%d and %d..%d",
                   node->n_inputs, node->n_outputs, min_in, max_in, min_out, max_out);
  for (int i = 0; i < min_in; i++)
    if (!er_input(ctx, i)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "required input %d is missing", i);
  er_tensor *x = er_input(ctx, 0), *y = er_output(ctx, 0);
  if (!y) return er_fail(ctx, EDGERT_ERR_MALFORMED, "output 0 is missing");
  if (!lv_is_float(x->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not a float type",
                   edgert_dtype_name(x->dtype));
  for (int i = 1; i < node->n_inputs; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t && !lv_is_float(t->dtype))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %d dtype %s is not a float type", i,
                     edgert_dtype_name(t->dtype));
  }
  edgert_status st = er_check_dtype(ctx, y, x->dtype, "output");
  if (st) return st;
  if (er_tensor_elements(x) < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  *d = er_persist_alloc(ctx, sizeof **d);
  if (!*d) return EDGERT_ERR_NO_MEMORY;
  (*d)->dtype = x->dtype;
  ctx->op_data = *d;
  return er_set_output_shape(ctx, y, x->ndim, x->dims);
}

/* Splits X into [outer = N, channels = C, inner = spatial]; X needs rank >= 2 unless allow_1d. */
static edgert_status channel_view(er_op_ctx *ctx, norm_data *d, const er_tensor *x, int32_t min_rank) {
  if (x->ndim < min_rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input rank %d is below %d", (int)x->ndim, (int)min_rank);
  d->outer = x->ndim >= 1 ? x->dims[0] : 1;
  d->channels = x->ndim >= 2 ? x->dims[1] : 1;
  d->inner = x->ndim >= 2 ? er_shape_elements(x->ndim - 2, x->dims + 2) : 1;
  return EDGERT_OK;
}

/* The axis attribute as a dim of x (negative counts from the back); a SHAPE error when out of range. */
static edgert_status resolve_axis(er_op_ctx *ctx, int32_t attr_axis, const er_tensor *x, int32_t *axis) {
  *axis = attr_axis < 0 ? attr_axis + x->ndim : attr_axis;
  if (*axis < 0 || *axis >= x->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %d is out of range for rank %d", (int)attr_axis,
                   (int)x->ndim);
  return EDGERT_OK;
}

static edgert_status check_vector(er_op_ctx *ctx, int index, int64_t len, const char *what) {
  const er_tensor *t = er_input(ctx, index);
  if (t && er_tensor_elements(t) != len)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "%s has %lld values; expected %lld", what,
                   (long long)er_tensor_elements(t), (long long)len);
  return EDGERT_OK;
}

/* ---- BATCH_NORM ---- */

static edgert_status batch_norm_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  norm_data *d;
  bool training = a && a->training;
  edgert_status st = float_io(ctx, 5, 5, 1, training ? 3 : 1, &d);
  if (st) return st;
  if ((st = channel_view(ctx, d, er_input(ctx, 0), training ? 2 : 1))) return st;
  static const char *const names[] = {"", "scale", "B", "mean", "var"};
  for (int i = 1; i < 5; i++)
    if ((st = check_vector(ctx, i, d->channels, names[i]))) return st;
  d->epsilon = a ? a->epsilon : 1e-5;
  d->training = training;
  d->momentum = training ? a->momentum : 0;
  for (int k = 1; k < 3; k++) {
    er_tensor *o = er_output(ctx, k);
    if (!o) continue;
    if ((st = er_check_dtype(ctx, o, er_input(ctx, 3)->dtype, "running statistic"))) return st;
    if ((st = er_set_output_shape(ctx, o, 1, &d->channels))) return st;
  }
  return EDGERT_OK;
}

/* Mean and population variance of channel c over the batch and spatial dims. */
static void channel_stats(const norm_data *d, const void *x, int64_t c, double *mean, double *var) {
  double sum = 0, sq = 0;
  int64_t count = d->outer * d->inner;
  for (int64_t n = 0; n < d->outer; n++)
    for (int64_t i = 0; i < d->inner; i++)
      sum += lv_load(x, d->dtype, (n * d->channels + c) * d->inner + i);
  *mean = count ? sum / (double)count : 0;
  for (int64_t n = 0; n < d->outer; n++)
    for (int64_t i = 0; i < d->inner; i++) {
      double v = lv_load(x, d->dtype, (n * d->channels + c) * d->inner + i) - *mean;
      sq += v * v;
    }
  *var = count ? sq / (double)count : 0;
}

static edgert_status batch_norm_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *scale = er_input(ctx, 1), *bias = er_input(ctx, 2);
  const er_tensor *mean = er_input(ctx, 3), *var = er_input(ctx, 4);
  void *y = er_output(ctx, 0)->data;
  er_tensor *running_mean = er_output(ctx, 1), *running_var = er_output(ctx, 2);
  for (int64_t c = 0; c < d->channels; c++) {
    double m = lv_load(mean->data, mean->dtype, c), v = lv_load(var->data, var->dtype, c);
    if (d->training) {
      double batch_mean, batch_var;
      channel_stats(d, x->data, c, &batch_mean, &batch_var);
      if (running_mean)
        lv_store(running_mean->data, running_mean->dtype, c,
                 m * d->momentum + batch_mean * (1 - d->momentum));
      if (running_var)
        lv_store(running_var->data, running_var->dtype, c, v * d->momentum + batch_var * (1 - d->momentum));
      m = batch_mean, v = batch_var;
    }
    double s = lv_load(scale->data, scale->dtype, c) / sqrt(v + d->epsilon);
    double b = lv_load(bias->data, bias->dtype, c);
    for (int64_t n = 0; n < d->outer; n++) {
      int64_t base = (n * d->channels + c) * d->inner;
      for (int64_t i = 0; i < d->inner; i++)
        lv_store(y, d->dtype, base + i, (lv_load(x->data, d->dtype, base + i) - m) * s + b);
    }
  }
  return EDGERT_OK;
}

/* ---- statistics of contiguous blocks ---- */

static void block_stats(const void *x, edgert_dtype dt, int64_t base, int64_t len, double *mean,
                        double *var) {
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < len; i++)
    sum += lv_load(x, dt, base + i);
  *mean = len ? sum / (double)len : 0;
  for (int64_t i = 0; i < len; i++) {
    double v = lv_load(x, dt, base + i) - *mean;
    sq += v * v;
  }
  *var = len ? sq / (double)len : 0;
}

/* ---- INSTANCE_NORM and GROUP_NORM ---- */

static edgert_status instance_norm_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  norm_data *d;
  edgert_status st = float_io(ctx, 3, 3, 1, 1, &d);
  if (st) return st;
  if ((st = channel_view(ctx, d, er_input(ctx, 0), 2))) return st;
  if ((st = check_vector(ctx, 1, d->channels, "scale")) || (st = check_vector(ctx, 2, d->channels, "B")))
    return st;
  d->epsilon = a ? a->epsilon : 1e-5;
  d->groups = d->channels;
  d->param_len = d->channels;
  return EDGERT_OK;
}

static edgert_status group_norm_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  norm_data *d;
  edgert_status st = float_io(ctx, 3, 3, 1, 1, &d);
  if (st) return st;
  if ((st = channel_view(ctx, d, er_input(ctx, 0), 2))) return st;
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  d->groups = a->num_groups;
  if (d->groups <= 0 || d->channels % d->groups)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "num_groups %lld does not divide %lld channels",
                   (long long)d->groups, (long long)d->channels);
  d->param_len = er_tensor_elements(er_input(ctx, 1));
  if (d->param_len != d->channels && d->param_len != d->groups)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "scale has %lld values; expected %lld channels or %lld groups",
                   (long long)d->param_len, (long long)d->channels, (long long)d->groups);
  if ((st = check_vector(ctx, 2, d->param_len, "bias"))) return st;
  d->epsilon = a->epsilon;
  return EDGERT_OK;
}

/* Channels of a group are contiguous in NCHW, so each (n, group) is one block. */
static edgert_status grouped_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *scale = er_input(ctx, 1), *bias = er_input(ctx, 2);
  void *y = er_output(ctx, 0)->data;
  int64_t per_group = d->channels / d->groups, block = per_group * d->inner;
  for (int64_t n = 0; n < d->outer; n++)
    for (int64_t g = 0; g < d->groups; g++) {
      int64_t base = (n * d->groups + g) * block;
      double mean, var;
      block_stats(x->data, d->dtype, base, block, &mean, &var);
      double inv = 1.0 / sqrt(var + d->epsilon);
      for (int64_t c = 0; c < per_group; c++) {
        int64_t channel = g * per_group + c, p = d->param_len == d->channels ? channel : g;
        double s = lv_load(scale->data, scale->dtype, p), b = lv_load(bias->data, bias->dtype, p);
        for (int64_t i = 0; i < d->inner; i++) {
          int64_t at = base + c * d->inner + i;
          lv_store(y, d->dtype, at, (lv_load(x->data, d->dtype, at) - mean) * inv * s + b);
        }
      }
    }
  return EDGERT_OK;
}

/* ---- LAYER_NORM ---- */

static edgert_status layer_norm_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  norm_data *d;
  edgert_status st = float_io(ctx, 2, 3, 1, 3, &d);
  if (st) return st;
  const er_tensor *x = er_input(ctx, 0);
  int32_t axis;
  if ((st = resolve_axis(ctx, a->axis, x, &axis))) return st;
  d->outer = er_shape_elements(axis, x->dims);
  d->param_len = er_shape_elements(x->ndim - axis, x->dims + axis);
  d->epsilon = a->epsilon;
  /* Scale and B broadcast to the row's shape; a trailing block of it repeats across the row. */
  for (int i = 1; i < 3; i++) {
    const er_tensor *t = er_input(ctx, i);
    int64_t n = t ? er_tensor_elements(t) : 1;
    if (n < 1 || d->param_len % n || (t && t->ndim > x->ndim - axis))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "%s does not broadcast to the normalized dims",
                     i == 1 ? "Scale" : "B");
    /* leading ones aside, the shape must be a suffix of X's: then element i of a row uses i % n */
    int32_t lead = 0;
    while (t && lead < t->ndim && t->dims[lead] == 1)
      lead++;
    for (int32_t k = lead; t && k < t->ndim; k++)
      if (t->dims[k] != x->dims[x->ndim - t->ndim + k])
        return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s shape is not a suffix of the normalized dims",
                       i == 1 ? "Scale" : "B");
    if (i == 1)
      d->scale_n = n;
    else
      d->bias_n = n;
  }
  int64_t dims[ER_MAX_DIMS];
  for (int32_t k = 0; k < x->ndim; k++)
    dims[k] = k < axis ? x->dims[k] : 1;
  for (int k = 1; k < 3; k++) {
    er_tensor *o = er_output(ctx, k);
    if (!o) continue;
    if (!lv_is_float(o->dtype))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output %d dtype %s is not a float type", k,
                     edgert_dtype_name(o->dtype));
    if ((st = er_set_output_shape(ctx, o, x->ndim, dims))) return st;
  }
  return EDGERT_OK;
}

static edgert_status layer_norm_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const er_tensor *x = er_input(ctx, 0), *scale = er_input(ctx, 1), *bias = er_input(ctx, 2);
  er_tensor *y = er_output(ctx, 0), *mean_out = er_output(ctx, 1), *inv_out = er_output(ctx, 2);
  for (int64_t r = 0; r < d->outer; r++) {
    int64_t base = r * d->param_len;
    double mean, var;
    block_stats(x->data, d->dtype, base, d->param_len, &mean, &var);
    double inv = 1.0 / sqrt(var + d->epsilon);
    for (int64_t i = 0; i < d->param_len; i++) {
      double v = (lv_load(x->data, d->dtype, base + i) - mean) * inv;
      v *= lv_load(scale->data, scale->dtype, i % d->scale_n);
      if (bias) v += lv_load(bias->data, bias->dtype, i % d->bias_n);
      lv_store(y->data, d->dtype, base + i, v);
    }
    if (mean_out) lv_store(mean_out->data, mean_out->dtype, r, mean);
    if (inv_out) lv_store(inv_out->data, inv_out->dtype, r, inv);
  }
  return EDGERT_OK;
}

/* ---- MEAN_VARIANCE_NORM ---- */

static int64_t walk_offset(int32_t n, const int64_t *dims, const int64_t *strides, int64_t index) {
  int64_t off = 0;
  for (int32_t i = n - 1; i >= 0; i--) {
    off += (index % dims[i]) * strides[i];
    index /= dims[i];
  }
  return off;
}

static edgert_status mvn_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  norm_data *d;
  edgert_status st = float_io(ctx, 1, 1, 1, 1, &d);
  if (st) return st;
  const er_tensor *x = er_input(ctx, 0);
  if (x->ndim < 32 && (a->axes_mask >> x->ndim))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "an axis is out of range for rank %d", (int)x->ndim);
  int64_t stride = 1;
  int64_t strides[ER_MAX_DIMS];
  for (int32_t i = x->ndim - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= x->dims[i];
  }
  for (int32_t i = 0; i < x->ndim; i++) {
    if (a->axes_mask & (1u << i)) {
      d->red_dims[d->n_red] = x->dims[i];
      d->red_strides[d->n_red++] = strides[i];
    } else {
      d->kept_dims[d->n_kept] = x->dims[i];
      d->kept_strides[d->n_kept++] = strides[i];
    }
  }
  return EDGERT_OK;
}

static edgert_status mvn_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const void *x = er_input(ctx, 0)->data;
  void *y = er_output(ctx, 0)->data;
  int64_t outer = er_shape_elements(d->n_kept, d->kept_dims),
          count = er_shape_elements(d->n_red, d->red_dims);
  for (int64_t o = 0; o < outer; o++) {
    int64_t base = walk_offset(d->n_kept, d->kept_dims, d->kept_strides, o);
    double sum = 0, sq = 0;
    for (int64_t r = 0; r < count; r++)
      sum += lv_load(x, d->dtype, base + walk_offset(d->n_red, d->red_dims, d->red_strides, r));
    double mean = count ? sum / (double)count : 0;
    for (int64_t r = 0; r < count; r++) {
      double v = lv_load(x, d->dtype, base + walk_offset(d->n_red, d->red_dims, d->red_strides, r)) - mean;
      sq += v * v;
    }
    double inv = 1.0 / sqrt((count ? sq / (double)count : 0) + 1e-9);
    for (int64_t r = 0; r < count; r++) {
      int64_t at = base + walk_offset(d->n_red, d->red_dims, d->red_strides, r);
      lv_store(y, d->dtype, at, (lv_load(x, d->dtype, at) - mean) * inv);
    }
  }
  return EDGERT_OK;
}

/* ---- LP_NORM ---- */

static edgert_status lp_norm_prepare(er_op_ctx *ctx) {
  const er_norm_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  norm_data *d;
  edgert_status st = float_io(ctx, 1, 1, 1, 1, &d);
  if (st) return st;
  const er_tensor *x = er_input(ctx, 0);
  int32_t axis;
  if ((st = resolve_axis(ctx, a->axis, x, &axis))) return st;
  if (a->p != 1 && a->p != 2)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "p = %d; only 1 and 2 exist", (int)a->p);
  d->p = a->p;
  d->outer = er_shape_elements(axis, x->dims);
  d->channels = x->dims[axis];
  d->inner = er_shape_elements(x->ndim - axis - 1, x->dims + axis + 1);
  return EDGERT_OK;
}

static edgert_status lp_norm_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const void *x = er_input(ctx, 0)->data;
  void *y = er_output(ctx, 0)->data;
  for (int64_t o = 0; o < d->outer; o++)
    for (int64_t j = 0; j < d->inner; j++) {
      int64_t first = o * d->channels * d->inner + j;
      double norm = 0;
      for (int64_t c = 0; c < d->channels; c++) {
        double v = lv_load(x, d->dtype, first + c * d->inner);
        norm += d->p == 1 ? fabs(v) : v * v;
      }
      if (d->p == 2) norm = sqrt(norm);
      for (int64_t c = 0; c < d->channels; c++) {
        int64_t at = first + c * d->inner;
        lv_store(y, d->dtype, at, norm == 0 ? 0 : lv_load(x, d->dtype, at) / norm);
      }
    }
  return EDGERT_OK;
}

/* ---- LRN ---- */

static edgert_status lrn_prepare(er_op_ctx *ctx) {
  const er_onnx_lrn_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  norm_data *d;
  edgert_status st = float_io(ctx, 1, 1, 1, 1, &d);
  if (st) return st;
  if ((st = channel_view(ctx, d, er_input(ctx, 0), 2))) return st;
  if (a->size < 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "size %d must be positive", (int)a->size);
  d->lrn_size = a->size;
  d->alpha = a->alpha, d->beta = a->beta, d->bias = a->bias;
  return EDGERT_OK;
}

static edgert_status lrn_eval(er_op_ctx *ctx) {
  const norm_data *d = ctx->op_data;
  const void *x = er_input(ctx, 0)->data;
  void *y = er_output(ctx, 0)->data;
  int64_t before = (d->lrn_size - 1) / 2, after = d->lrn_size - 1 - before;
  for (int64_t n = 0; n < d->outer; n++)
    for (int64_t c = 0; c < d->channels; c++)
      for (int64_t i = 0; i < d->inner; i++) {
        int64_t lo = c - before < 0 ? 0 : c - before,
                hi = c + after >= d->channels ? d->channels - 1 : c + after;
        double sq = 0;
        for (int64_t k = lo; k <= hi; k++) {
          double v = lv_load(x, d->dtype, (n * d->channels + k) * d->inner + i);
          sq += v * v;
        }
        int64_t at = (n * d->channels + c) * d->inner + i;
        lv_store(y, d->dtype, at,
                 lv_load(x, d->dtype, at) / pow(d->bias + d->alpha / d->lrn_size * sq, d->beta));
      }
  return EDGERT_OK;
}

const er_kernel er_kernel_batch_norm = {.prepare = batch_norm_prepare, .eval = batch_norm_eval};
const er_kernel er_kernel_instance_norm = {.prepare = instance_norm_prepare, .eval = grouped_eval};
const er_kernel er_kernel_group_norm = {.prepare = group_norm_prepare, .eval = grouped_eval};
const er_kernel er_kernel_layer_norm = {.prepare = layer_norm_prepare, .eval = layer_norm_eval};
const er_kernel er_kernel_mean_variance_norm = {.prepare = mvn_prepare, .eval = mvn_eval};
const er_kernel er_kernel_lp_norm = {.prepare = lp_norm_prepare, .eval = lp_norm_eval};
const er_kernel er_kernel_lrn = {.prepare = lrn_prepare, .eval = lrn_eval};
