/* UNIDIRECTIONAL_SEQUENCE_LSTM: prepare (TFLite's 24-input layout, shapes, options) and the float32
 * path. The float path follows TensorFlow Lite's lstm_eval.cc, so besides the standard LSTM that TFLM
 * runs it also takes CIFG (no input gate: input = 1 - forget), peephole weights, layer normalization
 * and a projection layer. Per step: the input, forget and cell gates from the current input and the
 * previous hidden state, the cell update (with optional clip), the output gate (its peephole sees the
 * updated cell), then hidden = output_gate * act(cell), projected and clipped when asked. Batch-major
 * input runs each batch row through all its steps in turn, time-major input all rows per step, as
 * TFLM's LstmStepManager does. The int8 path lives in lstm_int8.c, the hybrid one (float activations,
 * int8 weights) in lstm_hybrid.c. */
#include <math.h>
#include <string.h>

#include "core/quant.h"
#include "ops/lstm.h"

/* ---- prepare ---- */

static bool dims_are(const er_tensor *t, int32_t ndim, int64_t d0, int64_t d1) {
  return t->ndim == ndim && t->dims[0] == d0 && (ndim < 2 || t->dims[1] == d1);
}

/* Options that change which tensors must be present, and their presence checks. */
static edgert_status check_variant(er_op_ctx *ctx, lstm_data *d) {
  d->cifg = !er_input(ctx, LSTM_IN_INPUT_WEIGHTS + LSTM_GATE_INPUT);
  if (d->cifg != !er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + LSTM_GATE_INPUT) ||
      d->cifg != !er_input(ctx, LSTM_IN_BIAS + LSTM_GATE_INPUT))
    return er_fail(ctx, EDGERT_ERR_MALFORMED,
                   "input gate weights and bias must be all present or all absent");
  for (int g = LSTM_GATE_FORGET; g < LSTM_GATES; g++)
    if (!er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g) || !er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g) ||
        !er_input(ctx, LSTM_IN_BIAS + g))
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "gate %d is missing its weights or bias", g);
  d->peephole = er_input(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + 2) != NULL;
  for (int i = d->cifg ? 1 : 0; i < 3; i++)
    if ((er_input(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + i) != NULL) != d->peephole)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "peephole weights must be all present or all absent");
  d->projection = er_input(ctx, LSTM_IN_PROJECTION_WEIGHTS) != NULL;
  if (!d->projection && er_input(ctx, LSTM_IN_PROJECTION_BIAS))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "projection bias without projection weights");
  d->layer_norm = er_input(ctx, LSTM_IN_LAYER_NORM + LSTM_GATE_FORGET) != NULL;
  for (int g = d->cifg ? LSTM_GATE_FORGET : LSTM_GATE_INPUT; g < LSTM_GATES; g++)
    if ((er_input(ctx, LSTM_IN_LAYER_NORM + g) != NULL) != d->layer_norm)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "layer norm coefficients must be all present or all absent");
  if (!er_input(ctx, LSTM_IN_OUTPUT_STATE) || !er_input(ctx, LSTM_IN_CELL_STATE))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "output state (18) and cell state (19) are required");
  return EDGERT_OK;
}

static edgert_status check_weight_shapes(er_op_ctx *ctx, const lstm_data *d) {
  for (int g = 0; g < LSTM_GATES; g++) {
    if (g == LSTM_GATE_INPUT && d->cifg) continue;
    if (!dims_are(er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g), 2, d->n_cell, d->n_input) ||
        !dims_are(er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g), 2, d->n_cell, d->n_output) ||
        !dims_are(er_input(ctx, LSTM_IN_BIAS + g), 1, d->n_cell, 0))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "gate %d weights must be [%d, %d] and [%d, %d], its bias [%d]", g,
                     (int)d->n_cell, (int)d->n_input, (int)d->n_cell, (int)d->n_output, (int)d->n_cell);
    const er_tensor *ln = er_input(ctx, LSTM_IN_LAYER_NORM + g);
    if (ln && !dims_are(ln, 1, d->n_cell, 0))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "gate %d layer norm coefficients must be [%d]", g,
                     (int)d->n_cell);
  }
  for (int i = 0; i < 3; i++) {
    const er_tensor *p = er_input(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + i);
    if (p && !dims_are(p, 1, d->n_cell, 0))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "peephole weights must be [%d]", (int)d->n_cell);
  }
  const er_tensor *pw = er_input(ctx, LSTM_IN_PROJECTION_WEIGHTS),
                  *pb = er_input(ctx, LSTM_IN_PROJECTION_BIAS);
  if (pw && !dims_are(pw, 2, d->n_output, d->n_cell))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "projection weights must be [%d, %d]", (int)d->n_output,
                   (int)d->n_cell);
  if (pb && !dims_are(pb, 1, d->n_output, 0))
    return er_fail(ctx, EDGERT_ERR_SHAPE, "projection bias must be [%d]", (int)d->n_output);
  if (!d->projection && d->n_output != d->n_cell)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "without projection the output size %d must equal the cell size %d",
                   (int)d->n_output, (int)d->n_cell);
  return EDGERT_OK;
}

