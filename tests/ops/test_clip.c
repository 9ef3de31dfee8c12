/* CLIP (ONNX Clip). Vectors from the ONNX 1.12 backend node tests (onnx/backend/test/case/node/clip.py:
 * test_clip_example, test_clip_default_int8_min, test_clip_splitbounds' rule that min > max gives max). */
#include "binary_test.h"

static void float_with_both_bounds(void) {
  bt_tensor x = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)}, b = {.dtype = EDGERT_FLOAT32, .ndim = 0};
  const float in[] = {-2, 0, 2}, lo[] = {-1}, hi[] = {1}, want[] = {-1, 0, 1};
  float out[3];
  CHECK_OK(bt_run(ER_OP_CLIP, NULL, 0, 3, (bt_tensor[]){x, b, b}, (const void *[]){in, lo, hi},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], want[i], 0);
  /* min above max: every value becomes max */
  const float lo2[] = {2}, hi2[] = {1};
  CHECK_OK(bt_run(ER_OP_CLIP, NULL, 0, 3, (bt_tensor[]){x, b, b}, (const void *[]){in, lo2, hi2},
                  (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out));
  for (int i = 0; i < 3; i++)
    CHECK_NEAR(out[i], 1, 0);
}

static void int8_min_only(void) {
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_INT8, 1, (int64_t[]){5}, NULL);
  int lo = th_tensor(g, EDGERT_INT8, 0, NULL, (const int8_t[]){0});
  int y = th_tensor(g, EDGERT_INT8, -1, NULL, NULL);
  th_node(g, ER_OP_CLIP, NULL, 0, 3, (int[]){x, lo, -1}, 1, (int[]){y});
  th_io(g, 1, (int[]){x}, 1, (int[]){y});
  const int8_t in[] = {1, -2, 127, -128, 0}, want[] = {1, 0, 127, 0, 0};
  if (th_run(g, (const void *[]){in}) == EDGERT_OK) {
    const int8_t *out = th_output(g, 0);
    for (int i = 0; i < 5; i++)
      CHECK_EQ_INT(out[i], want[i]);
  } else {
    CHECK_MSG(false, "%s", th_error(g));
  }
  th_free(g);
}

static void rejects_non_scalar_bound(void) {
  bt_tensor x = {.dtype = EDGERT_FLOAT32, BT_SHAPE(3)};
  const float in[] = {-2, 0, 2};
  float out[3];
  edgert_status st = bt_run_ex(ER_OP_CLIP, NULL, 0, 2, (bt_tensor[]){x, x}, (const void *[]){in, in},
                               (bt_tensor){.dtype = EDGERT_FLOAT32, .ndim = -1}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_SHAPE);
}

void run_tests(void) {
  RUN(float_with_both_bounds);
  RUN(int8_min_only);
  RUN(rejects_non_scalar_bound);
}
