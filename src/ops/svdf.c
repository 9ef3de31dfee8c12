/* SVDF (singular value decomposition filter), as TensorFlow Lite Micro runs it (micro/kernels/svdf.cc,
 * svdf_common.cc). Each invoke shifts the recurrent state one step left, writes the feature projection
 * of the new input into the freed last column, then filters every row of the state with its time
 * weights and sums groups of `rank` filters into each unit. Paths: float32, and the fully integer path
 * (int8 input and feature weights, int16 or int8 time weights and state, int32 bias, int8 output) with
 * TFLM's EvalIntegerSvdfReference arithmetic. As in TFLM, the integer path applies no fused
 * activation beyond the int8 clamp: the output's quantization range carries the RELU. Hybrid (float input,
 * state and bias, int8 feature weights, int8 or float time weights; TFLite's reference EvalHybridSVDF):
 * the input quantized per batch row for the feature products, everything else in float. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel.h"
#include "core/quant.h"
#include "ops/hybrid.h"

enum { SVDF_INPUT = 0, SVDF_WEIGHTS_FEATURE, SVDF_WEIGHTS_TIME, SVDF_BIAS, SVDF_STATE, SVDF_INPUTS };

typedef struct {
  int32_t batch, input_size, filters, units, rank, memory;
  er_activation activation;
  /* Integer path only. */
  int32_t scale1_multiplier, scale2_multiplier;
  int scale1_shift, scale2_shift;
  int32_t input_zero_point, state_zero_point, output_zero_point;
  /* Hybrid path only: float input and state, int8 feature weights (and int8 or float time weights). */
  bool asymmetric;
  float feature_scale, time_scale; /* time_scale: 0 when the time weights are float */
  er_hybrid_scratch hybrid_scratch;
} svdf_data;

/* A dim from the model as int32, or -1 when it is not in (0, INT32_MAX]. */
static int32_t positive_dim(int64_t d) { return d > 0 && d <= INT32_MAX ? (int32_t)d : -1; }

static edgert_status check_shapes(er_op_ctx *ctx, svdf_data *d) {
  const er_tensor *in = er_input(ctx, SVDF_INPUT), *wf = er_input(ctx, SVDF_WEIGHTS_FEATURE);
  const er_tensor *wt = er_input(ctx, SVDF_WEIGHTS_TIME), *bias = er_input(ctx, SVDF_BIAS);
  const er_tensor *state = er_input(ctx, SVDF_STATE);
  if (in->ndim != 2 || wf->ndim != 2 || wt->ndim != 2 || state->ndim != 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input, weights and state must be 2-D (got ranks %d, %d, %d, %d)",
                   (int)in->ndim, (int)wf->ndim, (int)wt->ndim, (int)state->ndim);
  d->batch = positive_dim(in->dims[0]);
  d->input_size = positive_dim(in->dims[1]);
  d->filters = positive_dim(wf->dims[0]);
  d->memory = positive_dim(wt->dims[1]);
  if (d->batch < 0 || d->input_size < 0 || d->filters < 0 || d->memory < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input and weight dims must be positive");
  if (d->rank <= 0 || d->filters % d->rank != 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "rank %d does not divide the %d filters", (int)d->rank,
                   (int)d->filters);
  d->units = d->filters / d->rank;
  if (wf->dims[1] != d->input_size)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights_feature has %lld columns for an input of %d",
                   (long long)wf->dims[1], (int)d->input_size);
  if (wt->dims[0] != d->filters)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights_time has %lld rows for %d filters", (long long)wt->dims[0],
                   (int)d->filters);
  if (bias && (bias->ndim != 1 || bias->dims[0] != d->units))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bias must be 1-D of %d units", (int)d->units);
  /* batch * filters * memory must fit the int32 indexing below. */
  if ((int64_t)d->batch * d->filters * d->memory > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "state of %d x %d x %d is too large", (int)d->batch,
                   (int)d->filters, (int)d->memory);
  if (state->dims[0] != d->batch || state->dims[1] != (int64_t)d->memory * d->filters)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "state must be [%d, %lld]", (int)d->batch,
                   (long long)d->memory * d->filters);
  if (state->kind != ER_TENSOR_VARIABLE)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "state '%s' is not a variable tensor",
                   state->name ? state->name : "");
  return EDGERT_OK;
}

