/* UNIDIRECTIONAL_SEQUENCE_LSTM kernel tests. The 2x3x2x2 case (batch 2, 3 time steps, input size 2,
 * state size 2, tanh, cell_clip 6, batch-major) and its goldens are ported from TensorFlow Lite Micro:
 * tensorflow/lite/micro/kernels/testdata/lstm_test_data.cc (Create2x3x2X2FloatNodeContents,
 * Get2X2LstmEvalCheckData, Get2X2Int8LstmQuantizationSettings) as used by
 * tensorflow/lite/micro/kernels/unidirectional_sequence_lstm_test.cc. As there, float is checked
 * within 1e-6 and the int8 kernel's dequantized hidden state, cell state and output within 1e-2 of the
 * float goldens, after quantizing weights, biases and input with TFLM's test helpers' rules. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/attrs.h"
#include "op_harness.h"

enum { BATCH = 2, STEPS = 3, N_IN = 2, N_CELL = 2 };

/* Gate order here and in the kernel: input, forget, cell, output. */
static const float input_weights[4][N_CELL * N_IN] = {
    {10, 10, 20, 20}, {-10, -10, -20, -20}, {1, 1, 1, 1}, {1, 1, 1, 1}};
static const float recurrent_weights[4][N_CELL * N_CELL] = {
    {10, 10, 20, 20}, {-10, -10, -20, -20}, {1, 1, 1, 1}, {1, 1, 1, 1}};
static const float gate_bias[4][N_CELL] = {{-1, -2}, {1, 2}, {0, 0}, {0, 0}};

static const float input_data[BATCH * STEPS * N_IN] = {
    0.2,   0.3,  0.2,  0.3,  0.2,  0.3,  /* batch one */
    -0.98, 0.62, 0.01, 0.99, 0.49, -0.32 /* batch two */
};
static const float expected_output[BATCH * STEPS * N_CELL] = {
    0.26455893,      0.26870455,      0.47935803, 0.47937014, 0.58013272, 0.58013278, /* batch one */
    -1.41184672e-3f, -1.43329117e-5f, 0.46887168, 0.46891281, 0.50054074, 0.50054148  /* batch two */
};
static const float expected_hidden[BATCH * N_CELL] = {0.58013272, 0.58013278, 0.50054074, 0.50054148};
static const float expected_cell[BATCH * N_CELL] = {0.89740515, 0.8974053, 0.80327607, 0.80327785};

static const er_lstm_attrs tflm_attrs = {.activation = ER_ACT_TANH, .cell_clip = 6, .proj_clip = 3};

/* Tensor ids of one LSTM graph: its 24 inputs (-1 when absent) and output; graph outputs are the
 * output, the cell state and the hidden state, so tests can read the states. */
typedef struct {
  int in[24];
  int output;
} lstm_ids;

typedef struct {
  edgert_dtype act, weight, bias, cell;
  const void *wx[4], *wh[4], *b[4];
  bool time_major;
} lstm_spec;

static lstm_ids build_lstm(th_graph *g, const lstm_spec *s, const er_lstm_attrs *attrs) {
  lstm_ids id;
  for (int i = 0; i < 24; i++)
    id.in[i] = -1;
  const int64_t d0 = s->time_major ? STEPS : BATCH, d1 = s->time_major ? BATCH : STEPS;
  id.in[0] = th_tensor(g, s->act, 3, (int64_t[]){d0, d1, N_IN}, NULL);
  for (int gate = 0; gate < 4; gate++) {
    id.in[1 + gate] = th_tensor(g, s->weight, 2, (int64_t[]){N_CELL, N_IN}, s->wx[gate]);
    id.in[5 + gate] = th_tensor(g, s->weight, 2, (int64_t[]){N_CELL, N_CELL}, s->wh[gate]);
    id.in[12 + gate] = th_tensor(g, s->bias, 1, (int64_t[]){N_CELL}, s->b[gate]);
  }
  id.in[18] = th_tensor(g, s->act, 2, (int64_t[]){BATCH, N_CELL}, NULL);
  id.in[19] = th_tensor(g, s->cell, 2, (int64_t[]){BATCH, N_CELL}, NULL);
  th_variable(g, id.in[18]);
  th_variable(g, id.in[19]);
  id.output = th_tensor(g, s->act, 3, (int64_t[]){d0, d1, N_CELL}, NULL);
  th_node(g, ER_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, attrs, sizeof *attrs, 24, id.in, 1, (int[]){id.output});
  th_io(g, 1, (int[]){id.in[0]}, 3, (int[]){id.output, id.in[19], id.in[18]});
  return id;
}

