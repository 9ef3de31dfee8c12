/* MEAN, SUM, REDUCE_MAX, REDUCE_MIN and REDUCE_PROD: fold the input along the axes given by the
 * constant input 1 (int32 or int64; negative axes count from the back; duplicates are ignored), keeping
 * the reduced dims as size 1 when keep_dims is set.
 *
 * The input is walked once in memory order, one row of its last dim at a time; each input element
 * lands in the output element whose index is the input index with the reduced coordinates zeroed
 * (out_stride is 0 along reduced dims). Float folds accumulate in float in that order, as TFLite does.
 * Integer folds accumulate in int64 scratch: for sum and product the low bits equal TFLite's wrapping
 * 32-bit arithmetic, so narrowing at the end gives its exact answer.
 *
 * Quantized MEAN and SUM (int8, uint8, int16) follow TFLite's own reduce.cc (the reference MEAN it
 * registers off ARM, and EvalSum), checked value for value against TFLite itself:
 *  - MEAN over raw axes {1, 2} of a 4-D input with keep_dims, int8: reference_integer_ops::Mean (sum of
 *    q - zp_in, rescaled by input_scale / output_scale, divided by the count rounding half away from
 *    zero); uint8: reference_ops::Mean (raw sum rescaled with 1 / count folded into the multiplier, zero
 *    points folded into a bias rounded in float). int16 has no such case;
 *  - other MEANs with equal input and output quantization: int32 sum of q divided by the count, truncated;
 *  - other MEANs: reference_ops::QuantizedMeanOrSum, in float as TFLite computes it: the mean times
 *    input_scale / output_scale plus the rescaled zero point, rounded half away from zero, clamped;
 *  - SUM with equal quantization: the plain sum wrapped to the dtype (TFLite's EvalGeneric);
 *  - 8-bit SUM between quantizations: QuantizedMeanOrSum's float sum, wrapped to 8 bits (TFLite casts
 *    without saturating). TFLite refuses an int16 SUM that rescales; here it goes through
 *    MultiplyByQuantizedMultiplier and saturates, as TFLite Micro does.
 * TFLite Micro and newer TFLite releases do the rescaling in integers instead (multiplier with 1 / count
 * folded in), so their answers can differ from these by one step.
 * Quantized REDUCE_PROD (int8, int16 with a scale) rescales after every multiply as TFLite's
 * QuantizedReduceProd does. REDUCE_MAX/MIN compare raw integers and need equal quantization. Quantized
 * uint8 PROD is refused, as TFLite refuses it, while unquantized uint8 multiplies plainly. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel.h"
#include "core/quant.h"

typedef enum { REDUCE_MEAN, REDUCE_SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD } reduce_kind;

/* How a quantized (int8, uint8, int16) MEAN, SUM or PROD turns the folded value into an output. */
typedef enum {
  QUANT_NONE,           /* plain integer or float arithmetic */
  QUANT_MEAN_HW,        /* reference_integer_ops::Mean (int8): 4-D, axes {1, 2}, keep_dims */
  QUANT_MEAN_HW_UINT8,  /* reference_ops::Mean for uint8: the same shapes, bias folded in float */
  QUANT_FLOAT_MEAN,     /* QuantizedMeanOrSum in float (MEAN), clamped */
  QUANT_FLOAT_SUM,      /* QuantizedMeanOrSum in float (8-bit SUM), wrapping to 8 bits */
  QUANT_MEAN_TRUNCATED, /* reference_ops::Mean on raw values: same scale and zero point */
  QUANT_RESCALED,       /* int16 SUM between quantizations: integer rescale, saturating (TFLM) */
  QUANT_PROD            /* reference_ops::QuantizedReduceProd */
} quant_path;

/* Rows hold at most this many elements per widening pass; a longer last dim is done in chunks. */
#define WIDEN_CHUNK 64
/* An untouched accumulator of the quantized product (real values stay within int32). */
#define PROD_UNSET INT64_MIN

