/* TRANSPOSE_CONV (TFLite's layout): inputs (output_shape, weights OHWI, input NHWC, bias?). Each input
 * pixel scatters input * weights into a stride-spaced window of the output, as TFLite's reference
 * TransposeConv does (reference/transpose_conv.h, reference/integer_ops/transpose_conv.h): float32; int8
 * with int8 weights (per-tensor or per-channel, int32 bias, int32 accumulators); int16 with int8 weights
 * (int64 accumulators and bias; int16 or int32 biases are widened, as TFLM does); uint8 with uint8 weights
 * (one filter scale and zero point, int32 bias and accumulators, weight offset on every tap). The quantized
 * paths sum into a scratch buffer the size of the output, declared at prepare. The padding is TFLite's:
 * computed as for a convolution whose input is this op's output. */
#include <string.h>

#include "core/kernel.h"
#include "core/quant.h"
#include "ops/conv_common.h"

typedef struct {
  int64_t batches, in_h, in_w, in_c;
  int64_t filter_h, filter_w;
  int64_t out_h, out_w, out_c;
  int64_t stride_h, stride_w, pad_h, pad_w;
  float act_min_f, act_max_f;
  er_conv_quant q;
} tconv_data;

/* TFLite's ComputePaddingWithOffset with the output as the convolution's input; never fails, as in
 * TFLite (impossible geometries just give no padding). */
static int64_t leading_pad(const er_conv_attrs *a, int64_t out_size, int64_t filter, int64_t stride,
                           int dim) {
  if (a->padding == ER_PAD_EXPLICIT) return a->pads[dim];
  int64_t conv_out =
      a->padding == ER_PAD_VALID ? (out_size + stride - filter) / stride : (out_size + stride - 1) / stride;
  int64_t total = (conv_out - 1) * stride + filter - out_size;
  if (total <= 0) return 0;
  return a->padding == ER_PAD_SAME_LOWER ? (total + 1) / 2 : total / 2;
}

/* The output shape from the constant output_shape input, or else from the model's declared output. */
static edgert_status output_dims(er_op_ctx *ctx, const er_tensor *shape, const er_tensor *out,
                                 int64_t dims[4]) {
  if (shape->kind == ER_TENSOR_CONST && shape->data) {
    if (er_tensor_elements(shape) != 4 || (shape->dtype != EDGERT_INT32 && shape->dtype != EDGERT_INT64))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "output_shape must hold 4 int32 values");
    for (int i = 0; i < 4; i++)
      dims[i] = shape->dtype == EDGERT_INT32 ? ((const int32_t *)shape->data)[i]
                                             : ((const int64_t *)shape->data)[i];
  } else if (out->ndim == 4) {
    for (int i = 0; i < 4; i++)
      dims[i] = out->dims[i];
  } else {
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "output_shape is not constant and the output shape is not declared");
  }
  for (int i = 0; i < 4; i++)
    if (dims[i] < 1 || dims[i] > ((int64_t)1 << 30))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "output_shape dim %d is %lld", i, (long long)dims[i]);
  return EDGERT_OK;
}

