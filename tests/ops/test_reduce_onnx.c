/* REDUCE (ONNX Reduce*) against the ONNX 1.12 backend test data (node/test_reduce_*, test_data_set_0):
 * axes as attribute and as a (non-constant) input, keepdims, noop_with_empty_axes, each fold kind, float32
 * and float64; integer sums wrap; a bool input is refused. */
#include "linalg_test.h"

/* node/test_reduce_sum_keepdims_example */
/* rsk_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RSK_IN0_SHAPE                                                                                        \
  3, { 3, 2, 2 }
static const float rsk_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* rsk_in1: EDGERT_INT64 [1] */
#define RSK_IN1_SHAPE                                                                                        \
  1, { 1 }
static const int64_t rsk_in1[1] = {1LL};
/* rsk_out0: EDGERT_FLOAT32 [3, 1, 2] */
#define RSK_OUT0_SHAPE                                                                                       \
  3, { 3, 1, 2 }
static const float rsk_out0[6] = {4.0f, 6.0f, 12.0f, 14.0f, 20.0f, 22.0f};
/* node/test_reduce_sum_empty_axes_input_noop_example */
/* rsn_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RSN_IN0_SHAPE                                                                                        \
  3, { 3, 2, 2 }
static const float rsn_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* rsn_in1: EDGERT_INT64 [0] */
#define RSN_IN1_SHAPE                                                                                        \
  1, { 0 }
static const int64_t rsn_in1[1] = {0};
/* rsn_out0: EDGERT_FLOAT32 [3, 2, 2] */
#define RSN_OUT0_SHAPE                                                                                       \
  3, { 3, 2, 2 }
static const float rsn_out0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* node/test_reduce_log_sum_exp_keepdims_example */
/* rlse_in0: EDGERT_FLOAT64 [3, 2, 2] */
#define RLSE_IN0_SHAPE                                                                                       \
  3, { 3, 2, 2 }
static const double rlse_in0[12] = {5.0, 1.0, 20.0, 2.0, 30.0, 1.0, 40.0, 2.0, 55.0, 1.0, 60.0, 2.0};
/* rlse_out0: EDGERT_FLOAT64 [3, 1, 2] */
#define RLSE_OUT0_SHAPE                                                                                      \
  3, { 3, 1, 2 }
static const double rlse_out0[6] = {20.000000305902276, 2.313261687518223, 40.00004539889922,
                                    2.313261687518223,  60.00671534848912, 2.313261687518223};
/* node/test_reduce_l2_do_not_keepdims_example */
/* rl2_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RL2_IN0_SHAPE                                                                                        \
  3, { 3, 2, 2 }
static const float rl2_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* rl2_out0: EDGERT_FLOAT32 [3, 2] */
#define RL2_OUT0_SHAPE                                                                                       \
  2, { 3, 2 }
static const float rl2_out0[6] = {2.2360680103302f,    5.0f,
                                  7.8102498054504395f, 10.630146026611328f,
                                  13.45362377166748f,  16.278820037841797f};
/* node/test_reduce_max_default_axes_keepdim_example */
/* rmax_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RMAX_IN0_SHAPE                                                                                       \
  3, { 3, 2, 2 }
static const float rmax_in0[12] = {5.0f,  1.0f, 20.0f, 2.0f, 30.0f, 1.0f,
                                   40.0f, 2.0f, 55.0f, 1.0f, 60.0f, 2.0f};
/* rmax_out0: EDGERT_FLOAT32 [1, 1, 1] */
#define RMAX_OUT0_SHAPE                                                                                      \
  3, { 1, 1, 1 }
static const float rmax_out0[1] = {60.0f};
/* node/test_reduce_mean_keepdims_example */
/* rmean_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RMEAN_IN0_SHAPE                                                                                      \
  3, { 3, 2, 2 }
static const float rmean_in0[12] = {5.0f,  1.0f, 20.0f, 2.0f, 30.0f, 1.0f,
                                    40.0f, 2.0f, 55.0f, 1.0f, 60.0f, 2.0f};
/* rmean_out0: EDGERT_FLOAT32 [3, 1, 2] */
#define RMEAN_OUT0_SHAPE                                                                                     \
  3, { 3, 1, 2 }
static const float rmean_out0[6] = {12.5f, 1.5f, 35.0f, 1.5f, 57.5f, 1.5f};
/* node/test_reduce_prod_do_not_keepdims_example */
/* rprod_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RPROD_IN0_SHAPE                                                                                      \
  3, { 3, 2, 2 }
static const float rprod_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f,  5.0f,  6.0f,
                                    7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* rprod_out0: EDGERT_FLOAT32 [3, 2] */
