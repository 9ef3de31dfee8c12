/* MATMUL, MATMUL_INTEGER and QLINEAR_MATMUL against the ONNX 1.12 backend test data (node/test_matmul_2d,
 * test_matmul_4d, test_matmulinteger, test_qlinearmatmul_2D/3D, test_data_set_0); numpy's 1-D rules and
 * int64 by hand from numpy.matmul; mismatched depths refused. */
#include "linalg_test.h"

/* node/test_matmul_2d */
/* mm2_in0: EDGERT_FLOAT32 [3, 4] */
#define MM2_IN0_SHAPE                                                                                        \
  2, { 3, 4 }
static const float mm2_in0[12] = {1.764052391052246f,  0.40015721321105957f,  0.978738009929657f,
                                  2.2408931255340576f, 1.8675580024719238f,   -0.9772778749465942f,
                                  0.9500884413719177f, -0.15135720372200012f, -0.10321885347366333f,
                                  0.4105985164642334f, 0.14404356479644775f,  1.4542734622955322f};
/* mm2_in1: EDGERT_FLOAT32 [4, 3] */
#define MM2_IN1_SHAPE                                                                                        \
  2, { 4, 3 }
static const float mm2_in1[12] = {0.7610377073287964f, 0.12167501449584961f, 0.44386324286460876f,
                                  0.3336743414402008f, 1.4940791130065918f,  -0.2051582634449005f,
                                  0.3130677044391632f, -0.8540957570075989f, -2.5529897212982178f,
                                  0.653618574142456f,  0.8644362092018127f,  -0.7421650290489197f};
/* mm2_out0: EDGERT_FLOAT32 [3, 3] */
#define MM2_OUT0_SHAPE                                                                                       \
  2, { 3, 3 }
static const float mm2_out0[9] = {3.2471330165863037f, 1.9136807918548584f,  -3.4609181880950928f,
                                  1.2937015295028687f, -2.1752004623413086f, -1.2837971448898315f,
                                  1.0540882349014282f, 1.7350071668624878f,  -1.5771054029464722f};
/* node/test_matmul_4d */
/* mm4_in0: EDGERT_FLOAT32 [1, 2, 3, 4] */
#define MM4_IN0_SHAPE                                                                                        \
  4, { 1, 2, 3, 4 }
static const float mm4_in0[24] = {
    1.1394007205963135f,  -1.234825849533081f,  0.4023416340351105f,  -0.6848101019859314f,
    -0.8707971572875977f, -0.5788496732711792f, -0.3115525245666504f, 0.056165341287851334f,
    -1.1651498079299927f, 0.9008265137672424f,  0.4656624495983124f,  -1.5362436771392822f,
    1.4882521629333496f,  1.895889163017273f,   1.1787796020507812f,  -0.1799248307943344f,
    -1.0707526206970215f, 1.0544517040252686f,  -0.4031769335269928f, 1.222445011138916f,
    0.2082749754190445f,  0.9766390323638916f,  0.3563663959503174f,  0.7065731883049011f};
/* mm4_in1: EDGERT_FLOAT32 [1, 2, 4, 3] */
#define MM4_IN1_SHAPE                                                                                        \
  4, { 1, 2, 4, 3 }
static const float mm4_in1[24] = {
    0.01050002034753561f, 1.7858705520629883f,   0.12691208720207214f, 0.4019893705844879f,
    1.8831506967544556f,  -1.3477590084075928f,  -1.2704850435256958f, 0.969396710395813f,
    -1.1731233596801758f, 1.9436211585998535f,   -0.4136189818382263f, -0.747454822063446f,
    1.922942042350769f,   1.4805147647857666f,   1.8675589561462402f,  0.9060446619987488f,
    -0.8612256646156311f, 1.910064935684204f,    -0.26800337433815f,   0.8024563789367676f,
    0.9472519755363464f,  -0.15501008927822113f, 0.6140793561935425f,  0.922206699848175f};