typedef struct {
  reduce_kind kind;
  edgert_dtype dtype;
  int32_t ndim; /* at least 1: a scalar input is treated as shape [1] */
  int64_t dims[ER_MAX_DIMS];
  int64_t out_stride[ER_MAX_DIMS]; /* output element step per input dim; 0 along reduced dims */
  int64_t in_elements, out_elements;
  int64_t count; /* input elements folded into each output */
  quant_path path;
  int32_t multiplier;
  int shift;
  int32_t hw_bias;   /* QUANT_MEAN_HW_UINT8: output zero point minus the rescaled input zero point */
  float float_scale; /* QUANT_FLOAT_*: input_scale / output_scale in float, as TFLite has it */
  int32_t in_zp, out_zp;
  int32_t qmin, qmax;
} reduce_data;

static bool is_integer(edgert_dtype dt) {
  return dt == EDGERT_INT8 || dt == EDGERT_UINT8 || dt == EDGERT_INT16 || dt == EDGERT_INT32 ||
         dt == EDGERT_INT64;
}

static bool dtype_supported(reduce_kind kind, edgert_dtype dt) {
  if (dt == EDGERT_FLOAT32 || dt == EDGERT_INT32 || dt == EDGERT_INT64) return true;
  if (kind == REDUCE_MEAN || kind == REDUCE_SUM)
    return dt == EDGERT_INT8 || dt == EDGERT_UINT8 || dt == EDGERT_INT16;
  return dt == EDGERT_INT8 || dt == EDGERT_UINT8 || dt == EDGERT_INT16;
}

static int64_t load_int(const void *data, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  default: return ((const int64_t *)data)[i];
  }
}

/* Narrowing keeps the low bits, as a C++ static_cast to the element type does. */
static void store_int(void *data, edgert_dtype dt, int64_t i, int64_t v) {
  switch (dt) {
  case EDGERT_INT8: ((int8_t *)data)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)data)[i] = (uint8_t)(uint64_t)v; break;
  case EDGERT_INT16: ((int16_t *)data)[i] = (int16_t)(uint16_t)(uint64_t)v; break;
  case EDGERT_INT32: ((int32_t *)data)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
  default: ((int64_t *)data)[i] = v; break;
  }
}

static void int_limits(edgert_dtype dt, int64_t *lo, int64_t *hi) {
  switch (dt) {
  case EDGERT_INT8: *lo = INT8_MIN, *hi = INT8_MAX; break;
  case EDGERT_UINT8: *lo = 0, *hi = UINT8_MAX; break;
  case EDGERT_INT16: *lo = INT16_MIN, *hi = INT16_MAX; break;
  case EDGERT_INT32: *lo = INT32_MIN, *hi = INT32_MAX; break;
  default: *lo = INT64_MIN, *hi = INT64_MAX; break;
  }
}

/* ---- prepare ---- */

/* Marks reduced dims from the axis tensor. A scalar input ignores its axes, as TFLite's ResolveAxis. */
static edgert_status resolve_axes(er_op_ctx *ctx, const er_tensor *input, const er_tensor *axes,
                                  bool *reduced) {
  if (axes->kind != ER_TENSOR_CONST || !axes->data)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axes (input 1) must be a constant tensor");
  if (axes->dtype != EDGERT_INT32 && axes->dtype != EDGERT_INT64)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "axes dtype %s is not int32 or int64",
                   edgert_dtype_name(axes->dtype));
  int64_t n = er_tensor_elements(axes);
  size_t need;
  if (n < 0 || !er_bytes_for(axes->dtype, n, &need) || need > axes->bytes)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "axes tensor shape does not match its data");
  for (int32_t d = 0; d < ER_MAX_DIMS; d++)
    reduced[d] = false;
  if (input->ndim == 0) return EDGERT_OK;
  for (int64_t i = 0; i < n; i++) {
    int64_t axis = load_int(axes->data, axes->dtype, i);
    int64_t resolved = axis < 0 ? axis + input->ndim : axis;
    if (resolved < 0 || resolved >= input->ndim)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "axis %lld is out of range for rank %d", (long long)axis,
                     (int)input->ndim);
    reduced[resolved] = true;
  }
  return EDGERT_OK;
}

