/* TILE and BROADCAST_TO against tensorflow/lite/kernels/tile_test.cc (Vector, Matrix, MatrixCol,
 * HighDimension) and tensorflow/lite/kernels/broadcast_to_test.cc (vector to matrix, size-1 dims). */
#include "movement_test.h"
#include "onnx_test.h"

static void tile_matches_tflite(void) {
  const double m[6] = {11, 12, 13, 21, 22, 23};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case v = {
        .op = ER_OP_TILE, .dtype = t, .ndim = 1, .dims = {3}, .values = (double[]){1, 2, 3}, .n_consts = 1};
    v.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){2}};
    mt_run(&v, 1, (int64_t[]){6}, (double[]){1, 2, 3, 1, 2, 3}, 0);
    mt_case c = {.op = ER_OP_TILE, .dtype = t, .ndim = 2, .dims = {2, 3}, .values = m, .n_consts = 1};
    c.consts[0] = (mt_const){EDGERT_INT64, 1, {2}, (const int64_t[]){2, 1}};
    mt_run(&c, 2, (int64_t[]){4, 3}, (double[]){11, 12, 13, 21, 22, 23, 11, 12, 13, 21, 22, 23}, 0);
    c.consts[0].values = (const int64_t[]){1, 2};
    mt_run(&c, 2, (int64_t[]){2, 6}, (double[]){11, 12, 13, 11, 12, 13, 21, 22, 23, 21, 22, 23}, 0);
    mt_case h = {.op = ER_OP_TILE, .dtype = t, .ndim = 3, .dims = {1, 2, 3}, .values = m, .n_consts = 1};
    h.consts[0] = (mt_const){EDGERT_INT32, 1, {3}, (const int64_t[]){2, 3, 1}};
    double want[36];
    for (int i = 0; i < 36; i++)
      want[i] = m[i % 6];
    mt_run(&h, 3, (int64_t[]){2, 6, 3}, want, 0);
  }
}

static void broadcast_to_matches_tflite(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case v = {.op = ER_OP_BROADCAST_TO,
                 .dtype = t,
                 .ndim = 1,
                 .dims = {3},
                 .values = (double[]){1, 2, 3},
                 .n_consts = 1};
    v.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){2, 3}};
    mt_run(&v, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 1, 2, 3}, 0);
    mt_case c = {.op = ER_OP_BROADCAST_TO,
                 .dtype = t,
                 .ndim = 2,
                 .dims = {3, 1},
                 .values = (double[]){1, 2, 3},
                 .n_consts = 1};
    c.consts[0] = (mt_const){EDGERT_INT64, 1, {3}, (const int64_t[]){2, 3, 3}};
    mt_run(&c, 3, (int64_t[]){2, 3, 3}, (double[]){1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1, 1, 2, 2, 2, 3, 3, 3}, 0);
  }
}

static void tile_and_broadcast_reject_bad_shapes(void) {
  mt_case v = {.op = ER_OP_BROADCAST_TO,
               .dtype = EDGERT_FLOAT32,
               .ndim = 1,
               .dims = {3},
               .values = (double[]){1, 2, 3},
               .n_consts = 1};
  v.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){2, 4}};
  CHECK(mt_run(&v, 0, NULL, NULL, 0) != EDGERT_OK);
  mt_case t = {.op = ER_OP_TILE,
               .dtype = EDGERT_FLOAT32,
               .ndim = 1,
               .dims = {3},
               .values = (double[]){1, 2, 3},
               .n_consts = 1};
  t.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){-2}};
  CHECK(mt_run(&t, 0, NULL, NULL, 0) != EDGERT_OK);
}

/* ONNX Tile with repeats fed at run time (onnx/backend/test/data/node/test_tile_precomputed: [[0, 1],
 * [2, 3]] tiled [2, 2]): the declared output shape stands in at prepare and eval checks the repeats. */
static void tile_run_time_repeats_use_declared_shape(void) {
  ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {2, 2}, (const double[]){0, 1, 2, 3}, false, false},
                     {EDGERT_INT64, 1, {2}, (const double[]){2, 2}, false, false}};
  ot_output out = {
      EDGERT_FLOAT32, 2, {4, 4}, (const double[]){0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3}, true};
  ot_run(ER_OP_TILE, NULL, 0, 2, in, 1, &out, 0, true);
  in[1].values = (const double[]){1, 4}; /* [2, 8], not the declared [4, 4] */
  CHECK(ot_run(ER_OP_TILE, NULL, 0, 2, in, 1, &out, 0, false) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(tile_matches_tflite);
  RUN(broadcast_to_matches_tflite);
  RUN(tile_and_broadcast_reject_bad_shapes);
  RUN(tile_run_time_repeats_use_declared_shape);
}