static edgert_status prepare_float(er_op_ctx *ctx, svdf_data *d) {
  const er_tensor *bias = er_input(ctx, SVDF_BIAS);
  edgert_status st =
      er_check_dtype(ctx, er_input(ctx, SVDF_WEIGHTS_FEATURE), EDGERT_FLOAT32, "weights_feature");
  if (st == EDGERT_OK)
    st = er_check_dtype(ctx, er_input(ctx, SVDF_WEIGHTS_TIME), EDGERT_FLOAT32, "weights_time");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, er_input(ctx, SVDF_STATE), EDGERT_FLOAT32, "state");
  if (st == EDGERT_OK && bias) st = er_check_dtype(ctx, bias, EDGERT_FLOAT32, "bias");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, er_output(ctx, 0), EDGERT_FLOAT32, "output");
  if (st != EDGERT_OK) return st;
  switch (d->activation) {
  case ER_ACT_NONE:
  case ER_ACT_RELU:
  case ER_ACT_RELU_N1_TO_1:
  case ER_ACT_RELU6:
  case ER_ACT_TANH:
  case ER_ACT_SIGMOID: break;
  default: return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "activation %d is not supported", (int)d->activation);
  }
  ctx->scratch_bytes = sizeof(float) * (size_t)d->batch * (size_t)d->filters;
  return EDGERT_OK;
}

/* Hybrid (TFLite svdf.cc EvalHybrid): int8 feature weights quantizing the float input at each invoke;
 * int8 time weights are used as value * scale (TFLite dequantizes them once), float ones as they are. */
static edgert_status prepare_hybrid(er_op_ctx *ctx, svdf_data *d, const er_svdf_attrs *attrs) {
  const er_tensor *wf = er_input(ctx, SVDF_WEIGHTS_FEATURE), *wt = er_input(ctx, SVDF_WEIGHTS_TIME);
  const er_tensor *bias = er_input(ctx, SVDF_BIAS);
  edgert_status st = er_hybrid_check_weights(ctx, wf, "weights_feature", false, 0, 0);
  if (st == EDGERT_OK && wt->dtype == EDGERT_INT8)
    st = er_hybrid_check_weights(ctx, wt, "weights_time", false, 0, 0);
  else if (st == EDGERT_OK)
    st = er_check_dtype(ctx, wt, EDGERT_FLOAT32, "weights_time");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, er_input(ctx, SVDF_STATE), EDGERT_FLOAT32, "state");
  if (st == EDGERT_OK && bias) st = er_check_dtype(ctx, bias, EDGERT_FLOAT32, "bias");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, er_output(ctx, 0), EDGERT_FLOAT32, "output");
  if (st != EDGERT_OK) return st;
  d->asymmetric = attrs->asymmetric_quantize_inputs;
  d->feature_scale = er_hybrid_weight_scale(wf);
  d->time_scale = wt->dtype == EDGERT_INT8 ? er_hybrid_weight_scale(wt) : 0.0f;
  /* The float scratch of batch x filters values, then the quantized input. */
  size_t base = sizeof(float) * (size_t)d->batch * (size_t)d->filters;
  if (!er_hybrid_scratch_plan(base, (int64_t)d->batch * d->input_size, d->batch, &d->hybrid_scratch))
    return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid scratch is too large");
  ctx->scratch_bytes = d->hybrid_scratch.bytes;
  return EDGERT_OK;
}

