/* NLL_LOSS and SOFTMAX_CROSS_ENTROPY against the ONNX 1.12 backend test data (node/test_nllloss_NC,
 * test_nllloss_NCd1_ii, test_sce_mean_weight_ii_log_prob, test_data_set_0): reduction none and mean,
 * ignore_index, class weights, the log_prob output; a target outside [0, C) fails at eval. */
#include "linalg_test.h"

/* node/test_nllloss_NC */
/* nc_in0: EDGERT_FLOAT32 [3, 5] */
#define NC_IN0_SHAPE                                                                                         \
  2, { 3, 5 }
static const float nc_in0[15] = {
    0.54881352186203f,   0.7151893377304077f, 0.6027633547782898f, 0.5448831915855408f, 0.42365479469299316f,
    0.6458941102027893f, 0.4375872015953064f, 0.891772985458374f,  0.9636627435684204f, 0.3834415078163147f,
    0.7917250394821167f, 0.5288949012756348f, 0.5680445432662964f, 0.9255966544151306f, 0.07103605568408966f};
/* nc_in1: EDGERT_INT64 [3] */
#define NC_IN1_SHAPE                                                                                         \
  1, { 3 }
static const int64_t nc_in1[3] = {1LL, 4LL, 3LL};
/* nc_out0: EDGERT_FLOAT32 [3] */
#define NC_OUT0_SHAPE                                                                                        \
  1, { 3 }
static const float nc_out0[3] = {-0.7151893377304077f, -0.3834415078163147f, -0.9255966544151306f};
/* node/test_nllloss_NCd1_ii */
/* ncii_in0: EDGERT_FLOAT32 [3, 5, 2] */
#define NCII_IN0_SHAPE                                                                                       \
  3, { 3, 5, 2 }
static const float ncii_in0[30] = {
    0.54881352186203f,     0.7151893377304077f, 0.6027633547782898f,  0.5448831915855408f,
    0.42365479469299316f,  0.6458941102027893f, 0.4375872015953064f,  0.891772985458374f,
    0.9636627435684204f,   0.3834415078163147f, 0.7917250394821167f,  0.5288949012756348f,
    0.5680445432662964f,   0.9255966544151306f, 0.07103605568408966f, 0.08712930232286453f,
    0.020218396559357643f, 0.832619845867157f,  0.7781567573547363f,  0.8700121641159058f,
    0.978618323802948f,    0.7991585731506348f, 0.4614793658256531f,  0.7805292010307312f,
    0.11827442795038223f,  0.6399210095405579f, 0.14335328340530396f, 0.9446688890457153f,
    0.5218483209609985f,   0.4146619439125061f};
/* ncii_in1: EDGERT_INT64 [3, 2] */
#define NCII_IN1_SHAPE                                                                                       \
  2, { 3, 2 }
static const int64_t ncii_in1[6] = {1LL, 3LL, 2LL, 4LL, 2LL, 0LL};
/* ncii_out0: EDGERT_FLOAT32 [] */
#define NCII_OUT0_SHAPE                                                                                      \
  0, { 0 }
static const float ncii_out0[1] = {-0.5500508546829224f};
/* node/test_sce_mean_weight_ii_log_prob */
/* sce_in0: EDGERT_FLOAT32 [3, 5] */
#define SCE_IN0_SHAPE                                                                                        \
  2, { 3, 5 }
static const float sce_in0[15] = {
    0.54881352186203f,   0.7151893377304077f, 0.6027633547782898f, 0.5448831915855408f, 0.42365479469299316f,
    0.6458941102027893f, 0.4375872015953064f, 0.891772985458374f,  0.9636627435684204f, 0.3834415078163147f,
    0.7917250394821167f, 0.5288949012756348f, 0.5680445432662964f, 0.9255966544151306f, 0.07103605568408966f};
/* sce_in1: EDGERT_INT64 [3] */
#define SCE_IN1_SHAPE                                                                                        \
  1, { 3 }
static const int64_t sce_in1[3] = {0LL, 4LL, 3LL};
/* sce_in2: EDGERT_FLOAT32 [5] */
#define SCE_IN2_SHAPE                                                                                        \
  1, { 5 }
