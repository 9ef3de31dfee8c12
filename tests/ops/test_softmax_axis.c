/* SOFTMAX_AXIS (ONNX Softmax, LogSoftmax, Hardmax) against the ONNX 1.12 backend test data
 * (node/test_softmax_*, test_logsoftmax_*, test_hardmax_*, test_data_set_0; opset 13: along one axis),
 * plus the opset < 13 coercion to 2-D; an int32 input is refused. */
#include "linalg_test.h"

/* node/test_softmax_example */
/* sm_in0: EDGERT_FLOAT32 [1, 3] */
#define SM_IN0_SHAPE                                                                                         \
  2, { 1, 3 }
static const float sm_in0[3] = {-1.0f, 0.0f, 1.0f};
/* sm_out0: EDGERT_FLOAT32 [1, 3] */
#define SM_OUT0_SHAPE                                                                                        \
  2, { 1, 3 }
static const float sm_out0[3] = {0.09003057330846786f, 0.2447284609079361f, 0.6652409434318542f};
/* node/test_softmax_axis_0 */
/* sm0_in0: EDGERT_FLOAT32 [3, 4, 5] */
#define SM0_IN0_SHAPE                                                                                        \
  3, { 3, 4, 5 }
static const float sm0_in0[60] = {
    1.764052391052246f,   0.40015721321105957f, 0.978738009929657f,   2.2408931255340576f,
    1.8675580024719238f,  0.9772778749465942f,  0.9500884413719177f,  0.15135720372200012f,
    0.10321885347366333f, 0.4105985164642334f,  0.14404356479644775f, 1.4542734622955322f,
    0.7610377073287964f,  0.12167501449584961f, 0.44386324286460876f, 0.3336743414402008f,
    1.4940791130065918f,  0.2051582634449005f,  0.3130677044391632f,  0.8540957570075989f,
    2.5529897212982178f,  0.653618574142456f,   0.8644362092018127f,  0.7421650290489197f,
    2.269754648208618f,   1.4543657302856445f,  0.04575851559638977f, 0.18718385696411133f,
    1.5327792167663574f,  1.4693588018417358f,  0.154947429895401f,   0.37816253304481506f,
    0.8877857327461243f,  1.980796456336975f,   0.34791216254234314f, 0.15634897351264954f,
    1.2302906513214111f,  1.202379822731018f,   0.38732680678367615f, 0.302302747964859f,
    1.0485529899597168f,  1.420017957687378f,   1.7062702178955078f,  1.950775384902954f,
    0.5096521973609924f,  0.4380742907524109f,  1.2527953386306763f,  0.7774903774261475f,
    1.6138978004455566f,  0.21274028718471527f, 0.8954665660858154f,  0.38690251111984253f,
    0.5108051300048828f,  1.18063223361969f,    0.02818222902715206f, 0.4283318817615509f,
    0.06651721894741058f, 0.30247190594673157f, 0.6343221068382263f,  0.3627411723136902f};
/* sm0_out0: EDGERT_FLOAT32 [3, 4, 5] */
#define SM0_OUT0_SHAPE                                                                                       \
  3, { 3, 4, 5 }
static const float sm0_out0[60] = {
    0.2710024118423462f,  0.19757820665836334f, 0.252400666475296f,   0.5072049498558044f,
    0.36333194375038147f, 0.3130294382572174f,  0.36253809928894043f, 0.2559612989425659f,
    0.10302194952964783f, 0.21261753141880035f, 0.2420734167098999f,  0.593531608581543f,
    0.3432002663612366f,  0.09707363694906235f, 0.38934755325317383f, 0.3405078649520874f,
    0.49800071120262146f, 0.20777295529842377f, 0.28935667872428894f, 0.4570982754230499f,
    0.5964915752410889f,  0.25457513332366943f, 0.22513854503631592f, 0.11331675946712494f,
    0.5432195067405701f,  0.5044078230857849f,  0.14676016569137573f, 0.2652978003025055f,
    0.43030861020088196f, 0.6129327416419983f,  0.24472737312316895f, 0.2023460865020752f,
    0.3895772397518158f,  0.6230278611183167f,  0.3537255525588989f,  0.2851778268814087f,
    0.3825322985649109f,  0.5632184743881226f,  0.3116619884967804f,  0.26325035095214844f,
    0.13250605762004852f, 0.5478466153144836f,  0.5224608182907104f,  0.3794783055782318f,
    0.09344854950904846f, 0.1825627088546753f,  0.4907017946243286f,  0.4787409007549286f,
    0.4666694402694702f,  0.17444975674152374f, 0.5131991505622864f,  0.20412233471870422f,
    0.26722249388694763f, 0.2798984944820404f,  0.25692683458328247f, 0.3743143081665039f,
    0.11946693062782288f, 0.22900860011577606f, 0.39898133277893066f, 0.279651403427124f};