static edgert_status prepare_integer(er_op_ctx *ctx, svdf_data *d) {
  const er_tensor *in = er_input(ctx, SVDF_INPUT), *wf = er_input(ctx, SVDF_WEIGHTS_FEATURE);
  const er_tensor *wt = er_input(ctx, SVDF_WEIGHTS_TIME), *bias = er_input(ctx, SVDF_BIAS);
  const er_tensor *state = er_input(ctx, SVDF_STATE), *out = er_output(ctx, 0);
  edgert_status st = er_check_dtype(ctx, wf, EDGERT_INT8, "weights_feature");
  if (st == EDGERT_OK && wt->dtype != EDGERT_INT16 && wt->dtype != EDGERT_INT8)
    st = er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "weights_time is %s, expected int16 or int8",
                 edgert_dtype_name(wt->dtype));
  if (st == EDGERT_OK) st = er_check_dtype(ctx, state, wt->dtype, "state (same type as weights_time)");
  if (st == EDGERT_OK && bias) st = er_check_dtype(ctx, bias, EDGERT_INT32, "bias");
  if (st == EDGERT_OK) st = er_check_dtype(ctx, out, EDGERT_INT8, "output");
  if (st != EDGERT_OK) return st;
  if (!(in->q.scale > 0) || !(wf->q.scale > 0) || !(wt->q.scale > 0) || !(state->q.scale > 0) ||
      !(out->q.scale > 0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "integer SVDF needs positive per-tensor scales");
  /* TFLM multiplies and divides the float scales in float, then widens to double. Assigning to float
   * variables first keeps that rounding even where the compiler evaluates floats more precisely. */
  const float scale1 = in->q.scale * wf->q.scale / state->q.scale;
  const float state_time_scale = state->q.scale * wt->q.scale;
  const float scale2 = state_time_scale / out->q.scale;
  if (bias && !(fabs((double)bias->q.scale - (double)state_time_scale) < 1e-5))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "bias scale %g differs from state x weights_time scale %g",
                   (double)bias->q.scale, (double)state_time_scale);
  er_quantize_multiplier((double)scale1, &d->scale1_multiplier, &d->scale1_shift);
  er_quantize_multiplier((double)scale2, &d->scale2_multiplier, &d->scale2_shift);
  d->input_zero_point = in->q.zero_point;
  d->state_zero_point = state->q.zero_point;
  d->output_zero_point = out->q.zero_point;
  /* Scratch: one batch row of time-filtered values at a time. */
  ctx->scratch_bytes = sizeof(int32_t) * (size_t)d->filters;
  return EDGERT_OK;
}

static edgert_status svdf_prepare(er_op_ctx *ctx) {
  /* Inputs 0-2 and 4 are required; the bias (3) may be absent. */
  edgert_status st = er_check_io(ctx, SVDF_BIAS, SVDF_INPUTS, 1);
  if (st != EDGERT_OK) return st;
  if (!er_input(ctx, SVDF_STATE))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "the state input (4) is required");
  const er_svdf_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing SVDF attributes");
  svdf_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->rank = attrs->rank;
  d->activation = attrs->activation;
  st = check_shapes(ctx, d);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, SVDF_INPUT);
  if (in->dtype == EDGERT_FLOAT32 && er_input(ctx, SVDF_WEIGHTS_FEATURE)->dtype == EDGERT_INT8)
    st = prepare_hybrid(ctx, d, attrs);
  else if (in->dtype == EDGERT_FLOAT32)
    st = prepare_float(ctx, d);
  else if (in->dtype == EDGERT_INT8)
    st = prepare_integer(ctx, d);
  else
    st = er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input is %s, expected float32 or int8",
                 edgert_dtype_name(in->dtype));
  if (st != EDGERT_OK) return st;
  ctx->op_data = d;
  const int64_t out_dims[2] = {d->batch, d->units};
  return er_set_output_shape(ctx, er_output(ctx, 0), 2, out_dims);
}

/* ---- float ---- */

static void eval_float(const svdf_data *d, const float *input, const float *wf, const float *wt,
                       const float *bias, float *state, float *scratch, float *output) {
  const int32_t mem = d->memory, filters = d->filters;
  const size_t state_len = (size_t)d->batch * (size_t)filters * (size_t)mem;
  /* Oldest column drops out; the last column of each row is overwritten just below. */
  memmove(state, state + 1, (state_len - 1) * sizeof(float));
  for (int32_t b = 0; b < d->batch; b++) {
    const float *x = input + (size_t)b * (size_t)d->input_size;
    float *newest = state + (size_t)b * (size_t)filters * (size_t)mem + (size_t)(mem - 1);
    for (int32_t f = 0; f < filters; f++) {
      const float *w = wf + (size_t)f * (size_t)d->input_size;
      float dot = 0.0f;
      for (int32_t k = 0; k < d->input_size; k++)
        dot += w[k] * x[k];
      newest[(size_t)f * (size_t)mem] = dot;
    }
  }
  for (int32_t b = 0; b < d->batch; b++) {
    const float *row = state + (size_t)b * (size_t)filters * (size_t)mem;
    float *filtered = scratch + (size_t)b * (size_t)filters;
    for (int32_t f = 0; f < filters; f++) {
      float dot = 0.0f;
      for (int32_t m = 0; m < mem; m++)
        dot += wt[(size_t)f * (size_t)mem + (size_t)m] * row[(size_t)f * (size_t)mem + (size_t)m];
      filtered[f] = dot;
    }
    float *out = output + (size_t)b * (size_t)d->units;
    for (int32_t u = 0; u < d->units; u++) {
      float sum = bias ? bias[u] : 0.0f;
      for (int32_t r = 0; r < d->rank; r++)
        sum += filtered[(size_t)u * (size_t)d->rank + (size_t)r];
      out[u] = er_hybrid_activate(d->activation, sum);
    }
  }
}

