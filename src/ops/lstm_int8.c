/* The integer UNIDIRECTIONAL_SEQUENCE_LSTM exactly as TensorFlow Lite Micro's current kernel runs it
 * (micro/kernels/unidirectional_sequence_lstm.cc, lstm_eval.h/.cc, lstm_eval_common.cc): int8 input,
 * weights and hidden state, int32 biases, int16 cell state. Each gate is two fully connected products
 * (input with bias, hidden state without), each rescaled to int16 Q3.12 and clamped, summed with
 * saturation, then squashed by TFLite's int16 lookup-table sigmoid or tanh into Q0.15. The cell update
 * and hidden state are int16 products rescaled by quantized multipliers. TFLM ignores the model's
 * intermediate tensors (their scales are fixed at 2^-12 and 2^-15 here) and runs only the standard LSTM:
 * no CIFG, peephole, projection or layer norm, so those are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/quant.h"
#include "ops/fixedpoint_math.h"
#include "ops/lstm.h"

/* ---- prepare ---- */

static edgert_status check_int8_dtypes(er_op_ctx *ctx, const lstm_data *d) {
  if (d->cifg || d->peephole || d->projection || d->layer_norm)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "the int8 LSTM runs the standard LSTM only (no CIFG, peephole, projection or layer norm)");
  if (d->activation != ER_ACT_TANH && d->activation != ER_ACT_SIGMOID)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
                   "the int8 LSTM cell gate needs tanh or sigmoid, not activation %d", (int)d->activation);
  edgert_status st = EDGERT_OK;
  for (int g = 0; g < LSTM_GATES && st == EDGERT_OK; g++) {
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g), EDGERT_INT8, "input weights");
    if (st == EDGERT_OK)
      st =
          er_check_dtype(ctx, er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g), EDGERT_INT8, "recurrent weights");
    if (st == EDGERT_OK) st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_BIAS + g), EDGERT_INT32, "gate bias");
  }
  if (st == EDGERT_OK)
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_OUTPUT_STATE), EDGERT_INT8, "output state");
  if (st == EDGERT_OK)
    st = er_check_dtype(ctx, er_input(ctx, LSTM_IN_CELL_STATE), EDGERT_INT16, "cell state");
  return st;
}

/* A positive per-tensor scale, or 0 after recording why there is none. */
static float tensor_scale(er_op_ctx *ctx, const er_tensor *t) {
  if (t->q.channels > 1) {
    er_fail(ctx, EDGERT_ERR_UNSUPPORTED,
            "'%s' is quantized per channel; the int8 LSTM needs per-tensor scales", t->name ? t->name : "");
    return 0.0f;
  }
  if (!(t->q.scale > 0.0f) || !isfinite(t->q.scale)) {
    er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "'%s' has no positive quantization scale", t->name ? t->name : "");
    return 0.0f;
  }
  return t->q.scale;
}

static lstm_rescale rescale_of(double real) {
  lstm_rescale r;
  er_quantize_multiplier(real, &r.multiplier, &r.shift);
  return r;
}

/* TFLM PrepareGateParametersInteger: both products of a gate land in Q3.12 (scale 2^-12). */
static edgert_status prepare_gate_rescales(er_op_ctx *ctx, lstm_int8_params *q, float input_scale,
                                           float hidden_scale) {
  const double gate_input_scale = (double)0.000244140625f; /* 2^-12 */
  for (int g = 0; g < LSTM_GATES; g++) {
    const er_tensor *wx = er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g),
                    *wh = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g);
    const float wx_scale = tensor_scale(ctx, wx), wh_scale = tensor_scale(ctx, wh);
    if (wx_scale == 0.0f || wh_scale == 0.0f) return EDGERT_ERR_UNSUPPORTED;
    q->input_fc[g] = rescale_of((double)input_scale * (double)wx_scale / gate_input_scale);
    q->recurrent_fc[g] = rescale_of((double)hidden_scale * (double)wh_scale / gate_input_scale);
    q->input_weight_zero_point[g] = wx->q.zero_point;
    q->recurrent_weight_zero_point[g] = wh->q.zero_point;
  }
  return EDGERT_OK;
}

