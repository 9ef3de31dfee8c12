/* PAD, PADV2 and MIRROR_PAD (TFLite pad.cc, mirror_pad.cc). paddings is a constant [rank, 2] int32/int64
 * tensor of (before, after) counts per dim.
 *
 * PAD fills with zero, which for quantized tensors is the output zero point (TFLite's EvalInt uses
 * output->params.zero_point; TFLM uses 0 for int16, the same since int16 zero points are 0). PADV2 fills
 * with its scalar input 2, read at eval; for quantized dtypes that scalar must share the output's
 * quantization, as TFLite requires. MIRROR_PAD reflects the input at each border: REFLECT leaves the
 * border element out, SYMMETRIC repeats it, so pads may be at most dim - 1 or dim respectively. */
#include <string.h>

#include "core/quant.h"
#include "ops/movement.h"

typedef struct {
  int32_t ndim;
  int64_t in_dims[ER_MAX_DIMS], left[ER_MAX_DIMS], right[ER_MAX_DIMS];
  int64_t in_strides[ER_MAX_DIMS], out_strides[ER_MAX_DIMS];
  size_t esize;
  unsigned char pad_value[8]; /* PAD's fill value, one element */
  int32_t mirror_offset;      /* MIRROR_PAD: 1 for REFLECT, 0 for SYMMETRIC */
} pad_data;

static bool is_quantized_dtype(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_UINT8 || t == EDGERT_INT16;
}

/* Shape checks shared by the three ops; fills the plan and sets the output shape. */
static edgert_status plan_padding(er_op_ctx *ctx, pad_data **out_data) {
  const er_tensor *in = er_input(ctx, 0), *paddings = er_input(ctx, 1);
  er_tensor *out = er_output(ctx, 0);
  if (in->dtype != out->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  edgert_status st = mv_check_const_index(ctx, paddings, "paddings (input 1)");
  if (st != EDGERT_OK) return st;
  if (er_tensor_elements(paddings) != 2 * (int64_t)in->ndim)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "paddings must be [%d, 2]", (int)in->ndim);
  pad_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->ndim = in->ndim;
  d->esize = edgert_dtype_size(in->dtype);
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0; i < in->ndim; i++) {
    d->in_dims[i] = in->dims[i];
    d->left[i] = mv_index_at(paddings, 2 * i);
    d->right[i] = mv_index_at(paddings, 2 * i + 1);
    if (d->left[i] < 0 || d->right[i] < 0 || d->left[i] > INT32_MAX || d->right[i] > INT32_MAX)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "paddings of dim %d (%lld, %lld) are negative or too large",
                     (int)i, (long long)d->left[i], (long long)d->right[i]);
    dims[i] = in->dims[i] + d->left[i] + d->right[i];
  }
  if ((st = er_set_output_shape(ctx, out, in->ndim, dims)) != EDGERT_OK) return st;
  mv_strides(in->ndim, in->dims, d->in_strides);
  mv_strides(in->ndim, dims, d->out_strides);
  ctx->op_data = d;
  *out_data = d;
  return EDGERT_OK;
}

/* The quantized zero point as one element of dtype t (0 for non-quantized dtypes). */
static void zero_value(const er_tensor *out, unsigned char *value) {
  int32_t zp = is_quantized_dtype(out->dtype) ? out->q.zero_point : 0;
  memset(value, 0, 8);
  if (out->dtype == EDGERT_INT8) {
    int8_t v = (int8_t)zp;
    memcpy(value, &v, 1);
  } else if (out->dtype == EDGERT_UINT8) {
    uint8_t v = (uint8_t)zp;
    memcpy(value, &v, 1);
  } else if (out->dtype == EDGERT_INT16) {
    int16_t v = (int16_t)zp;
    memcpy(value, &v, 2);
  }
}

static edgert_status pad_prepare(er_op_ctx *ctx) {
  bool v2 = ctx->node->op == ER_OP_PADV2;
  edgert_status st = er_check_io(ctx, v2 ? 3 : 2, 3, 1);
  if (st != EDGERT_OK) return st;
  pad_data *d;
  if ((st = plan_padding(ctx, &d)) != EDGERT_OK) return st;
  const er_tensor *out = er_output(ctx, 0), *value = er_input(ctx, 2);
  if (is_quantized_dtype(out->dtype)) {
    int32_t qmin, qmax;
    er_dtype_range(out->dtype, &qmin, &qmax);
    if (out->q.zero_point < qmin || out->q.zero_point > qmax)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "output zero point %d is outside %s", (int)out->q.zero_point,
                     edgert_dtype_name(out->dtype));
  }
  zero_value(out, d->pad_value);
  if (value) {
    if (value->dtype != out->dtype)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "constant_values dtype differs from input");
    if (er_tensor_elements(value) != 1)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "constant_values must be a scalar");
    if (is_quantized_dtype(out->dtype) &&
        (value->q.scale != out->q.scale || value->q.zero_point != out->q.zero_point))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "constant_values quantization differs from the output's");
  }
  return EDGERT_OK;
}