/* node/test_logsoftmax_large_number */
/* lsm_in0: EDGERT_FLOAT32 [2, 4] */
#define LSM_IN0_SHAPE                                                                                        \
  2, { 2, 4 }
static const float lsm_in0[8] = {0.0f, 1.0f, 2.0f, 3.0f, 10000.0f, 10001.0f, 10002.0f, 10003.0f};
/* lsm_out0: EDGERT_FLOAT32 [2, 4] */
#define LSM_OUT0_SHAPE                                                                                       \
  2, { 2, 4 }
static const float lsm_out0[8] = {-3.4401895999908447f, -2.4401895999908447f, -1.4401895999908447f,
                                  -0.4401896595954895f, -3.4401895999908447f, -2.4401895999908447f,
                                  -1.4401895999908447f, -0.4401896595954895f};
/* node/test_hardmax_example */
/* hm_in0: EDGERT_FLOAT32 [4, 4] */
#define HM_IN0_SHAPE                                                                                         \
  2, { 4, 4 }
static const float hm_in0[16] = {3.0f, 0.0f, 1.0f, 2.0f, 2.0f, 5.0f, 1.0f, 0.0f,
                                 0.0f, 1.0f, 3.0f, 2.0f, 0.0f, 1.0f, 2.0f, 3.0f};
/* hm_out0: EDGERT_FLOAT32 [4, 4] */
#define HM_OUT0_SHAPE                                                                                        \
  2, { 4, 4 }
static const float hm_out0[16] = {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f,
                                  0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f};
/* node/test_hardmax_axis_0 */
/* hm0_in0: EDGERT_FLOAT32 [3, 4, 5] */
#define HM0_IN0_SHAPE                                                                                        \
  3, { 3, 4, 5 }
static const float hm0_in0[60] = {
    1.764052391052246f,    0.40015721321105957f,  0.978738009929657f,    2.2408931255340576f,
    1.8675580024719238f,   -0.9772778749465942f,  0.9500884413719177f,   -0.15135720372200012f,
    -0.10321885347366333f, 0.4105985164642334f,   0.14404356479644775f,  1.4542734622955322f,
    0.7610377073287964f,   0.12167501449584961f,  0.44386324286460876f,  0.3336743414402008f,
    1.4940791130065918f,   -0.2051582634449005f,  0.3130677044391632f,   -0.8540957570075989f,
    -2.5529897212982178f,  0.653618574142456f,    0.8644362092018127f,   -0.7421650290489197f,
    2.269754648208618f,    -1.4543657302856445f,  0.04575851559638977f,  -0.18718385696411133f,
    1.5327792167663574f,   1.4693588018417358f,   0.154947429895401f,    0.37816253304481506f,
    -0.8877857327461243f,  -1.980796456336975f,   -0.34791216254234314f, 0.15634897351264954f,
    1.2302906513214111f,   1.202379822731018f,    -0.38732680678367615f, -0.302302747964859f,
    -1.0485529899597168f,  -1.420017957687378f,   -1.7062702178955078f,  1.950775384902954f,
    -0.5096521973609924f,  -0.4380742907524109f,  -1.2527953386306763f,  0.7774903774261475f,
    -1.6138978004455566f,  -0.21274028718471527f, -0.8954665660858154f,  0.38690251111984253f,
    -0.5108051300048828f,  -1.18063223361969f,    -0.02818222902715206f, 0.4283318817615509f,
    0.06651721894741058f,  0.30247190594673157f,  -0.6343221068382263f,  -0.3627411723136902f};
