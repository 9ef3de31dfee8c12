/* SVDF kernel tests. Vectors are ported from TensorFlow Lite Micro's
 * tensorflow/lite/micro/kernels/svdf_test.cc (the 2x2x10 case: batch 2, 4 units, input size 2, memory
 * 10, rank 2, run over 10 consecutive inputs so the recurrent state is exercised). As there, the
 * integer cases quantize the float inputs, weights and goldens with the test's scales and accept an
 * output within one quantization step of the quantized golden; float is checked within 1e-5. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrs.h"
#include "op_harness.h"

enum { BATCH = 2, UNITS = 4, INPUT = 2, MEMORY = 10, RANK = 2, FILTERS = UNITS * RANK, STEPS = 10 };

static const float input_2x2x10[STEPS * BATCH * INPUT] = {
    0.12609188,  -0.46347019, 0.35867718,  0.36897406,  0.14278367,  -1.64410412, -0.57290924, 0.12729003,
    0.49837467,  0.19278903,  0.17660543,  0.52949083,  -0.11186574, 0.13164264,  -0.72674477, -0.5683046,
    -0.68892461, 0.37783599,  -0.63690937, 0.44483393,  -0.81299269, -0.86831826, -0.95760226, 1.82078898,
    -1.45006323, -0.82251364, -1.65087092, -1.89238167, 0.03966608,  -0.24936394, 2.06740379,  -1.51439476,
    0.11771342,  -0.23761693, 0.31088525,  -1.55601168, -0.89477462, 1.67204106,  -0.6230064,  0.29819036,
};

static const float feature_weights_2x2x10[FILTERS * INPUT] = {
    -0.31930989, 0.0079667,   0.39296314,  0.37613347, 0.12416199,  0.15785322, 0.27901134,  0.3905206,
    0.21931258,  -0.36137494, -0.10640851, 0.31053296, -0.36118156, -0.0976817, -0.36916667, 0.22197971};

static const float time_weights_2x2x10[FILTERS * MEMORY] = {
    -0.31930989, 0.37613347,  0.27901134,  -0.36137494, -0.36118156, 0.22197971,  0.27557442,  -0.06634006,
    0.0079667,   0.12416199,  0.3905206,   -0.10640851, -0.0976817,  0.15294972,  0.39635518,  -0.02702999,
    0.39296314,  0.15785322,  0.21931258,  0.31053296,  -0.36916667, 0.38031587,  -0.21580373, 0.27072677,
    0.23622236,  0.34936687,  0.18174365,  0.35907319,  -0.17493086, 0.324846,    -0.10781813, 0.27201805,
    0.14324132,  -0.23681851, -0.27115166, -0.01580888, -0.14943552, 0.15465137,  0.09784451,  -0.0337657,
    -0.14884081, 0.19931212,  -0.36002168, 0.34663299,  -0.11405486, 0.12672701,  0.39463779,  -0.07886535,
    -0.06384811, 0.08249187,  -0.26816407, -0.19905911, 0.29211238,  0.31264046,  -0.28664589, 0.05698794,
    0.11613581,  0.14078894,  0.02187902,  -0.21781836, -0.15567942, 0.08693647,  -0.38256618, 0.36580828,
    -0.22922277, -0.0226903,  0.12878349,  -0.28122205, -0.10850525, -0.11955214, 0.27179423,  -0.04710215,
    0.31069002,  0.22672787,  0.09580326,  0.08682203,  0.1258215,   0.1851041,   0.29228821,  0.12366763};

static const float golden_2x2x10[STEPS * BATCH * UNITS] = {
    -0.044205, -0.013757, 0.050369,  -0.018447, 0.073010,  0.025142,  -0.021154, 0.013551,  -0.209613,
    -0.062421, 0.150209,  -0.108334, 0.028256,  -0.006950, -0.030885, 0.009603,  -0.076800, -0.037075,
    -0.087198, -0.155183, 0.091069,  0.098446,  -0.016083, 0.106475,  -0.082123, -0.162238, -0.084434,
    -0.141074, -0.029340, -0.090685, 0.053302,  -0.030604, -0.201440, 0.088424,  0.139877,  0.012416,
    -0.113212, 0.103893,  -0.100842, 0.122780,  -0.166632, -0.116705, 0.175298,  -0.047163, 0.313077,
    -0.166485, -0.285860, 0.129069,  -0.625911, 0.046134,  0.138081,  -0.129581, -0.521455, -0.061579,
    0.230289,  0.114963,  -0.216693, -0.161643, -0.179177, -0.052599, -0.213239, 0.029502,  0.260858,
    0.275045,  -0.213689, -0.323608, -0.285635, -0.317687, -0.324092, -0.317972, -0.208450, -0.462504,
    -0.255126, -0.218576, -0.041528, 0.179421,  -0.440583, 0.072127,  -0.284136, 0.241570};

/* TFLM test_helpers FloatToQuantizedType: round(value / scale) + zero point, clamped to the type. */
static int32_t quantize(float value, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  int32_t q = (int32_t)roundf(value / scale) + zero_point;
  return q < lo ? lo : (q > hi ? hi : q);
}

