/* TOPK_V2 against tensorflow/lite/kernels/topk_v2_test.cc (EqualFloat, BorderFloat, LargeFloat,
 * VectorFloat, TypeUint8, TypeInt32, TypeInt64), int8 on the TypeInt64 values, ties (TensorFlow's top_k
 * contract, which TFLite's TopContainer keeps: of equal values the lower index comes first), and refused
 * inputs (k beyond the row, k not constant, int16). */
#include "extra_test.h"

static edgert_status run_topk(edgert_dtype t, int ndim, const int64_t *dims, const void *x, int32_t k,
                              xt_kind k_kind, th_graph **g, bool quiet) {
  xt_tensor ins[2] = {{t, ndim, {0}, x, XT_INPUT, 0, 0}, {EDGERT_INT32, 1, {1}, &k, k_kind, 0, 0}};
  for (int i = 0; i < ndim; i++)
    ins[0].dims[i] = dims[i];
  xt_out outs[2] = {{t, 0, 0}, {EDGERT_INT32, 0, 0}};
  return xt_run(g, ER_OP_TOPK_V2, NULL, 0, 2, ins, 2, outs, quiet);
}

static void check_float(int ndim, const int64_t *dims, const float *x, int32_t k, const int64_t *idx,
                        const float *vals, int n) {
  th_graph *g;
  CHECK_OK(run_topk(EDGERT_FLOAT32, ndim, dims, x, k, XT_CONST, &g, false));
  int64_t out_dims[ER_MAX_DIMS];
  memcpy(out_dims, dims, sizeof(int64_t) * (size_t)ndim);
  out_dims[ndim - 1] = k;
  xt_check_shape(g, 0, ndim, out_dims);
  xt_check_shape(g, 1, ndim, out_dims);
  xt_check_floats(g, 0, vals, n, 0);
  xt_check_ints(g, 1, EDGERT_INT32, idx, n);
  th_free(g);
}

static void topk_float_matches_tflite(void) {
  check_float(2, (int64_t[]){2, 2}, (const float[]){-2.0f, 0.2f, 0.8f, 0.1f}, 2, (int64_t[]){1, 0, 0, 1},
              (const float[]){0.2f, -2.0f, 0.8f, 0.1f}, 4);
  check_float(2, (int64_t[]){2, 3}, (const float[]){-2.0f, -3.0f, 0.2f, 0.8f, 0.1f, -0.1f}, 2,
              (int64_t[]){2, 0, 0, 1}, (const float[]){0.2f, -2.0f, 0.8f, 0.1f}, 4);
  check_float(2, (int64_t[]){2, 4}, (const float[]){-2.0f, -3.0f, -4.0f, 0.2f, 0.8f, 0.1f, -0.1f, -0.8f}, 2,
              (int64_t[]){3, 0, 0, 1}, (const float[]){0.2f, -2.0f, 0.8f, 0.1f}, 4);
  check_float(1, (int64_t[]){8}, (const float[]){-2.0f, -3.0f, -4.0f, 0.2f, 0.8f, 0.1f, -0.1f, -0.8f}, 2,
              (int64_t[]){4, 3}, (const float[]){0.8f, 0.2f}, 2);
  /* ties: lower index first */
  check_float(1, (int64_t[]){6}, (const float[]){1, 3, 2, 3, 1, 3}, 4, (int64_t[]){1, 3, 5, 2},
              (const float[]){3, 3, 3, 2}, 4);
}

static void check_ints(edgert_dtype t, const void *x, const int64_t *idx, const int64_t *vals) {
  th_graph *g;
  CHECK_OK(run_topk(t, 2, (int64_t[]){2, 3}, x, 2, XT_CONST, &g, false));
  xt_check_ints(g, 0, t, vals, 4);
  xt_check_ints(g, 1, EDGERT_INT32, idx, 4);
  th_free(g);
}

static void topk_integers_match_tflite(void) {
  check_ints(EDGERT_UINT8, (const uint8_t[]){1, 2, 3, 251, 250, 249}, (int64_t[]){2, 1, 0, 1},
             (int64_t[]){3, 2, 251, 250});
  check_ints(EDGERT_INT32, (const int32_t[]){1, 2, 3, 10251, 10250, 10249}, (int64_t[]){2, 1, 0, 1},
             (int64_t[]){3, 2, 10251, 10250});
  check_ints(EDGERT_INT64, (const int64_t[]){1, 2, 3, -1, -2, -3}, (int64_t[]){2, 1, 0, 1},
             (int64_t[]){3, 2, -1, -2});
  check_ints(EDGERT_INT8, (const int8_t[]){1, 2, 3, -1, -2, -3}, (int64_t[]){2, 1, 0, 1},
             (int64_t[]){3, 2, -1, -2});
}

static void topk_rejects_bad_k_and_dtype(void) {
  const float x[] = {1, 2, 3};
  th_graph *g;
  CHECK(run_topk(EDGERT_FLOAT32, 1, (int64_t[]){3}, x, 4, XT_CONST, &g, true) == EDGERT_ERR_SHAPE);
  th_free(g);
  CHECK(run_topk(EDGERT_FLOAT32, 1, (int64_t[]){3}, x, -1, XT_CONST, &g, true) == EDGERT_ERR_SHAPE);
  th_free(g);
  CHECK(run_topk(EDGERT_FLOAT32, 1, (int64_t[]){3}, x, 1, XT_INPUT, &g, true) == EDGERT_ERR_UNSUPPORTED);
  th_free(g);
  const int16_t s[] = {1, 2, 3};
  CHECK(run_topk(EDGERT_INT16, 1, (int64_t[]){3}, s, 1, XT_CONST, &g, true) == EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  RUN(topk_float_matches_tflite);
  RUN(topk_integers_match_tflite);
  RUN(topk_rejects_bad_k_and_dtype);
}
