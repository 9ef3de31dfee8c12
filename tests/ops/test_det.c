/* DET against the ONNX 1.12 backend test data (node/test_det_2d, test_det_nd, test_data_set_0); a
 * non-square input is refused. */
#include "linalg_test.h"

/* node/test_det_2d */
/* det2_in0: EDGERT_FLOAT32 [2, 2] */
#define DET2_IN0_SHAPE                                                                                       \
  2, { 2, 2 }
static const float det2_in0[4] = {0.0f, 1.0f, 2.0f, 3.0f};
/* det2_out0: EDGERT_FLOAT32 [] */
#define DET2_OUT0_SHAPE                                                                                      \
  0, { 0 }
static const float det2_out0[1] = {-2.0f};
/* node/test_det_nd */
/* detn_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define DETN_IN0_SHAPE                                                                                       \
  3, { 3, 2, 2 }
static const float detn_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 1.0f, 2.0f, 2.0f, 1.0f, 1.0f, 3.0f, 3.0f, 1.0f};
/* detn_out0: EDGERT_FLOAT32 [3] */
#define DETN_OUT0_SHAPE                                                                                      \
  1, { 3 }
static const float detn_out0[3] = {-2.0f, -3.0f, -8.0f};

static void test_det(void) {
  lt_tensor in = LT_IN(EDGERT_FLOAT32, DET2_IN0_SHAPE, det2_in0),
            want = LT_IN(EDGERT_FLOAT32, DET2_OUT0_SHAPE, det2_out0);
  CHECK_EQ_INT(lt_run(ER_OP_DET, NULL, 0, 1, &in, 1, &want, false), EDGERT_OK);
  lt_tensor inn = LT_IN(EDGERT_FLOAT32, DETN_IN0_SHAPE, detn_in0),
            wantn = LT_IN(EDGERT_FLOAT32, DETN_OUT0_SHAPE, detn_out0);
  CHECK_EQ_INT(lt_run(ER_OP_DET, NULL, 0, 1, &inn, 1, &wantn, false), EDGERT_OK);
}

static void test_not_square(void) {
  lt_tensor in = LT_IN(EDGERT_FLOAT32, 2, {1, 4}, det2_in0),
            want = LT_IN(EDGERT_FLOAT32, DET2_OUT0_SHAPE, det2_out0);
  CHECK(lt_run(ER_OP_DET, NULL, 0, 1, &in, 1, &want, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_det);
  RUN(test_not_square);
}
