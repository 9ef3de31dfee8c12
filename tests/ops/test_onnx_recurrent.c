/* ONNX_RNN, ONNX_GRU and ONNX_LSTM against the ONNX backend node tests (onnx_recurrent_data.h: inputs and
 * expected outputs of onnx/backend/test/data/node/test_{simple_rnn,rnn,gru,lstm}_*), compared with ONNX's
 * tolerance |got - expected| <= 1e-7 + 1e-3 |expected|. X is fed at run time, the other inputs are
 * constants. Also: the reverse direction and per-batch sequence lengths against values worked by hand,
 * and bad inputs refused. */
#include <math.h>
#include <string.h>

#include "onnx_recurrent_data.h"
#include "op_harness.h"

typedef struct {
  er_op op;
  er_onnx_rnn_attrs attrs;
  int64_t x_dims[3];
  const float *x, *w, *r, *b, *initial_h, *initial_c, *p;
  const int32_t *lens;
  const float *y, *y_h, *y_c; /* expected; NULL when the test does not check that output */
} rnn_case;

static void check_onnx_close(const float *got, const float *want, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    CHECK_MSG(fabsf(got[i] - want[i]) <= 1e-7f + 1e-3f * fabsf(want[i]), "element %lld: got %.9g, want %.9g",
              (long long)i, (double)got[i], (double)want[i]);
}

static er_onnx_rnn_attrs default_attrs(er_op op, int32_t hidden, bool batch_major) {
  er_onnx_rnn_attrs a = {.hidden_size = hidden, .batch_major = batch_major};
  for (int d = 0; d < 2; d++) {
    a.acts[d][0].kind = op == ER_OP_ONNX_RNN ? ER_RNN_ACT_TANH : ER_RNN_ACT_SIGMOID;
    a.acts[d][1].kind = ER_RNN_ACT_TANH;
    a.acts[d][2].kind = ER_RNN_ACT_TANH;
  }
  return a;
}

/* Builds the node, runs it and returns the status; outputs compared when expected values are given. */
static edgert_status run_case(const rnn_case *c) {
  const er_onnx_rnn_attrs *a = &c->attrs;
  int64_t gates = c->op == ER_OP_ONNX_RNN ? 1 : (c->op == ER_OP_ONNX_GRU ? 3 : 4);
  int64_t dirs = a->direction == ER_RNN_BIDIRECTIONAL ? 2 : 1, hidden = a->hidden_size;
  int64_t seq = a->batch_major ? c->x_dims[1] : c->x_dims[0];
  int64_t batch = a->batch_major ? c->x_dims[0] : c->x_dims[1], input = c->x_dims[2];
  int64_t state[3] = {a->batch_major ? batch : dirs, a->batch_major ? dirs : batch, hidden};
  th_graph *g = th_new();
  int in[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  in[0] = th_tensor(g, EDGERT_FLOAT32, 3, c->x_dims, NULL);
  in[1] = th_tensor(g, EDGERT_FLOAT32, 3, (int64_t[]){dirs, gates * hidden, input}, c->w);
  in[2] = th_tensor(g, EDGERT_FLOAT32, 3, (int64_t[]){dirs, gates * hidden, hidden}, c->r);
  if (c->b) in[3] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){dirs, 2 * gates * hidden}, c->b);
  if (c->lens) in[4] = th_tensor(g, EDGERT_INT32, 1, (int64_t[]){batch}, c->lens);
  if (c->initial_h) in[5] = th_tensor(g, EDGERT_FLOAT32, 3, state, c->initial_h);
  if (c->initial_c) in[6] = th_tensor(g, EDGERT_FLOAT32, 3, state, c->initial_c);
  if (c->p) in[7] = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){dirs, 3 * hidden}, c->p);
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL), y_h = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  int y_c = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  /* The IR has no absent outputs: an unused Y is computed and dropped. */
  th_node(g, c->op, a, sizeof *a, c->op == ER_OP_ONNX_LSTM ? 8 : 6, in, c->op == ER_OP_ONNX_LSTM ? 3 : 2,
          (int[]){y, y_h, y_c});
  th_io(g, 1, (int[]){in[0]}, c->op == ER_OP_ONNX_LSTM ? 3 : 2, (int[]){y_h, y, y_c});
  edgert_status st = th_run(g, (const void *[]){c->x});
  if (st == EDGERT_OK) {
    check_onnx_close(th_output(g, 0), c->y_h, dirs * batch * hidden);
    if (c->y) check_onnx_close(th_output(g, 1), c->y, seq * dirs * batch * hidden);
    if (c->y_c) check_onnx_close(th_output(g, 2), c->y_c, dirs * batch * hidden);
  } else {
    printf("  %s\n", th_error(g));
  }
  th_free(g);
  return st;
}

