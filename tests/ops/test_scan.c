/* SCAN kernel (src/ops/scan.c) through the ONNX importer. Expected values: ONNX's backend tests
 * (onnx/backend/test/case/node/scan.py: running sums of [[1, 2], [3, 4], [5, 6]] from [0, 0]: final
 * [9, 12], scan [[1, 2], [4, 6], [9, 12]]; opset 8 with a batch axis and opset 9). */
#include "onnx_backend_case.h"

static void test_backend_scan8_batched_sum(void) { onnx_case_run("node/test_scan_sum"); }
static void test_backend_scan9_sum(void) { onnx_case_run("node/test_scan9_sum"); }

/* Scan inputs whose lengths differ are refused at prepare: test_scan9_sum with x resized to [3, 3] while
 * the body expects [2] slices. */
static void test_scan_refuses_mismatched_slice_shape(void) {
  const char *path = ONNX_CASE_ROOT "/node/test_scan9_sum/model.onnx";
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("  (skipped: %s not installed)\n", path);
    return;
  }
  fclose(f);
  edgert_model *model = NULL;
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_model_load_file(path, &model));
  CHECK_MSG(edgert_interpreter_create(model, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  int64_t dims[2] = {3, 3};
  CHECK(edgert_interpreter_resize_input(it, 1, 2, dims) != EDGERT_OK);
  CHECK(edgert_interpreter_invoke(it) != EDGERT_OK);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

void run_tests(void) {
  RUN(test_backend_scan8_batched_sum);
  RUN(test_backend_scan9_sum);
  RUN(test_scan_refuses_mismatched_slice_shape);
}