static edgert_status prepare_quant(er_op_ctx *ctx, tconv_data *d, const er_conv_attrs *a, const er_tensor *in,
                                   const er_tensor *filter, const er_tensor *out) {
  edgert_status st = er_conv_prepare_quant(ctx, &d->q, a->activation, in, filter, out, 0, d->out_c);
  if (st != EDGERT_OK) return st;
  /* One accumulator per output element: int32 for int8 and uint8 (as TFLite), int64 for int16. */
  size_t bytes;
  if (!er_bytes_for(in->dtype == EDGERT_INT16 ? EDGERT_INT64 : EDGERT_INT32,
                    d->batches * d->out_h * d->out_w * d->out_c, &bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "accumulator buffer is too large");
  ctx->scratch_bytes = bytes;
  return EDGERT_OK;
}

static edgert_status tconv_prepare(er_op_ctx *ctx) {
  const er_conv_attrs *a = er_attrs(ctx);
  edgert_status st = er_conv_check_attrs(ctx, a, false);
  if (st == EDGERT_OK) st = er_check_io(ctx, 3, 4, 1);
  if (st != EDGERT_OK) return st;
  const er_tensor *shape = er_input(ctx, 0), *filter = er_input(ctx, 1), *in = er_input(ctx, 2);
  const er_tensor *bias = er_input(ctx, 3);
  er_tensor *out = er_output(ctx, 0);
  int64_t dims[4];
  if ((st = er_conv_check_4d(ctx, in, "input")) != EDGERT_OK) return st;
  if ((st = er_conv_check_4d(ctx, filter, "filter")) != EDGERT_OK) return st;
  if ((st = output_dims(ctx, shape, out, dims)) != EDGERT_OK) return st;
  if (dims[0] != in->dims[0] || dims[3] != filter->dims[0] || filter->dims[3] != in->dims[3])
    return er_fail(ctx, EDGERT_ERR_SHAPE,
                   "output_shape [%lld, _, _, %lld], filter [%lld, _, _, %lld] and input "
                   "[%lld, _, _, %lld] disagree on batches or channels",
                   (long long)dims[0], (long long)dims[3], (long long)filter->dims[0],
                   (long long)filter->dims[3], (long long)in->dims[0], (long long)in->dims[3]);
  st = er_conv_check_types(ctx, in, filter, bias, out, filter->dims[0], "filter", ER_CONV_INT16_BIAS);
  if (st != EDGERT_OK) return st;
  if ((st = er_set_output_shape(ctx, out, 4, dims)) != EDGERT_OK) return st;

  tconv_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->batches = in->dims[0];
  d->in_h = in->dims[1];
  d->in_w = in->dims[2];
  d->in_c = in->dims[3];
  d->filter_h = filter->dims[1];
  d->filter_w = filter->dims[2];
  d->out_h = dims[1];
  d->out_w = dims[2];
  d->out_c = dims[3];
  d->stride_h = a->stride_h;
  d->stride_w = a->stride_w;
  d->pad_h = leading_pad(a, d->out_h, d->filter_h, d->stride_h, 0);
  d->pad_w = leading_pad(a, d->out_w, d->filter_w, d->stride_w, 1);
  if (d->pad_h < 0 || d->pad_w < 0 || d->pad_h > ((int64_t)1 << 30) || d->pad_w > ((int64_t)1 << 30))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "padding %lldx%lld is out of range", (long long)d->pad_h,
                   (long long)d->pad_w);
  er_activation_range_float(a->activation, &d->act_min_f, &d->act_max_f);
  if (in->dtype != EDGERT_FLOAT32 && (st = prepare_quant(ctx, d, a, in, filter, out)) != EDGERT_OK) return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

/* Every input element (b, iy, ix, ic) adds value * filter[oc, fy, fx, ic] to output (b, oy, ox, oc) for
 * each filter tap landing inside the output. VALUE reads the input; ADD accumulates into index `o`. The
 * order per output element is TFLite's, which matters for float sums. */
#define SCATTER_LOOPS(VALUE_T, VALUE, ADD)                                                                   \
  for (int64_t b = 0; b < d->batches; b++)                                                                   \
    for (int64_t iy = 0; iy < d->in_h; iy++)                                                                 \
      for (int64_t ix = 0; ix < d->in_w; ix++)                                                               \
        for (int64_t ic = 0; ic < d->in_c; ic++) {                                                           \
          const VALUE_T value = VALUE;                                                                       \
          for (int64_t fy = 0; fy < d->filter_h; fy++) {                                                     \
            int64_t oy = iy * d->stride_h - d->pad_h + fy;                                                   \
            if (oy < 0 || oy >= d->out_h) continue;                                                          \
            for (int64_t fx = 0; fx < d->filter_w; fx++) {                                                   \
              int64_t ox = ix * d->stride_w - d->pad_w + fx;                                                 \
              if (ox < 0 || ox >= d->out_w) continue;                                                        \
              const int64_t o0 = ((b * d->out_h + oy) * d->out_w + ox) * d->out_c;                           \
              for (int64_t oc = 0; oc < d->out_c; oc++) {                                                    \
                const int64_t o = o0 + oc;                                                                   \
                const int64_t f = ((oc * d->filter_h + fy) * d->filter_w + fx) * d->in_c + ic;               \
                ADD;                                                                                         \
              }                                                                                              \
            }                                                                                                \
          }                                                                                                  \
        }

static int64_t output_elements(const tconv_data *d) { return d->batches * d->out_h * d->out_w * d->out_c; }

static void tconv_f32(const tconv_data *d, const float *in, const float *filter, const float *bias,
                      float *out) {
  int64_t n = output_elements(d);
  for (int64_t i = 0; i < n; i++)
    out[i] = 0.0f;
  SCATTER_LOOPS(float, in[((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic], out[o] += value * filter[f])
  for (int64_t i = 0; i < n; i++)
    out[i] = er_clamp_f(out[i] + (bias ? bias[i % d->out_c] : 0.0f), d->act_min_f, d->act_max_f);
}

/* int8: uint32 accumulators wrap exactly as TFLite's int32 ones do in practice. */
static void tconv_i8(const tconv_data *d, const int8_t *in, const int8_t *filter, const int32_t *bias,
                     int8_t *out, uint32_t *acc) {
  int64_t n = output_elements(d);
  memset(acc, 0, sizeof(uint32_t) * (size_t)n);
  SCATTER_LOOPS(int32_t, (int32_t)in[((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic] + d->q.input_offset,
                acc[o] += (uint32_t)(value * (int32_t)filter[f]))
  for (int64_t i = 0; i < n; i++) {
    int64_t oc = i % d->out_c;
    out[i] = (int8_t)er_conv_output_i32(&d->q, (int64_t)acc[i] + (bias ? bias[oc] : 0), oc);
  }
}

/* uint8 (reference/transpose_conv.h): both operands offset by their zero points; int32 accumulators. */
static void tconv_u8(const tconv_data *d, const uint8_t *in, const uint8_t *filter, const int32_t *bias,
                     uint8_t *out, uint32_t *acc) {
  int64_t n = output_elements(d);
  memset(acc, 0, sizeof(uint32_t) * (size_t)n);
  SCATTER_LOOPS(int32_t, (int32_t)in[((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic] + d->q.input_offset,
                acc[o] += (uint32_t)(value * ((int32_t)filter[f] + d->q.filter_offset)))
  for (int64_t i = 0; i < n; i++) {
    int64_t oc = i % d->out_c;
    out[i] = (uint8_t)er_conv_output_i32(&d->q, (int64_t)acc[i] + (bias ? bias[oc] : 0), oc);
  }
}

/* int16 without a bias: TFLite (tensorflow/lite/kernels/transpose_conv.cc) then sums in int32 (wrapping)
 * and requantizes with the 32-bit multiplier and double rounding, not its 64-bit int64-bias path. */
static void tconv_i16_acc32(const tconv_data *d, const int16_t *in, const int8_t *filter, int16_t *out,
                            uint32_t *acc) {
  int64_t n = output_elements(d);
  memset(acc, 0, sizeof(uint32_t) * (size_t)n);
  SCATTER_LOOPS(int32_t, (int32_t)in[((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic],
                acc[o] += (uint32_t)(value * (int32_t)filter[f]))
  /* The output offset is the int16 output's zero point, 0. */
  for (int64_t i = 0; i < n; i++)
    out[i] = (int16_t)er_conv_output_i32(&d->q, (int64_t)acc[i], i % d->out_c);
}

static void tconv_i16(const tconv_data *d, const int16_t *in, const int8_t *filter, const er_tensor *bias,
                      int16_t *out, uint64_t *acc) {
  int64_t n = output_elements(d);
  memset(acc, 0, sizeof(uint64_t) * (size_t)n);
  SCATTER_LOOPS(int32_t, (int32_t)in[((b * d->in_h + iy) * d->in_w + ix) * d->in_c + ic],
                acc[o] += (uint64_t)(int64_t)(value * (int32_t)filter[f]))
  for (int64_t i = 0; i < n; i++) {
    int64_t oc = i % d->out_c;
    out[i] =
        (int16_t)er_conv_output_i64(&d->q, er_add_wrap_i64((int64_t)acc[i], er_conv_bias_at(bias, oc)), oc);
  }
}

/* A fed (non-constant) output_shape must agree with the shape prepared from the model's declaration. */
static bool shape_input_matches(const er_tensor *shape, const tconv_data *d) {
  if (shape->kind == ER_TENSOR_CONST) return true;
  if (er_tensor_elements(shape) != 4 || (shape->dtype != EDGERT_INT32 && shape->dtype != EDGERT_INT64))
    return false;
  const int64_t want[4] = {d->batches, d->out_h, d->out_w, d->out_c};
  for (int i = 0; i < 4; i++) {
    int64_t v =
        shape->dtype == EDGERT_INT32 ? ((const int32_t *)shape->data)[i] : ((const int64_t *)shape->data)[i];
    if (v != want[i]) return false;
  }
  return true;
}

static edgert_status tconv_eval(er_op_ctx *ctx) {
  const tconv_data *d = ctx->op_data;
  const er_tensor *filter = er_input(ctx, 1), *in = er_input(ctx, 2), *bias = er_input(ctx, 3);
  er_tensor *out = er_output(ctx, 0);
  if (!shape_input_matches(er_input(ctx, 0), d))
    return er_fail(ctx, EDGERT_ERR_RUNTIME,
                   "output_shape input differs from the declared output shape [%lld, %lld, "
                   "%lld, %lld]",
                   (long long)d->batches, (long long)d->out_h, (long long)d->out_w, (long long)d->out_c);
  switch (in->dtype) {
  case EDGERT_FLOAT32: tconv_f32(d, in->data, filter->data, bias ? bias->data : NULL, out->data); break;
  case EDGERT_INT8:
    tconv_i8(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    break;
  case EDGERT_INT16:
    if (bias)
      tconv_i16(d, in->data, filter->data, bias, out->data, ctx->scratch);
    else
      tconv_i16_acc32(d, in->data, filter->data, out->data, ctx->scratch);
    break;
  case EDGERT_UINT8:
    tconv_u8(d, in->data, filter->data, bias ? bias->data : NULL, out->data, ctx->scratch);
    break;
  default: return er_fail(ctx, EDGERT_ERR_RUNTIME, "unexpected input type");
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_transpose_conv = {.prepare = tconv_prepare, .eval = tconv_eval};
