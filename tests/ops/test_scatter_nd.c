/* SCATTER_ND against tensorflow/lite/kernels/scatter_nd_test.cc (ScatterElementIntoVector,
 * ScatterMatrixIntoRank3Tensor, ScatterVectorIntoMatrix, ScatterMatricesIntoRank4Tensor,
 * ScatterVectorIntoRank3Tensor, OverlappedIndicesSummed, the uint8/int8/int32/int64 updates,
 * ReadAndWriteArrayLimits, OOBRead, OOBWrites), int64 indices, and a shape that does not fit the updates. */
#include "extra_test.h"

static edgert_status run_scatter(int indim, const int64_t *idims, const int32_t *indices, edgert_dtype t,
                                 int undim, const int64_t *udims, const void *updates, int rank,
                                 const int32_t *shape, th_graph **g, bool quiet) {
  xt_tensor ins[3] = {{EDGERT_INT32, indim, {0}, indices, XT_INPUT, 0, 0},
                      {t, undim, {0}, updates, XT_INPUT, 0, 0},
                      {EDGERT_INT32, 1, {rank}, shape, XT_CONST, 0, 0}};
  for (int i = 0; i < indim; i++)
    ins[0].dims[i] = idims[i];
  for (int i = 0; i < undim; i++)
    ins[1].dims[i] = udims[i];
  return xt_run(g, ER_OP_SCATTER_ND, NULL, 0, 3, ins, 1, &(xt_out){t, 0, 0}, quiet);
}

static void scatter_float_matches_tflite(void) {
  th_graph *g;
  CHECK_OK(run_scatter(2, (int64_t[]){4, 1}, (int32_t[]){4, 3, 1, 7}, EDGERT_FLOAT32, 1, (int64_t[]){4},
                       (float[]){9, 10, 11, 12}, 1, (int32_t[]){8}, &g, false));
  xt_check_shape(g, 0, 1, (int64_t[]){8});
  xt_check_floats(g, 0, (float[]){0, 11, 0, 10, 9, 0, 0, 12}, 8, 0);
  th_free(g);

  float upd[32], want[64] = {0};
  for (int i = 0; i < 32; i++)
    upd[i] = (float)(5 + (i % 16) / 4);
  for (int i = 0; i < 16; i++)
    want[i] = want[32 + i] = upd[i];
  CHECK_OK(run_scatter(2, (int64_t[]){2, 1}, (int32_t[]){0, 2}, EDGERT_FLOAT32, 3, (int64_t[]){2, 4, 4}, upd,
                       3, (int32_t[]){4, 4, 4}, &g, false));
  xt_check_shape(g, 0, 3, (int64_t[]){4, 4, 4});
  xt_check_floats(g, 0, want, 64, 0);
  th_free(g);

  float v16[16], want40[40] = {0};
  for (int i = 0; i < 16; i++)
    v16[i] = (float)(i + 1);
  for (int i = 0; i < 4; i++) {
    want40[i] = (float)(9 + i);
    want40[4 + i] = (float)(13 + i);
    want40[32 + i] = (float)(5 + i);
    want40[36 + i] = (float)(1 + i);
  }
  CHECK_OK(run_scatter(2, (int64_t[]){4, 1}, (int32_t[]){9, 8, 0, 1}, EDGERT_FLOAT32, 2, (int64_t[]){4, 4},
                       v16, 2, (int32_t[]){10, 4}, &g, false));
  xt_check_floats(g, 0, want40, 40, 0);
  th_free(g);

  CHECK_OK(run_scatter(3, (int64_t[]){2, 2, 2}, (int32_t[]){1, 1, 0, 1, 0, 0, 1, 0}, EDGERT_FLOAT32, 4,
                       (int64_t[]){2, 2, 2, 2}, v16, 4, (int32_t[]){2, 2, 2, 2}, &g, false));
  xt_check_floats(g, 0, (float[]){9, 10, 11, 12, 5, 6, 7, 8, 13, 14, 15, 16, 1, 2, 3, 4}, 16, 0);
  th_free(g);

  float v20[20], want135[135] = {0};
  for (int i = 0; i < 20; i++)
    v20[i] = (float)(i + 1);
  const int slots[4] = {26, 10, 6, 24}; /* (2,2,2), (1,0,1), (0,2,0), (2,2,0) as rows of 5 */
  for (int s = 0; s < 4; s++)
    for (int j = 0; j < 5; j++)
      want135[slots[s] * 5 + j] = v20[s * 5 + j];
  CHECK_OK(run_scatter(3, (int64_t[]){2, 2, 3}, (int32_t[]){2, 2, 2, 1, 0, 1, 0, 2, 0, 2, 2, 0},
                       EDGERT_FLOAT32, 3, (int64_t[]){2, 2, 5}, v20, 4, (int32_t[]){3, 3, 3, 5}, &g, false));
  xt_check_shape(g, 0, 4, (int64_t[]){3, 3, 3, 5});
  xt_check_floats(g, 0, want135, 135, 0);
  th_free(g);

  CHECK_OK(run_scatter(2, (int64_t[]){4, 2}, (int32_t[]){1, 0, 0, 2, 0, 2, 1, 0}, EDGERT_FLOAT32, 2,
                       (int64_t[]){4, 5}, v20, 3, (int32_t[]){2, 3, 5}, &g, false));
  xt_check_floats(g, 0, (float[]){0,  0,  0,  0,  0,  0, 0, 0, 0, 0, 17, 19, 21, 23, 25,
                                  17, 19, 21, 23, 25, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0},
                  30, 0);
  th_free(g);
}