edgert_status er_lstm_prepare_int8(er_op_ctx *ctx, lstm_data *d) {
  edgert_status st = check_int8_dtypes(ctx, d);
  if (st != EDGERT_OK) return st;
  const er_tensor *in = er_input(ctx, LSTM_IN_INPUT), *hidden = er_input(ctx, LSTM_IN_OUTPUT_STATE);
  const er_tensor *cell = er_input(ctx, LSTM_IN_CELL_STATE);
  const float input_scale = tensor_scale(ctx, in), hidden_scale = tensor_scale(ctx, hidden);
  const float cell_scale = tensor_scale(ctx, cell);
  if (input_scale == 0.0f || hidden_scale == 0.0f || cell_scale == 0.0f) return EDGERT_ERR_UNSUPPORTED;
  lstm_int8_params *q = &d->q;
  /* The int16 tanh of the cell state shifts by its scale's exponent, so the scale must be a power of
   * two (TFLite requires it too); the range keeps that shift meaningful. */
  if (!fx_checked_log2(cell_scale, &q->cell_scale_power) || q->cell_scale_power < -31 ||
      q->cell_scale_power > 3)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "cell state scale %g is not a power of two in [2^-31, 2^3]",
                   (double)cell_scale);
  if (!(d->cell_clip >= 0.0f)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "cell_clip must not be negative");
  q->clip_cell = d->cell_clip > 0.0f;
  q->quantized_cell_clip = (int16_t)fmin(fmax((double)d->cell_clip / (double)cell_scale, -32768.0), 32767.0);
  q->input_zero_point = in->q.zero_point;
  q->hidden_zero_point = hidden->q.zero_point;
  st = prepare_gate_rescales(ctx, q, input_scale, hidden_scale);
  if (st != EDGERT_OK) return st;
  /* Gate outputs are Q0.15 (scale 2^-15). */
  const double gate_output_scale = (double)0.000030517578125f;
  q->forget_times_cell = rescale_of(gate_output_scale * (double)cell_scale / (double)cell_scale);
  q->input_times_cell_gate = rescale_of(gate_output_scale * gate_output_scale / (double)cell_scale);
  q->output_times_tanh_cell = rescale_of(gate_output_scale * gate_output_scale / (double)hidden_scale);
  ctx->scratch_bytes = 4 * sizeof(int16_t) * (size_t)d->batch * (size_t)d->n_cell;
  return EDGERT_OK;
}

/* ---- int16 nonlinearities (tensorflow/lite/kernels/internal/reference/integer_ops) ---- */

/* Logistic of a Q3.12 value into Q0.15: the input scaled by 3 indexes sigmoid(i/24) every 2^9 steps,
 * interpolated linearly; negative inputs use sigmoid(-x) = 1 - sigmoid(x). */
static int16_t sigmoid_q12(int16_t v) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  const int32_t x = (int32_t)v * 3;
  const uint32_t ax = (uint32_t)abs(x);
  const uint32_t index = ax >> 9;
  uint32_t r;
  if (index >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t a = table[index], b = table[index + 1];
    r = (a << 9) + (ax & 0x1FFu) * (b - a);
  }
  r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return (int16_t)(r >> 10);
}

/* Arithmetic right shift of a possibly negative value, spelled so C defines it. */
static int32_t shift_right(int32_t x, int n) {
  return x >= 0 ? x >> n : -(int32_t)((-(int64_t)x + ((1 << n) - 1)) >> n);
}

/* Tanh of an int16 value of scale 2^scale_power into Q0.15, using tanh(x) = 2 sigmoid(2x) - 1 on the
 * same table: the input is brought to table units (x * 48 in real terms) by a multiply by 3 and a
 * power-of-two shift chosen from the scale, as TFLM's lstm_internal::Tanh sets it up. */
static int16_t tanh_pot(int16_t v, int scale_power) {
  const uint16_t *table = fx_sigmoid_table_uint16();
  int left_shift = 15 + scale_power - 3;
  int32_t multiplier = 0;
  if (left_shift < 0) {
    left_shift = -left_shift;
    multiplier = 3;
  }
  if (multiplier == 0) {
    multiplier = 3 << left_shift;
    left_shift = 0;
  }
  const int32_t round = left_shift > 0 ? 1 << (left_shift - 1) : 0;
  const int32_t x = shift_right((int32_t)v * multiplier + round, left_shift);
  const uint32_t ax = (uint32_t)abs(x);
  const uint32_t index = ax >> 8;
  int32_t r;
  if (index >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t a = table[index], b = table[index + 1];
    r = (int32_t)((a << 8) + (ax & 0xFFu) * (b - a));
  }
  r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int16_t)shift_right(r, 8);
}

/* ---- one step ---- */

