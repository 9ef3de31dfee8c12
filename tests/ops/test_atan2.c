/* ATAN2 against tensorflow/lite/kernels/atan2_test.cc (TestScalar, TestBatch: float32) and shape and
 * dtype mismatches, which must fail prepare. */
#include "extra_test.h"

static edgert_status run_atan2(const float *y, const float *x, int ndim, const int64_t *dims, th_graph **g) {
  xt_tensor ins[2] = {{EDGERT_FLOAT32, ndim, {0}, y, XT_INPUT, 0, 0},
                      {EDGERT_FLOAT32, ndim, {0}, x, XT_INPUT, 0, 0}};
  for (int i = 0; i < ndim; i++)
    ins[0].dims[i] = ins[1].dims[i] = dims[i];
  return xt_run(g, ER_OP_ATAN2, NULL, 0, 2, ins, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, false);
}

static void atan2_scalars_match_tflite(void) {
  const float ys[] = {0, 1, 0, -1}, xs[] = {0, 0, 1, 0};
  const double want[] = {0.0, 1.5707963267948966, 0.0, -1.5707963267948966};
  for (int i = 0; i < 4; i++) {
    th_graph *g;
    CHECK_OK(run_atan2(&ys[i], &xs[i], 0, NULL, &g));
    CHECK_NEAR(((const float *)th_output(g, 0))[0], want[i], 1e-6);
    th_free(g);
  }
}

static void atan2_batch_matches_tflite(void) {
  const float y[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  const float x[] = {0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
  th_graph *g;
  CHECK_OK(run_atan2(y, x, 3, (int64_t[]){4, 2, 1}, &g));
  const float *out = th_output(g, 0);
  for (int i = 0; i < 8; i++)
    CHECK_NEAR(out[i], atan2((double)y[i], (double)x[i]), 1e-6);
  th_free(g);
}

static void atan2_rejects_mismatched_inputs(void) {
  const float v[4] = {1, 2, 3, 4};
  th_graph *g;
  xt_tensor shapes[2] = {{EDGERT_FLOAT32, 1, {4}, v, XT_INPUT, 0, 0},
                         {EDGERT_FLOAT32, 1, {2}, v, XT_INPUT, 0, 0}};
  CHECK(xt_run(&g, ER_OP_ATAN2, NULL, 0, 2, shapes, 1, &(xt_out){EDGERT_FLOAT32, 0, 0}, true) ==
        EDGERT_ERR_SHAPE);
  th_free(g);
  const int32_t iv[2] = {1, 2};
  xt_tensor types[2] = {{EDGERT_INT32, 1, {2}, iv, XT_INPUT, 0, 0},
                        {EDGERT_INT32, 1, {2}, iv, XT_INPUT, 0, 0}};
  CHECK(xt_run(&g, ER_OP_ATAN2, NULL, 0, 2, types, 1, &(xt_out){EDGERT_INT32, 0, 0}, true) ==
        EDGERT_ERR_UNSUPPORTED);
  th_free(g);
}

void run_tests(void) {
  RUN(atan2_scalars_match_tflite);
  RUN(atan2_batch_matches_tflite);
  RUN(atan2_rejects_mismatched_inputs);
}
