/* BATCH_MATMUL kernel tests. Vectors come from tensorflow/lite/kernels/batch_matmul_test.cc and
 * tensorflow/lite/micro/kernels/batch_matmul_test.cc: Float32Test_Simple, _SimpleRHSAdjoint,
 * _SimpleLHSAdjoint, _BatchSizeTwo, _Broadcast (lhs 1..6 or 1..12, rhs from 7), and
 * QuantizedBatchMatMulOpTestSimpleTestQuantizedInt8 (lhs and rhs scale 0.5 zero point -1, output scale 1
 * zero point -1, expected int8 {22, 22, 22, 56, 56, 56} given upstream). The int16 case runs the same
 * data with zero points 0 and scales under which every value is exact. */
#include <math.h>

#include "conv_test.h"

#include "core/attrs.h"

static void iota_from(float *v, int n, float first) {
  for (int i = 0; i < n; i++)
    v[i] = first + (float)i;
}

static void run_float(bool adj_x, bool adj_y, int lhs_ndim, const int64_t *lhs_dims, const float *lhs,
                      int rhs_ndim, const int64_t *rhs_dims, const float *rhs, int out_ndim,
                      const int64_t *out_dims, const float *want, int n) {
  er_matmul_attrs a = {.adj_x = adj_x, .adj_y = adj_y};
  ct_tensor in[2] = {{.dtype = EDGERT_FLOAT32, .ndim = lhs_ndim},
                     {.dtype = EDGERT_FLOAT32, .ndim = rhs_ndim}};
  memcpy(in[0].dims, lhs_dims, sizeof(int64_t) * (size_t)lhs_ndim);
  memcpy(in[1].dims, rhs_dims, sizeof(int64_t) * (size_t)rhs_ndim);
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[64];
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, in, (const void *[]){lhs, rhs}, &out, got,
                  sizeof(float) * (size_t)n, &info, false));
  ct_expect_dims(&info, out_ndim, out_dims);
  ct_expect_f32(got, want, n, 1e-4);
}

static const float k_simple[8] = {74, 80, 86, 92, 173, 188, 203, 218};

static void bmm_float_simple(void) {
  float lhs[6], rhs[12];
  iota_from(lhs, 6, 1);
  iota_from(rhs, 12, 7);
  run_float(false, false, 3, (int64_t[]){1, 2, 3}, lhs, 3, (int64_t[]){1, 3, 4}, rhs, 3, (int64_t[]){1, 2, 4},
            k_simple, 8);
}

static void bmm_float_adjoints(void) {
  float lhs[6], rhs[12];
  iota_from(lhs, 6, 1);
  static const float rhs_t[12] = {7, 11, 15, 8, 12, 16, 9, 13, 17, 10, 14, 18};
  run_float(false, true, 3, (int64_t[]){1, 2, 3}, lhs, 3, (int64_t[]){1, 4, 3}, rhs_t, 3,
            (int64_t[]){1, 2, 4}, k_simple, 8);
  static const float lhs_t[6] = {1, 4, 2, 5, 3, 6};
  iota_from(rhs, 12, 7);
  run_float(true, false, 3, (int64_t[]){1, 3, 2}, lhs_t, 3, (int64_t[]){1, 3, 4}, rhs, 3,
            (int64_t[]){1, 2, 4}, k_simple, 8);
}

static void bmm_float_batch_two(void) {
  float lhs[12], rhs[24];
  iota_from(lhs, 12, 1);
  iota_from(rhs, 24, 7);
  static const float want[16] = {74, 80, 86, 92, 173, 188, 203, 218, 560, 584, 608, 632, 767, 800, 833, 866};
  run_float(false, false, 3, (int64_t[]){2, 2, 3}, lhs, 3, (int64_t[]){2, 3, 4}, rhs, 3, (int64_t[]){2, 2, 4},
            want, 16);
}

static void bmm_float_broadcast_rhs(void) {
  float lhs[12], rhs[12];
  iota_from(lhs, 12, 1);
  iota_from(rhs, 12, 7);
  static const float want[16] = {74, 80, 86, 92, 173, 188, 203, 218, 272, 296, 320, 344, 371, 404, 437, 470};
  run_float(false, false, 3, (int64_t[]){2, 2, 3}, lhs, 2, (int64_t[]){3, 4}, rhs, 3, (int64_t[]){2, 2, 4},
            want, 16);
}

/* lhs [2, 10] activations; rhs [10, 3] constant weights (as the upstream model holds them). */
static const float k_q_lhs[20] = {1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10};
static const float k_q_rhs[30] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5,  5,  5,
                                  6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10};