#define RPROD_OUT0_SHAPE                                                                                     \
  2, { 3, 2 }
static const float rprod_out0[6] = {3.0f, 8.0f, 35.0f, 48.0f, 99.0f, 120.0f};
/* node/test_reduce_l1_negative_axes_keep_dims_example */
/* rl1_in0: EDGERT_FLOAT32 [3, 2, 2] */
#define RL1_IN0_SHAPE                                                                                        \
  3, { 3, 2, 2 }
static const float rl1_in0[12] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
/* rl1_out0: EDGERT_FLOAT32 [3, 2, 1] */
#define RL1_OUT0_SHAPE                                                                                       \
  3, { 3, 2, 1 }
static const float rl1_out0[6] = {3.0f, 7.0f, 11.0f, 15.0f, 19.0f, 23.0f};
/* node/test_reduce_log_sum_asc_axes */
/* rls_in0: EDGERT_FLOAT32 [3, 4, 5] */
#define RLS_IN0_SHAPE                                                                                        \
  3, { 3, 4, 5 }
static const float rls_in0[60] = {
    0.15896958112716675f, 0.11037514358758926f, 0.6563295722007751f,  0.13818295300006866f,
    0.1965823620557785f,  0.3687251806259155f,  0.8209932446479797f,  0.09710127860307693f,
    0.8379449248313904f,  0.0960984081029892f,  0.9764594435691833f,  0.4686512053012848f,
    0.9767611026763916f,  0.6048455238342285f,  0.7392635941505432f,  0.03918779268860817f,
    0.28280696272850037f, 0.12019655853509903f, 0.296140193939209f,   0.11872772127389908f,
    0.3179831802845001f,  0.414262980222702f,   0.06414749473333359f, 0.6924721002578735f,
    0.5666014552116394f,  0.26538950204849243f, 0.5232480764389038f,  0.09394051134586334f,
    0.5759465098381042f,  0.9292961955070496f,  0.3185689449310303f,  0.6674103736877441f,
    0.13179786503314972f, 0.7163271903991699f,  0.28940609097480774f, 0.18319135904312134f,
    0.5865129232406616f,  0.02010754682123661f, 0.8289400339126587f,  0.004695476032793522f,
    0.6778165102005005f,  0.2700079679489136f,  0.7351940274238586f,  0.9621885418891907f,
    0.2487531453371048f,  0.5761573314666748f,  0.5920419096946716f,  0.5722519159317017f,
    0.22308163344860077f, 0.9527490139007568f,  0.4471253752708435f,  0.8464086651802063f,
    0.6994792819023132f,  0.2974369525909424f,  0.8137978315353394f,  0.396505743265152f,
    0.8811032176017761f,  0.5812729001045227f,  0.8817353844642639f,  0.6925315856933594f};
/* rls_out0: EDGERT_FLOAT32 [5] */
#define RLS_OUT0_SHAPE                                                                                       \
  1, { 5 }
static const float rls_out0[5] = {1.553096055984497f, 1.8662209510803223f, 1.5578455924987793f,
                                  1.9537708759307861f, 1.7313904762268066f};

static er_onnx_reduce_attrs attrs_of(er_fold_kind kind, bool keepdims, int n_axes, const int64_t *axes) {
  er_onnx_reduce_attrs a = {.kind = kind, .keepdims = keepdims, .n_axes = n_axes};
  for (int i = 0; i < n_axes; i++)
    a.axes[i] = axes[i];
  return a;
}

static void run1(const er_onnx_reduce_attrs *a, lt_tensor in, lt_tensor want) {
  CHECK_EQ_INT(lt_run(ER_OP_REDUCE, a, sizeof *a, 1, &in, 1, &want, false), EDGERT_OK);
}

/* ReduceSum opset 13: axes is a graph input, so the declared output shape is used and checked at eval. */
static void test_sum_axes_input(void) {
  er_onnx_reduce_attrs a = attrs_of(ER_FOLD_SUM, true, -1, NULL);
  lt_tensor ins[2] = {LT_IN(EDGERT_FLOAT32, RSK_IN0_SHAPE, rsk_in0),
                      LT_IN(EDGERT_INT64, RSK_IN1_SHAPE, rsk_in1)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, RSK_OUT0_SHAPE, rsk_out0);
  CHECK_EQ_INT(lt_run(ER_OP_REDUCE, &a, sizeof a, 2, ins, 1, &want, true), EDGERT_OK);
  ins[1].is_const = true; /* the same with constant axes: the shape is computed */
  CHECK_EQ_INT(lt_run(ER_OP_REDUCE, &a, sizeof a, 2, ins, 1, &want, false), EDGERT_OK);
}

