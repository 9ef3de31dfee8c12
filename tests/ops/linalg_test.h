/* Shared by the tests of the ONNX linalg kernels: runs one op on tensors given as (dtype, shape, data)
 * and compares each output with the expected values under ONNX's backend-test rule, |got - want| <=
 * 1e-7 + 1e-3 * |want| tightened to 1e-5 relative (our kernels work in double); integers exactly.
 * Expected values come from the ONNX 1.12 backend test data (onnx/backend/test/data/node/<test>/
 * test_data_set_0), converted to C arrays; each test names its source directory. */
#ifndef EDGERT_TESTS_LINALG_TEST_H
#define EDGERT_TESTS_LINALG_TEST_H

#include <math.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  edgert_dtype dtype;
  int ndim;
  int64_t dims[ER_MAX_DIMS];
  const void *data; /* NULL for an absent optional input */
  bool is_const;    /* a constant of the model rather than a graph input */
} lt_tensor;

/* LT_IN(dtype, ndim, {dims}, data): a graph input; LT_CONST: a constant. */
#define LT_IN(dt, ...) ((lt_tensor){dt, __VA_ARGS__, false})
#define LT_CONST(dt, ...) ((lt_tensor){dt, __VA_ARGS__, true})
#define LT_ABSENT ((lt_tensor){EDGERT_FLOAT32, 0, {0}, NULL, false})

static double lt_value(const void *p, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_FLOAT32: return ((const float *)p)[i];
  case EDGERT_FLOAT64: return ((const double *)p)[i];
  case EDGERT_INT8: return ((const int8_t *)p)[i];
  case EDGERT_UINT8: return ((const uint8_t *)p)[i];
  case EDGERT_BOOL: return ((const uint8_t *)p)[i];
  case EDGERT_INT32: return ((const int32_t *)p)[i];
  case EDGERT_INT64: return (double)((const int64_t *)p)[i];
  default: return NAN;
  }
}

static void lt_compare(int index, const edgert_tensor_info *info, const void *got, const lt_tensor *want) {
  CHECK_EQ_INT(info->dtype, want->dtype);
  CHECK_EQ_INT(info->ndim, want->ndim);
  for (int d = 0; d < info->ndim && d < want->ndim; d++)
    CHECK_EQ_INT(info->dims[d], want->dims[d]);
  if (info->ndim != want->ndim || info->dtype != want->dtype) return;
  int64_t n = 1;
  for (int d = 0; d < want->ndim; d++)
    n *= want->dims[d];
  bool is_float = want->dtype == EDGERT_FLOAT32 || want->dtype == EDGERT_FLOAT64;
  for (int64_t i = 0; i < n; i++) {
    double g = lt_value(got, want->dtype, i), w = lt_value(want->data, want->dtype, i);
    if (is_float && isnan(w)) {
      CHECK_MSG(isnan(g), "output %d [%lld]: got %.9g, want NaN", index, (long long)i, g);
    } else if (is_float) {
      CHECK_MSG(fabs(g - w) <= 1e-7 + 1e-5 * fabs(w), "output %d [%lld]: got %.9g, want %.9g", index,
                (long long)i, g, w);
    } else {
      CHECK_MSG(g == w, "output %d [%lld]: got %.0f, want %.0f", index, (long long)i, g, w);
    }
  }
}

/* Runs op on ins; outputs are declared without a shape (prepare computes it) unless declare_outputs.
 * Returns the status; on success compares every output with want. */
static edgert_status lt_run(er_op op, const void *attrs, size_t attrs_size, int n_in, const lt_tensor *ins,
                            int n_out, const lt_tensor *want, bool declare_outputs) {
  th_graph *g = th_new();
  int in_ids[16], out_ids[8], graph_in[16], n_graph_in = 0;
  const void *feeds[16];
  for (int i = 0; i < n_in; i++) {
    if (!ins[i].data) {
      in_ids[i] = -1;
      continue;
    }
    in_ids[i] = th_tensor(g, ins[i].dtype, ins[i].ndim, ins[i].dims, ins[i].is_const ? ins[i].data : NULL);
    if (!ins[i].is_const) {
      graph_in[n_graph_in] = in_ids[i];
      feeds[n_graph_in++] = ins[i].data;
    }
  }
  for (int k = 0; k < n_out; k++)
    out_ids[k] = th_tensor(g, want[k].dtype, declare_outputs ? want[k].ndim : -1, want[k].dims, NULL);
  th_node(g, op, attrs, attrs_size, n_in, in_ids, n_out, out_ids);
  th_io(g, n_graph_in, graph_in, n_out, out_ids);
  edgert_status st = th_run(g, feeds);
  if (st == EDGERT_OK) {
    for (int k = 0; k < n_out; k++) {
      edgert_tensor_info info = th_output_info(g, k);
      lt_compare(k, &info, th_output(g, k), &want[k]);
    }
  } else {
    printf("  (status %d: %s)\n", (int)st, th_error(g));
  }
  th_free(g);
  return st;
}

#endif