/* TFLite takes the rounded 4-D path only when the raw axes are exactly {1, 2} in either order. */
static bool is_hw_mean(const er_tensor *input, const er_tensor *axes, bool keep_dims) {
  if (!keep_dims || input->ndim != 4 || er_tensor_elements(axes) != 2) return false;
  int64_t a0 = load_int(axes->data, axes->dtype, 0), a1 = load_int(axes->data, axes->dtype, 1);
  return (a0 == 1 && a1 == 2) || (a0 == 2 && a1 == 1);
}

/* Shape facts: output dims, output strides per input dim, element counts. */
static edgert_status plan_shape(er_op_ctx *ctx, reduce_data *d, const er_tensor *input, const bool *reduced,
                                bool keep_dims, int32_t *out_ndim, int64_t *out_dims) {
  d->in_elements = er_tensor_elements(input);
  if (d->in_elements < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "input shape is invalid");
  d->ndim = input->ndim ? input->ndim : 1;
  for (int32_t i = 0; i < d->ndim; i++)
    d->dims[i] = input->ndim ? input->dims[i] : 1;
  *out_ndim = 0;
  d->count = 1;
  d->out_elements = 1;
  for (int32_t i = d->ndim - 1; i >= 0; i--) {
    if (reduced[i]) {
      d->out_stride[i] = 0;
      d->count *= d->dims[i]; /* no overflow: a factor of in_elements */
    } else {
      d->out_stride[i] = d->out_elements;
      d->out_elements *= d->dims[i];
    }
  }
  for (int32_t i = 0; i < input->ndim; i++) {
    if (!reduced[i]) {
      out_dims[(*out_ndim)++] = input->dims[i];
    } else if (keep_dims) {
      out_dims[(*out_ndim)++] = 1;
    }
  }
  return EDGERT_OK;
}

static edgert_status check_positive_scales(er_op_ctx *ctx, const er_tensor *in, const er_tensor *out) {
  if (in->q.scale > 0 && out->q.scale > 0 && isfinite(in->q.scale) && isfinite(out->q.scale))
    return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "quantized %s needs positive input and output scales",
                 edgert_dtype_name(in->dtype));
}

/* reference_ops::Mean for uint8 works on raw sums: the input zero point, rescaled and rounded in float,
 * becomes a bias on the output, and 1 / count joins the multiplier. The float steps are TFLite's. */
static void plan_uint8_hw_mean(reduce_data *d, const er_tensor *in, const er_tensor *out) {
  const float in_scale = in->q.scale, out_scale = out->q.scale;
  const float count = (float)d->count;
  float zp_rescaled = (float)in->q.zero_point * in_scale / out_scale;
  zp_rescaled = zp_rescaled > 0 ? zp_rescaled + 0.5f : zp_rescaled - 0.5f;
  d->hw_bias = out->q.zero_point - (int32_t)zp_rescaled;
  const float real_scale = in_scale / (count * out_scale);
  er_quantize_multiplier((double)real_scale, &d->multiplier, &d->shift);
  d->path = QUANT_MEAN_HW_UINT8;
}

/* The case order of TFLite's EvalMean (EvalMeanReferenceOps) and EvalSum, in the release edgert is checked
 * against; see the file comment. */
static edgert_status plan_quant_mean_or_sum(er_op_ctx *ctx, reduce_data *d, const er_tensor *in,
                                            const er_tensor *out, bool hw_mean) {
  edgert_status st = check_positive_scales(ctx, in, out);
  if (st) return st;
  /* TFLite divides by the count in 32-bit arithmetic */
  if (d->count > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "too many elements reduced into one output");
  er_quantize_multiplier((double)in->q.scale / (double)out->q.scale, &d->multiplier, &d->shift);
  d->float_scale = in->q.scale / out->q.scale;
  bool same_quant = in->q.scale == out->q.scale && in->q.zero_point == out->q.zero_point;
  if (d->kind == REDUCE_MEAN) {
    if (hw_mean && in->dtype == EDGERT_UINT8) {
      plan_uint8_hw_mean(d, in, out);
    } else if (hw_mean && in->dtype == EDGERT_INT8) {
      d->path = QUANT_MEAN_HW; /* int16 has no such case: its MEAN checks the quantization only */
    } else {
      d->path = same_quant ? QUANT_MEAN_TRUNCATED : QUANT_FLOAT_MEAN;
    }
  } else if (in->dtype != EDGERT_INT16) {
    d->path = QUANT_FLOAT_SUM; /* 8-bit SUM between different quantizations */
  } else {
    /* TFLite refuses an int16 SUM that rescales; TFLite Micro's integer QuantizedMeanOrSum does it */
    d->path = QUANT_RESCALED;
  }
  return EDGERT_OK;
}