static void quantize_i8(const float *v, int n, float scale, int32_t zp, int8_t *out) {
  for (int i = 0; i < n; i++)
    out[i] = (int8_t)quantize(v[i], scale, zp, INT8_MIN, INT8_MAX);
}

static void quantize_i16(const float *v, int n, float scale, int16_t *out) {
  for (int i = 0; i < n; i++)
    out[i] = (int16_t)quantize(v[i], scale, 0, INT16_MIN, INT16_MAX);
}

/* Ids of the SVDF graph's tensors, built by add_svdf. */
typedef struct {
  int input, feature, time, bias, state, output;
} svdf_ids;

static svdf_ids add_svdf(th_graph *g, edgert_dtype act_t, edgert_dtype state_t, const void *feature,
                         const void *time, const void *bias, edgert_dtype bias_t, er_activation act) {
  svdf_ids id;
  id.input = th_tensor(g, act_t, 2, (int64_t[]){BATCH, INPUT}, NULL);
  id.feature = th_tensor(g, act_t, 2, (int64_t[]){FILTERS, INPUT}, feature);
  id.time = th_tensor(g, state_t, 2, (int64_t[]){FILTERS, MEMORY}, time);
  id.bias = th_tensor(g, bias_t, 1, (int64_t[]){UNITS}, bias);
  id.state = th_tensor(g, state_t, 2, (int64_t[]){BATCH, MEMORY * FILTERS}, NULL);
  th_variable(g, id.state);
  id.output = th_tensor(g, act_t, 2, (int64_t[]){BATCH, UNITS}, NULL);
  er_svdf_attrs attrs = {.rank = RANK, .activation = act};
  th_node(g, ER_OP_SVDF, &attrs, sizeof attrs, 5, (int[]){id.input, id.feature, id.time, id.bias, id.state},
          1, (int[]){id.output});
  th_io(g, 1, (int[]){id.input}, 1, (int[]){id.output});
  return id;
}

static void svdf_float_2x2x10_matches_tflm_golden(void) {
  th_graph *g = th_new();
  const float bias[UNITS] = {0};
  add_svdf(g, EDGERT_FLOAT32, EDGERT_FLOAT32, feature_weights_2x2x10, time_weights_2x2x10, bias,
           EDGERT_FLOAT32, ER_ACT_NONE);
  for (int step = 0; step < STEPS; step++) {
    edgert_status st = th_run(g, (const void *[]){input_2x2x10 + step * BATCH * INPUT});
    CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
    if (st != EDGERT_OK) break;
    const float *y = th_output(g, 0);
    for (int i = 0; i < BATCH * UNITS; i++)
      CHECK_NEAR(y[i], golden_2x2x10[step * BATCH * UNITS + i], 1e-5);
  }
  th_free(g);
}

