/* MUL kernel. Vectors from TensorFlow Lite Micro's tensorflow/lite/micro/kernels/mul_test.cc (float, int8,
 * compared exactly here, stricter than that test's one-step tolerance) and TensorFlow Lite's
 * tensorflow/lite/kernels/mul_test.cc (int32, int16, int8 mixed broadcast, within that test's
 * tolerances). */
#include "binary_test.h"
#include "core/attrs.h"

static void run_float(er_activation act, bt_tensor a, const float *x, bt_tensor b, const float *y, int n,
                      const float *want) {
  er_binary_attrs attrs = {.activation = act};
  float out[64];
  bt_tensor in[2] = {a, b};
  CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, in, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof(float) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], want[i], 1e-5);
}

static const float input1_simple[] = {-0.8f, 0.2f, 0.9f, 0.7f};
static const float input2_simple[] = {0.6f, 0.4f, 0.9f, 0.8f};
static const float golden_simple[] = {-0.48f, 0.08f, 0.81f, 0.56f};
static const float input1_broadcast[] = {-2.0f, 0.2f, 0.7f, 0.8f, 1.1f, 2.0f};
static const float golden_broadcast[] = {-0.2f, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f};

static void float_simple_and_relu(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 2, 2, 1)};
  run_float(ER_ACT_NONE, t, input1_simple, t, input2_simple, 4, golden_simple);
  run_float(ER_ACT_RELU, t, input1_simple, t, input2_simple, 4, (const float[]){0.0f, 0.08f, 0.81f, 0.56f});
}

static void float_scalar_broadcast_and_relu(void) {
  bt_tensor a = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 3, 1, 2)}, b = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1)};
  run_float(ER_ACT_NONE, a, input1_broadcast, b, (const float[]){0.1f}, 6, golden_broadcast);
  run_float(ER_ACT_RELU, a, input1_broadcast, b, (const float[]){0.1f}, 6,
            (const float[]){0, 0.02f, 0.07f, 0.08f, 0.11f, 0.2f});
}

static void int8_simple_and_broadcast_exact(void) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  int8_t a[6], b[6], out[6], want[6];
  /* simple: every scale 0.01, zero point 0 */
  bt_quantize_i8(input1_simple, 4, 0.01f, 0, a);
  bt_quantize_i8(input2_simple, 4, 0.01f, 0, b);
  bt_quantize_i8(golden_simple, 4, 0.01f, 0, want);
  bt_tensor t = {.dtype = EDGERT_INT8, BT_SHAPE(1, 2, 2, 1), .scale = 0.01f};
  CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){t, t}, (const void *[]){a, b},
                  (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.01f}, out, 4));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
  /* broadcast: inputs 0.05, output 0.01 */
  bt_quantize_i8(input1_broadcast, 6, 0.05f, 0, a);
  bt_quantize_i8((const float[]){0.1f}, 1, 0.05f, 0, b);
  bt_quantize_i8(golden_broadcast, 6, 0.01f, 0, want);
  bt_tensor ta = {.dtype = EDGERT_INT8, BT_SHAPE(1, 3, 1, 2), .scale = 0.05f};
  bt_tensor tb = {.dtype = EDGERT_INT8, BT_SHAPE(1), .scale = 0.05f};
  CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){ta, tb}, (const void *[]){a, b},
                  (bt_tensor){.dtype = EDGERT_INT8, .ndim = -1, .scale = 0.01f}, out, 6));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

