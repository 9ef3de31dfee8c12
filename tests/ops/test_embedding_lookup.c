/* EMBEDDING_LOOKUP against tensorflow/lite/kernels/embedding_lookup_test.cc: SimpleTest (float32 table
 * [3, 2, 4]), the hybrid tests (int8 and uint8 tables quantized symmetrically with scale max|w| / 127 as
 * the test's (Signed)SymmetricQuantizeAndPopulate does, read back as float within kTestTolerance = 7.41e-3),
 * raw copies of int8/uint8 tables, per-row scales, and lookups outside the table, which must fail the
 * invoke. */
#include <math.h>

#include "extra_test.h"

static const float table[24] = {
    0.00f, 0.01f,  0.02f, 0.03f, 0.10f, 0.11f, 0.12f, 0.13f, /* row 0 */
    1.00f, -1.01f, 1.02f, 1.03f, 1.10f, 1.11f, 1.12f, 1.13f, /* row 1 */
    2.00f, 2.01f,  2.02f, 2.03f, 2.10f, 2.11f, 2.12f, 2.13f, /* row 2 */
};
static const float looked_up[24] = {
    1.00f, -1.01f, 1.02f, 1.03f, 1.10f, 1.11f, 1.12f, 1.13f, /* row 1 */
    0.00f, 0.01f,  0.02f, 0.03f, 0.10f, 0.11f, 0.12f, 0.13f, /* row 0 */
    2.00f, 2.01f,  2.02f, 2.03f, 2.10f, 2.11f, 2.12f, 2.13f, /* row 2 */
};
static const int32_t lookups[3] = {1, 0, 2};

static void lookup_float_matches_tflite(void) {
  float w[24];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      for (int k = 0; k < 4; k++)
        w[i * 8 + j * 4 + k] = (float)i + (float)j / 10.0f + (float)k / 100.0f;
  xt_tensor ins[2] = {{EDGERT_INT32, 1, {3}, lookups, XT_INPUT, 0, 0},
                      {EDGERT_FLOAT32, 3, {3, 2, 4}, w, XT_CONST, 0, 0}};
  th_graph *g;
  CHECK_OK(xt_run(&g, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, ins, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
  xt_check_shape(g, 0, 3, (int64_t[]){3, 2, 4});
  const float want[24] = {1.00f, 1.01f, 1.02f, 1.03f, 1.10f, 1.11f, 1.12f, 1.13f, 0.00f, 0.01f, 0.02f, 0.03f,
                          0.10f, 0.11f, 0.12f, 0.13f, 2.00f, 2.01f, 2.02f, 2.03f, 2.10f, 2.11f, 2.12f, 2.13f};
  xt_check_floats(g, 0, want, 24, 1e-6);
  th_free(g);
}

static void lookup_hybrid_matches_tflite(void) {
  const float scale = 2.13f / 127.0f;
  int8_t q[24];
  for (int i = 0; i < 24; i++)
    q[i] = (int8_t)lroundf(table[i] / scale);
  const int shapes[3][4] = {{2, 3, 8, 0}, {3, 3, 2, 4}, {4, 3, 2, 2}};
  for (int u = 0; u < 2; u++) {
    for (int s = 0; s < 3; s++) {
      xt_tensor ins[2] = {{EDGERT_INT32, 1, {3}, lookups, XT_INPUT, 0, 0},
                          {u ? EDGERT_UINT8 : EDGERT_INT8, shapes[s][0], {0}, q, XT_CONST, scale, 0}};
      for (int d = 0; d < shapes[s][0]; d++)
        ins[1].dims[d] = d == 3 ? 2 : shapes[s][d + 1];
      th_graph *g;
      CHECK_OK(
          xt_run(&g, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, ins, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
      xt_check_floats(g, 0, looked_up, 24, 7.41e-3);
      th_free(g);
    }
  }
}

static void lookup_copies_quantized_rows_and_uses_row_scales(void) {
  uint8_t w[24];
  for (int i = 0; i < 24; i++)
    w[i] = (uint8_t)(100 * (i / 8) + 10 * ((i / 4) % 2) + i % 4);
  xt_tensor ins[2] = {{EDGERT_INT32, 1, {3}, lookups, XT_INPUT, 0, 0},
                      {EDGERT_UINT8, 3, {3, 2, 4}, w, XT_CONST, 0.5f, 3}};
  th_graph *g;
  CHECK_OK(xt_run(&g, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, ins, 1, &(xt_out){EDGERT_UINT8, 0.5f, 3}, false));
  xt_check_ints(g, 0, EDGERT_UINT8,
                (const int64_t[]){100, 101, 102, 103, 110, 111, 112, 113, 0,   1,   2,   3,
                                  10,  11,  12,  13,  200, 201, 202, 203, 210, 211, 212, 213},
                24);
  th_free(g);
  /* Per-row scales (quantized along dim 0): each row dequantizes with its own. */
  th_graph *h = th_new();
  const int8_t rows[6] = {1, -2, 3, 4, 5, -6};
  int l = th_tensor(h, EDGERT_INT32, 1, (int64_t[]){2}, NULL);
  int v = th_tensor(h, EDGERT_INT8, 2, (int64_t[]){3, 2}, rows);
  th_quant_channels(h, v, 0, 3, (const float[]){0.5f, 0.25f, 2.0f}, NULL);
  int o = th_tensor(h, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(h, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, (int[]){l, v}, 1, (int[]){o});
  th_io(h, 1, (int[]){l}, 1, (int[]){o});
  CHECK_OK(th_run(h, (const void *[]){(const int32_t[]){2, 0}}));
  xt_check_floats(h, 0, (const float[]){10.0f, -12.0f, 0.5f, -1.0f}, 4, 0);
  th_free(h);
}

static void lookup_rejects_rows_outside_the_table(void) {
  const int32_t bad[2][3] = {{1, 3, 0}, {-1, 0, 0}};
  for (int b = 0; b < 2; b++) {
    xt_tensor ins[2] = {{EDGERT_INT32, 1, {3}, bad[b], XT_INPUT, 0, 0},
                        {EDGERT_FLOAT32, 2, {3, 8}, table, XT_CONST, 0, 0}};
    th_graph *g;
    CHECK(xt_run(&g, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, ins, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, true) ==
          EDGERT_ERR_RUNTIME);
    th_free(g);
  }
  const float f[3] = {0, 1, 2};
  xt_tensor float_lookups[2] = {{EDGERT_FLOAT32, 1, {3}, f, XT_INPUT, 0, 0},
                                {EDGERT_FLOAT32, 2, {3, 8}, table, XT_CONST, 0, 0}};
  th_graph *g;
  CHECK(xt_run(&g, ER_OP_EMBEDDING_LOOKUP, NULL, 0, 2, float_lookups, 1, &(xt_out){EDGERT_FLOAT32, 0, 0},
               true) == EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  RUN(lookup_float_matches_tflite);
  RUN(lookup_hybrid_matches_tflite);
  RUN(lookup_copies_quantized_rows_and_uses_row_scales);
  RUN(lookup_rejects_rows_outside_the_table);
}