static void test_simple_rnn_defaults(void) {
  rnn_case c = {.op = ER_OP_ONNX_RNN,
                .attrs = default_attrs(ER_OP_ONNX_RNN, 4, false),
                .x_dims = {1, 3, 2},
                .x = kSimpleRnnDefaultsX,
                .w = kSimpleRnnDefaultsW,
                .r = kSimpleRnnDefaultsR,
                .y_h = kSimpleRnnDefaultsYH};
  CHECK_OK(run_case(&c));
}

static void test_simple_rnn_with_initial_bias(void) {
  rnn_case c = {.op = ER_OP_ONNX_RNN,
                .attrs = default_attrs(ER_OP_ONNX_RNN, 5, false),
                .x_dims = {1, 3, 3},
                .x = kSimpleRnnWithInitialBiasX,
                .w = kSimpleRnnWithInitialBiasW,
                .r = kSimpleRnnWithInitialBiasR,
                .b = kSimpleRnnWithInitialBiasB,
                .y_h = kSimpleRnnWithInitialBiasYH};
  CHECK_OK(run_case(&c));
}

static void test_rnn_seq_length(void) {
  rnn_case c = {.op = ER_OP_ONNX_RNN,
                .attrs = default_attrs(ER_OP_ONNX_RNN, 5, false),
                .x_dims = {2, 3, 3},
                .x = kRnnSeqLengthX,
                .w = kRnnSeqLengthW,
                .r = kRnnSeqLengthR,
                .b = kRnnSeqLengthB,
                .y_h = kRnnSeqLengthYH};
  CHECK_OK(run_case(&c));
}

static void test_simple_rnn_batchwise(void) {
  rnn_case c = {.op = ER_OP_ONNX_RNN,
                .attrs = default_attrs(ER_OP_ONNX_RNN, 4, true),
                .x_dims = {3, 1, 2},
                .x = kSimpleRnnBatchwiseX,
                .w = kSimpleRnnBatchwiseW,
                .r = kSimpleRnnBatchwiseR,
                .y = kSimpleRnnBatchwiseY,
                .y_h = kSimpleRnnBatchwiseYH};
  CHECK_OK(run_case(&c));
}

static void test_gru_defaults(void) {
  rnn_case c = {.op = ER_OP_ONNX_GRU,
                .attrs = default_attrs(ER_OP_ONNX_GRU, 5, false),
                .x_dims = {1, 3, 2},
                .x = kGruDefaultsX,
                .w = kGruDefaultsW,
                .r = kGruDefaultsR,
                .y_h = kGruDefaultsYH};
  CHECK_OK(run_case(&c));
}

static void test_gru_with_initial_bias(void) {
  rnn_case c = {.op = ER_OP_ONNX_GRU,
                .attrs = default_attrs(ER_OP_ONNX_GRU, 3, false),
                .x_dims = {1, 3, 3},
                .x = kGruWithInitialBiasX,
                .w = kGruWithInitialBiasW,
                .r = kGruWithInitialBiasR,
                .b = kGruWithInitialBiasB,
                .y_h = kGruWithInitialBiasYH};
  CHECK_OK(run_case(&c));
}

static void test_gru_seq_length(void) {
  rnn_case c = {.op = ER_OP_ONNX_GRU,
                .attrs = default_attrs(ER_OP_ONNX_GRU, 5, false),
                .x_dims = {2, 3, 3},
                .x = kGruSeqLengthX,
                .w = kGruSeqLengthW,
                .r = kGruSeqLengthR,
                .b = kGruSeqLengthB,
                .y_h = kGruSeqLengthYH};
  CHECK_OK(run_case(&c));
}