static void bmm_int8(void) {
  int8_t lhs[20], rhs[30];
  for (int i = 0; i < 20; i++)
    lhs[i] = (int8_t)(k_q_lhs[i] * 2 - 1);
  for (int i = 0; i < 30; i++)
    rhs[i] = (int8_t)(k_q_rhs[i] * 2 - 1);
  static const int8_t want[6] = {22, 22, 22, 56, 56, 56};
  er_matmul_attrs a = {.adj_x = false, .adj_y = false};
  ct_tensor in[2] = {
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 10}, .scale = 0.5f, .zero_point = -1},
      {.dtype = EDGERT_INT8, .ndim = 2, .dims = {10, 3}, .data = rhs, .scale = 0.5f, .zero_point = -1},
  };
  ct_tensor out = {.dtype = EDGERT_INT8, .ndim = -1, .scale = 1.0f, .zero_point = -1};
  int8_t got[6];
  CHECK_OK(ct_run(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, in, (const void *[]){lhs}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i8(got, want, 6);
}

static void bmm_int16(void) {
  int16_t lhs[20], rhs[30];
  for (int i = 0; i < 20; i++)
    lhs[i] = (int16_t)(k_q_lhs[i] * 2);
  for (int i = 0; i < 30; i++)
    rhs[i] = (int16_t)(k_q_rhs[i] * 4);
  static const int16_t want[6] = {23, 23, 23, 57, 57, 57};
  er_matmul_attrs a = {.adj_x = false, .adj_y = false};
  ct_tensor in[2] = {
      {.dtype = EDGERT_INT16, .ndim = 2, .dims = {2, 10}, .scale = 0.5f},
      {.dtype = EDGERT_INT16, .ndim = 2, .dims = {10, 3}, .data = rhs, .scale = 0.25f},
  };
  ct_tensor out = {.dtype = EDGERT_INT16, .ndim = -1, .scale = 1.0f};
  int16_t got[6];
  CHECK_OK(ct_run(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, in, (const void *[]){lhs}, &out, got, sizeof got, NULL,
                  false));
  ct_expect_i16(got, want, 6);
}

static void bmm_rejects_bad_inputs(void) {
  er_matmul_attrs a = {.adj_x = false, .adj_y = false};
  float data[24] = {0};
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  /* depths 3 and 4 differ */
  ct_tensor depth[2] = {{.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {2, 3}},
                        {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {4, 4}}};
  CHECK(ct_refused(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, depth, (const void *[]){data, data}, &out) !=
        EDGERT_OK);
  /* batch dims 2 and 3 do not broadcast */
  ct_tensor batch[2] = {{.dtype = EDGERT_FLOAT32, .ndim = 3, .dims = {2, 1, 2}},
                        {.dtype = EDGERT_FLOAT32, .ndim = 3, .dims = {3, 2, 1}}};
  CHECK(ct_refused(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, batch, (const void *[]){data, data}, &out) !=
        EDGERT_OK);
  /* int8 x float (hybrid is float lhs with int8 rhs only) */
  ct_tensor mixed[2] = {{.dtype = EDGERT_INT8, .ndim = 2, .dims = {2, 3}, .scale = 1.0f},
                        {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 4}}};
  CHECK(ct_refused(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, mixed, (const void *[]){data, data}, &out) !=
        EDGERT_OK);
  /* rank 1 */
  ct_tensor rank1[2] = {{.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {3}},
                        {.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 4}}};
  CHECK(ct_refused(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, rank1, (const void *[]){data, data}, &out) !=
        EDGERT_OK);
}

/* Hybrid: tensorflow/lite/kernels/batch_matmul_test.cc HybridAsymmetricBatchMatMulOpTest
 * TestQuantizedInt8BatchesAndUnitsGreaterThanAccumDimSizeAdjX (and the symmetric twin): lhs [3, 6] with
 * adj_x, rhs [3, 8] rows of 1, 2, 3 quantized as SetSignedWeights does (SymmetricQuantizeAndPopulate:
 * scale max|w| / 127 = 3/127, so 42, 85, 127), lhs columns (11, 12, 13); every output 74 within 0.15. */
static void run_hybrid(bool asymmetric) {
  static const float lhs[18] = {11, 11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13};
  int8_t rhs[24];
  for (int i = 0; i < 24; i++)
    rhs[i] = (int8_t)lroundf((float)(i / 8 + 1) * 127.0f / 3.0f);
  er_matmul_attrs a = {.adj_x = true, .adj_y = false, .asymmetric_quantize_inputs = asymmetric};
  ct_tensor in[2] = {{.dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 6}},
                     {.dtype = EDGERT_INT8, .ndim = 2, .dims = {3, 8}, .data = rhs, .scale = 3.0f / 127.0f}};
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  float got[48], want[48];
  for (int i = 0; i < 48; i++)
    want[i] = 74.0f;
  edgert_tensor_info info;
  CHECK_OK(ct_run(ER_OP_BATCH_MATMUL, &a, sizeof a, 2, in, (const void *[]){lhs}, &out, got, sizeof got,
                  &info, false));
  ct_expect_dims(&info, 2, (int64_t[]){6, 8});
  ct_expect_f32(got, want, 48, 0.15);
}

static void bmm_hybrid_asymmetric(void) { run_hybrid(true); }

static void bmm_hybrid_symmetric(void) { run_hybrid(false); }

void run_tests(void) {
  RUN(bmm_hybrid_asymmetric);
  RUN(bmm_hybrid_symmetric);
  RUN(bmm_float_simple);
  RUN(bmm_float_adjoints);
  RUN(bmm_float_batch_two);
  RUN(bmm_float_broadcast_rhs);
  RUN(bmm_int8);
  RUN(bmm_int16);
  RUN(bmm_rejects_bad_inputs);
}