/* TFLM's SvdfQuantized2x2Input2x4OutputShouldMatchGolden<T>: state and time weights of type T. */
static void run_quantized_2x2x10(bool state_int16) {
  /* As TFLM: the scale divisions are done in double, then stored as float. */
  const double state_max = state_int16 ? 32767.0 : 127.0;
  const float input_scale = (float)(2.5 / 127.0), feature_scale = (float)(1.0 / 127.0);
  const float output_scale = (float)(1.0 / 127.0);
  const float time_scale = (float)(1.0 / state_max), state_scale = (float)(1.49 / state_max);
  int8_t feature[FILTERS * INPUT];
  quantize_i8(feature_weights_2x2x10, FILTERS * INPUT, feature_scale, 0, feature);
  int16_t time16[FILTERS * MEMORY];
  int8_t time8[FILTERS * MEMORY];
  quantize_i16(time_weights_2x2x10, FILTERS * MEMORY, time_scale, time16);
  quantize_i8(time_weights_2x2x10, FILTERS * MEMORY, time_scale, 0, time8);
  const int32_t bias[UNITS] = {0};

  th_graph *g = th_new();
  svdf_ids id =
      add_svdf(g, EDGERT_INT8, state_int16 ? EDGERT_INT16 : EDGERT_INT8, feature,
               state_int16 ? (const void *)time16 : (const void *)time8, bias, EDGERT_INT32, ER_ACT_RELU);
  th_quant(g, id.input, input_scale, 0);
  th_quant(g, id.feature, feature_scale, 0);
  th_quant(g, id.time, time_scale, 0);
  th_quant(g, id.bias, time_scale * state_scale, 0);
  th_quant(g, id.state, state_scale, 0);
  th_quant(g, id.output, output_scale, 0);
  for (int step = 0; step < STEPS; step++) {
    int8_t x[BATCH * INPUT];
    quantize_i8(input_2x2x10 + step * BATCH * INPUT, BATCH * INPUT, input_scale, 0, x);
    edgert_status st = th_run(g, (const void *[]){x});
    CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
    if (st != EDGERT_OK) break;
    const int8_t *y = th_output(g, 0);
    int8_t want[BATCH * UNITS];
    quantize_i8(golden_2x2x10 + step * BATCH * UNITS, BATCH * UNITS, output_scale, 0, want);
    for (int i = 0; i < BATCH * UNITS; i++)
      CHECK_MSG(abs(y[i] - want[i]) <= 1, "step %d [%d]: %d vs %d", step, i, y[i], want[i]);
  }
  th_free(g);
}

static void svdf_int8_int16_state_matches_tflm_golden(void) { run_quantized_2x2x10(true); }
static void svdf_int8_int8_state_matches_tflm_golden(void) { run_quantized_2x2x10(false); }

static void svdf_rejects_int16_input(void) {
  th_graph *g = th_new();
  const int16_t zeros16[FILTERS * MEMORY] = {0};
  const int32_t bias[UNITS] = {0};
  svdf_ids id = add_svdf(g, EDGERT_INT16, EDGERT_INT16, zeros16, zeros16, bias, EDGERT_INT32, ER_ACT_NONE);
  for (int t = 0; t <= id.output; t++)
    th_quant(g, t, 0.5f, 0);
  int16_t x[BATCH * INPUT] = {0};
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK(st == EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(th_error(g), "SVDF") != NULL);
  th_free(g);
}

static void svdf_rejects_rank_not_dividing_filters(void) {
  th_graph *g = th_new();
  const float zeros[FILTERS * MEMORY] = {0};
  int in = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, INPUT}, NULL);
  int wf = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){FILTERS, INPUT}, zeros);
  int wt = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){FILTERS, MEMORY}, zeros);
  int state = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, MEMORY * FILTERS}, NULL);
  th_variable(g, state);
  int out = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  er_svdf_attrs attrs = {.rank = 3, .activation = ER_ACT_NONE};
  th_node(g, ER_OP_SVDF, &attrs, sizeof attrs, 5, (int[]){in, wf, wt, -1, state}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  float x[BATCH * INPUT] = {0};
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK_MSG(st == EDGERT_ERR_SHAPE, "status %d: %s", (int)st, th_error(g));
  th_free(g);
}

/* Hybrid: the 2x2x10 data above with both weight tensors quantized to int8 per tensor (scale max|w| / 127,
 * as tensorflow/lite/kernels/svdf_test.cc's HybridSVDFOpModel quantizes them), float input, state and
 * output, checked against the float goldens as that test does, here within 0.005. */
