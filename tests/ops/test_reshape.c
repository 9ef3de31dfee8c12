/* RESHAPE, SQUEEZE and EXPAND_DIMS against TFLite's kernel tests:
 *   tensorflow/lite/kernels/reshape_test.cc (RegularShapes, WithStretchDimension, TooManySpecialDimensions,
 *     ScalarOutput, shape from options)
 *   tensorflow/lite/kernels/squeeze_test.cc (SqueezeAll, SqueezeSelectedAxis, SqueezeNegativeAxis)
 *   tensorflow/lite/kernels/expand_dims_test.cc (PositiveAxis, NegativeAxis) */
#include "movement_test.h"

static const double kEight[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void reshape_regular_and_stretch_shapes(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    mt_case c = {.op = ER_OP_RESHAPE,
                 .dtype = mt_all_dtypes[d],
                 .ndim = 4,
                 .dims = {1, 2, 4, 1},
                 .values = kEight,
                 .n_consts = 1};
    c.consts[0] = (mt_const){EDGERT_INT32, 1, {3}, (const int64_t[]){2, 2, 2}};
    mt_run(&c, 3, (const int64_t[]){2, 2, 2}, kEight, 0);
    c.consts[0] = (mt_const){EDGERT_INT64, 1, {3}, (const int64_t[]){2, 1, -1}};
    mt_run(&c, 3, (const int64_t[]){2, 1, 4}, kEight, 0);
  }
}

static void reshape_shape_from_options_and_scalar(void) {
  er_reshape_attrs a = {3, {2, 1, -1}};
  mt_case c = {.op = ER_OP_RESHAPE,
               .attrs = &a,
               .attrs_size = sizeof a,
               .dtype = EDGERT_INT8,
               .ndim = 4,
               .dims = {1, 2, 4, 1},
               .values = kEight};
  mt_run(&c, 3, (const int64_t[]){2, 1, 4}, kEight, 0);
  /* ScalarOutput: an empty shape vector */
  mt_case s = {.op = ER_OP_RESHAPE,
               .dtype = EDGERT_FLOAT32,
               .ndim = 1,
               .dims = {1},
               .values = (double[]){3},
               .n_consts = 1};
  s.consts[0] = (mt_const){EDGERT_INT32, 1, {0}, (const int64_t[]){0}};
  mt_run(&s, 0, (const int64_t[]){0}, (double[]){3}, 0);
}

static void reshape_rejects_two_stretch_dims_and_bad_counts(void) {
  mt_case c = {.op = ER_OP_RESHAPE,
               .dtype = EDGERT_FLOAT32,
               .ndim = 4,
               .dims = {1, 2, 4, 1},
               .values = kEight,
               .n_consts = 1};
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {4}, (const int64_t[]){-1, -1, 2, 4}};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){3, 3}};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
}

static void squeeze_all_selected_and_negative(void) {
  double in[24];
  for (int i = 0; i < 24; i++)
    in[i] = i + 1;
  for (int d = 0; d < MT_N_DTYPES; d++) {
    er_squeeze_attrs all = {0, {0}}, sel = {1, {2}}, neg = {2, {-1, 0}};
    mt_case c = {.op = ER_OP_SQUEEZE,
                 .attrs = &all,
                 .attrs_size = sizeof all,
                 .dtype = mt_all_dtypes[d],
                 .ndim = 3,
                 .dims = {1, 24, 1},
                 .values = in};
    mt_run(&c, 1, (const int64_t[]){24}, in, 0);
    c.attrs = &sel;
    mt_run(&c, 2, (const int64_t[]){1, 24}, in, 0);
    c.attrs = &neg;
    mt_run(&c, 1, (const int64_t[]){24}, in, 0);
  }
  er_squeeze_attrs bad = {1, {1}};
  mt_case c = {.op = ER_OP_SQUEEZE,
               .attrs = &bad,
               .attrs_size = sizeof bad,
               .dtype = EDGERT_FLOAT32,
               .ndim = 3,
               .dims = {1, 24, 1},
               .values = in};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
}

static void expand_dims_positive_and_negative_axis(void) {
  const double in[4] = {-1, 1, -2, 2};
  const int64_t axes[4] = {0, 1, 2, -1};
  const int64_t want[4][3] = {{1, 2, 2}, {2, 1, 2}, {2, 2, 1}, {2, 2, 1}};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    if (mt_all_dtypes[d] == EDGERT_UINT8) continue; /* negative values */
    for (int k = 0; k < 4; k++) {
      mt_case c = {.op = ER_OP_EXPAND_DIMS,
                   .dtype = mt_all_dtypes[d],
                   .ndim = 2,
                   .dims = {2, 2},
                   .values = in,
                   .n_consts = 1};
      c.consts[0] = (mt_const){k % 2 ? EDGERT_INT64 : EDGERT_INT32, 1, {1}, &axes[k]};
      mt_run(&c, 3, want[k], in, 0);
    }
  }
  mt_case c = {.op = ER_OP_EXPAND_DIMS,
               .dtype = EDGERT_FLOAT32,
               .ndim = 2,
               .dims = {2, 2},
               .values = in,
               .n_consts = 1};
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){4}};
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
}

void run_tests(void) {
  RUN(reshape_regular_and_stretch_shapes);
  RUN(reshape_shape_from_options_and_scalar);
  RUN(reshape_rejects_two_stretch_dims_and_bad_counts);
  RUN(squeeze_all_selected_and_negative);
  RUN(expand_dims_positive_and_negative_axis);
}