/* Sizes from the input [batch, steps, n_input] (or [steps, batch, n_input]) and the forget gate's
 * weights [n_cell, n_input] and [n_cell, n_output]; states must hold batch rows of their size. */
static edgert_status derive_sizes(er_op_ctx *ctx, lstm_data *d) {
  const er_tensor *in = er_input(ctx, LSTM_IN_INPUT);
  const er_tensor *rec = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + LSTM_GATE_FORGET);
  if (in->ndim != 3 || rec->ndim != 2)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be 3-D and weights 2-D (got ranks %d, %d)",
                   (int)in->ndim, (int)rec->ndim);
  const int64_t limit = 1 << 24; /* keeps every product of two sizes within int64 and rows within int32 */
  for (int i = 0; i < 3; i++)
    if (in->dims[i] <= 0 || in->dims[i] > limit)
      return er_fail(ctx, EDGERT_ERR_SHAPE, "input dim %d is %lld", i, (long long)in->dims[i]);
  if (rec->dims[0] <= 0 || rec->dims[0] > limit || rec->dims[1] <= 0 || rec->dims[1] > limit)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "recurrent weights have a bad shape");
  d->batch = (int32_t)(d->time_major ? in->dims[1] : in->dims[0]);
  d->steps = (int32_t)(d->time_major ? in->dims[0] : in->dims[1]);
  d->n_input = (int32_t)in->dims[2];
  d->n_cell = (int32_t)rec->dims[0];
  d->n_output = (int32_t)rec->dims[1];
  if ((int64_t)d->batch * d->steps * (d->n_output > d->n_cell ? d->n_output : d->n_cell) > INT32_MAX)
    return er_fail(ctx, EDGERT_ERR_LIMIT, "sequence of %d x %d steps is too large", (int)d->batch,
                   (int)d->steps);
  const er_tensor *hidden = er_input(ctx, LSTM_IN_OUTPUT_STATE), *cell = er_input(ctx, LSTM_IN_CELL_STATE);
  if (er_tensor_elements(hidden) != (int64_t)d->batch * d->n_output ||
      er_tensor_elements(cell) != (int64_t)d->batch * d->n_cell)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "states must hold %d x %d (output) and %d x %d (cell) values",
                   (int)d->batch, (int)d->n_output, (int)d->batch, (int)d->n_cell);
  if (hidden->kind != ER_TENSOR_VARIABLE || cell->kind != ER_TENSOR_VARIABLE)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "output and cell states must be variable tensors");
  return check_weight_shapes(ctx, d);
}

edgert_status er_lstm_check_float_options(er_op_ctx *ctx, const lstm_data *d) {
  switch (d->activation) {
  case ER_ACT_NONE:
  case ER_ACT_RELU:
  case ER_ACT_RELU6:
  case ER_ACT_TANH:
  case ER_ACT_SIGMOID: break;
  default: return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "activation %d is not supported", (int)d->activation);
  }
  if (!(d->cell_clip >= 0.0f) || !(d->proj_clip >= 0.0f))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "cell_clip and proj_clip must not be negative");
  return EDGERT_OK;
}

static edgert_status prepare_float(er_op_ctx *ctx, const lstm_data *d) {
  for (int i = 1; i < LSTM_IN_COUNT; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t && t->dtype != EDGERT_FLOAT32)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "input %d '%s' is %s; a float32 LSTM needs float32 throughout", i,
                     t->name ? t->name : "", edgert_dtype_name(t->dtype));
  }
  edgert_status st = er_lstm_check_float_options(ctx, d);
  if (st != EDGERT_OK) return st;
  ctx->scratch_bytes = 4 * sizeof(float) * (size_t)d->batch * (size_t)d->n_cell;
  return EDGERT_OK;
}