static unsigned char *pad_dim(const pad_data *d, int32_t dim, const unsigned char *in, unsigned char *out,
                              const void *value) {
  size_t es = d->esize;
  int64_t left = d->left[dim] * d->out_strides[dim], right = d->right[dim] * d->out_strides[dim];
  mv_fill(out, value, left, es);
  out += (size_t)left * es;
  if (dim == d->ndim - 1) {
    size_t row = (size_t)d->in_dims[dim] * es;
    if (row) memcpy(out, in, row);
    out += row;
  } else {
    for (int64_t i = 0; i < d->in_dims[dim]; i++)
      out = pad_dim(d, dim + 1, in + (size_t)(i * d->in_strides[dim]) * es, out, value);
  }
  mv_fill(out, value, right, es);
  return out + (size_t)right * es;
}

static edgert_status pad_eval(er_op_ctx *ctx) {
  const pad_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0), *value = er_input(ctx, 2);
  er_tensor *out = er_output(ctx, 0);
  const void *fill = value ? value->data : d->pad_value;
  if (d->ndim == 0) {
    memcpy(out->data, in->data, d->esize);
    return EDGERT_OK;
  }
  if (er_tensor_elements(out) == 0) return EDGERT_OK;
  pad_dim(d, 0, in->data, out->data, fill);
  return EDGERT_OK;
}

static edgert_status mirror_pad_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st != EDGERT_OK) return st;
  const er_mirror_pad_attrs *attrs = er_attrs(ctx);
  pad_data *d;
  if ((st = plan_padding(ctx, &d)) != EDGERT_OK) return st;
  d->mirror_offset = attrs && attrs->symmetric ? 0 : 1;
  for (int32_t i = 0; i < d->ndim; i++) {
    int64_t limit = d->in_dims[i] - d->mirror_offset;
    if (limit < 0) limit = 0;
    if (d->left[i] > limit || d->right[i] > limit)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "%s paddings of dim %d exceed %lld",
                     d->mirror_offset ? "REFLECT" : "SYMMETRIC", (int)i, (long long)limit);
  }
  return EDGERT_OK;
}

/* The input index an output index of one dim reads (mirror_pad.cc GetInputDimension). */
static int64_t mirror_index(const pad_data *d, int32_t dim, int64_t o) {
  int64_t left = d->left[dim], size = d->in_dims[dim], offset = d->mirror_offset;
  if (o < left) return left + offset - 1 - o;
  o -= left;
  if (o < size) return o;
  o -= size;
  return size - 1 - offset - o;
}

static unsigned char *mirror_dim(const pad_data *d, int32_t dim, const unsigned char *in,
                                 unsigned char *out) {
  size_t es = d->esize;
  int64_t out_dim = d->in_dims[dim] + d->left[dim] + d->right[dim];
  for (int64_t o = 0; o < out_dim; o++) {
    const unsigned char *src = in + (size_t)(mirror_index(d, dim, o) * d->in_strides[dim]) * es;
    if (dim == d->ndim - 1) {
      memcpy(out, src, es);
      out += es;
    } else {
      out = mirror_dim(d, dim + 1, src, out);
    }
  }
  return out;
}

static edgert_status mirror_pad_eval(er_op_ctx *ctx) {
  const pad_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (d->ndim == 0) {
    memcpy(out->data, in->data, d->esize);
    return EDGERT_OK;
  }
  if (er_tensor_elements(in) == 0) return EDGERT_OK;
  mirror_dim(d, 0, in->data, out->data);
  return EDGERT_OK;
}

const er_kernel er_kernel_pad = {.prepare = pad_prepare, .eval = pad_eval};
const er_kernel er_kernel_padv2 = {.prepare = pad_prepare, .eval = pad_eval};
const er_kernel er_kernel_mirror_pad = {.prepare = mirror_pad_prepare, .eval = mirror_pad_eval};
