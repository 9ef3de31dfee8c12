/* RNN and UNIDIRECTIONAL_SEQUENCE_RNN, float32 (TFLite basic_rnn.cc, unidirectional_sequence_rnn.cc,
 * kernel_utils::RnnBatchStep): at each step
 *   h = activation(bias + W x + R h)
 * where the hidden state h is a variable tensor kept across invokes and the output of each step is the new
 * h. RNN runs one step on a [batch, input] input; the sequence op runs every step of a [batch, time,
 * input] input (or [time, batch, input] when time_major) and writes each step's output. Sums follow
 * TFLite's portable order: bias, then each row's input dot product added, then the recurrent one.
 * Hybrid models (int8 weights with float activations) are refused. */
#include <math.h>
#include <string.h>

#include "core/kernel.h"

enum { RNN_INPUT = 0, RNN_WEIGHTS, RNN_RECURRENT, RNN_BIAS, RNN_STATE, RNN_INPUTS };

typedef struct {
  int64_t batch, time, input_size, units;
  bool sequence, time_major;
  er_activation activation;
} rnn_data;

static edgert_status check_float_inputs(er_op_ctx *ctx) {
  static const char *const names[RNN_INPUTS] = {"input", "weights", "recurrent weights", "bias",
                                                "hidden state"};
  for (int i = 0; i < RNN_INPUTS; i++) {
    const er_tensor *t = er_input(ctx, i);
    if (t->dtype == EDGERT_FLOAT32) continue;
    if (i == RNN_WEIGHTS || i == RNN_RECURRENT)
      return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                     "%s are %s: hybrid (quantized weight) RNNs are not supported", names[i],
                     edgert_dtype_name(t->dtype));
    return er_check_dtype(ctx, t, EDGERT_FLOAT32, names[i]);
  }
  return er_check_dtype(ctx, er_output(ctx, 0), EDGERT_FLOAT32, "output");
}

static edgert_status check_shapes(er_op_ctx *ctx, const rnn_data *d) {
  const er_tensor *w = er_input(ctx, RNN_WEIGHTS), *r = er_input(ctx, RNN_RECURRENT);
  const er_tensor *bias = er_input(ctx, RNN_BIAS), *state = er_input(ctx, RNN_STATE);
  if (w->ndim != 2 || w->dims[1] != d->input_size)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "weights must be [units, %lld]", (long long)d->input_size);
  if (r->ndim != 2 || r->dims[0] != d->units || r->dims[1] != d->units)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "recurrent weights must be [%lld, %lld]", (long long)d->units,
                   (long long)d->units);
  if (bias->ndim != 1 || bias->dims[0] != d->units)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "bias must be [%lld]", (long long)d->units);
  if (state->ndim != 2 || state->dims[0] != d->batch || state->dims[1] != d->units)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "hidden state must be [%lld, %lld]", (long long)d->batch,
                   (long long)d->units);
  if (state->kind != ER_TENSOR_VARIABLE)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "hidden state '%s' is not a variable tensor",
                   state->name ? state->name : "");
  return EDGERT_OK;
}

static edgert_status rnn_prepare_common(er_op_ctx *ctx, bool sequence) {
  edgert_status st = er_check_io(ctx, RNN_INPUTS, RNN_INPUTS, 1);
  if (st != EDGERT_OK) return st;
  const er_rnn_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no attributes");
  if (a->activation == ER_ACT_SIGMOID)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "fused activation SIGMOID is not supported");
  if ((st = check_float_inputs(ctx)) != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, RNN_INPUT), *w = er_input(ctx, RNN_WEIGHTS);
  int want_rank = sequence ? 3 : 2;
  if (in->ndim != want_rank)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "input must be %d-D, is %d-D", want_rank, (int)in->ndim);
  rnn_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->sequence = sequence;
  d->time_major = sequence && a->time_major;
  d->activation = a->activation;
  d->batch = sequence && d->time_major ? in->dims[1] : in->dims[0];
  d->time = !sequence ? 1 : d->time_major ? in->dims[0] : in->dims[1];
  d->input_size = in->dims[in->ndim - 1];
  d->units = w->ndim >= 1 ? w->dims[0] : 0;
  if ((st = check_shapes(ctx, d)) != EDGERT_OK) return st;
  int64_t dims[3] = {in->dims[0], in->dims[1], d->units};
  dims[in->ndim - 1] = d->units;
  if ((st = er_set_output_shape(ctx, er_output(ctx, 0), in->ndim, dims)) != EDGERT_OK) return st;
  ctx->op_data = d;
  return EDGERT_OK;
}

