/* GATHER_ND against tensorflow/lite/kernels/gather_nd_test.cc (element, slice and batched indexing into
 * matrices and rank-3 tensors; float32, int8, uint8, int16, int32, int64 params; int32 and int64
 * indices; out-of-bounds indices, too large and negative, which must fail the invoke). */
#include "extra_test.h"

static const float rank3[18] = {1.1f,  -1.2f, 1.3f, -2.1f, 2.2f,  2.3f, 3.1f, 3.2f,  -3.3f,
                                -4.1f, -4.2f, 4.3f, 5.1f,  -5.2f, 5.3f, 6.1f, -6.2f, 6.3f};
static const float matrix[4] = {1.1f, 1.2f, 2.1f, 2.2f};

static edgert_status run_gnd(edgert_dtype t, int pndim, const int64_t *pdims, const void *params,
                             edgert_dtype it, int indim, const int64_t *idims, const void *indices,
                             th_graph **g, bool quiet) {
  xt_tensor ins[2] = {{t, pndim, {0}, params, XT_CONST, 0, 0}, {it, indim, {0}, indices, XT_INPUT, 0, 0}};
  for (int i = 0; i < pndim; i++)
    ins[0].dims[i] = pdims[i];
  for (int i = 0; i < indim; i++)
    ins[1].dims[i] = idims[i];
  return xt_run(g, ER_OP_GATHER_ND, NULL, 0, 2, ins, 1, &(xt_out){t, 0, 0}, quiet);
}

static void check_f(int pndim, const int64_t *pdims, const float *params, int indim, const int64_t *idims,
                    const int32_t *indices, const float *want, int n) {
  th_graph *g;
  CHECK_OK(run_gnd(EDGERT_FLOAT32, pndim, pdims, params, EDGERT_INT32, indim, idims, indices, &g, false));
  xt_check_floats(g, 0, want, n, 0);
  th_free(g);
}

static void gather_nd_float_matches_tflite(void) {
  check_f(2, (int64_t[]){2, 2}, matrix, 2, (int64_t[]){2, 2}, (int32_t[]){0, 0, 1, 1}, (float[]){1.1f, 2.2f},
          2);
  check_f(2, (int64_t[]){2, 2}, matrix, 2, (int64_t[]){2, 1}, (int32_t[]){1, 0},
          (float[]){2.1f, 2.2f, 1.1f, 1.2f}, 4);
  check_f(2, (int64_t[]){2, 2}, matrix, 3, (int64_t[]){2, 1, 1}, (int32_t[]){1, 0},
          (float[]){2.1f, 2.2f, 1.1f, 1.2f}, 4);
  check_f(2, (int64_t[]){2, 2}, matrix, 3, (int64_t[]){2, 1, 2}, (int32_t[]){0, 0, 1, 1},
          (float[]){1.1f, 2.2f}, 2);
  check_f(2, (int64_t[]){2, 2}, matrix, 2, (int64_t[]){2, 2}, (int32_t[]){0, 0, 0, 0}, (float[]){1.1f, 1.1f},
          2);
  check_f(3, (int64_t[]){3, 2, 3}, rank3, 3, (int64_t[]){1, 2, 3}, (int32_t[]){0, 0, 1, 1, 1, 0},
          (float[]){-1.2f, -4.1f}, 2);
  check_f(3, (int64_t[]){3, 2, 3}, rank3, 2, (int64_t[]){2, 1}, (int32_t[]){0, 2},
          (float[]){1.1f, -1.2f, 1.3f, -2.1f, 2.2f, 2.3f, 5.1f, -5.2f, 5.3f, 6.1f, -6.2f, 6.3f}, 12);
  check_f(3, (int64_t[]){3, 2, 3}, rank3, 3, (int64_t[]){2, 2, 2}, (int32_t[]){0, 1, 1, 0, 0, 0, 2, 1},
          (float[]){-2.1f, 2.2f, 2.3f, 3.1f, 3.2f, -3.3f, 1.1f, -1.2f, 1.3f, 6.1f, -6.2f, 6.3f}, 12);
  check_f(3, (int64_t[]){3, 2, 3}, rank3, 3, (int64_t[]){2, 2, 3},
          (int32_t[]){0, 0, 1, 1, 0, 1, 1, 1, 2, 2, 1, 2}, (float[]){-1.2f, 3.2f, 4.3f, 6.3f}, 4);
  th_graph *g;
  CHECK_OK(run_gnd(EDGERT_FLOAT32, 3, (int64_t[]){3, 2, 3}, rank3, EDGERT_INT64, 2, (int64_t[]){2, 2},
                   (int64_t[]){0, 1, 1, 0}, &g, false));
  xt_check_shape(g, 0, 2, (int64_t[]){2, 3});
  xt_check_floats(g, 0, (float[]){-2.1f, 2.2f, 2.3f, 3.1f, 3.2f, -3.3f}, 6, 0);
  th_free(g);
}