static void test_gru_batchwise(void) {
  rnn_case c = {.op = ER_OP_ONNX_GRU,
                .attrs = default_attrs(ER_OP_ONNX_GRU, 6, true),
                .x_dims = {3, 1, 2},
                .x = kGruBatchwiseX,
                .w = kGruBatchwiseW,
                .r = kGruBatchwiseR,
                .y = kGruBatchwiseY,
                .y_h = kGruBatchwiseYH};
  CHECK_OK(run_case(&c));
}

static void test_lstm_defaults(void) {
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 3, false),
                .x_dims = {1, 3, 2},
                .x = kLstmDefaultsX,
                .w = kLstmDefaultsW,
                .r = kLstmDefaultsR,
                .y_h = kLstmDefaultsYH};
  CHECK_OK(run_case(&c));
}

static void test_lstm_with_initial_bias(void) {
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 4, false),
                .x_dims = {1, 3, 3},
                .x = kLstmWithInitialBiasX,
                .w = kLstmWithInitialBiasW,
                .r = kLstmWithInitialBiasR,
                .b = kLstmWithInitialBiasB,
                .y_h = kLstmWithInitialBiasYH};
  CHECK_OK(run_case(&c));
}

static void test_lstm_batchwise(void) {
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 7, true),
                .x_dims = {3, 1, 2},
                .x = kLstmBatchwiseX,
                .w = kLstmBatchwiseW,
                .r = kLstmBatchwiseR,
                .y = kLstmBatchwiseY,
                .y_h = kLstmBatchwiseYH};
  CHECK_OK(run_case(&c));
}

static void test_lstm_with_peepholes(void) {
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 3, false),
                .x_dims = {1, 2, 4},
                .x = kLstmWithPeepholesX,
                .w = kLstmWithPeepholesW,
                .r = kLstmWithPeepholesR,
                .b = kLstmWithPeepholesB,
                .lens = kLstmWithPeepholesSequenceLens,
                .initial_h = kLstmWithPeepholesInitialH,
                .initial_c = kLstmWithPeepholesInitialC,
                .p = kLstmWithPeepholesP,
                .y_h = kLstmWithPeepholesYH};
  CHECK_OK(run_case(&c));
}

/* onnxruntime/test/providers/cpu/rnn/deep_cpu_gru_op_test.cc, DefaultActivationsSimpleWeightsWithBias:
 * X [2, 2, 1], hidden 3, R all 0.1; Y for forward, forward with linear_before_reset and reverse with
 * linear_before_reset (GRUTest.*BatchParallel*). */
static void test_gru_bias_and_linear_before_reset(void) {
  static const float x[4] = {-0.1f, 0.2f, -0.3f, 0.4f};
  static const float w[9] = {0.1f, 0.2f, 0.3f, 0.2f, 0.3f, 0.1f, 0.3f, 0.1f, 0.2f};
  static const float b[18] = {-0.01f, 0.1f, 0.01f, -0.2f, -0.02f, 0.02f, 0.3f,  -0.3f,  -0.3f,
                              -0.03f, 0.5f, -0.7f, 0.05f, -0.7f,  0.3f,  0.07f, -0.03f, 0.5f};
  float r[27];
  for (int i = 0; i < 27; i++)
    r[i] = 0.1f;
  static const float forward_y[12] = {0.16783132f,  -0.11754231f, 0.11977843f,  0.2046872f,
                                      -0.10372487f, 0.15365849f,  0.22688604f,  -0.19698407f,
                                      0.14017843f,  0.33386092f,  -0.15799662f, 0.2381169f};
  static const float lbr_y[12] = {0.15024948f,  -0.11097029f, -0.02121867f, 0.18887489f,
                                  -0.09747667f, 0.02093463f,  0.19538902f,  -0.19016478f,
                                  -0.05644283f, 0.30856851f,  -0.15190377f, 0.05999807f};
  static const float lbr_reverse_y[12] = {0.20910699f,  -0.18880953f, -0.04005555f, 0.29700265f,
                                          -0.15308119f, 0.04537245f,  0.12252139f,  -0.12032216f,
                                          -0.05064924f, 0.21249877f,  -0.08884402f, 0.04751285f};
  static const struct {
    er_rnn_direction direction;
    bool linear_before_reset;
    const float *y;
    const float *y_h; /* Y's last step (forward) or first step (reverse) */
  } runs[3] = {{ER_RNN_FORWARD, false, forward_y, forward_y + 6},
               {ER_RNN_FORWARD, true, lbr_y, lbr_y + 6},
               {ER_RNN_REVERSE, true, lbr_reverse_y, lbr_reverse_y}};
  for (int k = 0; k < 3; k++) {
    rnn_case c = {.op = ER_OP_ONNX_GRU,
                  .attrs = default_attrs(ER_OP_ONNX_GRU, 3, false),
                  .x_dims = {2, 2, 1},
                  .x = x,
                  .w = w,
                  .r = r,
                  .b = b,
                  .y = runs[k].y,
                  .y_h = runs[k].y_h};
    c.attrs.direction = runs[k].direction;
    c.attrs.linear_before_reset = runs[k].linear_before_reset;
    CHECK_OK(run_case(&c));
  }
}