static void test_sum_empty_axes_noop(void) {
  er_onnx_reduce_attrs a = attrs_of(ER_FOLD_SUM, true, -1, NULL);
  a.noop_with_empty_axes = true;
  lt_tensor ins[2] = {LT_IN(EDGERT_FLOAT32, RSN_IN0_SHAPE, rsn_in0),
                      LT_CONST(EDGERT_INT64, RSN_IN1_SHAPE, rsn_in1)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, RSN_OUT0_SHAPE, rsn_out0);
  CHECK_EQ_INT(lt_run(ER_OP_REDUCE, &a, sizeof a, 2, ins, 1, &want, false), EDGERT_OK);
}

static void test_attr_axes_kinds(void) {
  er_onnx_reduce_attrs a = attrs_of(ER_FOLD_LOG_SUM_EXP, true, 1, (const int64_t[]){1});
  run1(&a, LT_IN(EDGERT_FLOAT64, RLSE_IN0_SHAPE, rlse_in0),
       LT_IN(EDGERT_FLOAT64, RLSE_OUT0_SHAPE, rlse_out0));
  a = attrs_of(ER_FOLD_L2, false, 1, (const int64_t[]){2});
  run1(&a, LT_IN(EDGERT_FLOAT32, RL2_IN0_SHAPE, rl2_in0), LT_IN(EDGERT_FLOAT32, RL2_OUT0_SHAPE, rl2_out0));
  a = attrs_of(ER_FOLD_MAX, true, 0, NULL);
  run1(&a, LT_IN(EDGERT_FLOAT32, RMAX_IN0_SHAPE, rmax_in0),
       LT_IN(EDGERT_FLOAT32, RMAX_OUT0_SHAPE, rmax_out0));
  a = attrs_of(ER_FOLD_MEAN, true, 1, (const int64_t[]){1});
  run1(&a, LT_IN(EDGERT_FLOAT32, RMEAN_IN0_SHAPE, rmean_in0),
       LT_IN(EDGERT_FLOAT32, RMEAN_OUT0_SHAPE, rmean_out0));
  a = attrs_of(ER_FOLD_PROD, false, 1, (const int64_t[]){1});
  run1(&a, LT_IN(EDGERT_FLOAT32, RPROD_IN0_SHAPE, rprod_in0),
       LT_IN(EDGERT_FLOAT32, RPROD_OUT0_SHAPE, rprod_out0));
  a = attrs_of(ER_FOLD_L1, true, 1, (const int64_t[]){-1});
  run1(&a, LT_IN(EDGERT_FLOAT32, RL1_IN0_SHAPE, rl1_in0), LT_IN(EDGERT_FLOAT32, RL1_OUT0_SHAPE, rl1_out0));
  a = attrs_of(ER_FOLD_LOG_SUM, false, 2, (const int64_t[]){0, 1});
  run1(&a, LT_IN(EDGERT_FLOAT32, RLS_IN0_SHAPE, rls_in0), LT_IN(EDGERT_FLOAT32, RLS_OUT0_SHAPE, rls_out0));
}

/* numpy: np.sum(np.array([[100, 100], [-100, 50]], np.int8), axis=1, dtype=np.int8) wraps to [-56, -50]. */
static void test_int8_sum_wraps(void) {
  static const int8_t in[4] = {100, 100, -100, 50}, want[2] = {-56, -50};
  er_onnx_reduce_attrs a = attrs_of(ER_FOLD_SUM, false, 1, (const int64_t[]){1});
  run1(&a, LT_IN(EDGERT_INT8, 2, {2, 2}, in), LT_IN(EDGERT_INT8, 1, {2}, want));
}

static void test_bad_input(void) {
  static const uint8_t in[4] = {1, 0, 1, 1}, want[1] = {0};
  er_onnx_reduce_attrs a = attrs_of(ER_FOLD_SUM, false, 1, (const int64_t[]){5});
  lt_tensor ins = LT_IN(EDGERT_BOOL, 2, {2, 2}, in), out = LT_IN(EDGERT_BOOL, 1, {2}, want);
  CHECK(lt_run(ER_OP_REDUCE, &a, sizeof a, 1, &ins, 1, &out, false) != EDGERT_OK);
  ins.dtype = EDGERT_UINT8, out.dtype = EDGERT_UINT8; /* axis 5 of a rank-2 input */
  CHECK(lt_run(ER_OP_REDUCE, &a, sizeof a, 1, &ins, 1, &out, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_sum_axes_input);
  RUN(test_sum_empty_axes_noop);
  RUN(test_attr_axes_kinds);
  RUN(test_int8_sum_wraps);
  RUN(test_bad_input);
}
