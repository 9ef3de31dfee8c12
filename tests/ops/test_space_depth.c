/* SPACE_TO_DEPTH, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND against TFLite's kernel tests:
 *   tensorflow/lite/kernels/space_to_depth_test.cc (Float32, Int32, Int64 4x4 block 2)
 *   tensorflow/lite/kernels/depth_to_space_test.cc (Float32, Int64 inverse of the above)
 *   tensorflow/lite/kernels/space_to_batch_nd_test.cc (SimpleConstTest, MultipleInputBatchesConstTest,
 *     SimplePaddingConstTest, a quantized pad with the zero point)
 *   tensorflow/lite/kernels/batch_to_space_nd_test.cc (SimpleConstTest, crops) */
#include "movement_test.h"

static const double kBlocked[16] = {1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16};
static const double kSeq[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void space_to_depth_and_back(void) {
  er_block_attrs b = {2};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case c = {.op = ER_OP_SPACE_TO_DEPTH,
                 .attrs = &b,
                 .attrs_size = sizeof b,
                 .dtype = t,
                 .ndim = 4,
                 .dims = {1, 2, 2, 3},
                 .values = kSeq};
    mt_run(&c, 4, (int64_t[]){1, 1, 1, 12}, kSeq, 0);
    mt_case s = {.op = ER_OP_SPACE_TO_DEPTH,
                 .attrs = &b,
                 .attrs_size = sizeof b,
                 .dtype = t,
                 .ndim = 4,
                 .dims = {1, 4, 4, 1},
                 .values = kBlocked};
    mt_run(&s, 4, (int64_t[]){1, 2, 2, 4}, kSeq, 0);
    mt_case r = {.op = ER_OP_DEPTH_TO_SPACE,
                 .attrs = &b,
                 .attrs_size = sizeof b,
                 .dtype = t,
                 .ndim = 4,
                 .dims = {1, 2, 2, 4},
                 .values = kSeq};
    mt_run(&r, 4, (int64_t[]){1, 4, 4, 1}, kBlocked, 0);
    mt_case f = {.op = ER_OP_DEPTH_TO_SPACE,
                 .attrs = &b,
                 .attrs_size = sizeof b,
                 .dtype = t,
                 .ndim = 4,
                 .dims = {1, 1, 1, 4},
                 .values = kSeq};
    mt_run(&f, 4, (int64_t[]){1, 2, 2, 1}, kSeq, 0);
  }
}

static mt_case batch_case(er_op op, edgert_dtype t, const int64_t *dims, const double *in,
                          const int64_t *block, const int64_t *pads) {
  mt_case c = {.op = op, .dtype = t, .ndim = 4, .values = in, .n_consts = 2};
  memcpy(c.dims, dims, sizeof(int64_t) * 4);
  c.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, block};
  c.consts[1] = (mt_const){EDGERT_INT32, 2, {2, 2}, pads};
  return c;
}

static void space_to_batch_matches_tflite(void) {
  const double want[16] = {1, 3, 9, 11, 2, 4, 10, 12, 5, 7, 13, 15, 6, 8, 14, 16};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case c = batch_case(ER_OP_SPACE_TO_BATCH_ND, t, (int64_t[]){1, 4, 4, 1}, kSeq, (int64_t[]){2, 2},
                           (int64_t[]){0, 0, 0, 0});
    mt_run(&c, 4, (int64_t[]){4, 2, 2, 1}, want, 0);
    mt_case m = batch_case(ER_OP_SPACE_TO_BATCH_ND, t, (int64_t[]){2, 2, 4, 1}, kSeq, (int64_t[]){2, 2},
                           (int64_t[]){0, 0, 0, 0});
    mt_run(&m, 4, (int64_t[]){8, 1, 2, 1}, want, 0);
    mt_case p = batch_case(ER_OP_SPACE_TO_BATCH_ND, t, (int64_t[]){1, 5, 2, 1}, kSeq, (int64_t[]){3, 2},
                           (int64_t[]){1, 0, 2, 0});
    mt_run(&p, 4, (int64_t[]){6, 2, 2, 1},
           (double[]){0, 0, 0, 5, 0, 0, 0, 6, 0, 1, 0, 7, 0, 2, 0, 8, 0, 3, 0, 9, 0, 4, 0, 10}, 0);
  }
  /* int8 pads with the zero point */
  mt_case q = batch_case(ER_OP_SPACE_TO_BATCH_ND, EDGERT_INT8, (int64_t[]){1, 5, 2, 1}, kSeq,
                         (int64_t[]){3, 2}, (int64_t[]){1, 0, 2, 0});
  q.scale = 1.f;
  q.zero_point = -5;
  mt_run(&q, 4, (int64_t[]){6, 2, 2, 1},
         (double[]){-5, -5, -5, 5, -5, -5, -5, 6, -5, 1, -5, 7, -5, 2, -5, 8, -5, 3, -5, 9, -5, 4, -5, 10},
         0);
}

static void batch_to_space_matches_tflite(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case c = batch_case(ER_OP_BATCH_TO_SPACE_ND, t, (int64_t[]){4, 2, 2, 1}, kSeq, (int64_t[]){2, 2},
                           (int64_t[]){0, 0, 0, 0});
    mt_run(&c, 4, (int64_t[]){1, 4, 4, 1}, (double[]){1, 5, 2, 6, 9, 13, 10, 14, 3, 7, 4, 8, 11, 15, 12, 16},
           0);
    /* the inverse of SimplePaddingConstTest, cropping the padding away */
    mt_case p =
        batch_case(ER_OP_BATCH_TO_SPACE_ND, t, (int64_t[]){6, 2, 2, 1},
                   (double[]){0, 0, 0, 5, 0, 0, 0, 6, 0, 1, 0, 7, 0, 2, 0, 8, 0, 3, 0, 9, 0, 4, 0, 10},
                   (int64_t[]){3, 2}, (int64_t[]){1, 0, 2, 0});
    mt_run(&p, 4, (int64_t[]){1, 5, 2, 1}, kSeq, 0);
  }
}

static void space_batch_reject_bad_shapes(void) {
  er_block_attrs b = {3};
  mt_case s = {.op = ER_OP_SPACE_TO_DEPTH,
               .attrs = &b,
               .attrs_size = sizeof b,
               .dtype = EDGERT_FLOAT32,
               .ndim = 4,
               .dims = {1, 4, 4, 1},
               .values = kSeq};
  CHECK(mt_run(&s, 0, NULL, NULL, 0) != EDGERT_OK);
  mt_case c = batch_case(ER_OP_BATCH_TO_SPACE_ND, EDGERT_FLOAT32, (int64_t[]){3, 2, 2, 1}, kSeq,
                         (int64_t[]){2, 2}, (int64_t[]){0, 0, 0, 0});
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
}

void run_tests(void) {
  RUN(space_to_depth_and_back);
  RUN(space_to_batch_matches_tflite);
  RUN(batch_to_space_matches_tflite);
  RUN(space_batch_reject_bad_shapes);
}