/* Each multiply is scaled by input_scale / output_scale^(1/n) so that n of them give
 * input_scale^n / output_scale, where n = input elements / output elements (TFLite's PrepareProd). */
static edgert_status plan_quant_prod(er_op_ctx *ctx, reduce_data *d, const er_tensor *in,
                                     const er_tensor *out) {
  edgert_status st = check_positive_scales(ctx, in, out);
  if (st) return st;
  d->path = QUANT_PROD;
  if (d->in_elements == 0 || d->out_elements == 0) return EDGERT_OK;
  double n = (double)(d->in_elements / d->out_elements);
  double scaling = (double)in->q.scale / pow((double)out->q.scale, 1.0 / n);
  er_quantize_multiplier(scaling, &d->multiplier, &d->shift);
  /* TFLite's 64-bit MultiplyByQuantizedMultiplier only allows shifts below 8. */
  if (d->shift > 7) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "product rescale %g is too large", scaling);
  return EDGERT_OK;
}

static edgert_status plan_quant(er_op_ctx *ctx, reduce_data *d, const er_tensor *in, const er_tensor *out,
                                const er_tensor *axes, bool keep_dims) {
  d->path = QUANT_NONE;
  d->in_zp = in->q.zero_point;
  d->out_zp = out->q.zero_point;
  er_dtype_range(in->dtype, &d->qmin, &d->qmax);
  bool narrow = in->dtype == EDGERT_INT8 || in->dtype == EDGERT_UINT8 || in->dtype == EDGERT_INT16;
  if (!narrow) return EDGERT_OK;
  bool same_quant = in->q.scale == out->q.scale && in->q.zero_point == out->q.zero_point;
  switch (d->kind) {
  case REDUCE_SUM:
    if (same_quant) return EDGERT_OK; /* TFLite's EvalGeneric: the plain sum, wrapping to the dtype */
    return plan_quant_mean_or_sum(ctx, d, in, out, false);
  case REDUCE_MEAN: return plan_quant_mean_or_sum(ctx, d, in, out, is_hw_mean(in, axes, keep_dims));
  case REDUCE_PROD:
    if (in->q.scale == 0) return EDGERT_OK;
    if (in->dtype == EDGERT_UINT8)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "quantized uint8 REDUCE_PROD is not supported (nor by TFLite)");
    return plan_quant_prod(ctx, d, in, out);
  default:
    if (in->q.scale != out->q.scale || in->q.zero_point != out->q.zero_point)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "input quantization (%g, %d) differs from output (%g, %d); max/min do not rescale",
                     (double)in->q.scale, (int)in->q.zero_point, (double)out->q.scale,
                     (int)out->q.zero_point);
    return EDGERT_OK;
  }
}