static int32_t saturate_i32(int64_t v) {
  return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

static int32_t rescale(int32_t v, lstm_rescale r) {
  return er_multiply_by_quantized_multiplier(v, r.multiplier, r.shift);
}

/* One output of TFLM's int8 x int8 -> int16 fully connected (reference_integer_ops::FullyConnected):
 * sum (w - w_zp) * (x - x_zp) + bias, rescaled, clamped to int16. */
static int16_t fc_q12(const int8_t *w, int32_t w_zp, const int8_t *x, int32_t x_zp, int32_t n, int32_t bias,
                      lstm_rescale r) {
  int64_t acc = 0;
  for (int32_t k = 0; k < n; k++)
    acc += ((int32_t)w[k] - w_zp) * ((int32_t)x[k] - x_zp);
  acc += bias;
  return (int16_t)er_clamp_i32(rescale(saturate_i32(acc), r), INT16_MIN, INT16_MAX);
}

/* Pointers for one step over `rows` batch rows. */
typedef struct {
  int32_t rows;
  const int8_t *x;
  int8_t *h, *out;
  int16_t *c;
} step_q;

static void gate_q(er_op_ctx *ctx, const lstm_data *d, const step_q *s, lstm_gate g, int16_t *gate) {
  const lstm_int8_params *q = &d->q;
  const int8_t *wx = er_input(ctx, LSTM_IN_INPUT_WEIGHTS + g)->data;
  const int8_t *wh = er_input(ctx, LSTM_IN_RECURRENT_WEIGHTS + g)->data;
  const int32_t *bias = er_input(ctx, LSTM_IN_BIAS + g)->data;
  const bool is_cell_gate = g == LSTM_GATE_CELL;
  for (int32_t r = 0; r < s->rows; r++) {
    const int8_t *x = s->x + (size_t)r * (size_t)d->n_input, *h = s->h + (size_t)r * (size_t)d->n_output;
    int16_t *out = gate + (size_t)r * (size_t)d->n_cell;
    for (int32_t j = 0; j < d->n_cell; j++) {
      int16_t from_input = fc_q12(wx + (size_t)j * (size_t)d->n_input, q->input_weight_zero_point[g], x,
                                  q->input_zero_point, d->n_input, bias[j], q->input_fc[g]);
      int16_t from_hidden = fc_q12(wh + (size_t)j * (size_t)d->n_output, q->recurrent_weight_zero_point[g], h,
                                   q->hidden_zero_point, d->n_output, 0, q->recurrent_fc[g]);
      int16_t sum = (int16_t)er_clamp_i32((int32_t)from_input + from_hidden, INT16_MIN, INT16_MAX);
      /* Q3.12 into the tanh: scale power -12 makes its input shift zero. */
      out[j] = is_cell_gate && d->activation == ER_ACT_TANH ? tanh_pot(sum, -12) : sigmoid_q12(sum);
    }
  }
}

/* cell = forget * cell + input * cell_gate, each product rescaled to the cell scale and clamped, the sum
 * saturated, then the optional clip. */
static void update_cell_q(const lstm_data *d, size_t len, int16_t *cell, const int16_t *forget,
                          const int16_t *input, const int16_t *cell_gate) {
  const lstm_int8_params *q = &d->q;
  for (size_t i = 0; i < len; i++) {
    int32_t kept =
        er_clamp_i32(rescale((int32_t)forget[i] * cell[i], q->forget_times_cell), INT16_MIN, INT16_MAX);
    int32_t added = er_clamp_i32(rescale((int32_t)input[i] * cell_gate[i], q->input_times_cell_gate),
                                 INT16_MIN, INT16_MAX);
    int32_t c = er_clamp_i32(kept + added, INT16_MIN, INT16_MAX);
    if (q->clip_cell) c = er_clamp_i32(c, -q->quantized_cell_clip, q->quantized_cell_clip);
    cell[i] = (int16_t)c;
  }
}

static void step_int8(er_op_ctx *ctx, const lstm_data *d, const step_q *s, int16_t *buf) {
  const lstm_int8_params *q = &d->q;
  const size_t len = (size_t)s->rows * (size_t)d->n_cell;
  int16_t *forget_gate = buf, *input_gate = buf + len, *cell_gate = buf + 2 * len,
          *output_gate = buf + 3 * len;
  gate_q(ctx, d, s, LSTM_GATE_FORGET, forget_gate);
  gate_q(ctx, d, s, LSTM_GATE_INPUT, input_gate);
  gate_q(ctx, d, s, LSTM_GATE_CELL, cell_gate);
  update_cell_q(d, len, s->c, forget_gate, input_gate, cell_gate);
  gate_q(ctx, d, s, LSTM_GATE_OUTPUT, output_gate);
  for (size_t i = 0; i < len; i++) {
    int32_t t = tanh_pot(s->c[i], q->cell_scale_power);
    int32_t v = rescale(t * output_gate[i], q->output_times_tanh_cell) + q->hidden_zero_point;
    s->h[i] = (int8_t)er_clamp_i32(v, INT8_MIN, INT8_MAX);
  }
  memcpy(s->out, s->h, len);
}

void er_lstm_eval_int8(er_op_ctx *ctx, const lstm_data *d) {
  const int8_t *x = er_input(ctx, LSTM_IN_INPUT)->data;
  int8_t *h = er_input(ctx, LSTM_IN_OUTPUT_STATE)->data, *out = er_output(ctx, 0)->data;
  int16_t *c = er_input(ctx, LSTM_IN_CELL_STATE)->data;
  const size_t in_row = (size_t)d->n_input, state_row = (size_t)d->n_cell;
  if (d->time_major) {
    const size_t b = (size_t)d->batch;
    for (int32_t t = 0; t < d->steps; t++) {
      step_q s = {d->batch, x + (size_t)t * b * in_row, h, out + (size_t)t * b * state_row, c};
      step_int8(ctx, d, &s, ctx->scratch);
    }
    return;
  }
  for (int32_t b = 0; b < d->batch; b++)
    for (int32_t t = 0; t < d->steps; t++) {
      size_t seq = (size_t)b * (size_t)d->steps + (size_t)t;
      step_q s = {1, x + seq * in_row, h + (size_t)b * state_row, out + seq * state_row,
                  c + (size_t)b * state_row};
      step_int8(ctx, d, &s, ctx->scratch);
    }
}
