/* CONCATENATION and PACK: join inputs along one axis (PACK first adds that axis to each input). Both copy
 * rows: for each index of the dims before the axis, each input's block in turn.
 *
 * Quantized CONCATENATION (uint8, int8, int16) whose input scale or zero point differs from the output's
 * is requantized element by element with TFLite's float formula (reference_ops::ConcatenationWithScaling,
 * tensorflow/lite/kernels/internal/reference/concatenation.h): round(q * s + b) + out_zp, clamped, with
 * s = in_scale * (1 / out_scale) and b = -in_zp * s in float. TFLite applies it to uint8 and refuses int8
 * and int16 with differing parameters; we requantize those too rather than fail. Inputs whose
 * parameters match are plain copies, as in TFLite. */
#include <math.h>
#include <string.h>

#include "core/quant.h"
#include "ops/movement.h"

typedef struct {
  int64_t block; /* elements one input contributes per outer index */
  bool requantize;
  float scale, bias;
} concat_input;

typedef struct {
  int32_t n_inputs;
  int64_t outer;
  int32_t out_zero_point, qmin, qmax;
  concat_input inputs[];
} concat_data;

static bool is_quantized_dtype(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_UINT8 || t == EDGERT_INT16;
}

static concat_data *alloc_data(er_op_ctx *ctx, int32_t n) {
  concat_data *d = er_persist_alloc(ctx, sizeof(concat_data) + sizeof(concat_input) * (size_t)n);
  if (d) d->n_inputs = n;
  return d;
}

static void plan_requantize(concat_data *d, const er_tensor *out, int32_t i, const er_tensor *in) {
  concat_input *ci = &d->inputs[i];
  ci->requantize = is_quantized_dtype(out->dtype) &&
                   (in->q.scale != out->q.scale || in->q.zero_point != out->q.zero_point);
  if (!ci->requantize) return;
  const float inverse_output_scale = 1.f / out->q.scale;
  ci->scale = in->q.scale * inverse_output_scale;
  ci->bias = -(float)in->q.zero_point * ci->scale;
}

static edgert_status concat_prepare(er_op_ctx *ctx) {
  const er_axis_attrs *attrs = er_attrs(ctx);
  int32_t n = ctx->node->n_inputs;
  edgert_status st = er_check_io(ctx, n > 0 ? n : 1, n > 0 ? n : 1, 1);
  if (st != EDGERT_OK) return st;
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing options");
  if (attrs->activation != ER_ACT_NONE)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "a fused activation on CONCATENATION is not supported (as in TFLite)");
  const er_tensor *t0 = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs->axis, t0->ndim, &axis)) != EDGERT_OK) return st;
  if (out->dtype != t0->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  concat_data *d = alloc_data(ctx, n);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  int64_t dims[ER_MAX_DIMS];
  for (int32_t k = 0; k < t0->ndim; k++)
    dims[k] = t0->dims[k];
  int64_t inner = mv_dims_product(t0->dims, axis + 1, t0->ndim);
  dims[axis] = 0;
  for (int32_t i = 0; i < n; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t->dtype != t0->dtype || t->ndim != t0->ndim)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d differs in dtype or rank from input 0", (int)i);
    for (int32_t k = 0; k < t0->ndim; k++)
      if (k != axis && t->dims[k] != t0->dims[k])
        return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d dim %d is %lld, expected %lld", (int)i, (int)k,
                       (long long)t->dims[k], (long long)t0->dims[k]);
    if (dims[axis] > INT64_MAX - t->dims[axis])
      return er_fail(ctx, EDGERT_ERR_LIMIT, "concatenated dim overflows");
    dims[axis] += t->dims[axis];
    d->inputs[i].block = t->dims[axis] * inner;
    plan_requantize(d, out, i, t);
    if (d->inputs[i].requantize && !(out->q.scale > 0.f && t->q.scale > 0.f))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %d needs requantizing but a scale is not positive",
                     (int)i);
  }
  d->outer = mv_dims_product(t0->dims, 0, axis);
  ctx->inputs_in_output = d->outer == 1;
  for (int32_t i = 0; i < n; i++)
    if (d->inputs[i].requantize) ctx->inputs_in_output = false;
  d->out_zero_point = out->q.zero_point;
  if (is_quantized_dtype(out->dtype)) er_dtype_range(out->dtype, &d->qmin, &d->qmax);
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, t0->ndim, dims);
}