static edgert_status reduce_prepare(er_op_ctx *ctx, reduce_kind kind) {
  edgert_status st = er_check_io(ctx, 2, 2, 1);
  if (st) return st;
  const er_reduce_attrs *a = er_attrs(ctx);
  bool keep_dims = a ? a->keep_dims : false;
  er_tensor *in = er_input(ctx, 0), *axes = er_input(ctx, 1), *out = er_output(ctx, 0);
  if (!dtype_supported(kind, in->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input dtype %s is not supported",
                   edgert_dtype_name(in->dtype));
  if ((st = er_check_dtype(ctx, out, in->dtype, "output"))) return st;

  reduce_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->kind = kind;
  d->dtype = in->dtype;
  bool reduced[ER_MAX_DIMS];
  int32_t out_ndim = 0;
  int64_t out_dims[ER_MAX_DIMS];
  if ((st = resolve_axes(ctx, in, axes, reduced))) return st;
  if ((st = plan_shape(ctx, d, in, reduced, keep_dims, &out_ndim, out_dims))) return st;
  if ((st = plan_quant(ctx, d, in, out, axes, keep_dims))) return st;
  if (is_integer(in->dtype) && !er_bytes_for(EDGERT_INT64, d->out_elements, &ctx->scratch_bytes))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "output too large for the accumulator");
  ctx->op_data = d;
  return er_set_output_shape(ctx, out, out_ndim, out_dims);
}

/* ---- eval: walking the input ---- */

/* Visits the input one row of its last dim at a time; out_off is where the row's first element lands. */
typedef struct {
  int64_t index[ER_MAX_DIMS];
  int64_t in_off, out_off;
} row_cursor;

static void cursor_advance(const reduce_data *d, row_cursor *c) {
  int64_t row_len = d->dims[d->ndim - 1];
  c->in_off += row_len;
  for (int32_t k = d->ndim - 2; k >= 0; k--) {
    if (++c->index[k] < d->dims[k]) {
      c->out_off += d->out_stride[k];
      return;
    }
    c->out_off -= d->out_stride[k] * (d->dims[k] - 1);
    c->index[k] = 0;
  }
}

static int64_t row_count(const reduce_data *d) {
  int64_t row_len = d->dims[d->ndim - 1];
  return row_len ? d->in_elements / row_len : 0;
}

static float float_init(reduce_kind kind) {
  switch (kind) {
  case REDUCE_MAX: return -FLT_MAX; /* TFLite's numeric_limits<float>::lowest() */
  case REDUCE_MIN: return FLT_MAX;
  case REDUCE_PROD: return 1.0f;
  default: return 0.0f;
  }
}

static void fold_float_row(reduce_kind kind, float *acc, int64_t step, const float *in, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float *a = &acc[i * step];
    float v = in[i];
    switch (kind) {
    case REDUCE_MAX: *a = v > *a ? v : *a; break;
    case REDUCE_MIN: *a = v < *a ? v : *a; break;
    case REDUCE_PROD: *a = v * *a; break;
    default: *a = v + *a; break;
    }
  }
}

static void eval_float(const reduce_data *d, const float *in, float *out) {
  for (int64_t i = 0; i < d->out_elements; i++)
    out[i] = float_init(d->kind);
  row_cursor c = {{0}, 0, 0};
  int64_t rows = row_count(d), row_len = d->dims[d->ndim - 1], step = d->out_stride[d->ndim - 1];
  for (int64_t r = 0; r < rows; r++, cursor_advance(d, &c))
    fold_float_row(d->kind, out + c.out_off, step, in + c.in_off, row_len);
  if (d->kind != REDUCE_MEAN) return;
  /* TFLite gives NaN for the mean of nothing */
  for (int64_t i = 0; i < d->out_elements; i++)
    out[i] = d->in_elements ? out[i] / (float)d->count : NAN;
}

static int64_t int_init(const reduce_data *d) {
  int64_t lo, hi;
  int_limits(d->dtype, &lo, &hi);
  switch (d->kind) {
  case REDUCE_MAX: return lo;
  case REDUCE_MIN: return hi;
  case REDUCE_PROD: return d->path == QUANT_PROD ? PROD_UNSET : 1;
  default: return 0;
  }
}

/* The quantized product: the first factor is taken as is, every further one rescales the running
 * product (TFLite's reducer_first / reducer_next). */
static int64_t quant_prod_step(const reduce_data *d, int64_t acc, int64_t q) {
  int64_t v = q - d->in_zp;
  if (acc == PROD_UNSET) return v;
  return er_multiply_by_quantized_multiplier_64(acc * v, d->multiplier, d->shift);
}