static float quantize_int8_weights(const float *w, int n, int8_t *q) {
  float max = 0.0f;
  for (int i = 0; i < n; i++)
    max = fabsf(w[i]) > max ? fabsf(w[i]) : max;
  const float scale = max / 127.0f;
  for (int i = 0; i < n; i++)
    q[i] = (int8_t)lroundf(w[i] / scale);
  return scale;
}

static void run_hybrid_2x2x10(bool asymmetric) {
  int8_t feature[FILTERS * INPUT], time[FILTERS * MEMORY];
  const float feature_scale = quantize_int8_weights(feature_weights_2x2x10, FILTERS * INPUT, feature);
  const float time_scale = quantize_int8_weights(time_weights_2x2x10, FILTERS * MEMORY, time);
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, INPUT}, NULL);
  int wf = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){FILTERS, INPUT}, feature);
  th_quant(g, wf, feature_scale, 0);
  int wt = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){FILTERS, MEMORY}, time);
  th_quant(g, wt, time_scale, 0);
  int state = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, MEMORY * FILTERS}, NULL);
  th_variable(g, state);
  int out = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, UNITS}, NULL);
  er_svdf_attrs attrs = {.rank = RANK, .activation = ER_ACT_NONE, .asymmetric_quantize_inputs = asymmetric};
  th_node(g, ER_OP_SVDF, &attrs, sizeof attrs, 5, (int[]){in, wf, wt, -1, state}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  for (int step = 0; step < STEPS; step++) {
    edgert_status st = th_run(g, (const void *[]){input_2x2x10 + step * BATCH * INPUT});
    CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
    if (st != EDGERT_OK) break;
    const float *y = th_output(g, 0);
    for (int i = 0; i < BATCH * UNITS; i++)
      CHECK_NEAR(y[i], golden_2x2x10[step * BATCH * UNITS + i], 0.005);
  }
  th_free(g);
}

static void svdf_hybrid_symmetric_matches_float_golden(void) { run_hybrid_2x2x10(false); }

static void svdf_hybrid_asymmetric_matches_float_golden(void) { run_hybrid_2x2x10(true); }

/* Hybrid SVDF keeps its state in float: an int16 state with int8 feature weights on float input is refused.
 */
static void svdf_hybrid_rejects_integer_state(void) {
  th_graph *g = th_new();
  static const int8_t zeros[FILTERS * MEMORY] = {0};
  int in = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){BATCH, INPUT}, NULL);
  int wf = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){FILTERS, INPUT}, zeros);
  th_quant(g, wf, 0.1f, 0);
  int wt = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){FILTERS, MEMORY}, zeros);
  th_quant(g, wt, 0.1f, 0);
  int state = th_tensor(g, EDGERT_INT16, 2, (int64_t[]){BATCH, MEMORY * FILTERS}, NULL);
  th_quant(g, state, 0.1f, 0);
  th_variable(g, state);
  int out = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  er_svdf_attrs attrs = {.rank = RANK, .activation = ER_ACT_NONE};
  th_node(g, ER_OP_SVDF, &attrs, sizeof attrs, 5, (int[]){in, wf, wt, -1, state}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  float x[BATCH * INPUT] = {0};
  edgert_status st = th_run(g, (const void *[]){x});
  CHECK_MSG(st == EDGERT_ERR_UNSUPPORTED, "status %d: %s", (int)st, th_error(g));
  th_free(g);
}

void run_tests(void) {
  RUN(svdf_hybrid_symmetric_matches_float_golden);
  RUN(svdf_hybrid_asymmetric_matches_float_golden);
  RUN(svdf_hybrid_rejects_integer_state);
  RUN(svdf_float_2x2x10_matches_tflm_golden);
  RUN(svdf_int8_int16_state_matches_tflm_golden);
  RUN(svdf_int8_int8_state_matches_tflm_golden);
  RUN(svdf_rejects_int16_input);
  RUN(svdf_rejects_rank_not_dividing_filters);
}