/* onnxruntime/test/providers/cpu/rnn/deep_cpu_lstm_op_test.cc, LstmOpContext2x1x2x2 (input 2, hidden 2,
 * X [2, 1, 2]) and the LSTMTest.ONNXRuntime_TestLSTM* cases built on it: peepholes, bidirectional, input
 * forget, clip, reverse, initial states, and other activations. Forward weights; bidirectional repeats
 * them for the reverse direction. */
static const float kOrtX[4] = {-0.455351f, -0.276391f, -0.185934f, -0.269585f};
static const float kOrtW[32] = {
    -0.494659f,  0.0453352f, -0.487793f, 0.417264f,  -0.0175329f, 0.489074f,  -0.446013f, 0.414029f,
    -0.0091708f, -0.255364f, -0.106952f, -0.266717f, -0.0888852f, -0.428709f, -0.283349f, 0.208792f,
    -0.494659f,  0.0453352f, -0.487793f, 0.417264f,  -0.0175329f, 0.489074f,  -0.446013f, 0.414029f,
    -0.0091708f, -0.255364f, -0.106952f, -0.266717f, -0.0888852f, -0.428709f, -0.283349f, 0.208792f};
static const float kOrtR[32] = {
    0.146626f,  -0.0620289f, -0.0815302f, 0.100482f, -0.219535f, -0.306635f, -0.28515f,  -0.314112f,
    -0.228172f, 0.405972f,   0.31576f,    0.281487f, -0.394864f, 0.42111f,   -0.386624f, -0.390225f,
    0.146626f,  -0.0620289f, -0.0815302f, 0.100482f, -0.219535f, -0.306635f, -0.28515f,  -0.314112f,
    -0.228172f, 0.405972f,   0.31576f,    0.281487f, -0.394864f, 0.42111f,   -0.386624f, -0.390225f};
static const float kOrtP[12] = {0.2345f, 0.5235f, 0.4378f, 0.3475f, 0.8927f, 0.3456f,
                                0.2345f, 0.5235f, 0.4378f, 0.3475f, 0.8927f, 0.3456f};
static const float kOrtB[32] = {
    0.381619f, 0.0323954f, -0.14449f, 0.420804f, -0.258721f, 0.45056f, -0.250755f, 0.0967895f,
    0,         0,          0,         0,         0,          0,        0,          0,
    0.381619f, 0.0323954f, -0.14449f, 0.420804f, -0.258721f, 0.45056f, -0.250755f, 0.0967895f,
    0,         0,          0,         0,         0,          0,        0,          0};

static rnn_case ort_lstm_case(er_rnn_direction direction, const float *y, const float *y_h,
                              const float *y_c) {
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 2, false),
                .x_dims = {2, 1, 2},
                .x = kOrtX,
                .w = kOrtW,
                .r = kOrtR,
                .b = kOrtB,
                .p = kOrtP,
                .y = y,
                .y_h = y_h,
                .y_c = y_c};
  c.attrs.direction = direction;
  return c;
}