/* hm0_out0: EDGERT_FLOAT32 [3, 4, 5] */
#define HM0_OUT0_SHAPE                                                                                       \
  3, { 3, 4, 5 }
static const float hm0_out0[60] = {1.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f,
                                   1.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f,
                                   1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
                                   0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f,
                                   0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f};

static void run_sm(er_softmax_kind kind, int32_t axis, bool coerce, lt_tensor in, lt_tensor want) {
  er_softmax_axis_attrs a = {.kind = kind, .axis = axis, .coerce_2d = coerce};
  CHECK_EQ_INT(lt_run(ER_OP_SOFTMAX_AXIS, &a, sizeof a, 1, &in, 1, &want, false), EDGERT_OK);
}

static void test_softmax(void) {
  run_sm(ER_SOFTMAX_PLAIN, -1, false, LT_IN(EDGERT_FLOAT32, SM_IN0_SHAPE, sm_in0),
         LT_IN(EDGERT_FLOAT32, SM_OUT0_SHAPE, sm_out0));
  run_sm(ER_SOFTMAX_PLAIN, 0, false, LT_IN(EDGERT_FLOAT32, SM0_IN0_SHAPE, sm0_in0),
         LT_IN(EDGERT_FLOAT32, SM0_OUT0_SHAPE, sm0_out0));
}

/* Opset < 13 with axis 1 on a [1, 3] input is the same row: the coerced path must agree. */
static void test_softmax_coerced(void) {
  run_sm(ER_SOFTMAX_PLAIN, 1, true, LT_IN(EDGERT_FLOAT32, SM_IN0_SHAPE, sm_in0),
         LT_IN(EDGERT_FLOAT32, SM_OUT0_SHAPE, sm_out0));
}

/* Opset 11's coercion to [prod(dims[:axis]), prod(dims[axis:])] with axis == rank gives rows of one element:
 * every softmax is 1. */
static void test_softmax_coerced_axis_at_rank(void) {
  static const float ones[3] = {1, 1, 1};
  run_sm(ER_SOFTMAX_PLAIN, 2, true, LT_IN(EDGERT_FLOAT32, SM_IN0_SHAPE, sm_in0),
         LT_IN(EDGERT_FLOAT32, 2, {1, 3}, ones));
}

static void test_log_softmax_large(void) {
  run_sm(ER_SOFTMAX_LOG, -1, false, LT_IN(EDGERT_FLOAT32, LSM_IN0_SHAPE, lsm_in0),
         LT_IN(EDGERT_FLOAT32, LSM_OUT0_SHAPE, lsm_out0));
}

static void test_hardmax(void) {
  run_sm(ER_SOFTMAX_HARD, -1, false, LT_IN(EDGERT_FLOAT32, HM_IN0_SHAPE, hm_in0),
         LT_IN(EDGERT_FLOAT32, HM_OUT0_SHAPE, hm_out0));
  run_sm(ER_SOFTMAX_HARD, 0, false, LT_IN(EDGERT_FLOAT32, HM0_IN0_SHAPE, hm0_in0),
         LT_IN(EDGERT_FLOAT32, HM0_OUT0_SHAPE, hm0_out0));
}

static void test_bad_dtype(void) {
  static const int32_t in[3] = {1, 2, 3}, out[3] = {0};
  er_softmax_axis_attrs a = {.kind = ER_SOFTMAX_PLAIN, .axis = -1};
  lt_tensor x = LT_IN(EDGERT_INT32, 1, {3}, in), y = LT_IN(EDGERT_INT32, 1, {3}, out);
  CHECK(lt_run(ER_OP_SOFTMAX_AXIS, &a, sizeof a, 1, &x, 1, &y, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_softmax);
  RUN(test_softmax_coerced);
  RUN(test_softmax_coerced_axis_at_rank);
  RUN(test_log_softmax_large);
  RUN(test_hardmax);
  RUN(test_bad_dtype);
}