static edgert_status rnn_prepare(er_op_ctx *ctx) { return rnn_prepare_common(ctx, false); }
static edgert_status sequence_rnn_prepare(er_op_ctx *ctx) { return rnn_prepare_common(ctx, true); }

static float activate(er_activation act, float v) {
  switch (act) {
  case ER_ACT_RELU: return v < 0.0f ? 0.0f : v;
  case ER_ACT_RELU_N1_TO_1: return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
  case ER_ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
  case ER_ACT_TANH: return tanhf(v);
  default: return v;
  }
}

/* out[u] += sum_c m[u, c] * v[c] for each of `rows` rows, the dot product summed on its own first. */
static void add_matrix_vector(const float *m, int64_t rows, int64_t cols, const float *v, float *out) {
  for (int64_t u = 0; u < rows; u++) {
    const float *row = m + u * cols;
    float dot = 0.0f;
    for (int64_t c = 0; c < cols; c++)
      dot += row[c] * v[c];
    out[u] += dot;
  }
}

/* One step for `batch` rows: x rows `x_stride` apart, outputs `out_stride` apart, h rows contiguous. */
static void rnn_step(const rnn_data *d, const float *w, const float *r, const float *bias, const float *x,
                     int64_t x_stride, int64_t batch, float *h, float *out, int64_t out_stride) {
  for (int64_t b = 0; b < batch; b++) {
    float *o = out + b * out_stride;
    memcpy(o, bias, sizeof(float) * (size_t)d->units);
    add_matrix_vector(w, d->units, d->input_size, x + b * x_stride, o);
    add_matrix_vector(r, d->units, d->units, h + b * d->units, o);
  }
  for (int64_t b = 0; b < batch; b++) {
    float *o = out + b * out_stride;
    for (int64_t u = 0; u < d->units; u++)
      o[u] = activate(d->activation, o[u]);
    memcpy(h + b * d->units, o, sizeof(float) * (size_t)d->units);
  }
}

static edgert_status rnn_eval(er_op_ctx *ctx) {
  const rnn_data *d = ctx->op_data;
  const float *x = er_input(ctx, RNN_INPUT)->data, *w = er_input(ctx, RNN_WEIGHTS)->data;
  const float *r = er_input(ctx, RNN_RECURRENT)->data, *bias = er_input(ctx, RNN_BIAS)->data;
  float *h = er_input(ctx, RNN_STATE)->data, *out = er_output(ctx, 0)->data;
  if (!d->sequence || d->time_major) {
    /* Steps in order, each over the whole batch. */
    for (int64_t t = 0; t < d->time; t++)
      rnn_step(d, w, r, bias, x + t * d->batch * d->input_size, d->input_size, d->batch, h,
               out + t * d->batch * d->units, d->units);
    return EDGERT_OK;
  }
  /* Batch-major: each sequence runs through all its steps with its own row of h. */
  for (int64_t b = 0; b < d->batch; b++)
    for (int64_t t = 0; t < d->time; t++)
      rnn_step(d, w, r, bias, x + (b * d->time + t) * d->input_size, d->input_size, 1, h + b * d->units,
               out + (b * d->time + t) * d->units, d->units);
  return EDGERT_OK;
}

const er_kernel er_kernel_rnn = {.prepare = rnn_prepare, .eval = rnn_eval};
const er_kernel er_kernel_unidirectional_sequence_rnn = {.prepare = sequence_rnn_prepare, .eval = rnn_eval};