static void test_lstm_peepholes_and_directions(void) {
  static const float y[4] = {-0.0251062475f, 0.0561261699f, -0.03277518f, 0.05935364f};
  static const float c_last[2] = {-0.0780206f, 0.098829f};
  rnn_case forward = ort_lstm_case(ER_RNN_FORWARD, y, y + 2, c_last);
  CHECK_OK(run_case(&forward));
  static const float back_y[4] = {-0.03189282f, 0.07626793f, -0.03068724f, 0.02803503f};
  static const float back_c[2] = {-0.07536839f, 0.12079399f};
  rnn_case reverse = ort_lstm_case(ER_RNN_REVERSE, back_y, back_y, back_c);
  CHECK_OK(run_case(&reverse));
  static const float both_y[8] = {-0.0251062f, 0.0561262f, -0.0318928f, 0.0762679f,
                                  -0.0327752f, 0.0593536f, -0.0306872f, 0.028035f};
  static const float both_h[4] = {-0.0327752f, 0.0593536f, -0.0318928f, 0.0762679f};
  static const float both_c[4] = {-0.0780206f, 0.098829f, -0.0753684f, 0.120794f};
  rnn_case both = ort_lstm_case(ER_RNN_BIDIRECTIONAL, both_y, both_h, both_c);
  CHECK_OK(run_case(&both));
  static const float nobias_y[4] = {0.04154162f, 0.01969122f, 0.05298181f, 0.0030589f};
  static const float nobias_c[2] = {0.11169686f, 0.00625722f};
  rnn_case nobias = ort_lstm_case(ER_RNN_FORWARD, nobias_y, nobias_y + 2, nobias_c);
  nobias.b = NULL;
  CHECK_OK(run_case(&nobias));
}

static void test_lstm_input_forget_and_clip(void) {
  static const float forget_y[4] = {-0.02510626f, 0.05612619f, -0.0314321f, 0.05087372f};
  static const float forget_c[2] = {-0.07474898f, 0.08480116f};
  rnn_case forget = ort_lstm_case(ER_RNN_FORWARD, forget_y, forget_y + 2, forget_c);
  forget.attrs.input_forget = true;
  forget.attrs.has_clip = true;
  forget.attrs.clip = 999.0f;
  CHECK_OK(run_case(&forget));
  static const float clip_y[4] = {-0.02280854f, 0.02744377f, -0.03516197f, 0.03875681f};
  static const float clip_c[2] = {-0.07415761f, 0.07395997f};
  rnn_case clipped = ort_lstm_case(ER_RNN_FORWARD, clip_y, clip_y + 2, clip_c);
  clipped.attrs.has_clip = true;
  clipped.attrs.clip = 0.1f;
  CHECK_OK(run_case(&clipped));
}

static void test_lstm_initial_state_and_activations(void) {
  static const float h0[2] = {0.34f, 0.72f}, c0[2] = {0.63f, 0.21f};
  static const float hidden_y[4] = {0.01797521f, -0.07104912f, -0.03174796f, -0.0152949f};
  static const float hidden_c[2] = {-0.07285583f, -0.02545788f};
  rnn_case hidden = ort_lstm_case(ER_RNN_FORWARD, hidden_y, hidden_y + 2, hidden_c);
  hidden.p = NULL;
  hidden.initial_h = h0;
  CHECK_OK(run_case(&hidden));
  static const float cell_y[4] = {0.12797015f, 0.0097284f, 0.02716939f, 0.01842997f};
  static const float cell_c[2] = {0.06408449f, 0.03139432f};
  rnn_case cell = ort_lstm_case(ER_RNN_FORWARD, cell_y, cell_y + 2, cell_c);
  cell.p = NULL;
  cell.initial_h = h0;
  cell.initial_c = c0;
  CHECK_OK(run_case(&cell));
  /* activations {tanh, sigmoid, tanh} */
  static const float act_y[4] = {-0.0660155f, 0.0351227f, -0.04236888f, 0.0177365f};
  static const float act_c[2] = {0.1624992f, 0.04672481f};
  rnn_case act = ort_lstm_case(ER_RNN_FORWARD, act_y, act_y + 2, act_c);
  act.p = NULL;
  act.attrs.acts[0][0].kind = ER_RNN_ACT_TANH;
  act.attrs.acts[0][1].kind = ER_RNN_ACT_SIGMOID;
  CHECK_OK(run_case(&act));
}

