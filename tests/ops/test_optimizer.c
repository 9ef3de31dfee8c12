/* OPTIMIZER (ONNX preview training Adagrad, Adam, Momentum) against the ONNX 1.12 backend test data
 * (node/test_adagrad, test_adam, test_momentum, test_nesterov_momentum, test_data_set_0, attributes as the
 * models give them); a mismatched input count is refused. */
#include "linalg_test.h"

/* node/test_adagrad */
/* ag_in0: EDGERT_FLOAT32 [] */
#define AG_IN0_SHAPE                                                                                         \
  0, { 0 }
static const float ag_in0[1] = {0.10000000149011612f};
/* ag_in1: EDGERT_INT64 [] */
#define AG_IN1_SHAPE                                                                                         \
  0, { 0 }
static const int64_t ag_in1[1] = {0LL};
/* ag_in2: EDGERT_FLOAT32 [1] */
#define AG_IN2_SHAPE                                                                                         \
  1, { 1 }
static const float ag_in2[1] = {1.0f};
/* ag_in3: EDGERT_FLOAT32 [1] */
#define AG_IN3_SHAPE                                                                                         \
  1, { 1 }
static const float ag_in3[1] = {-1.0f};
/* ag_in4: EDGERT_FLOAT32 [1] */
#define AG_IN4_SHAPE                                                                                         \
  1, { 1 }
static const float ag_in4[1] = {2.0f};
/* ag_out0: EDGERT_FLOAT32 [1] */
#define AG_OUT0_SHAPE                                                                                        \
  1, { 1 }
static const float ag_out0[1] = {1.0576962232589722f};
/* ag_out1: EDGERT_FLOAT32 [1] */
#define AG_OUT1_SHAPE                                                                                        \
  1, { 1 }
static const float ag_out1[1] = {2.9980010986328125f};
/* node/test_adam */
/* ad_in0: EDGERT_FLOAT32 [] */
#define AD_IN0_SHAPE                                                                                         \
  0, { 0 }
static const float ad_in0[1] = {0.10000000149011612f};
/* ad_in1: EDGERT_INT64 [] */
#define AD_IN1_SHAPE                                                                                         \
  0, { 0 }
static const int64_t ad_in1[1] = {0LL};
/* ad_in2: EDGERT_FLOAT32 [2] */
#define AD_IN2_SHAPE                                                                                         \
  1, { 2 }
static const float ad_in2[2] = {1.2000000476837158f, 2.799999952316284f};
/* ad_in3: EDGERT_FLOAT32 [2] */
#define AD_IN3_SHAPE                                                                                         \
  1, { 2 }
static const float ad_in3[2] = {-0.9399999976158142f, -2.5f};
/* ad_in4: EDGERT_FLOAT32 [2] */
#define AD_IN4_SHAPE                                                                                         \
  1, { 2 }
static const float ad_in4[2] = {1.7000000476837158f, 3.5999999046325684f};
/* ad_in5: EDGERT_FLOAT32 [2] */
#define AD_IN5_SHAPE                                                                                         \
  1, { 2 }
static const float ad_in5[2] = {0.10000000149011612f, 0.10000000149011612f};
/* ad_out0: EDGERT_FLOAT32 [2] */
#define AD_OUT0_SHAPE                                                                                        \
  1, { 2 }
static const float ad_out0[2] = {1.025036334991455f, 2.6610326766967773f};
/* ad_out1: EDGERT_FLOAT32 [2] */
#define AD_OUT1_SHAPE                                                                                        \
  1, { 2 }
static const float ad_out1[2] = {1.568060040473938f, 3.295139789581299f};
/* ad_out2: EDGERT_FLOAT32 [2] */
#define AD_OUT2_SHAPE                                                                                        \
  1, { 2 }
static const float ad_out2[2] = {0.8032107949256897f, 5.622406959533691f};
/* node/test_momentum */
/* mo_in0: EDGERT_FLOAT32 [] */
#define MO_IN0_SHAPE                                                                                         \
  0, { 0 }
static const float mo_in0[1] = {0.10000000149011612f};
/* mo_in1: EDGERT_INT64 [] */
#define MO_IN1_SHAPE                                                                                         \
  0, { 0 }
static const int64_t mo_in1[1] = {0LL};
/* mo_in2: EDGERT_FLOAT32 [2] */
#define MO_IN2_SHAPE                                                                                         \
  1, { 2 }
static const float mo_in2[2] = {1.2000000476837158f, 2.799999952316284f};
/* mo_in3: EDGERT_FLOAT32 [2] */
#define MO_IN3_SHAPE                                                                                         \
  1, { 2 }
static const float mo_in3[2] = {-0.9399999976158142f, -2.5f};
/* mo_in4: EDGERT_FLOAT32 [2] */
#define MO_IN4_SHAPE                                                                                         \
  1, { 2 }
static const float mo_in4[2] = {1.7000000476837158f, 3.5999999046325684f};
/* mo_out0: EDGERT_FLOAT32 [2] */
#define MO_OUT0_SHAPE                                                                                        \
  1, { 2 }
static const float mo_out0[2] = {1.1323800086975098f, 2.7077200412750244f};
/* mo_out1: EDGERT_FLOAT32 [2] */
#define MO_OUT1_SHAPE                                                                                        \
  1, { 2 }
static const float mo_out1[2] = {0.6762000322341919f, 0.922799825668335f};
/* node/test_nesterov_momentum */
/* ne_in0: EDGERT_FLOAT32 [] */
#define NE_IN0_SHAPE                                                                                         \
  0, { 0 }
static const float ne_in0[1] = {0.10000000149011612f};
/* ne_in1: EDGERT_INT64 [] */
#define NE_IN1_SHAPE                                                                                         \
  0, { 0 }