/* Sums and products wrap in uint64: the low 32 bits then equal TFLite's int32 wrapping result. */
static void fold_int_values(const reduce_data *d, int64_t *acc, int64_t step, const int64_t *v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    int64_t *a = &acc[i * step];
    switch (d->kind) {
    case REDUCE_MAX: *a = v[i] > *a ? v[i] : *a; break;
    case REDUCE_MIN: *a = v[i] < *a ? v[i] : *a; break;
    case REDUCE_PROD:
      *a = d->path == QUANT_PROD ? quant_prod_step(d, *a, v[i]) : (int64_t)((uint64_t)*a * (uint64_t)v[i]);
      break;
    default: *a = (int64_t)((uint64_t)*a + (uint64_t)v[i]); break;
    }
  }
}

static void fold_int_row(const reduce_data *d, int64_t *acc, int64_t step, const void *in, int64_t in_off,
                         int64_t n) {
  int64_t values[WIDEN_CHUNK];
  for (int64_t start = 0; start < n; start += WIDEN_CHUNK) {
    int64_t len = n - start < WIDEN_CHUNK ? n - start : WIDEN_CHUNK;
    for (int64_t i = 0; i < len; i++)
      values[i] = load_int(in, d->dtype, in_off + start + i);
    fold_int_values(d, acc + start * step, step, values, len);
  }
}

/* ---- eval: finishing integer outputs ---- */

static int32_t wrap_i32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

static int64_t clamp_q(const reduce_data *d, int64_t v) {
  return v < d->qmin ? d->qmin : (v > d->qmax ? d->qmax : v);
}

/* reference_integer_ops::Mean: rescale the zero-point-free sum, then divide rounding half away from 0. */
static int64_t finish_mean_hw(const reduce_data *d, int64_t sum) {
  int32_t centered = wrap_i32(sum - (int64_t)d->in_zp * d->count);
  int64_t scaled = er_multiply_by_quantized_multiplier(centered, d->multiplier, d->shift);
  int64_t n = d->count;
  int64_t mean = scaled > 0 ? (scaled + n / 2) / n : (scaled - n / 2) / n;
  return clamp_q(d, mean + d->out_zp);
}

/* reference_ops::Mean for uint8: raw sum rescaled, then the folded zero points added, clamped. */
static int64_t finish_mean_hw_uint8(const reduce_data *d, int64_t sum) {
  int32_t scaled = er_multiply_by_quantized_multiplier(wrap_i32(sum), d->multiplier, d->shift);
  return clamp_q(d, (int64_t)scaled + d->hw_bias);
}

/* reference_ops::QuantizedMeanOrSum as TFLite computes it, step by step in float (kept as separate
 * statements so that no compiler fuses a multiply-add and rounds differently). */
static int64_t finish_float_mean(const reduce_data *d, int64_t sum) {
  const float bias = (float)-d->in_zp * d->float_scale;
  const float mean = (float)wrap_i32(sum) / (float)d->count;
  const float scaled = mean * d->float_scale;
  const float shifted = scaled + bias;
  float result = er_round_f(shifted) + (float)d->out_zp;
  result = result < (float)d->qmax ? result : (float)d->qmax;
  result = result > (float)d->qmin ? result : (float)d->qmin;
  return (int64_t)result;
}

/* The sum's version does not clamp: TFLite casts the int32 result to the 8-bit type, keeping the low bits. */
static int64_t finish_float_sum(const reduce_data *d, int64_t sum) {
  const float bias_per_element = (float)-d->in_zp * d->float_scale;
  const float bias = bias_per_element * (float)d->count;
  const float scaled = (float)wrap_i32(sum) * d->float_scale;
  const float shifted = scaled + bias;
  float rounded = er_round_f(shifted);
  /* beyond int32 the C++ cast is undefined; saturate there instead */
  if (!(rounded > -2147483648.0f)) rounded = -2147483648.0f;
  if (!(rounded < 2147483648.0f)) rounded = 2147483520.0f;
  return (int64_t)(int32_t)rounded + d->out_zp;
}