/* ---- hybrid ---- */

/* TFLite's reference EvalHybridSVDF: shift the state, quantize each batch row of the input, write the int8
 * feature products (scaled back to float) into the newest state column, then TFLite's float
 * ApplyTimeWeightsBiasAndActivation: each filter's state row dotted with its time weights, the rank
 * filters of a unit summed, the bias added, the activation applied. */
static void eval_hybrid(er_op_ctx *ctx, const svdf_data *d) {
  const float *input = er_input(ctx, SVDF_INPUT)->data;
  const int8_t *wf = er_input(ctx, SVDF_WEIGHTS_FEATURE)->data;
  const void *wt = er_input(ctx, SVDF_WEIGHTS_TIME)->data;
  const er_tensor *bias_t = er_input(ctx, SVDF_BIAS);
  const float *bias = bias_t ? bias_t->data : NULL;
  float *state = er_input(ctx, SVDF_STATE)->data, *output = er_output(ctx, 0)->data;
  unsigned char *scratch = ctx->scratch;
  float *filtered = (float *)(void *)scratch;
  int8_t *q = (int8_t *)(scratch + d->hybrid_scratch.q_offset);
  float *scales = (float *)(void *)(scratch + d->hybrid_scratch.scales_offset);
  int32_t *zero_points = (int32_t *)(void *)(scratch + d->hybrid_scratch.zero_points_offset);
  const size_t mem = (size_t)d->memory, filters = (size_t)d->filters, rows = (size_t)d->batch * filters;
  memmove(state, state + 1, (rows * mem - 1) * sizeof(float));
  memset(filtered, 0, rows * sizeof(float));
  er_hybrid_quantize_rows(input, d->batch, d->input_size, d->asymmetric, q, scales, zero_points);
  for (int32_t b = 0; b < d->batch; b++)
    scales[b] *= d->feature_scale;
  er_hybrid_matmul_accumulate(wf, d->filters, d->input_size, q, scales, d->asymmetric ? zero_points : NULL,
                              NULL, d->batch, filtered);
  for (size_t i = 0; i < rows; i++)
    state[i * mem + mem - 1] = filtered[i];
  for (size_t i = 0; i < rows; i++) {
    const size_t f = i % filters;
    float dot = 0.0f;
    for (size_t m = 0; m < mem; m++) {
      const float w = d->time_scale != 0.0f ? (float)((const int8_t *)wt)[f * mem + m] * d->time_scale
                                            : ((const float *)wt)[f * mem + m];
      dot += w * state[i * mem + m];
    }
    filtered[i] = dot;
  }
  for (int32_t b = 0; b < d->batch; b++)
    for (int32_t u = 0; u < d->units; u++) {
      const size_t at = (size_t)b * (size_t)d->units + (size_t)u;
      float sum = 0.0f;
      for (int32_t r = 0; r < d->rank; r++)
        sum += filtered[at * (size_t)d->rank + (size_t)r];
      if (bias) sum += bias[u];
      output[at] = er_hybrid_activate(d->activation, sum);
    }
}

/* ---- integer ---- */