/* mul_test.cc QuantizedWithMixedBroadcast (int8, range [-3, 3], tolerance two steps), both input orders. */
static void int8_mixed_broadcast(void) {
  static const int64_t shapes[4][4] = {{1, 1, 3, 2}, {1, 3, 1, 2}, {2, 1, 3, 1}, {2, 3, 1, 1}};
  static const int counts[4] = {36, 12, 36, 12};
  static const float goldens[4][36] = {
      {-0.06f, 0.69f,  0.12f,  1.15f,  -0.30f, 2.07f,  0.18f, 0.15f,  -0.36f, 0.25f,  0.90f, 0.45f,
       0.16f,  -0.33f, -0.32f, -0.55f, 0.80f,  -0.99f, 0.24f, 0.84f,  -0.48f, 1.40f,  1.20f, 2.52f,
       -0.32f, 0.00f,  0.64f,  0.00f,  -1.60f, 0.00f,  0.14f, -0.66f, -0.28f, -1.10f, 0.70f, -1.98f},
      {-0.06f, 0.69f, -0.36f, 0.25f, 0.80f, -0.99f, 0.24f, 0.84f, 0.64f, 0.00f, 0.70f, -1.98f},
      {-0.06f, 0.46f,  -0.09f, 0.69f,  0.12f,  -0.92f, 0.18f, 0.10f,  0.27f, 0.15f,  -0.36f, -0.20f,
       0.16f,  -0.22f, 0.24f,  -0.33f, -0.32f, 0.44f,  0.60f, 1.40f,  1.20f, 2.80f,  1.08f,  2.52f,
       -0.80f, 0.00f,  -1.60f, 0.00f,  -1.44f, 0.00f,  0.35f, -1.10f, 0.70f, -2.20f, 0.63f,  -1.98f},
      {-0.06f, 0.46f, 0.27f, 0.15f, -0.32f, 0.44f, 0.60f, 1.40f, -1.60f, 0.00f, 0.63f, -1.98f}};
  const float base[12] = {-0.3f, 2.3f, 0.9f, 0.5f, 0.8f, -1.1f, 1.2f, 2.8f, -1.6f, 0.0f, 0.7f, -2.2f};
  const float other[6] = {0.2f, 0.3f, -0.4f, 0.5f, 1.0f, 0.9f};
  const float scale = 6.0f / 255.0f;
  int8_t qbase[12], qother[6], out[36];
  bt_quantize_i8(base, 12, scale, 0, qbase);
  bt_quantize_i8(other, 6, scale, 0, qother);
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  for (int s = 0; s < 4; s++) {
    bt_tensor tbase = {.dtype = EDGERT_INT8, BT_SHAPE(2, 3, 1, 2), .scale = scale};
    bt_tensor tother = {.dtype = EDGERT_INT8, .ndim = 4, .scale = scale};
    for (int d = 0; d < 4; d++)
      tother.dims[d] = shapes[s][d];
    bt_tensor out_t = {.dtype = EDGERT_INT8, .ndim = -1, .scale = scale};
    for (int swap = 0; swap < 2; swap++) {
      bt_tensor in[2] = {swap ? tother : tbase, swap ? tbase : tother};
      const void *data[2] = {swap ? (const void *)qother : qbase, swap ? (const void *)qbase : qother};
      CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, in, data, out_t, out, (size_t)counts[s]));
      for (int i = 0; i < counts[s]; i++)
        CHECK_NEAR(out[i] * scale, goldens[s][i], 2.0 * scale);
    }
  }
}

/* mul_test.cc NoActivationInt16 and NoActivationInt16Scaled: ranges [-k, k * 32767/32768] give scales
 * k / 32768 with zero point 0. */
static void int16_unscaled_and_scaled(void) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  const float step = 1.0f / 32768.0f;
  int16_t a[6], b[6], out[6];
  bt_quantize_i16(input1_simple, 4, step, 0, a);
  bt_quantize_i16(input2_simple, 4, step, 0, b);
  bt_tensor t = {.dtype = EDGERT_INT16, BT_SHAPE(1, 2, 2, 1), .scale = step};
  CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){t, t}, (const void *[]){a, b},
                  (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1, .scale = step}, out, 8));
  /* the test's kQuantizedStepInt16 is 2 / 32767 */
  const double tstep = 2.0 / 32767.0;
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(out[i] * step, golden_simple[i], 2.0 * tstep + tstep * tstep);

  const float x[6] = {-1.8f, 0.2f, 0.9f, 1.7f, 0.1f, -1.95f}, y[6] = {3.6f, -3.4f, 3.9f, 0.8f, -1.0f, -3.95f};
  const float want[6] = {-6.48f, -0.68f, 3.51f, 1.36f, -0.1f, 7.7025f};
  bt_quantize_i16(x, 6, 2 * step, 0, a);
  bt_quantize_i16(y, 6, 4 * step, 0, b);
  bt_tensor ta = {.dtype = EDGERT_INT16, BT_SHAPE(1, 2, 3, 1), .scale = 2 * step};
  bt_tensor tb = {.dtype = EDGERT_INT16, BT_SHAPE(1, 2, 3, 1), .scale = 4 * step};
  CHECK_OK(bt_run(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){ta, tb}, (const void *[]){a, b},
                  (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1, .scale = 16 * step}, out, 12));
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(out[i] * 16 * step, want[i], 6.0 * tstep + tstep * tstep);
}

