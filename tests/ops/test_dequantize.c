/* DEQUANTIZE against tensorflow/lite/micro/kernels/dequantize_test.cc: int8 and int16 with scale 0.5 and
 * zero point -1, uint8 with zero point 127; the dequantized outputs must equal the original values (they
 * are multiples of the scale, so float arithmetic is exact). */
#include "activation_test.h"

static const float kValues[10] = {-63.5, -63, -62.5, -62, -61.5, 62, 62.5, 63, 63.5, 64};

static void run_case(edgert_dtype type, int32_t zp) {
  int32_t qmin = type == EDGERT_UINT8 ? 0 : (type == EDGERT_INT8 ? -128 : -32768);
  int32_t qmax = type == EDGERT_UINT8 ? 255 : (type == EDGERT_INT8 ? 127 : 32767);
  int32_t q[10];
  unsigned char in[20];
  float out[10];
  tfl_quantize(kValues, 10, 0.5f, zp, qmin, qmax, q);
  if (type == EDGERT_INT8)
    to_i8(q, 10, (int8_t *)in);
  else if (type == EDGERT_UINT8)
    to_u8(q, 10, in);
  else
    to_i16(q, 10, (int16_t *)in);
  act_case c = {.op = ER_OP_DEQUANTIZE,
                .in_type = type,
                .out_type = EDGERT_FLOAT32,
                .ndim = 2,
                .dims = {5, 2},
                .in_scale = 0.5f,
                .in_zp = zp};
  CHECK_OK(act_run(&c, in, out, sizeof out));
  check_floats_near(out, kValues, 10, 0.0);
}

static void test_int8(void) { run_case(EDGERT_INT8, -1); }
static void test_int16(void) { run_case(EDGERT_INT16, -1); }
static void test_uint8(void) { run_case(EDGERT_UINT8, 127); }

/* A float input, and an int8 -> int8 "dequantize", are refused. */
static void test_bad_inputs_refused(void) {
  float in[4] = {0}, out[4];
  act_case c = {
      .op = ER_OP_DEQUANTIZE, .in_type = EDGERT_FLOAT32, .out_type = EDGERT_FLOAT32, .ndim = 1, .dims = {4}};
  CHECK(act_run(&c, in, out, sizeof out) == EDGERT_ERR_UNSUPPORTED);
  act_case c8 = {.op = ER_OP_DEQUANTIZE,
                 .in_type = EDGERT_INT8,
                 .out_type = EDGERT_INT8,
                 .ndim = 1,
                 .dims = {4},
                 .in_scale = 0.5f,
                 .out_scale = 0.5f};
  CHECK(act_run(&c8, in, out, 4) == EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(test_int8);
  RUN(test_int16);
  RUN(test_uint8);
  RUN(test_bad_inputs_refused);
}