static edgert_status lstm_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, LSTM_IN_COUNT, 1);
  if (st != EDGERT_OK) return st;
  if (ctx->node->n_inputs != 20 && ctx->node->n_inputs != LSTM_IN_COUNT)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "has %d inputs, expected 20 or 24", (int)ctx->node->n_inputs);
  const er_lstm_attrs *attrs = er_attrs(ctx);
  if (!attrs) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing LSTM attributes");
  lstm_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->time_major = attrs->time_major;
  d->activation = attrs->activation;
  d->cell_clip = attrs->cell_clip;
  d->proj_clip = attrs->proj_clip;
  d->asymmetric = attrs->asymmetric_quantize_inputs;
  st = check_variant(ctx, d);
  if (st == EDGERT_OK) st = derive_sizes(ctx, d);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, LSTM_IN_INPUT);
  if (er_output(ctx, 0)->dtype != in->dtype)
    return er_check_dtype(ctx, er_output(ctx, 0), in->dtype, "output");
  if (in->dtype == EDGERT_FLOAT32 &&
      er_input(ctx, LSTM_IN_INPUT_WEIGHTS + LSTM_GATE_FORGET)->dtype == EDGERT_INT8)
    st = er_lstm_prepare_hybrid(ctx, d);
  else if (in->dtype == EDGERT_FLOAT32)
    st = prepare_float(ctx, d);
  else if (in->dtype == EDGERT_INT8)
    st = er_lstm_prepare_int8(ctx, d);
  else
    st = er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "input is %s, expected float32 or int8",
                 edgert_dtype_name(in->dtype));
  if (st != EDGERT_OK) return st;
  ctx->op_data = d;
  const int64_t out_dims[3] = {in->dims[0], in->dims[1], d->n_output};
  return er_set_output_shape(ctx, er_output(ctx, 0), 3, out_dims);
}

/* ---- float path ---- */

/* TFLM's reference logistic: exact exp formula inside cutoffs where float saturates anyway. */
static float sigmoid_f(float x) {
  if (x > 16.619047164916992188f) return 1.0f;
  if (x < -9.0f) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

static float activate_f(er_activation act, float x) {
  switch (act) {
  case ER_ACT_RELU: return x < 0.0f ? 0.0f : x;
  case ER_ACT_RELU6: return er_clamp_f(x, 0.0f, 6.0f);
  case ER_ACT_TANH: return tanhf(x);
  case ER_ACT_SIGMOID: return sigmoid_f(x);
  default: return x;
  }
}

static float dot_f(const float *a, const float *b, int32_t n) {
  float sum = 0.0f;
  for (int32_t i = 0; i < n; i++)
    sum += a[i] * b[i];
  return sum;
}

void er_lstm_normalize_row(float *v, int32_t n) {
  float sum = 0.0f;
  for (int32_t i = 0; i < n; i++)
    sum += v[i];
  const float mean = sum / (float)n;
  float sum_diff_sq = 0.0f;
  for (int32_t i = 0; i < n; i++)
    sum_diff_sq += (v[i] - mean) * (v[i] - mean);
  const float stddev_inv = 1.0f / sqrtf(sum_diff_sq / (float)n + 1e-8f);
  for (int32_t i = 0; i < n; i++)
    v[i] = (v[i] - mean) * stddev_inv;
}

void er_lstm_update_cell(const lstm_data *d, size_t len, const float *input_gate, const float *forget_gate,
                         const float *cell_gate, float *c) {
  for (size_t i = 0; i < len; i++) {
    const float in_gate = d->cifg ? 1.0f - forget_gate[i] : input_gate[i];
    float v = c[i] * forget_gate[i];
    v += in_gate * cell_gate[i];
    c[i] = d->cell_clip > 0.0f ? er_clamp_f(v, -d->cell_clip, d->cell_clip) : v;
  }
}

void er_lstm_run_float_steps(er_op_ctx *ctx, const lstm_data *d, lstm_float_step_fn *step) {
  const float *x = er_input(ctx, LSTM_IN_INPUT)->data;
  float *h = er_input(ctx, LSTM_IN_OUTPUT_STATE)->data, *c = er_input(ctx, LSTM_IN_CELL_STATE)->data;
  float *out = er_output(ctx, 0)->data;
  const size_t in_row = (size_t)d->n_input, out_row = (size_t)d->n_output, cell_row = (size_t)d->n_cell;
  if (d->time_major) {
    const size_t b = (size_t)d->batch;
    for (int32_t t = 0; t < d->steps; t++) {
      lstm_float_step s = {.rows = d->batch,
                           .x = x + (size_t)t * b * in_row,
                           .h = h,
                           .c = c,
                           .out = out + (size_t)t * b * out_row,
                           .scratch = ctx->scratch};
      step(ctx, d, &s);
    }
    return;
  }
  for (int32_t b = 0; b < d->batch; b++)
    for (int32_t t = 0; t < d->steps; t++) {
      size_t seq = (size_t)b * (size_t)d->steps + (size_t)t;
      lstm_float_step s = {.rows = 1,
                           .x = x + seq * in_row,
                           .h = h + (size_t)b * out_row,
                           .c = c + (size_t)b * cell_row,
                           .out = out + seq * out_row,
                           .scratch = ctx->scratch};
      step(ctx, d, &s);
    }
}

/* gate = act(W_x x + W_h h [+ peephole * c] + bias), with layer norm before the bias when present.
 * The sums run in TFLM's order: input product plus bias, then the recurrent product. */
static void gate_f(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s, lstm_gate g,
                   er_activation act, float *gate) {
  const float *wx = er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g)->data;
  const float *wh = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g)->data;
  const float *bias = er_input(ctx, LSTM_IN_BIAS + g)->data;
  const er_tensor *peep_t =
      g == LSTM_GATE_CELL ? NULL : er_input(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + (g == LSTM_GATE_OUTPUT ? 2 : g));
  const er_tensor *ln_t = er_input(ctx, LSTM_IN_LAYER_NORM + g);
  const float *peep = peep_t ? peep_t->data : NULL, *ln = ln_t ? ln_t->data : NULL;
  for (int32_t r = 0; r < s->rows; r++) {
    const float *x = s->x + (size_t)r * (size_t)d->n_input, *h = s->h + (size_t)r * (size_t)d->n_output;
    const float *c = s->c + (size_t)r * (size_t)d->n_cell;
    float *out = gate + (size_t)r * (size_t)d->n_cell;
    for (int32_t j = 0; j < d->n_cell; j++) {
      float v = dot_f(wx + (size_t)j * (size_t)d->n_input, x, d->n_input) + (ln ? 0.0f : bias[j]);
      v += dot_f(wh + (size_t)j * (size_t)d->n_output, h, d->n_output);
      if (peep) v += peep[j] * c[j];
      out[j] = v;
    }
    if (ln) {
      er_lstm_normalize_row(out, d->n_cell);
      for (int32_t j = 0; j < d->n_cell; j++)
        out[j] = out[j] * ln[j] + bias[j];
    }
    for (int32_t j = 0; j < d->n_cell; j++)
      out[j] = activate_f(act, out[j]);
  }
}