static int32_t load_int(const void *p, int64_t i, edgert_dtype t) {
  switch (t) {
  case EDGERT_INT8: return ((const int8_t *)p)[i];
  case EDGERT_UINT8: return ((const uint8_t *)p)[i];
  default: return ((const int16_t *)p)[i];
  }
}

static void store_int(void *p, int64_t i, edgert_dtype t, int32_t v) {
  switch (t) {
  case EDGERT_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
  default: ((int16_t *)p)[i] = (int16_t)v; break;
  }
}

static void requantize_block(const concat_data *d, const concat_input *ci, const void *in, void *out,
                             edgert_dtype t) {
  for (int64_t j = 0; j < ci->block; j++) {
    float real = (float)load_int(in, j, t) * ci->scale + ci->bias;
    int32_t v = (int32_t)er_round_f(real) + d->out_zero_point;
    store_int(out, j, t, er_clamp_i32(v, d->qmin, d->qmax));
  }
}

static edgert_status concat_eval(er_op_ctx *ctx) {
  const concat_data *d = ctx->op_data;
  er_tensor *out = er_output(ctx, 0);
  size_t esize = edgert_dtype_size(out->dtype);
  unsigned char *o = out->data;
  for (int64_t k = 0; k < d->outer; k++) {
    for (int32_t i = 0; i < d->n_inputs; i++) {
      const concat_input *ci = &d->inputs[i];
      const unsigned char *src =
          (const unsigned char *)er_input(ctx, i)->data + (size_t)(k * ci->block) * esize;
      if (ci->requantize)
        requantize_block(d, ci, src, o, out->dtype);
      else if (ci->block && src != o) /* else the planner put the input here (inputs_in_output) */
        memcpy(o, src, (size_t)ci->block * esize);
      o += (size_t)ci->block * esize;
    }
  }
  return EDGERT_OK;
}

/* PACK: N inputs of one shape become one tensor with a new dim of size N at `axis` (pack.cc). TFLite
 * requires the quantization of every input to equal the output's, since it only copies. */
static edgert_status pack_prepare(er_op_ctx *ctx) {
  const er_axis_attrs *attrs = er_attrs(ctx);
  int32_t n = ctx->node->n_inputs;
  edgert_status st = er_check_io(ctx, n > 0 ? n : 1, n > 0 ? n : 1, 1);
  if (st != EDGERT_OK) return st;
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing options");
  if (attrs->count != 0 && attrs->count != n)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "values_count %d but %d inputs", (int)attrs->count, (int)n);
  const er_tensor *t0 = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (t0->ndim >= ER_MAX_DIMS)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input rank %d is at the limit", t0->ndim);
  int32_t axis;
  if ((st = mv_normalize_axis(ctx, attrs->axis, t0->ndim + 1, &axis)) != EDGERT_OK) return st;
  if (out->dtype != t0->dtype) return er_fail(ctx, EDGERT_ERR_SHAPE, "input and output dtypes differ");
  for (int32_t i = 0; i < n; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t->dtype != t0->dtype || !er_same_shape(t, t0))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input %d differs in dtype or shape from input 0", (int)i);
    if (is_quantized_dtype(t->dtype) && (t->q.scale != out->q.scale || t->q.zero_point != out->q.zero_point))
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input %d quantization differs from the output's", (int)i);
  }
  concat_data *d = alloc_data(ctx, n);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->outer = mv_dims_product(t0->dims, 0, axis);
  for (int32_t i = 0; i < n; i++)
    d->inputs[i].block = mv_dims_product(t0->dims, axis, t0->ndim);
  int64_t dims[ER_MAX_DIMS];
  for (int32_t i = 0, j = 0; i <= t0->ndim; i++)
    dims[i] = i == axis ? n : t0->dims[j++];
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, t0->ndim + 1, dims);
}

const er_kernel er_kernel_concatenation = {.prepare = concat_prepare, .eval = concat_eval};
const er_kernel er_kernel_pack = {.prepare = pack_prepare, .eval = concat_eval};
