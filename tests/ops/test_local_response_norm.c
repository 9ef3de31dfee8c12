/* LOCAL_RESPONSE_NORMALIZATION against tensorflow/lite/kernels/local_response_norm_test.cc (SameAsL2Norm,
 * WithAlpha, WithBias, SmallRadius) and a refused rank. */
#include "extra_test.h"

static const float lrn_in[] = {-1.1f, 0.6f, 0.7f, 1.2f, -0.7f, 0.1f};

static void run_lrn(int radius, float bias, float alpha, float beta, const float *want) {
  er_lrn_attrs a = {radius, bias, alpha, beta};
  th_graph *g;
  xt_tensor in = {EDGERT_FLOAT32, 4, {1, 1, 1, 6}, lrn_in, XT_INPUT, 0, 0};
  CHECK_OK(xt_run(&g, ER_OP_LOCAL_RESPONSE_NORMALIZATION, &a, sizeof a, 1, &in, 1,
                  &(xt_out){EDGERT_FLOAT32, 0, 0}, false));
  xt_check_shape(g, 0, 4, (int64_t[]){1, 1, 1, 6});
  xt_check_floats(g, 0, want, 6, 1e-5);
  th_free(g);
}

static void lrn_matches_tflite(void) {
  run_lrn(20, 0.0f, 1.0f, 0.5f, (const float[]){-0.55f, 0.3f, 0.35f, 0.6f, -0.35f, 0.05f});
  run_lrn(20, 0.0f, 4.0f, 0.5f, (const float[]){-0.275f, 0.15f, 0.175f, 0.3f, -0.175f, 0.025f});
  run_lrn(20, 9.0f, 4.0f, 0.5f, (const float[]){-0.22f, 0.12f, 0.14f, 0.24f, -0.14f, 0.02f});
  run_lrn(2, 9.0f, 4.0f, 0.5f,
          (const float[]){-0.264926f, 0.125109f, 0.140112f, 0.267261f, -0.161788f, 0.0244266f});
}

static void lrn_rejects_rank_2(void) {
  er_lrn_attrs a = {2, 1.0f, 1.0f, 0.5f};
  th_graph *g;
  xt_tensor in = {EDGERT_FLOAT32, 2, {1, 6}, lrn_in, XT_INPUT, 0, 0};
  CHECK(xt_run(&g, ER_OP_LOCAL_RESPONSE_NORMALIZATION, &a, sizeof a, 1, &in, 1,
               &(xt_out){EDGERT_FLOAT32, 0, 0}, true) == EDGERT_ERR_SHAPE);
  th_free(g);
}

void run_tests(void) {
  RUN(lrn_matches_tflite);
  RUN(lrn_rejects_rank_2);
}