static void gather_nd_integers_match_tflite(void) {
  const int64_t values[18] = {1, -1, 1, -2, 2, 2, 3, 3, -3, -4, -4, 4, 5, -5, 5, 6, -6, 6};
  const int64_t want[6] = {-2, 2, 2, 3, 3, -3};
  const edgert_dtype types[] = {EDGERT_INT8, EDGERT_INT16, EDGERT_INT32, EDGERT_INT64};
  for (int k = 0; k < 4; k++) {
    unsigned char buf[18 * 8];
    for (int i = 0; i < 18; i++) {
      switch (types[k]) {
      case EDGERT_INT8: ((int8_t *)buf)[i] = (int8_t)values[i]; break;
      case EDGERT_INT16: ((int16_t *)buf)[i] = (int16_t)values[i]; break;
      case EDGERT_INT32: ((int32_t *)buf)[i] = (int32_t)values[i]; break;
      default: ((int64_t *)buf)[i] = values[i]; break;
      }
    }
    for (int wide = 0; wide < 2; wide++) {
      th_graph *g;
      const void *idx =
          wide ? (const void *)(const int64_t[]){0, 1, 1, 0} : (const void *)(const int32_t[]){0, 1, 1, 0};
      CHECK_OK(run_gnd(types[k], 3, (int64_t[]){3, 2, 3}, buf, wide ? EDGERT_INT64 : EDGERT_INT32, 2,
                       (int64_t[]){2, 2}, idx, &g, false));
      xt_check_ints(g, 0, types[k], want, 6);
      th_free(g);
    }
  }
  const uint8_t u[18] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6};
  th_graph *g;
  CHECK_OK(run_gnd(EDGERT_UINT8, 3, (int64_t[]){3, 2, 3}, u, EDGERT_INT32, 2, (int64_t[]){2, 2},
                   (int32_t[]){0, 1, 1, 0}, &g, false));
  xt_check_ints(g, 0, EDGERT_UINT8, (int64_t[]){2, 2, 2, 3, 3, 3}, 6);
  th_free(g);
}

static void gather_nd_rejects_out_of_bounds_indices(void) {
  const int32_t bad[3][4] = {{0, 0, 2, 0}, {0, 0, 1, 2}, {1, -1, 1, 1}};
  for (int b = 0; b < 3; b++) {
    th_graph *g;
    CHECK(run_gnd(EDGERT_FLOAT32, 2, (int64_t[]){2, 2}, matrix, EDGERT_INT32, 2, (int64_t[]){2, 2}, bad[b],
                  &g, true) == EDGERT_ERR_RUNTIME);
    th_free(g);
  }
  th_graph *g;
  CHECK(run_gnd(EDGERT_FLOAT32, 2, (int64_t[]){2, 2}, matrix, EDGERT_INT32, 2, (int64_t[]){1, 3},
                (int32_t[]){0, 0, 0}, &g, true) == EDGERT_ERR_SHAPE);
  th_free(g);
}

void run_tests(void) {
  RUN(gather_nd_float_matches_tflite);
  RUN(gather_nd_integers_match_tflite);
  RUN(gather_nd_rejects_out_of_bounds_indices);
}
