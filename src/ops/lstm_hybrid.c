/* The hybrid UNIDIRECTIONAL_SEQUENCE_LSTM, as TensorFlow Lite runs a dynamic-range quantized model
 * (tensorflow/lite/kernels/lstm_eval.cc EvalHybrid, LstmStepHybrid, CalculateLstmGateHybrid,
 * CalculateLstmOutputHybrid): float32 input, states, biases and layer norm coefficients; int8 weights with
 * one float scale each (input, recurrent, peephole and projection weights). At every step the input rows
 * and the previous hidden state are quantized to int8 (symmetric, or asymmetric with a zero point per row);
 * each gate starts from its bias (or 0 with layer norm), adds the int8 products scaled back to float, the
 * peephole term (weights times scale, times the cell) and layer norm, then its activation. The cell update
 * and output are TFLite's float ones; a projection quantizes the gated cell the same way. */
#include <string.h>

#include "core/quant.h"
#include "ops/hybrid.h"
#include "ops/lstm.h"

/* ---- prepare ---- */

static edgert_status check_float(er_op_ctx *ctx, int index, const char *what) {
  const er_tensor *t = er_input(ctx, index);
  return t ? er_check_dtype(ctx, t, EDGERT_FLOAT32, what) : EDGERT_OK;
}

static edgert_status check_weights(er_op_ctx *ctx, int index, const char *what) {
  const er_tensor *t = er_input(ctx, index);
  return t ? er_hybrid_check_weights(ctx, t, what, false, 0, 0) : EDGERT_OK;
}

static edgert_status check_hybrid_dtypes(er_op_ctx *ctx) {
  edgert_status st = EDGERT_OK;
  for (int g = 0; g < LSTM_GATES && st == EDGERT_OK; g++) {
    st = check_weights(ctx, LSTM_IN_INPUT_WEIGHTS + g, "input weights");
    if (st == EDGERT_OK) st = check_weights(ctx, LSTM_IN_RECURRENT_WEIGHTS + g, "recurrent weights");
    if (st == EDGERT_OK) st = check_float(ctx, LSTM_IN_BIAS + g, "gate bias");
    if (st == EDGERT_OK) st = check_float(ctx, LSTM_IN_LAYER_NORM + g, "layer norm coefficients");
  }
  for (int i = 0; i < 3 && st == EDGERT_OK; i++)
    st = check_weights(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + i, "peephole weights");
  if (st == EDGERT_OK) st = check_weights(ctx, LSTM_IN_PROJECTION_WEIGHTS, "projection weights");
  if (st == EDGERT_OK) st = check_float(ctx, LSTM_IN_PROJECTION_BIAS, "projection bias");
  if (st == EDGERT_OK) st = check_float(ctx, LSTM_IN_OUTPUT_STATE, "output state");
  if (st == EDGERT_OK) st = check_float(ctx, LSTM_IN_CELL_STATE, "cell state");
  return st;
}

/* Reserves `bytes` (aligned to 16) at *at; false on overflow. */
static bool reserve(size_t *at, size_t bytes, size_t *offset) {
  size_t start = (*at + 15) & ~(size_t)15;
  if (start < *at || bytes > SIZE_MAX - start) return false;
  *offset = start;
  *at = start + bytes;
  return true;
}

static bool plan_quantized_rows(size_t *at, size_t batch, size_t width, size_t *q, size_t *scales,
                                size_t *zero_points) {
  return width <= SIZE_MAX / batch && reserve(at, batch * width, q) &&
         reserve(at, batch * sizeof(float), scales) && reserve(at, batch * sizeof(int32_t), zero_points);
}

edgert_status er_lstm_prepare_hybrid(er_op_ctx *ctx, lstm_data *d) {
  edgert_status st = check_hybrid_dtypes(ctx);
  if (st != EDGERT_OK) return st;
  if ((st = er_lstm_check_float_options(ctx, d)) != EDGERT_OK) return st;
  /* Sizes are below 2^24 each (derive_sizes), so the products below fit. */
  const size_t batch = (size_t)d->batch, cells = (size_t)d->n_cell;
  size_t at = 0;
  lstm_hybrid_layout *h = &d->h;
  bool ok = reserve(&at, 4 * batch * cells * sizeof(float), &h->gates) &&
            reserve(&at, batch * sizeof(float), &h->batch_scales) &&
            plan_quantized_rows(&at, batch, (size_t)d->n_input, &h->input_q, &h->input_scales,
                                &h->input_zero_points) &&
            plan_quantized_rows(&at, batch, (size_t)d->n_output, &h->state_q, &h->state_scales,
                                &h->state_zero_points) &&
            plan_quantized_rows(&at, batch, cells, &h->hidden_q, &h->hidden_scales, &h->hidden_zero_points);
  if (!ok) return er_fail(ctx, EDGERT_ERR_LIMIT, "hybrid LSTM scratch is too large");
  d->hybrid = true;
  ctx->scratch_bytes = at;
  return EDGERT_OK;
}

/* ---- eval ---- */

#define SCRATCH(T, s, offset) ((T *)(void *)((s)->scratch + (offset)))

/* result += the int8 product of weights (`cols` wide) with the quantized rows, each row scaled by its own
 * scale times the weights' (TFLite multiplies the two into a scratch first, as here). */
static void add_product(const lstm_data *d, const lstm_float_step *s, const er_tensor *w, int64_t cols,
                        const int8_t *q, const float *row_scales, const int32_t *zero_points, float *result) {
  float *scales = SCRATCH(float, s, d->h.batch_scales);
  const float weight_scale = er_hybrid_weight_scale(w);
  for (int32_t b = 0; b < s->rows; b++)
    scales[b] = row_scales[b] * weight_scale;
  er_hybrid_matmul_accumulate(w->data, er_dim(w, 0), cols, q, scales, d->asymmetric ? zero_points : NULL,
                              NULL, s->rows, result);
}