/* An int16 SUM between quantizations: the zero-point-free sum through the quantized multiplier. */
static int64_t finish_rescaled(const reduce_data *d, int64_t sum) {
  int32_t centered = wrap_i32(sum - (int64_t)d->in_zp * d->count);
  int64_t v = er_multiply_by_quantized_multiplier(centered, d->multiplier, d->shift);
  return clamp_q(d, v + d->out_zp);
}

static int64_t finish_int(const reduce_data *d, int64_t acc) {
  switch (d->path) {
  case QUANT_MEAN_HW: return finish_mean_hw(d, acc);
  case QUANT_MEAN_HW_UINT8: return finish_mean_hw_uint8(d, acc);
  case QUANT_FLOAT_MEAN: return finish_float_mean(d, acc);
  case QUANT_FLOAT_SUM: return finish_float_sum(d, acc);
  case QUANT_MEAN_TRUNCATED: return wrap_i32(acc) / (int32_t)d->count; /* int32 sum, as TFLite's temp_sum */
  case QUANT_RESCALED: return finish_rescaled(d, acc);
  case QUANT_PROD: {
    if (acc == PROD_UNSET) return clamp_q(d, d->out_zp);
    int64_t v = er_multiply_by_quantized_multiplier_64(acc, d->multiplier, d->shift);
    return clamp_q(d, v + d->out_zp);
  }
  default: return d->kind == REDUCE_MEAN ? acc / d->count : acc;
  }
}

static void eval_int(const reduce_data *d, const void *in, void *out, int64_t *acc) {
  /* TFLite leaves zeros when there is nothing to fold into a mean or quantized sum. */
  if (d->in_elements == 0 && (d->kind == REDUCE_MEAN || d->path != QUANT_NONE)) {
    for (int64_t i = 0; i < d->out_elements; i++)
      store_int(out, d->dtype, i, 0);
    return;
  }
  int64_t init = int_init(d);
  for (int64_t i = 0; i < d->out_elements; i++)
    acc[i] = init;
  row_cursor c = {{0}, 0, 0};
  int64_t rows = row_count(d), row_len = d->dims[d->ndim - 1], step = d->out_stride[d->ndim - 1];
  for (int64_t r = 0; r < rows; r++, cursor_advance(d, &c))
    fold_int_row(d, acc + c.out_off, step, in, c.in_off, row_len);
  bool fold_only = d->kind == REDUCE_MAX || d->kind == REDUCE_MIN;
  for (int64_t i = 0; i < d->out_elements; i++)
    store_int(out, d->dtype, i, fold_only ? acc[i] : finish_int(d, acc[i]));
}

static edgert_status reduce_eval(er_op_ctx *ctx) {
  const reduce_data *d = ctx->op_data;
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  if (d->dtype == EDGERT_FLOAT32) {
    eval_float(d, in->data, out->data);
  } else {
    eval_int(d, in->data, out->data, ctx->scratch);
  }
  return EDGERT_OK;
}

static edgert_status mean_prepare(er_op_ctx *ctx) { return reduce_prepare(ctx, REDUCE_MEAN); }
static edgert_status sum_prepare(er_op_ctx *ctx) { return reduce_prepare(ctx, REDUCE_SUM); }
static edgert_status max_prepare(er_op_ctx *ctx) { return reduce_prepare(ctx, REDUCE_MAX); }
static edgert_status min_prepare(er_op_ctx *ctx) { return reduce_prepare(ctx, REDUCE_MIN); }
static edgert_status prod_prepare(er_op_ctx *ctx) { return reduce_prepare(ctx, REDUCE_PROD); }

const er_kernel er_kernel_mean = {.prepare = mean_prepare, .eval = reduce_eval};
const er_kernel er_kernel_sum = {.prepare = sum_prepare, .eval = reduce_eval};
const er_kernel er_kernel_reduce_max = {.prepare = max_prepare, .eval = reduce_eval};
const er_kernel er_kernel_reduce_min = {.prepare = min_prepare, .eval = reduce_eval};
const er_kernel er_kernel_reduce_prod = {.prepare = prod_prepare, .eval = reduce_eval};
