/* TRANSPOSE against tensorflow/lite/kernels/transpose_test.cc (2-D, 3-D with perm {2, 0, 1}, and a
 * repeated perm entry that must be refused). */
#include "movement_test.h"

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

void run_tests(void) {
  RUN(transpose_2d_and_3d_every_dtype);
  RUN(transpose_rejects_bad_perm);
}