static lstm_spec float_spec(void) {
  lstm_spec s = {EDGERT_FLOAT32, EDGERT_FLOAT32, EDGERT_FLOAT32, EDGERT_FLOAT32, {0}, {0}, {0}, false};
  for (int gate = 0; gate < 4; gate++) {
    s.wx[gate] = input_weights[gate];
    s.wh[gate] = recurrent_weights[gate];
    s.b[gate] = gate_bias[gate];
  }
  return s;
}

static void lstm_float_matches_tflm_golden(void) {
  th_graph *g = th_new();
  lstm_spec s = float_spec();
  build_lstm(g, &s, &tflm_attrs);
  edgert_status st = th_run(g, (const void *[]){input_data});
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  if (st == EDGERT_OK) {
    const float *out = th_output(g, 0), *cell = th_output(g, 1), *hidden = th_output(g, 2);
    for (int i = 0; i < BATCH * STEPS * N_CELL; i++)
      CHECK_NEAR(out[i], expected_output[i], 1e-6);
    for (int i = 0; i < BATCH * N_CELL; i++)
      CHECK_NEAR(cell[i], expected_cell[i], 1e-6);
    for (int i = 0; i < BATCH * N_CELL; i++)
      CHECK_NEAR(hidden[i], expected_hidden[i], 1e-6);
  }
  th_free(g);
}

/* The same sequences laid out [time, batch, input] give the same answers laid out [time, batch, state]. */
static void lstm_float_time_major_matches_tflm_golden(void) {
  th_graph *g = th_new();
  lstm_spec s = float_spec();
  s.time_major = true;
  er_lstm_attrs attrs = tflm_attrs;
  attrs.time_major = true;
  build_lstm(g, &s, &attrs);
  float x[BATCH * STEPS * N_IN];
  for (int b = 0; b < BATCH; b++)
    for (int t = 0; t < STEPS; t++)
      memcpy(x + (t * BATCH + b) * N_IN, input_data + (b * STEPS + t) * N_IN, sizeof(float) * N_IN);
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  if (st == EDGERT_OK) {
    const float *out = th_output(g, 0), *cell = th_output(g, 1);
    for (int b = 0; b < BATCH; b++)
      for (int t = 0; t < STEPS; t++)
        for (int j = 0; j < N_CELL; j++)
          CHECK_NEAR(out[(t * BATCH + b) * N_CELL + j], expected_output[(b * STEPS + t) * N_CELL + j], 1e-6);
    for (int i = 0; i < BATCH * N_CELL; i++)
      CHECK_NEAR(cell[i], expected_cell[i], 1e-6);
  }
  th_free(g);
}

/* TFLM micro_utils.h FloatToQuantizedType and FloatToSymmetricQuantizedType. */
static int32_t quantize(float value, float scale, int32_t zero_point, int64_t lo, int64_t hi) {
  double q = round((double)(value / scale)) + zero_point;
  return (int32_t)(q < (double)lo ? lo : (q > (double)hi ? hi : q));
}

/* Get2X2Int8LstmQuantizationSettings. */
static const float q_input_scale = 0.00784313725490196f, q_hidden_scale = 0.004705882165580988f;
static const int32_t q_hidden_zp = -21;
static const float q_cell_scale = 0.00024414062f;
static const float q_weight_scale[4] = {0.15748031496062992f, 0.15748031496062992f, 0.007874015748031496f,
                                        0.007874015748031496f};
static const float q_bias_scale[4] = {0.0012351397251814111f, 0.0012351397251814111f, 6.175698625907056e-5f,
                                      6.175698625907056e-5f};