static void scatter_integers_match_tflite(void) {
  const int64_t want[30] = {1, 2, 3, 4, 5,  0, 0, 0, 0, 0, 11, 12, 13, 14, 15,
                            6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 16, 17, 18, 19, 20};
  const edgert_dtype types[] = {EDGERT_UINT8, EDGERT_INT8, EDGERT_INT32, EDGERT_INT64};
  for (int k = 0; k < 4; k++) {
    unsigned char buf[20 * 8];
    for (int i = 0; i < 20; i++) {
      switch (types[k]) {
      case EDGERT_UINT8:
      case EDGERT_INT8: buf[i] = (unsigned char)(i + 1); break;
      case EDGERT_INT32: ((int32_t *)buf)[i] = i + 1; break;
      default: ((int64_t *)buf)[i] = i + 1; break;
      }
    }
    th_graph *g;
    CHECK_OK(run_scatter(2, (int64_t[]){4, 2}, (int32_t[]){0, 0, 1, 0, 0, 2, 1, 2}, types[k], 2,
                         (int64_t[]){4, 5}, buf, 3, (int32_t[]){2, 3, 5}, &g, false));
    xt_check_ints(g, 0, types[k], want, 30);
    th_free(g);
  }
  th_graph *g;
  CHECK_OK(run_scatter(2, (int64_t[]){5, 1}, (int32_t[]){4, 3, 1, 0, 2}, EDGERT_INT32, 1, (int64_t[]){5},
                       (int32_t[]){1, 2, 3, 7, 9}, 1, (int32_t[]){5}, &g, false));
  xt_check_ints(g, 0, EDGERT_INT32, (int64_t[]){7, 3, 9, 2, 1}, 5);
  th_free(g);
  /* int64 indices and shape */
  th_graph *h = th_new();
  int i = th_tensor(h, EDGERT_INT64, 2, (int64_t[]){2, 1}, NULL);
  int u = th_tensor(h, EDGERT_FLOAT32, 1, (int64_t[]){2}, NULL);
  int s = th_tensor(h, EDGERT_INT64, 1, (int64_t[]){1}, (int64_t[]){3});
  int o = th_tensor(h, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(h, ER_OP_SCATTER_ND, NULL, 0, 3, (int[]){i, u, s}, 1, (int[]){o});
  th_io(h, 2, (int[]){i, u}, 1, (int[]){o});
  CHECK_OK(th_run(h, (const void *[]){(const int64_t[]){2, 0}, (const float[]){5, 6}}));
  xt_check_floats(h, 0, (float[]){6, 0, 5}, 3, 0);
  th_free(h);
}

static void scatter_rejects_out_of_bounds_and_bad_shapes(void) {
  th_graph *g;
  CHECK(run_scatter(2, (int64_t[]){1, 1}, (int32_t[]){4}, EDGERT_INT32, 1, (int64_t[]){1}, (int32_t[]){1}, 1,
                    (int32_t[]){1}, &g, true) == EDGERT_ERR_RUNTIME);
  th_free(g);
  CHECK(run_scatter(2, (int64_t[]){5, 1}, (int32_t[]){4, 3, 1, -0x38, 0x38}, EDGERT_INT32, 1, (int64_t[]){5},
                    (int32_t[]){1, 2, 3, 0x44444444, 0x55555555}, 1, (int32_t[]){1}, &g,
                    true) == EDGERT_ERR_RUNTIME);
  th_free(g);
  CHECK(run_scatter(2, (int64_t[]){4, 1}, (int32_t[]){0, 1, 2, 3}, EDGERT_FLOAT32, 1, (int64_t[]){3},
                    (float[]){1, 2, 3}, 1, (int32_t[]){8}, &g, true) == EDGERT_ERR_SHAPE);
  th_free(g);
}

void run_tests(void) {
  RUN(scatter_float_matches_tflite);
  RUN(scatter_integers_match_tflite);
  RUN(scatter_rejects_out_of_bounds_and_bad_shapes);
}