/* mm4_out0: EDGERT_FLOAT32 [1, 2, 3, 3] */
#define MM4_OUT0_SHAPE                                                                                       \
  4, { 1, 2, 3, 3 }
static const float mm4_out0[18] = {-2.326603651046753f,  0.3827381730079651f,  1.848719596862793f,
                                   0.263152152299881f,   -2.9704411029815674f, 0.9931437373161316f,
                                   -3.227604389190674f,  0.7024165391921997f,  -0.7599754333496094f,
                                   4.291555881500244f,   1.4060219526290894f,  7.351343631744385f,
                                   -1.1850534677505493f, -2.066239356994629f,  0.759814441204071f,
                                   1.0803459882736206f,  0.18710803985595703f, 3.2435851097106934f};
/* node/test_matmulinteger */
/* mmi_in0: EDGERT_UINT8 [4, 3] */
#define MMI_IN0_SHAPE                                                                                        \
  2, { 4, 3 }
static const uint8_t mmi_in0[12] = {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0};
/* mmi_in1: EDGERT_UINT8 [3, 2] */
#define MMI_IN1_SHAPE                                                                                        \
  2, { 3, 2 }
static const uint8_t mmi_in1[6] = {1, 4, 2, 5, 3, 6};
/* mmi_in2: EDGERT_UINT8 [1] */
#define MMI_IN2_SHAPE                                                                                        \
  1, { 1 }
static const uint8_t mmi_in2[1] = {12};
/* mmi_in3: EDGERT_UINT8 [1] */
#define MMI_IN3_SHAPE                                                                                        \
  1, { 1 }
static const uint8_t mmi_in3[1] = {0};
/* mmi_out0: EDGERT_INT32 [4, 2] */
#define MMI_OUT0_SHAPE                                                                                       \
  2, { 4, 2 }
static const int32_t mmi_out0[8] = {-38, -83, -44, -98, -50, -113, -56, -128};
/* node/test_qlinearmatmul_2D */
/* qmm2_in0: EDGERT_UINT8 [2, 4] */
#define QMM2_IN0_SHAPE                                                                                       \
  2, { 2, 4 }
static const uint8_t qmm2_in0[8] = {208, 236, 0, 238, 3, 214, 255, 29};
/* qmm2_in1: EDGERT_FLOAT32 [1] */
#define QMM2_IN1_SHAPE                                                                                       \
  1, { 1 }
static const float qmm2_in1[1] = {0.006599999964237213f};
/* qmm2_in2: EDGERT_UINT8 [1] */
#define QMM2_IN2_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm2_in2[1] = {113};
/* qmm2_in3: EDGERT_UINT8 [4, 3] */
#define QMM2_IN3_SHAPE                                                                                       \
  2, { 4, 3 }
static const uint8_t qmm2_in3[12] = {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247};
/* qmm2_in4: EDGERT_FLOAT32 [1] */
#define QMM2_IN4_SHAPE                                                                                       \
  1, { 1 }
static const float qmm2_in4[1] = {0.0070500001311302185f};
/* qmm2_in5: EDGERT_UINT8 [1] */
#define QMM2_IN5_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm2_in5[1] = {114};
/* qmm2_in6: EDGERT_FLOAT32 [1] */
#define QMM2_IN6_SHAPE                                                                                       \
  1, { 1 }
static const float qmm2_in6[1] = {0.010700000450015068f};
/* qmm2_in7: EDGERT_UINT8 [1] */
#define QMM2_IN7_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm2_in7[1] = {118};
/* qmm2_out0: EDGERT_UINT8 [2, 3] */
#define QMM2_OUT0_SHAPE                                                                                      \
  2, { 2, 3 }
static const uint8_t qmm2_out0[6] = {168, 115, 255, 1, 66, 151};
/* node/test_qlinearmatmul_3D */
/* qmm3_in0: EDGERT_UINT8 [2, 2, 4] */
#define QMM3_IN0_SHAPE                                                                                       \
  3, { 2, 2, 4 }
