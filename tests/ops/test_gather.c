/* GATHER against tensorflow/lite/kernels/gather_test.cc (Shuffle, Test2DIndexWith2DResult, Axis1, int64
 * positions, batch_dims) and a runtime index outside the axis, which must fail the invoke. */
#include "movement_test.h"

/* params constant, indices the graph input (runtime data, as in a real model). */
static edgert_status run_gather(edgert_dtype t, int pndim, const int64_t *pdims, const double *params,
                                edgert_dtype it, int indim, const int64_t *idims, const int64_t *indices,
                                int axis, int batch_dims, int out_ndim, const int64_t *out_dims,
                                const double *want) {
  th_graph *g = th_new();
  unsigned char pbuf[256], ibuf[128];
  for (int64_t i = 0; i < mt_count(pndim, pdims); i++)
    mt_store(pbuf, i, t, params[i]);
  for (int64_t i = 0; i < mt_count(indim, idims); i++)
    mt_store(ibuf, i, it, (double)indices[i]);
  int p = th_tensor(g, t, pndim, pdims, pbuf);
  int x = th_tensor(g, it, indim, idims, NULL);
  int y = th_tensor(g, t, -1, NULL, NULL);
  er_axis_attrs a = {.axis = axis, .batch_dims = batch_dims};
  th_node(g, ER_OP_GATHER, &a, sizeof a, 2, (int[]){p, x}, 1, (int[]){y});
  th_io(g, 1, (int[]){x}, 1, (int[]){y});
  edgert_status st = th_run(g, (const void *[]){ibuf});
  if (st == EDGERT_OK && want) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, out_ndim);
    for (int i = 0; i < out_ndim; i++)
      CHECK_EQ_INT(info.dims[i], out_dims[i]);
    for (int64_t i = 0; i < mt_count(out_ndim, out_dims); i++)
      CHECK_NEAR(mt_load(th_output(g, 0), i, t), want[i], 0);
  } else if (want) {
    fprintf(stderr, "%s\n", th_error(g));
    CHECK_OK(st);
  }
  th_free(g);
  return st;
}

static void gather_matches_tflite(void) {
  CHECK_OK(run_gather(EDGERT_FLOAT32, 2, (int64_t[]){2, 2}, (double[]){-2.0, 0.2, 0.7, 0.8}, EDGERT_INT32, 1,
                      (int64_t[]){2}, (int64_t[]){1, 0}, 0, 0, 2, (int64_t[]){2, 2},
                      (double[]){0.7f, 0.8f, -2.0f, 0.2f}));
  for (int d = 1; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d], it = d % 2 ? EDGERT_INT64 : EDGERT_INT32;
    CHECK_OK(run_gather(t, 1, (int64_t[]){3}, (double[]){1, 2, 3}, it, 2, (int64_t[]){1, 2},
                        (int64_t[]){1, 0}, 0, 0, 2, (int64_t[]){1, 2}, (double[]){2, 1}));
    CHECK_OK(run_gather(t, 3, (int64_t[]){1, 2, 3}, (double[]){1, 2, 3, 4, 5, 6}, it, 1, (int64_t[]){2},
                        (int64_t[]){1, 0}, 1, 0, 3, (int64_t[]){1, 2, 3}, (double[]){4, 5, 6, 1, 2, 3}));
    /* batch_dims 1: each row picks from its own row */
    CHECK_OK(run_gather(t, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6}, it, 2, (int64_t[]){2, 2},
                        (int64_t[]){2, 0, 1, 1}, 1, 1, 2, (int64_t[]){2, 2}, (double[]){3, 1, 5, 5}));
  }
}

static void gather_rejects_out_of_range_index_at_run_time(void) {
  CHECK(run_gather(EDGERT_FLOAT32, 1, (int64_t[]){3}, (double[]){1, 2, 3}, EDGERT_INT32, 1, (int64_t[]){2},
                   (int64_t[]){1, 3}, 0, 0, 0, NULL, NULL) == EDGERT_ERR_RUNTIME);
  CHECK(run_gather(EDGERT_FLOAT32, 1, (int64_t[]){3}, (double[]){1, 2, 3}, EDGERT_INT64, 1, (int64_t[]){1},
                   (int64_t[]){-1}, 0, 0, 0, NULL, NULL) == EDGERT_ERR_RUNTIME);
  CHECK(run_gather(EDGERT_FLOAT32, 1, (int64_t[]){3}, (double[]){1, 2, 3}, EDGERT_FLOAT32, 1, (int64_t[]){1},
                   (int64_t[]){0}, 0, 0, 0, NULL, NULL) != EDGERT_OK);
}

void run_tests(void) {
  RUN(gather_matches_tflite);
  RUN(gather_rejects_out_of_range_index_at_run_time);
}