static void step_float(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s) {
  float *buf = (float *)(void *)s->scratch;
  const size_t len = (size_t)s->rows * (size_t)d->n_cell;
  float *input_gate = buf, *forget_gate = buf + len, *cell_gate = buf + 2 * len, *output_gate = buf + 3 * len;
  if (!d->cifg) gate_f(ctx, d, s, LSTM_GATE_INPUT, ER_ACT_SIGMOID, input_gate);
  gate_f(ctx, d, s, LSTM_GATE_FORGET, ER_ACT_SIGMOID, forget_gate);
  gate_f(ctx, d, s, LSTM_GATE_CELL, d->activation, cell_gate);
  er_lstm_update_cell(d, len, input_gate, forget_gate, cell_gate, s->c);
  gate_f(ctx, d, s, LSTM_GATE_OUTPUT, ER_ACT_SIGMOID, output_gate);
  /* The gated cell reuses the input gate's buffer; it is the hidden state unless projected. */
  float *gated = input_gate;
  for (size_t i = 0; i < len; i++)
    gated[i] = output_gate[i] * activate_f(d->activation, s->c[i]);
  const size_t out_len = (size_t)s->rows * (size_t)d->n_output;
  if (d->projection) {
    const float *wp = er_input(ctx, LSTM_IN_PROJECTION_WEIGHTS)->data;
    const er_tensor *pb = er_input(ctx, LSTM_IN_PROJECTION_BIAS);
    for (int32_t r = 0; r < s->rows; r++)
      for (int32_t o = 0; o < d->n_output; o++) {
        float v = (pb ? ((const float *)pb->data)[o] : 0.0f) +
                  dot_f(wp + (size_t)o * (size_t)d->n_cell, gated + (size_t)r * (size_t)d->n_cell, d->n_cell);
        s->h[(size_t)r * (size_t)d->n_output + (size_t)o] =
            d->proj_clip > 0.0f ? er_clamp_f(v, -d->proj_clip, d->proj_clip) : v;
      }
  } else {
    memcpy(s->h, gated, out_len * sizeof(float));
  }
  memcpy(s->out, s->h, out_len * sizeof(float));
}

static edgert_status lstm_eval(er_op_ctx *ctx) {
  const lstm_data *d = ctx->op_data;
  if (er_input(ctx, LSTM_IN_INPUT)->dtype == EDGERT_INT8)
    er_lstm_eval_int8(ctx, d);
  else if (d->hybrid)
    er_lstm_eval_hybrid(ctx, d);
  else
    er_lstm_run_float_steps(ctx, d, step_float);
  return EDGERT_OK;
}

const er_kernel er_kernel_unidirectional_sequence_lstm = {.prepare = lstm_prepare, .eval = lstm_eval};