static const int64_t ne_in1[1] = {0LL};
/* ne_in2: EDGERT_FLOAT32 [2] */
#define NE_IN2_SHAPE                                                                                         \
  1, { 2 }
static const float ne_in2[2] = {1.2000000476837158f, 2.799999952316284f};
/* ne_in3: EDGERT_FLOAT32 [2] */
#define NE_IN3_SHAPE                                                                                         \
  1, { 2 }
static const float ne_in3[2] = {-0.9399999976158142f, -2.5f};
/* ne_in4: EDGERT_FLOAT32 [2] */
#define NE_IN4_SHAPE                                                                                         \
  1, { 2 }
static const float ne_in4[2] = {1.7000000476837158f, 3.5999999046325684f};
/* ne_out0: EDGERT_FLOAT32 [2] */
#define NE_OUT0_SHAPE                                                                                        \
  1, { 2 }
static const float ne_out0[2] = {1.2275350093841553f, 2.9571399688720703f};
/* ne_out1: EDGERT_FLOAT32 [2] */
#define NE_OUT1_SHAPE                                                                                        \
  1, { 2 }
static const float ne_out1[2] = {0.687000036239624f, 0.9479999542236328f};

#define SCALARS(p) LT_IN(EDGERT_FLOAT32, 0, {0}, p##_in0), LT_IN(EDGERT_INT64, 0, {0}, p##_in1)
#define F32(p, k, SHAPE) LT_IN(EDGERT_FLOAT32, SHAPE, p##_in##k)
#define OUT(p, k, SHAPE) LT_IN(EDGERT_FLOAT32, SHAPE, p##_out##k)

static void test_adagrad(void) {
  er_optimizer_attrs a = {
      .kind = ER_OPTIMIZER_ADAGRAD, .decay_factor = 0.1f, .epsilon = 1e-5f, .norm_coefficient = 0.001f};
  lt_tensor in[5] = {SCALARS(ag), F32(ag, 2, AG_IN2_SHAPE), F32(ag, 3, AG_IN3_SHAPE),
                     F32(ag, 4, AG_IN4_SHAPE)};
  lt_tensor want[2] = {OUT(ag, 0, AG_OUT0_SHAPE), OUT(ag, 1, AG_OUT1_SHAPE)};
  CHECK_EQ_INT(lt_run(ER_OP_OPTIMIZER, &a, sizeof a, 5, in, 2, want, false), EDGERT_OK);
}

static void test_adam(void) {
  er_optimizer_attrs a = {
      .kind = ER_OPTIMIZER_ADAM, .alpha = 0.95f, .beta = 0.1f, .epsilon = 1e-7f, .norm_coefficient = 0.001f};
  lt_tensor in[6] = {SCALARS(ad), F32(ad, 2, AD_IN2_SHAPE), F32(ad, 3, AD_IN3_SHAPE),
                     F32(ad, 4, AD_IN4_SHAPE), F32(ad, 5, AD_IN5_SHAPE)};
  lt_tensor want[3] = {OUT(ad, 0, AD_OUT0_SHAPE), OUT(ad, 1, AD_OUT1_SHAPE), OUT(ad, 2, AD_OUT2_SHAPE)};
  CHECK_EQ_INT(lt_run(ER_OP_OPTIMIZER, &a, sizeof a, 6, in, 3, want, false), EDGERT_OK);
}

static void test_momentum(void) {
  er_optimizer_attrs a = {
      .kind = ER_OPTIMIZER_MOMENTUM, .alpha = 0.95f, .beta = 0.1f, .norm_coefficient = 0.001f};
  lt_tensor in[5] = {SCALARS(mo), F32(mo, 2, MO_IN2_SHAPE), F32(mo, 3, MO_IN3_SHAPE),
                     F32(mo, 4, MO_IN4_SHAPE)};
  lt_tensor want[2] = {OUT(mo, 0, MO_OUT0_SHAPE), OUT(mo, 1, MO_OUT1_SHAPE)};
  CHECK_EQ_INT(lt_run(ER_OP_OPTIMIZER, &a, sizeof a, 5, in, 2, want, false), EDGERT_OK);
  er_optimizer_attrs nesterov = {.kind = ER_OPTIMIZER_MOMENTUM,
                                 .alpha = 0.95f,
                                 .beta = 1.0f,
                                 .norm_coefficient = 0.01f,
                                 .nesterov = true};
  lt_tensor nin[5] = {SCALARS(ne), F32(ne, 2, NE_IN2_SHAPE), F32(ne, 3, NE_IN3_SHAPE),
                      F32(ne, 4, NE_IN4_SHAPE)};
  lt_tensor nwant[2] = {OUT(ne, 0, NE_OUT0_SHAPE), OUT(ne, 1, NE_OUT1_SHAPE)};
  CHECK_EQ_INT(lt_run(ER_OP_OPTIMIZER, &nesterov, sizeof nesterov, 5, nin, 2, nwant, false), EDGERT_OK);
}

static void test_bad_inputs(void) {
  er_optimizer_attrs a = {.kind = ER_OPTIMIZER_ADAM};
  lt_tensor in[5] = {SCALARS(ag), F32(ag, 2, AG_IN2_SHAPE), F32(ag, 3, AG_IN3_SHAPE),
                     F32(ag, 4, AG_IN4_SHAPE)};
  lt_tensor want[2] = {OUT(ag, 0, AG_OUT0_SHAPE), OUT(ag, 1, AG_OUT1_SHAPE)};
  CHECK(lt_run(ER_OP_OPTIMIZER, &a, sizeof a, 5, in, 2, want, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_adagrad);
  RUN(test_adam);
  RUN(test_momentum);
  RUN(test_bad_inputs);
}