static const uint8_t qmm3_in0[16] = {208, 236, 0, 238, 3, 214, 255, 29, 208, 236, 0, 238, 3, 214, 255, 29};
/* qmm3_in1: EDGERT_FLOAT32 [1] */
#define QMM3_IN1_SHAPE                                                                                       \
  1, { 1 }
static const float qmm3_in1[1] = {0.006599999964237213f};
/* qmm3_in2: EDGERT_UINT8 [1] */
#define QMM3_IN2_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm3_in2[1] = {113};
/* qmm3_in3: EDGERT_UINT8 [2, 4, 3] */
#define QMM3_IN3_SHAPE                                                                                       \
  3, { 2, 4, 3 }
static const uint8_t qmm3_in3[24] = {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247,
                                     152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247};
/* qmm3_in4: EDGERT_FLOAT32 [1] */
#define QMM3_IN4_SHAPE                                                                                       \
  1, { 1 }
static const float qmm3_in4[1] = {0.0070500001311302185f};
/* qmm3_in5: EDGERT_UINT8 [1] */
#define QMM3_IN5_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm3_in5[1] = {114};
/* qmm3_in6: EDGERT_FLOAT32 [1] */
#define QMM3_IN6_SHAPE                                                                                       \
  1, { 1 }
static const float qmm3_in6[1] = {0.010700000450015068f};
/* qmm3_in7: EDGERT_UINT8 [1] */
#define QMM3_IN7_SHAPE                                                                                       \
  1, { 1 }
static const uint8_t qmm3_in7[1] = {118};
/* qmm3_out0: EDGERT_UINT8 [2, 2, 3] */
#define QMM3_OUT0_SHAPE                                                                                      \
  3, { 2, 2, 3 }
static const uint8_t qmm3_out0[12] = {168, 115, 255, 1, 66, 151, 168, 115, 255, 1, 66, 151};

static void test_matmul_float(void) {
  lt_tensor in[2] = {LT_IN(EDGERT_FLOAT32, MM2_IN0_SHAPE, mm2_in0),
                     LT_IN(EDGERT_FLOAT32, MM2_IN1_SHAPE, mm2_in1)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, MM2_OUT0_SHAPE, mm2_out0);
  CHECK_EQ_INT(lt_run(ER_OP_MATMUL, NULL, 0, 2, in, 1, &want, false), EDGERT_OK);
  lt_tensor in4[2] = {LT_IN(EDGERT_FLOAT32, MM4_IN0_SHAPE, mm4_in0),
                      LT_CONST(EDGERT_FLOAT32, MM4_IN1_SHAPE, mm4_in1)};
  lt_tensor want4 = LT_IN(EDGERT_FLOAT32, MM4_OUT0_SHAPE, mm4_out0);
  CHECK_EQ_INT(lt_run(ER_OP_MATMUL, NULL, 0, 2, in4, 1, &want4, false), EDGERT_OK);
}