static int32_t saturate_i32(int64_t v) {
  return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

/* The state and time weights are int16 or int8 (TFLM templates them on one type); `wide` says which. */
static inline int32_t load_s(const void *p, size_t i, bool wide) {
  return wide ? ((const int16_t *)p)[i] : ((const int8_t *)p)[i];
}

/* The feature projection of one batch row, rescaled to the state's scale and offset by its zero point
 * before the clamp (current TFLM; adding it after the clamp could wrap int8 state), written into the
 * newest column of each filter's row. */
static void feature_step(const svdf_data *d, const int8_t *x, const int8_t *wf, void *state_row, bool wide) {
  const int32_t lo = wide ? INT16_MIN : INT8_MIN, hi = wide ? INT16_MAX : INT8_MAX;
  for (int32_t f = 0; f < d->filters; f++) {
    const int8_t *w = wf + (size_t)f * (size_t)d->input_size;
    int64_t acc = 0;
    for (int32_t k = 0; k < d->input_size; k++)
      acc += (int32_t)w[k] * ((int32_t)x[k] - d->input_zero_point);
    int32_t scaled =
        er_multiply_by_quantized_multiplier(saturate_i32(acc), d->scale1_multiplier, d->scale1_shift);
    int32_t v = er_clamp_i32(saturate_i32((int64_t)scaled + d->state_zero_point), lo, hi);
    size_t at = (size_t)f * (size_t)d->memory + (size_t)(d->memory - 1);
    if (wide)
      ((int16_t *)state_row)[at] = (int16_t)v;
    else
      ((int8_t *)state_row)[at] = (int8_t)v;
  }
}

/* Each filter's state row dotted with its time weights, the state zero point removed. */
static void time_step(const svdf_data *d, const void *state_row, const void *wt, bool wide,
                      int32_t *filtered) {
  const size_t mem = (size_t)d->memory;
  for (int32_t f = 0; f < d->filters; f++) {
    int64_t acc = 0;
    for (size_t m = (size_t)f * mem; m < (size_t)(f + 1) * mem; m++)
      acc += (int64_t)load_s(wt, m, wide) * ((int64_t)load_s(state_row, m, wide) - d->state_zero_point);
    filtered[f] = saturate_i32(acc);
  }
}

/* Sums each unit's `rank` filters onto its bias and requantizes to the int8 output. */
static void reduce_to_output(const svdf_data *d, const int32_t *filtered, const int32_t *bias, int8_t *out) {
  for (int32_t u = 0; u < d->units; u++) {
    int64_t sum = bias ? bias[u] : 0;
    for (int32_t r = 0; r < d->rank; r++)
      sum += filtered[(size_t)u * (size_t)d->rank + (size_t)r];
    int32_t v = er_multiply_by_quantized_multiplier(saturate_i32(sum), d->scale2_multiplier, d->scale2_shift);
    out[u] = (int8_t)er_clamp_i32(saturate_i32((int64_t)v + d->output_zero_point), INT8_MIN, INT8_MAX);
  }
}

static void eval_integer(er_op_ctx *ctx, const svdf_data *d) {
  const int8_t *input = er_input(ctx, SVDF_INPUT)->data;
  const int8_t *wf = er_input(ctx, SVDF_WEIGHTS_FEATURE)->data;
  const er_tensor *wt = er_input(ctx, SVDF_WEIGHTS_TIME), *bias = er_input(ctx, SVDF_BIAS);
  unsigned char *state = er_input(ctx, SVDF_STATE)->data;
  int8_t *output = er_output(ctx, 0)->data;
  int32_t *filtered = ctx->scratch;
  const bool wide = wt->dtype == EDGERT_INT16;
  const size_t elem = wide ? sizeof(int16_t) : sizeof(int8_t);
  const size_t row_bytes = (size_t)d->filters * (size_t)d->memory * elem;
  memmove(state, state + elem, (size_t)d->batch * row_bytes - elem);
  for (int32_t b = 0; b < d->batch; b++) {
    unsigned char *row = state + (size_t)b * row_bytes;
    feature_step(d, input + (size_t)b * (size_t)d->input_size, wf, row, wide);
    time_step(d, row, wt->data, wide, filtered);
    reduce_to_output(d, filtered, bias ? bias->data : NULL, output + (size_t)b * (size_t)d->units);
  }
}

static edgert_status svdf_eval(er_op_ctx *ctx) {
  const svdf_data *d = ctx->op_data;
  if (er_input(ctx, SVDF_INPUT)->dtype == EDGERT_INT8) {
    eval_integer(ctx, d);
    return EDGERT_OK;
  }
  if (er_input(ctx, SVDF_WEIGHTS_FEATURE)->dtype == EDGERT_INT8) {
    eval_hybrid(ctx, d);
    return EDGERT_OK;
  }
  const er_tensor *bias = er_input(ctx, SVDF_BIAS);
  eval_float(d, er_input(ctx, SVDF_INPUT)->data, er_input(ctx, SVDF_WEIGHTS_FEATURE)->data,
             er_input(ctx, SVDF_WEIGHTS_TIME)->data, bias ? bias->data : NULL,
             er_input(ctx, SVDF_STATE)->data, ctx->scratch, er_output(ctx, 0)->data);
  return EDGERT_OK;
}

const er_kernel er_kernel_svdf = {.prepare = svdf_prepare, .eval = svdf_eval};
