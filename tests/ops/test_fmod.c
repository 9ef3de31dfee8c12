/* FMOD (ONNX Mod with fmod = 1). Vectors from the ONNX 1.12 backend node tests
 * (onnx/backend/test/case/node/mod.py: test_mod_mixed_sign_float32, test_mod_mixed_sign_float64 and
 * test_mod_mixed_sign_int64 with fmod = 1, whose expected values are numpy's fmod). */
#include "binary_test.h"

static void float32_and_float64_mixed_signs(void) {
  bt_tensor t = {.dtype = EDGERT_FLOAT32, BT_SHAPE(6)};
  const float x[] = {-4.3f, 7.2f, 5.0f, 4.3f, -7.2f, 8.0f}, y[] = {2.1f, -3.4f, 8.0f, -2.1f, 3.4f, 5.0f};
  const float want[] = {-0.10000038f, 0.39999962f, 5.0f, 0.10000038f, -0.39999962f, 3.0f};
  float out[6];
  CHECK_OK(bt_run(ER_OP_FMOD, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(out[i], want[i], 1e-6);
  bt_tensor d = {.dtype = EDGERT_FLOAT64, BT_SHAPE(6)};
  const double xd[] = {-4.3, 7.2, 5.0, 4.3, -7.2, 8.0}, yd[] = {2.1, -3.4, 8.0, -2.1, 3.4, 5.0};
  const double wantd[] = {-0.1, 0.4, 5.0, 0.1, -0.4, 3.0};
  double outd[6];
  CHECK_OK(bt_run(ER_OP_FMOD, NULL, 0, 2, (bt_tensor[]){d, d}, (const void *[]){xd, yd},
                  (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, outd, sizeof outd));
  for (int i = 0; i < 6; i++)
    CHECK_NEAR(outd[i], wantd[i], 1e-12);
}

static void int64_sign_follows_dividend(void) {
  bt_tensor t = {.dtype = EDGERT_INT64, BT_SHAPE(6)};
  const int64_t x[] = {-4, 7, 5, 4, -7, 8}, y[] = {2, -3, 8, -2, 3, 5};
  const int64_t want[] = {0, 1, 5, 0, -1, 3};
  int64_t out[6];
  CHECK_OK(bt_run(ER_OP_FMOD, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                  (bt_tensor){.dtype = EDGERT_INT64, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 6; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

static void integer_zero_divisor_fails(void) {
  bt_tensor t = {.dtype = EDGERT_INT32, BT_SHAPE(2)};
  const int32_t x[] = {1, 2}, y[] = {1, 0};
  int32_t out[2];
  edgert_status st = bt_run_ex(ER_OP_FMOD, NULL, 0, 2, (bt_tensor[]){t, t}, (const void *[]){x, y},
                               (bt_tensor){.dtype = EDGERT_INT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_RUNTIME);
  bt_tensor b = {.dtype = EDGERT_BOOL, BT_SHAPE(2)};
  const bool z[2] = {true, true};
  bool bout[2];
  st = bt_run_ex(ER_OP_FMOD, NULL, 0, 2, (bt_tensor[]){b, b}, (const void *[]){z, z},
                 (bt_tensor){.dtype = EDGERT_BOOL, .ndim = -1}, bout, sizeof bout, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(float32_and_float64_mixed_signs);
  RUN(int64_sign_follows_dividend);
  RUN(integer_zero_divisor_fails);
}
