/* QUANTIZE against outside results, compared exactly:
 *   tensorflow/lite/micro/kernels/quantize_test.cc  (float -> int16 with and without scale; requantize
 *     int16->int16, int8->int8 (with and without zero point), int16->int8 (two cases), int8->int32,
 *     int16->int32. Goldens there are round(value / scale) + zero point of the test's float values.)
 *   shared/fixtures/tflite-micro/seanet/quantize    (int32 -> int16 and int16 -> int32 models made by
 *     TensorFlow, with golden outputs). */
#include "activation_test.h"
#include "core/quant.h"

typedef struct {
  const char *name;
  edgert_dtype in_type, out_type; /* FLOAT32 input: a float -> int quantization */
  float values[10];
  float in_scale;
  int32_t in_zp;
  float out_scale;
  int32_t out_zp;
} quantize_case;

static const quantize_case kCases[] = {
    {"Int16",
     EDGERT_FLOAT32,
     EDGERT_INT16,
     {-63.5, -63, -62.5, -62, -61.5, 62, 62.5, 63, 63.5, 64},
     0,
     0,
     0.5f,
     -1},
    {"Int16NoScale",
     EDGERT_FLOAT32,
     EDGERT_INT16,
     {-128, -127, -126, -125, -124, 123, 124, 125, 126, 127},
     0,
     0,
     1.0f,
     0},
    {"Int16toInt16",
     EDGERT_INT16,
     EDGERT_INT16,
     {-64, -62, -60, -58, -56, 54, 56, 58, 60, 62},
     2.0f,
     0,
     0.5f,
     32},
    {"Int16toInt16NoZeroPoint",
     EDGERT_INT16,
     EDGERT_INT16,
     {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31},
     1.0f,
     0,
     0.5f,
     0},
    {"Int8toInt8",
     EDGERT_INT8,
     EDGERT_INT8,
     {-64, -62, -60, -58, -56, 54, 56, 58, 60, 62},
     2.0f,
     0,
     0.5f,
     32},
    {"Int8toInt8NoZeroPoint",
     EDGERT_INT8,
     EDGERT_INT8,
     {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31},
     1.0f,
     0,
     0.5f,
     0},
    {"Int16toInt8",
     EDGERT_INT16,
     EDGERT_INT8,
     {-64, -62, -60, -58, -56, 54, 56, 58, 60, 62},
     2.0f,
     0,
     0.5f,
     0},
    {"Int8toInt32",
     EDGERT_INT8,
     EDGERT_INT32,
     {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31},
     1.0f,
     0,
     0.5f,
     0},
    {"Int16toInt32",
     EDGERT_INT16,
     EDGERT_INT32,
     {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31},
     1.0f,
     0,
     0.5f,
     0},
    {"Int16toInt8 (scale 0.4)",
     EDGERT_INT16,
     EDGERT_INT8,
     {-32, -31, -30, -29, -28, 27, 28, 29, 30, 31},
     0.4f,
     0,
     1.0f,
     0},
};

static void store(edgert_dtype t, const int32_t *v, int n, void *out) {
  for (int i = 0; i < n; i++) {
    if (t == EDGERT_INT8)
      ((int8_t *)out)[i] = (int8_t)v[i];
    else if (t == EDGERT_INT16)
      ((int16_t *)out)[i] = (int16_t)v[i];
    else
      ((int32_t *)out)[i] = v[i];
  }
}

static void test_micro_cases(void) {
  for (size_t k = 0; k < sizeof kCases / sizeof kCases[0]; k++) {
    const quantize_case *c = &kCases[k];
    int32_t qmin, qmax, in_q[10], golden[10];
    unsigned char in[40], out[40];
    if (c->in_type == EDGERT_FLOAT32) {
      memcpy(in, c->values, sizeof c->values);
    } else {
      er_dtype_range(c->in_type, &qmin, &qmax);
      tfl_quantize(c->values, 10, c->in_scale, c->in_zp, qmin, qmax, in_q);
      store(c->in_type, in_q, 10, in);
    }
    er_dtype_range(c->out_type, &qmin, &qmax);
    tfl_quantize(c->values, 10, c->out_scale, c->out_zp, qmin, qmax, golden);
    act_case a = {.op = ER_OP_QUANTIZE,
                  .in_type = c->in_type,
                  .out_type = c->out_type,
                  .ndim = 2,
                  .dims = {2, 5},
                  .in_scale = c->in_scale,
                  .in_zp = c->in_zp,
                  .out_scale = c->out_scale,
                  .out_zp = c->out_zp};
    size_t out_bytes = 10 * edgert_dtype_size(c->out_type);
    CHECK_MSG(act_run(&a, in, out, out_bytes) == EDGERT_OK, "%s", c->name);
    for (int i = 0; i < 10; i++) {
      int64_t got = c->out_type == EDGERT_INT8    ? ((int8_t *)out)[i]
                    : c->out_type == EDGERT_INT16 ? ((int16_t *)out)[i]
                                                  : ((int32_t *)out)[i];
      CHECK_MSG(got == golden[i], "%s: element %d is %lld, want %d", c->name, i, (long long)got,
                (int)golden[i]);
    }
  }
}

static void test_seanet_models_match_golden(void) {
  CHECK_EQ_INT(check_model_golden("seanet/quantize/quantize0.tflite",
                                  "seanet/quantize/quantize0_input0_int32.csv",
                                  "seanet/quantize/quantize0_golden_int16.csv"),
               0);
  CHECK_EQ_INT(check_model_golden("seanet/quantize/quantize1.tflite",
                                  "seanet/quantize/quantize1_input0_int16.csv",
                                  "seanet/quantize/quantize1_golden_int32.csv"),
               0);
}

/* float -> int32, a bool input, and a float -> int8 output without a scale are refused. */
static void test_bad_inputs_refused(void) {
  float in[4] = {0};
  int32_t out[4];
  act_case to_int32 = {.op = ER_OP_QUANTIZE,
                       .in_type = EDGERT_FLOAT32,
                       .out_type = EDGERT_INT32,
                       .ndim = 1,
                       .dims = {4},
                       .out_scale = 1.0f};
  CHECK(act_run(&to_int32, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case from_bool = {.op = ER_OP_QUANTIZE,
                        .in_type = EDGERT_BOOL,
                        .out_type = EDGERT_INT8,
                        .ndim = 1,
                        .dims = {4},
                        .out_scale = 1.0f};
  CHECK(act_run(&from_bool, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
  act_case no_scale = {
      .op = ER_OP_QUANTIZE, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_INT8, .ndim = 1, .dims = {4}};
  CHECK(act_run(&no_scale, in, out, 4) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_micro_cases);
  RUN(test_seanet_models_match_golden);
  RUN(test_bad_inputs_refused);
}