static void lstm_int8_matches_tflm_golden(void) {
  int8_t wx[4][N_CELL * N_IN], wh[4][N_CELL * N_CELL];
  int32_t bias[4][N_CELL];
  lstm_spec s = {EDGERT_INT8, EDGERT_INT8, EDGERT_INT32, EDGERT_INT16, {0}, {0}, {0}, false};
  for (int gate = 0; gate < 4; gate++) {
    for (int i = 0; i < N_CELL * N_IN; i++)
      wx[gate][i] = (int8_t)quantize(input_weights[gate][i], q_weight_scale[gate], 0, -127, 127);
    for (int i = 0; i < N_CELL * N_CELL; i++)
      wh[gate][i] = (int8_t)quantize(recurrent_weights[gate][i], q_weight_scale[gate], 0, -127, 127);
    for (int i = 0; i < N_CELL; i++)
      bias[gate][i] = quantize(gate_bias[gate][i], q_bias_scale[gate], 0, INT32_MIN + 1, INT32_MAX);
    s.wx[gate] = wx[gate];
    s.wh[gate] = wh[gate];
    s.b[gate] = bias[gate];
  }
  th_graph *g = th_new();
  lstm_ids id = build_lstm(g, &s, &tflm_attrs);
  th_quant(g, id.in[0], q_input_scale, 0);
  for (int gate = 0; gate < 4; gate++) {
    th_quant(g, id.in[1 + gate], q_weight_scale[gate], 0);
    th_quant(g, id.in[5 + gate], q_weight_scale[gate], 0);
    th_quant(g, id.in[12 + gate], q_bias_scale[gate], 0);
  }
  th_quant(g, id.in[18], q_hidden_scale, q_hidden_zp);
  th_quant(g, id.in[19], q_cell_scale, 0);
  th_quant(g, id.output, q_hidden_scale, q_hidden_zp);
  int8_t x[BATCH * STEPS * N_IN];
  for (int i = 0; i < BATCH * STEPS * N_IN; i++)
    x[i] = (int8_t)quantize(input_data[i], q_input_scale, 0, -128, 127);
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  if (st == EDGERT_OK) {
    const int8_t *out = th_output(g, 0), *hidden = th_output(g, 2);
    const int16_t *cell = th_output(g, 1);
    for (int i = 0; i < BATCH * STEPS * N_CELL; i++)
      CHECK_NEAR((out[i] - q_hidden_zp) * q_hidden_scale, expected_output[i], 1e-2);
    for (int i = 0; i < BATCH * N_CELL; i++) {
      CHECK_NEAR((hidden[i] - q_hidden_zp) * q_hidden_scale, expected_hidden[i], 1e-2);
      CHECK_NEAR(cell[i] * q_cell_scale, expected_cell[i], 1e-2);
    }
  }
  th_free(g);
}

static void lstm_rejects_int16_activations(void) {
  const int8_t w[N_CELL * N_CELL] = {0};
  const int64_t b[N_CELL] = {0};
  lstm_spec s = {EDGERT_INT16, EDGERT_INT8,  EDGERT_INT64, EDGERT_INT16,
                 {w, w, w, w}, {w, w, w, w}, {b, b, b, b}, false};
  th_graph *g = th_new();
  lstm_ids id = build_lstm(g, &s, &tflm_attrs);
  for (int i = 0; i < 24; i++)
    if (id.in[i] >= 0) th_quant(g, id.in[i], 1.0f / 4096, 0);
  th_quant(g, id.output, 1.0f / 4096, 0);
  int16_t x[BATCH * STEPS * N_IN] = {0};
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK_MSG(st == EDGERT_ERR_UNSUPPORTED, "status %d: %s", (int)st, th_error(g));
  th_free(g);
}

static void lstm_rejects_mismatched_weight_shape(void) {
  lstm_spec s = float_spec();
  th_graph *g = th_new();
  lstm_ids id;
  for (int i = 0; i < 24; i++)
    id.in[i] = -1;
  id.in[0] = th_tensor(g, EDGERT_FLOAT32, 3, (int64_t[]){BATCH, STEPS, N_IN}, NULL);
  for (int gate = 0; gate < 4; gate++) {
    /* The forget gate's input weights claim 1 input column instead of 2. */
    int64_t cols = gate == 1 ? 1 : N_IN;
    id.in[1 + gate] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){N_CELL, cols}, s.wx[gate]);
    id.in[5 + gate] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){N_CELL, N_CELL}, s.wh[gate]);
    id.in[12 + gate] = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){N_CELL}, s.b[gate]);
  }
  id.in[18] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, N_CELL}, NULL);
  id.in[19] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, N_CELL}, NULL);
  th_variable(g, id.in[18]);
  th_variable(g, id.in[19]);
  id.output = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, &tflm_attrs, sizeof tflm_attrs, 24, id.in, 1,
          (int[]){id.output});
  th_io(g, 1, (int[]){id.in[0]}, 1, (int[]){id.output});
  edgert_status st = th_run(g, (const void *[]){input_data});
  CHECK_MSG(st == EDGERT_ERR_SHAPE, "status %d: %s", (int)st, th_error(g));
  th_free(g);
}