/* mul_test.cc IntegerMulOpTest NoActivation / ActivationRELU_N1_TO_1, on int32 and int64. */
static void int32_and_int64(void) {
  er_binary_attrs none = {.activation = ER_ACT_NONE}, relu1 = {.activation = ER_ACT_RELU_N1_TO_1};
  bt_tensor t32 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)};
  int32_t out[4];
  const void *data32[2] = {(const int32_t[]){-20, 2, 7, 8}, (const int32_t[]){1, 2, 3, 5}};
  CHECK_OK(bt_run(ER_OP_MUL, &none, sizeof none, 2, (bt_tensor[]){t32, t32}, data32,
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t want[4] = {-20, 4, 21, 40};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
  CHECK_OK(bt_run(ER_OP_MUL, &relu1, sizeof relu1, 2, (bt_tensor[]){t32, t32}, data32,
                  (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out));
  const int32_t want_relu1[4] = {-1, 1, 1, 1};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want_relu1[i]);
  bt_tensor t64 = {.dtype = EDGERT_INT64, BT_SHAPE(1, 2, 2, 1)};
  int64_t out64[4];
  CHECK_OK(bt_run(ER_OP_MUL, &none, sizeof none, 2, (bt_tensor[]){t64, t64},
                  (const void *[]){(const int64_t[]){-20, 2, 7, 8}, (const int64_t[]){1, 2, 3, 5}},
                  (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, out64, sizeof out64));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out64[i], want[i]);
}

static void rejects_int16_zero_point_and_bool(void) {
  er_binary_attrs attrs = {.activation = ER_ACT_NONE};
  int16_t x[4] = {0}, out[4];
  bt_tensor t = {.dtype = EDGERT_INT16, BT_SHAPE(4), .scale = 0.5f, .zero_point = 3};
  edgert_status st =
      bt_run_ex(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){t, t}, (const void *[]){x, x},
                (bt_tensor){.dtype = EDGERT_INT16, .ndim = -1, .scale = 0.5f}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
  bool flags[4] = {0};
  bt_tensor tb = {.dtype = EDGERT_BOOL, BT_SHAPE(4)};
  st = bt_run_ex(ER_OP_MUL, &attrs, sizeof attrs, 2, (bt_tensor[]){tb, tb}, (const void *[]){flags, flags},
                 (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, out, 4, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* ONNX's plain dtypes: uint8 from the ONNX 1.12 node test test_mul_uint8 (first values), wrapping modulo
 * 256 as numpy does; float64 products are exact here. */
static void onnx_uint8_and_float64(void) {
  bt_tensor t = {.dtype = EDGERT_UINT8, BT_SHAPE(4)};
  const uint8_t x[] = {3, 10, 16, 200}, y[] = {7, 2, 16, 2}, want[] = {21, 20, 0, 144};
  uint8_t out[4];
  CHECK_OK(bt_run(ER_OP_MUL, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_UINT8, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
  bt_tensor d = {.dtype = EDGERT_FLOAT64, BT_SHAPE(2)};
  const double xd[] = {1.5, -2}, yd[] = {4, 0.25};
  double outd[2];
  CHECK_OK(bt_run(ER_OP_MUL, NULL, 0, 2, (bt_tensor[]){d, d}, (const void *[]){xd, yd},
                  (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, outd, sizeof outd));
  CHECK_NEAR(outd[0], 6, 0);
  CHECK_NEAR(outd[1], -0.5, 0);
}

void run_tests(void) {
  RUN(float_simple_and_relu);
  RUN(float_scalar_broadcast_and_relu);
  RUN(int8_simple_and_broadcast_exact);
  RUN(int8_mixed_broadcast);
  RUN(int16_unscaled_and_scaled);
  RUN(int32_and_int64);
  RUN(rejects_int16_zero_point_and_bool);
  RUN(onnx_uint8_and_float64);
}