/* onnxruntime/test/providers/cpu/rnn/deep_cpu_lstm_op_test.cc, SimpleWeightsNoBiasTwoRows with sequence
 * lengths {1, 2} (LSTMTest.MixedSequenceLengths and MixedSequenceLengthsReverse): steps past a batch
 * entry's length give zeros in Y, its Y_h/Y_c stop at its last step, and reverse starts at its last step. */
static void test_lstm_mixed_sequence_lengths(void) {
  static const float x[4] = {1.f, 2.f, 10.f, 11.f};
  static const float w[12] = {0.1f, 0.2f, 0.3f, 0.4f, 1.f, 2.f, 3.f, 4.f, 10.f, 11.f, 12.f, 13.f};
  static const int32_t lens[2] = {1, 2};
  float r[36];
  for (int i = 0; i < 36; i++)
    r[i] = 0.1f;
  static const float fwd_y[12] = {0.28828835f, 0.36581863f, 0.45679406f, 0.34526032f,
                                  0.47220859f, 0.55850911f, 0.f,         0.f,
                                  0.f,         0.85882828f, 0.90703777f, 0.92382453f};
  static const float fwd_h[6] = {0.28828835f, 0.36581863f, 0.45679406f,
                                 0.85882828f, 0.90703777f, 0.92382453f};
  static const float fwd_c[6] = {0.52497941f, 0.54983425f, 0.5744428f, 1.3249796f, 1.51063104f, 1.61451544f};
  static const float rev_y[12] = {0.28828844f, 0.36581877f, 0.45679423f, 0.64046413f,
                                  0.82303363f, 0.91610711f, 0.f,         0.f,
                                  0.f,         0.62759886f, 0.71640738f, 0.74624585f};
  static const float rev_h[6] = {0.28828844f, 0.36581877f, 0.45679423f,
                                 0.64046413f, 0.82303363f, 0.91610711f};
  static const float rev_c[6] = {0.52497941f, 0.54983425f, 0.5744428f, 1.34960834f, 1.54772296f, 1.65633056f};
  rnn_case c = {.op = ER_OP_ONNX_LSTM,
                .attrs = default_attrs(ER_OP_ONNX_LSTM, 3, false),
                .x_dims = {2, 2, 1},
                .x = x,
                .w = w,
                .r = r,
                .lens = lens,
                .y = fwd_y,
                .y_h = fwd_h,
                .y_c = fwd_c};
  CHECK_OK(run_case(&c));
  c.attrs.direction = ER_RNN_REVERSE;
  c.y = rev_y, c.y_h = rev_h, c.y_c = rev_c;
  CHECK_OK(run_case(&c));
}

/* A one-unit RNN with f = identity (Affine 1, 0), W = 1, R = 1: h_t = x_t + h_{t-1}, a running sum, so the
 * expected values follow by hand. Batch 0 has length 3, batch 1 length 1. Forward: Y holds the prefix sums
 * and zeros past each length; reverse: the suffix sums of each batch's own sequence. Bidirectional gives
 * both, forward first. */