static const float sce_in2[5] = {0.8999999761581421f, 0.699999988079071f, 0.800000011920929f,
                                 0.8999999761581421f, 0.8999999761581421f};
/* sce_out0: EDGERT_FLOAT32 [] */
#define SCE_OUT0_SHAPE                                                                                       \
  0, { 0 }
static const float sce_out0[1] = {1.6091879606246948f};
/* sce_out1: EDGERT_FLOAT32 [3, 5] */
#define SCE_OUT1_SHAPE                                                                                       \
  2, { 3, 5 }
static const float sce_out1[15] = {-1.6321544647216797f, -1.4657785892486572f, -1.5782047510147095f,
                                   -1.636084794998169f,  -1.7573132514953613f, -1.6551612615585327f,
                                   -1.863468050956726f,  -1.4092823266983032f, -1.3373926877975464f,
                                   -1.9176138639450073f, -1.434633493423462f,  -1.6974637508392334f,
                                   -1.6583139896392822f, -1.3007619380950928f, -2.155322551727295f};

static void test_nll_none(void) {
  er_loss_attrs a = {.reduction = ER_LOSS_NONE};
  lt_tensor in[2] = {LT_IN(EDGERT_FLOAT32, NC_IN0_SHAPE, nc_in0), LT_IN(EDGERT_INT64, NC_IN1_SHAPE, nc_in1)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, NC_OUT0_SHAPE, nc_out0);
  CHECK_EQ_INT(lt_run(ER_OP_NLL_LOSS, &a, sizeof a, 2, in, 1, &want, false), EDGERT_OK);
}

static void test_nll_mean_ignore_index(void) {
  er_loss_attrs a = {.reduction = ER_LOSS_MEAN, .has_ignore_index = true, .ignore_index = 1};
  lt_tensor in[2] = {LT_IN(EDGERT_FLOAT32, NCII_IN0_SHAPE, ncii_in0),
                     LT_IN(EDGERT_INT64, NCII_IN1_SHAPE, ncii_in1)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, NCII_OUT0_SHAPE, ncii_out0);
  CHECK_EQ_INT(lt_run(ER_OP_NLL_LOSS, &a, sizeof a, 2, in, 1, &want, false), EDGERT_OK);
}

static void test_cross_entropy_weight_log_prob(void) {
  er_loss_attrs a = {.reduction = ER_LOSS_MEAN, .has_ignore_index = true, .ignore_index = 0};
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT32, SCE_IN0_SHAPE, sce_in0),
                     LT_IN(EDGERT_INT64, SCE_IN1_SHAPE, sce_in1),
                     LT_IN(EDGERT_FLOAT32, SCE_IN2_SHAPE, sce_in2)};
  lt_tensor want[2] = {LT_IN(EDGERT_FLOAT32, SCE_OUT0_SHAPE, sce_out0),
                       LT_IN(EDGERT_FLOAT32, SCE_OUT1_SHAPE, sce_out1)};
  CHECK_EQ_INT(lt_run(ER_OP_SOFTMAX_CROSS_ENTROPY, &a, sizeof a, 3, in, 2, want, false), EDGERT_OK);
  /* without log_prob the log-softmax lives in scratch */
  CHECK_EQ_INT(lt_run(ER_OP_SOFTMAX_CROSS_ENTROPY, &a, sizeof a, 3, in, 1, want, false), EDGERT_OK);
}

static void test_target_out_of_range(void) {
  static const int64_t bad[3] = {0, 5, 1};
  static const float out[1] = {0};
  er_loss_attrs a = {.reduction = ER_LOSS_SUM};
  lt_tensor in[2] = {LT_IN(EDGERT_FLOAT32, NC_IN0_SHAPE, nc_in0), LT_IN(EDGERT_INT64, 1, {3}, bad)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, 0, {0}, out);
  CHECK(lt_run(ER_OP_NLL_LOSS, &a, sizeof a, 2, in, 1, &want, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_nll_none);
  RUN(test_nll_mean_ignore_index);
  RUN(test_cross_entropy_weight_log_prob);
  RUN(test_target_out_of_range);
}
