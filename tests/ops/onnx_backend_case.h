/* Runs one ONNX backend test case (onnx/backend/test/data/node/<name>: model.onnx with
 * test_data_set_0/input_K.pb and output_K.pb, as Debian's libonnx-testdata installs it) through edgert
 * and compares every output with ONNX's tolerance (|got - want| <= 1e-7 + 1e-3 |want|; integers exact).
 * The expected values are ONNX's own (made by its reference implementation). Also builds small models
 * in memory for the hostile cases. Header-only: static functions for the control-flow kernel tests. */
#ifndef EDGERT_TESTS_ONNX_BACKEND_CASE_H
#define EDGERT_TESTS_ONNX_BACKEND_CASE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "formats/onnx/onnx_import.h"
#include "test.h"

#define ONNX_CASE_ROOT "/usr/share/libonnx-testdata/data"
#define ONNX_CASE_MAX_IO 8

typedef struct {
  unsigned char *bytes[ONNX_CASE_MAX_IO];
  er_tensor tensors[ONNX_CASE_MAX_IO];
  int count;
  er_graph owner;
} onnx_case_set;

static void onnx_case_set_free(onnx_case_set *s) {
  for (int i = 0; i < s->count; i++)
    free(s->bytes[i]);
  er_graph_free(&s->owner);
}

static void onnx_case_read(const char *dir, const char *prefix, onnx_case_set *s) {
  memset(s, 0, sizeof *s);
  for (int k = 0; k < ONNX_CASE_MAX_IO; k++) {
    char path[512];
    size_t size;
    snprintf(path, sizeof path, "%s/test_data_set_0/%s_%d.pb", dir, prefix, k);
    unsigned char *bytes = test_read_file(path, &size);
    if (!bytes) return;
    s->bytes[k] = bytes;
    s->count = k + 1;
    char err[256];
    CHECK_MSG(er_onnx_read_tensor(bytes, size, &s->owner, &s->tensors[k], err, sizeof err) == EDGERT_OK,
              "%s: %s", path, err);
  }
}

static double onnx_case_value(edgert_dtype dtype, const void *data, int64_t i) {
  switch (dtype) {
  case EDGERT_FLOAT32: return ((const float *)data)[i];
  case EDGERT_FLOAT64: return ((const double *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  case EDGERT_INT64: return (double)((const int64_t *)data)[i];
  case EDGERT_BOOL: return ((const uint8_t *)data)[i];
  default: return NAN;
  }
}

/* Runs backend test `name` ("node/test_if"); returns false (after printing why) when the test data is not
 * installed. */
static bool onnx_case_run(const char *name) {
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/%s", ONNX_CASE_ROOT, name);
  snprintf(path, sizeof path, "%s/model.onnx", dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("  (skipped: %s not installed)\n", path);
    return false;
  }
  fclose(f);
  edgert_model *model = NULL;
  edgert_interpreter *it = NULL;
  onnx_case_set in, out;
  onnx_case_read(dir, "input", &in);
  onnx_case_read(dir, "output", &out);
  CHECK_MSG(edgert_model_load_file(path, &model) == EDGERT_OK, "%s", edgert_model_error(model));
  if (model && edgert_interpreter_create(model, NULL, &it) != EDGERT_OK) {
    CHECK_MSG(false, "%s", edgert_interpreter_error(it));
  } else if (model) {
    for (int k = 0; k < in.count; k++) { /* symbolic dims take the test data's shape */
      edgert_tensor_info now;
      CHECK_OK(edgert_interpreter_input_info(it, k, &now));
      if (now.bytes != in.tensors[k].bytes)
        CHECK_MSG(edgert_interpreter_resize_input(it, k, in.tensors[k].ndim, in.tensors[k].dims) == EDGERT_OK,
                  "%s", edgert_interpreter_error(it));
    }
    for (int k = 0; k < in.count; k++)
      CHECK_MSG(edgert_interpreter_set_input(it, k, in.tensors[k].data, in.tensors[k].bytes) == EDGERT_OK,
                "%s", edgert_interpreter_error(it));
    CHECK_MSG(edgert_interpreter_invoke(it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
    for (int k = 0; k < out.count; k++) {
      edgert_tensor_info info;
      CHECK_OK(edgert_interpreter_output_info(it, k, &info));
      const er_tensor *want = &out.tensors[k];
      CHECK_EQ_INT(info.dtype, want->dtype);
      CHECK_EQ_INT(info.bytes, want->bytes);
      const void *got = edgert_interpreter_output_data(it, k);
      if (info.dtype != want->dtype || info.bytes != want->bytes || !got) continue;
      for (int64_t i = 0; i < er_tensor_elements(want); i++) {
        double g = onnx_case_value(want->dtype, got, i), w = onnx_case_value(want->dtype, want->data, i);
        CHECK_NEAR(g, w, 1e-7 + 1e-3 * fabs(w));
      }
    }
  }
  edgert_interpreter_free(it);
  edgert_model_free(model);
  onnx_case_set_free(&in);
  onnx_case_set_free(&out);
  return true;
}

#endif