/* CalculateLstmGateHybrid: bias (or 0 with layer norm), + input product, + recurrent product, + peephole,
 * layer norm then bias, activation. */
static void gate_hybrid(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s, lstm_gate g,
                        er_activation act, float *gate) {
  const float *bias = er_input(ctx, LSTM_IN_BIAS + g)->data;
  const er_tensor *ln_t = er_input(ctx, LSTM_IN_LAYER_NORM + g);
  const er_tensor *peep =
      g == LSTM_GATE_CELL ? NULL : er_input(ctx, LSTM_IN_PEEPHOLE_WEIGHTS + (g == LSTM_GATE_OUTPUT ? 2 : g));
  const float *ln = ln_t ? ln_t->data : NULL;
  const int32_t cells = d->n_cell;
  const size_t len = (size_t)s->rows * (size_t)cells;
  for (size_t i = 0; i < len; i++)
    gate[i] = ln ? 0.0f : bias[i % (size_t)cells];
  add_product(d, s, er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g), d->n_input, SCRATCH(int8_t, s, d->h.input_q),
              SCRATCH(float, s, d->h.input_scales), SCRATCH(int32_t, s, d->h.input_zero_points), gate);
  add_product(d, s, er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g), d->n_output,
              SCRATCH(int8_t, s, d->h.state_q), SCRATCH(float, s, d->h.state_scales),
              SCRATCH(int32_t, s, d->h.state_zero_points), gate);
  if (peep) {
    const int8_t *pw = peep->data;
    const float scale = er_hybrid_weight_scale(peep);
    for (size_t i = 0; i < len; i++)
      gate[i] += (float)pw[i % (size_t)cells] * scale * s->c[i];
  }
  if (ln)
    for (int32_t r = 0; r < s->rows; r++) {
      float *row = gate + (size_t)r * (size_t)cells;
      er_lstm_normalize_row(row, cells);
      for (int32_t j = 0; j < cells; j++)
        row[j] = row[j] * ln[j] + bias[j];
    }
  for (size_t i = 0; i < len; i++)
    gate[i] = er_hybrid_activate(act, gate[i]);
}

/* CalculateLstmOutputHybrid's projection: bias (or 0), + the product of the projection weights with the
 * gated cell quantized row by row, then the optional clip. */
static void project(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s, const float *gated) {
  const er_tensor *pw = er_input(ctx, LSTM_IN_PROJECTION_WEIGHTS),
                  *pb = er_input(ctx, LSTM_IN_PROJECTION_BIAS);
  const size_t out_len = (size_t)s->rows * (size_t)d->n_output;
  for (size_t i = 0; i < out_len; i++)
    s->h[i] = pb ? ((const float *)pb->data)[i % (size_t)d->n_output] : 0.0f;
  int8_t *q = SCRATCH(int8_t, s, d->h.hidden_q);
  float *scales = SCRATCH(float, s, d->h.hidden_scales);
  int32_t *zero_points = SCRATCH(int32_t, s, d->h.hidden_zero_points);
  er_hybrid_quantize_rows(gated, s->rows, d->n_cell, d->asymmetric, q, scales, zero_points);
  add_product(d, s, pw, d->n_cell, q, scales, zero_points, s->h);
  if (d->proj_clip > 0.0f)
    for (size_t i = 0; i < out_len; i++)
      s->h[i] = er_clamp_f(s->h[i], -d->proj_clip, d->proj_clip);
}

static void step_hybrid(er_op_ctx *ctx, const lstm_data *d, const lstm_float_step *s) {
  const size_t len = (size_t)s->rows * (size_t)d->n_cell;
  float *gates = SCRATCH(float, s, d->h.gates);
  float *input_gate = gates, *forget_gate = gates + len, *cell_gate = gates + 2 * len,
        *output_gate = gates + 3 * len;
  er_hybrid_quantize_rows(s->x, s->rows, d->n_input, d->asymmetric, SCRATCH(int8_t, s, d->h.input_q),
                          SCRATCH(float, s, d->h.input_scales), SCRATCH(int32_t, s, d->h.input_zero_points));
  er_hybrid_quantize_rows(s->h, s->rows, d->n_output, d->asymmetric, SCRATCH(int8_t, s, d->h.state_q),
                          SCRATCH(float, s, d->h.state_scales), SCRATCH(int32_t, s, d->h.state_zero_points));
  if (!d->cifg) gate_hybrid(ctx, d, s, LSTM_GATE_INPUT, ER_ACT_SIGMOID, input_gate);
  gate_hybrid(ctx, d, s, LSTM_GATE_FORGET, ER_ACT_SIGMOID, forget_gate);
  gate_hybrid(ctx, d, s, LSTM_GATE_CELL, d->activation, cell_gate);
  er_lstm_update_cell(d, len, input_gate, forget_gate, cell_gate, s->c);
  gate_hybrid(ctx, d, s, LSTM_GATE_OUTPUT, ER_ACT_SIGMOID, output_gate);
  /* The gated cell reuses the input gate's buffer; it is the hidden state unless projected. */
  float *gated = input_gate;
  for (size_t i = 0; i < len; i++)
    gated[i] = output_gate[i] * er_hybrid_activate(d->activation, s->c[i]);
  if (d->projection)
    project(ctx, d, s, gated);
  else
    memcpy(s->h, gated, len * sizeof(float));
  memcpy(s->out, s->h, (size_t)s->rows * (size_t)d->n_output * sizeof(float));
}

void er_lstm_eval_hybrid(er_op_ctx *ctx, const lstm_data *d) { er_lstm_run_float_steps(ctx, d, step_hybrid); }