/* Hybrid: the same graph with every weight tensor int8, quantized per tensor with scale max|w| / 127 (as
 * TFLite's hybrid LSTM test models quantize theirs), float biases, input and states; the output and cell
 * state are checked against the float goldens within 1e-2, as the int8 kernel is above. */
static void run_hybrid(bool asymmetric) {
  int8_t wx[4][N_CELL * N_IN], wh[4][N_CELL * N_CELL];
  float sx[4], sh[4];
  for (int gate = 0; gate < 4; gate++) {
    sx[gate] = fabsf(input_weights[gate][2]) / 127.0f; /* the largest magnitude of each gate's weights */
    sh[gate] = fabsf(recurrent_weights[gate][2]) / 127.0f;
    for (int i = 0; i < N_CELL * N_IN; i++)
      wx[gate][i] = (int8_t)lroundf(input_weights[gate][i] / sx[gate]);
    for (int i = 0; i < N_CELL * N_CELL; i++)
      wh[gate][i] = (int8_t)lroundf(recurrent_weights[gate][i] / sh[gate]);
  }
  lstm_spec s = float_spec();
  s.weight = EDGERT_INT8;
  for (int gate = 0; gate < 4; gate++) {
    s.wx[gate] = wx[gate];
    s.wh[gate] = wh[gate];
  }
  er_lstm_attrs attrs = tflm_attrs;
  attrs.asymmetric_quantize_inputs = asymmetric;
  th_graph *g = th_new();
  lstm_ids id = build_lstm(g, &s, &attrs);
  for (int gate = 0; gate < 4; gate++) {
    th_quant(g, id.in[1 + gate], sx[gate], 0);
    th_quant(g, id.in[5 + gate], sh[gate], 0);
  }
  edgert_status st = th_run(g, (const void *[]){input_data});
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  if (st == EDGERT_OK) {
    const float *out = th_output(g, 0), *cell = th_output(g, 1);
    for (int i = 0; i < BATCH * STEPS * N_CELL; i++)
      CHECK_NEAR(out[i], expected_output[i], 1e-2);
    for (int i = 0; i < BATCH * N_CELL; i++)
      CHECK_NEAR(cell[i], expected_cell[i], 1e-2);
  }
  th_free(g);
}

static void lstm_hybrid_symmetric_matches_float_golden(void) { run_hybrid(false); }

static void lstm_hybrid_asymmetric_matches_float_golden(void) { run_hybrid(true); }

/* A hybrid LSTM keeps float states and biases: int32 biases with int8 weights on float input are refused. */
static void lstm_hybrid_rejects_integer_bias(void) {
  static const int8_t w[N_CELL * N_CELL] = {1, 2, 3, 4};
  static const int32_t b[N_CELL] = {0};
  lstm_spec s = float_spec();
  s.weight = EDGERT_INT8;
  s.bias = EDGERT_INT32;
  for (int gate = 0; gate < 4; gate++) {
    s.wx[gate] = w;
    s.wh[gate] = w;
    s.b[gate] = b;
  }
  th_graph *g = th_new();
  lstm_ids id = build_lstm(g, &s, &tflm_attrs);
  for (int gate = 0; gate < 4; gate++) {
    th_quant(g, id.in[1 + gate], 0.1f, 0);
    th_quant(g, id.in[5 + gate], 0.1f, 0);
  }
  edgert_status st = th_run(g, (const void *[]){input_data});
  CHECK_MSG(st == EDGERT_ERR_UNSUPPORTED, "status %d: %s", (int)st, th_error(g));
  th_free(g);
}

void run_tests(void) {
  RUN(lstm_hybrid_symmetric_matches_float_golden);
  RUN(lstm_hybrid_asymmetric_matches_float_golden);
  RUN(lstm_hybrid_rejects_integer_bias);
  RUN(lstm_float_matches_tflm_golden);
  RUN(lstm_float_time_major_matches_tflm_golden);
  RUN(lstm_int8_matches_tflm_golden);
  RUN(lstm_rejects_int16_activations);
  RUN(lstm_rejects_mismatched_weight_shape);
}