static void test_sequence_lens_and_directions(void) {
  static const float x[3 * 2] = {1, 10, 2, 20, 4, 40}; /* [seq 3, batch 2, input 1] */
  static const float w[2] = {1, 1}, r[2] = {1, 1};
  static const int32_t lens[2] = {3, 1};
  /* Y [seq, dirs, batch, 1] and Y_h [dirs, batch, 1] */
  static const float forward_y[6] = {1, 10, 3, 0, 7, 0}, forward_y_h[2] = {7, 10};
  static const float reverse_y[6] = {7, 10, 6, 0, 4, 0}, reverse_y_h[2] = {7, 10};
  static const float both_y[12] = {1, 10, 7, 10, 3, 0, 6, 0, 7, 0, 4, 0}, both_y_h[4] = {7, 10, 7, 10};
  static const struct {
    er_rnn_direction direction;
    const float *y, *y_h;
  } runs[3] = {{ER_RNN_FORWARD, forward_y, forward_y_h},
               {ER_RNN_REVERSE, reverse_y, reverse_y_h},
               {ER_RNN_BIDIRECTIONAL, both_y, both_y_h}};
  for (int k = 0; k < 3; k++) {
    rnn_case c = {.op = ER_OP_ONNX_RNN,
                  .attrs = default_attrs(ER_OP_ONNX_RNN, 1, false),
                  .x_dims = {3, 2, 1},
                  .x = x,
                  .w = w,
                  .r = r,
                  .lens = lens,
                  .y = runs[k].y,
                  .y_h = runs[k].y_h};
    c.attrs.direction = runs[k].direction;
    for (int d = 0; d < 2; d++)
      c.attrs.acts[d][0] = (er_rnn_act){ER_RNN_ACT_AFFINE, 1.0f, 0.0f};
    CHECK_OK(run_case(&c));
  }
}

/* Runs a one-unit RNN whose X has dtype x_type and W the shape w_dims; returns the status. */
static edgert_status run_one_unit(edgert_dtype x_type, const int64_t w_dims[3]) {
  static const float ones[4] = {1, 1, 1, 1};
  er_onnx_rnn_attrs a = default_attrs(ER_OP_ONNX_RNN, 1, false);
  th_graph *g = th_new();
  int x = th_tensor(g, x_type, 3, (int64_t[]){1, 1, 1}, NULL);
  int w = th_tensor(g, EDGERT_FLOAT32, 3, w_dims, ones);
  int r = th_tensor(g, EDGERT_FLOAT32, 3, (int64_t[]){1, 1, 1}, ones);
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL), y_h = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_ONNX_RNN, &a, sizeof a, 3, (int[]){x, w, r}, 2, (int[]){y, y_h});
  th_io(g, 1, (int[]){x}, 1, (int[]){y_h});
  edgert_status st = th_run(g, (const void *[]){ones});
  th_free(g);
  return st;
}

/* An int8 X, a W of the wrong shape and a sequence length beyond the sequence are refused. */
static void test_bad_inputs_refused(void) {
  CHECK(run_one_unit(EDGERT_FLOAT32, (int64_t[]){1, 1, 1}) == EDGERT_OK);
  CHECK(run_one_unit(EDGERT_INT8, (int64_t[]){1, 1, 1}) == EDGERT_ERR_UNSUPPORTED);
  CHECK(run_one_unit(EDGERT_FLOAT32, (int64_t[]){1, 2, 1}) == EDGERT_ERR_SHAPE);
  static const float one[1] = {1};
  static const int32_t long_lens[1] = {5};
  rnn_case c = {.op = ER_OP_ONNX_RNN,
                .attrs = default_attrs(ER_OP_ONNX_RNN, 1, false),
                .x_dims = {1, 1, 1},
                .x = one,
                .w = one,
                .r = one,
                .lens = long_lens,
                .y_h = one};
  CHECK(run_case(&c) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(test_simple_rnn_defaults);
  RUN(test_simple_rnn_with_initial_bias);
  RUN(test_rnn_seq_length);
  RUN(test_simple_rnn_batchwise);
  RUN(test_gru_defaults);
  RUN(test_gru_with_initial_bias);
  RUN(test_gru_seq_length);
  RUN(test_gru_batchwise);
  RUN(test_gru_bias_and_linear_before_reset);
  RUN(test_lstm_defaults);
  RUN(test_lstm_with_initial_bias);
  RUN(test_lstm_batchwise);
  RUN(test_lstm_with_peepholes);
  RUN(test_lstm_peepholes_and_directions);
  RUN(test_lstm_input_forget_and_clip);
  RUN(test_lstm_initial_state_and_activations);
  RUN(test_lstm_mixed_sequence_lengths);
  RUN(test_sequence_lens_and_directions);
  RUN(test_bad_inputs_refused);
}