/* numpy.matmul: [3] x [2, 3, 2] -> [2, 2] (a row vector per batch) and [2, 3] x [3] -> [2]. */
static void test_matmul_1d_int64(void) {
  static const int64_t v[3] = {1, 2, 3}, b[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  static const int64_t want_vb[4] = {22, 28, 58, 64}, want_bv[2] = {14, 32};
  lt_tensor in[2] = {LT_IN(EDGERT_INT64, 1, {3}, v), LT_IN(EDGERT_INT64, 3, {2, 3, 2}, b)};
  lt_tensor want = LT_IN(EDGERT_INT64, 2, {2, 2}, want_vb);
  CHECK_EQ_INT(lt_run(ER_OP_MATMUL, NULL, 0, 2, in, 1, &want, false), EDGERT_OK);
  lt_tensor in2[2] = {LT_IN(EDGERT_INT64, 2, {2, 3}, b), LT_IN(EDGERT_INT64, 1, {3}, v)};
  lt_tensor want2 = LT_IN(EDGERT_INT64, 1, {2}, want_bv);
  CHECK_EQ_INT(lt_run(ER_OP_MATMUL, NULL, 0, 2, in2, 1, &want2, false), EDGERT_OK);
}

static void test_matmul_integer(void) {
  lt_tensor in[4] = {LT_IN(EDGERT_UINT8, MMI_IN0_SHAPE, mmi_in0), LT_IN(EDGERT_UINT8, MMI_IN1_SHAPE, mmi_in1),
                     LT_IN(EDGERT_UINT8, MMI_IN2_SHAPE, mmi_in2),
                     LT_IN(EDGERT_UINT8, MMI_IN3_SHAPE, mmi_in3)};
  lt_tensor want = LT_IN(EDGERT_INT32, MMI_OUT0_SHAPE, mmi_out0);
  CHECK_EQ_INT(lt_run(ER_OP_MATMUL_INTEGER, NULL, 0, 4, in, 1, &want, false), EDGERT_OK);
}

static void test_qlinear_matmul(void) {
  lt_tensor in[8] = {
      LT_IN(EDGERT_UINT8, QMM2_IN0_SHAPE, qmm2_in0),   LT_IN(EDGERT_FLOAT32, QMM2_IN1_SHAPE, qmm2_in1),
      LT_IN(EDGERT_UINT8, QMM2_IN2_SHAPE, qmm2_in2),   LT_IN(EDGERT_UINT8, QMM2_IN3_SHAPE, qmm2_in3),
      LT_IN(EDGERT_FLOAT32, QMM2_IN4_SHAPE, qmm2_in4), LT_IN(EDGERT_UINT8, QMM2_IN5_SHAPE, qmm2_in5),
      LT_IN(EDGERT_FLOAT32, QMM2_IN6_SHAPE, qmm2_in6), LT_IN(EDGERT_UINT8, QMM2_IN7_SHAPE, qmm2_in7)};
  lt_tensor want = LT_IN(EDGERT_UINT8, QMM2_OUT0_SHAPE, qmm2_out0);
  CHECK_EQ_INT(lt_run(ER_OP_QLINEAR_MATMUL, NULL, 0, 8, in, 1, &want, false), EDGERT_OK);
  lt_tensor in3[8] = {
      LT_IN(EDGERT_UINT8, QMM3_IN0_SHAPE, qmm3_in0),   LT_IN(EDGERT_FLOAT32, QMM3_IN1_SHAPE, qmm3_in1),
      LT_IN(EDGERT_UINT8, QMM3_IN2_SHAPE, qmm3_in2),   LT_IN(EDGERT_UINT8, QMM3_IN3_SHAPE, qmm3_in3),
      LT_IN(EDGERT_FLOAT32, QMM3_IN4_SHAPE, qmm3_in4), LT_IN(EDGERT_UINT8, QMM3_IN5_SHAPE, qmm3_in5),
      LT_IN(EDGERT_FLOAT32, QMM3_IN6_SHAPE, qmm3_in6), LT_IN(EDGERT_UINT8, QMM3_IN7_SHAPE, qmm3_in7)};
  lt_tensor want3 = LT_IN(EDGERT_UINT8, QMM3_OUT0_SHAPE, qmm3_out0);
  CHECK_EQ_INT(lt_run(ER_OP_QLINEAR_MATMUL, NULL, 0, 8, in3, 1, &want3, false), EDGERT_OK);
}

static void test_bad_depth(void) {
  lt_tensor in[2] = {LT_IN(EDGERT_FLOAT32, MM2_IN0_SHAPE, mm2_in0),
                     LT_IN(EDGERT_FLOAT32, MM2_IN0_SHAPE, mm2_in0)};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, MM2_OUT0_SHAPE, mm2_out0);
  CHECK(lt_run(ER_OP_MATMUL, NULL, 0, 2, in, 1, &want, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(test_matmul_float);
  RUN(test_matmul_1d_int64);
  RUN(test_matmul_integer);
  RUN(test_qlinear_matmul);
  RUN(test_bad_depth);
}
