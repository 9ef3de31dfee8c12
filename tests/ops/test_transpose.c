/* TRANSPOSE against tensorflow/lite/kernels/transpose_test.cc (2-D, 3-D with perm {2, 0, 1}, and a
 * repeated perm entry that must be refused). */
#include "movement_test.h"
#include "onnx_test.h"

static void transpose_2d_and_3d_every_dtype(void) {
  double in24[24],
      want3[24] = {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23};
  for (int i = 0; i < 24; i++)
    in24[i] = i;
  for (int d = 0; d < MT_N_DTYPES; d++) {
    mt_case c = {.op = ER_OP_TRANSPOSE,
                 .dtype = mt_all_dtypes[d],
                 .ndim = 2,
                 .dims = {3, 2},
                 .values = in24,
                 .n_consts = 1};
    c.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){1, 0}};
    mt_run(&c, 2, (const int64_t[]){2, 3}, (double[]){0, 2, 4, 1, 3, 5}, 0);
    mt_case c3 = {.op = ER_OP_TRANSPOSE,
                  .dtype = mt_all_dtypes[d],
                  .ndim = 3,
                  .dims = {2, 3, 4},
                  .values = in24,
                  .n_consts = 1};
    c3.consts[0] = (mt_const){EDGERT_INT64, 1, {3}, (const int64_t[]){2, 0, 1}};
    mt_run(&c3, 3, (const int64_t[]){4, 2, 3}, want3, 0);
  }
}

static void transpose_rejects_bad_perm(void) {
  double in[6] = {0, 1, 2, 3, 4, 5};
  mt_case c = {
      .op = ER_OP_TRANSPOSE, .dtype = EDGERT_FLOAT32, .ndim = 2, .dims = {3, 2}, .values = in, .n_consts = 1};
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){1, 1}};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {3}, (const int64_t[]){0, 1, 2}};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
}

/* ONNX Transpose without perm reverses the dims (docs/Operators.md, Transpose; test_transpose_default). */
static void transpose_without_perm_reverses_dims(void) {
  double in24[24], want[24];
  for (int i = 0; i < 24; i++)
    in24[i] = i;
  for (int a = 0; a < 4; a++) /* output [4, 3, 2] element (a, b, c) is input (c, b, a) */
    for (int b = 0; b < 3; b++)
      for (int c = 0; c < 2; c++)
        want[(a * 3 + b) * 2 + c] = c * 12 + b * 4 + a;
  ot_tensor in[1] = {{EDGERT_FLOAT32, 3, {2, 3, 4}, in24, false, false}};
  ot_output out = {EDGERT_FLOAT32, 3, {4, 3, 2}, want, false};
  ot_run(ER_OP_TRANSPOSE, NULL, 0, 1, in, 1, &out, 0, true);
}

void run_tests(void) {
  RUN(transpose_2d_and_3d_every_dtype);
  RUN(transpose_rejects_bad_perm);
  RUN(transpose_without_perm_reverses_dims);
}
