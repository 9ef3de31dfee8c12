/* A runner for the ONNX tensor-family kernel tests: one op with any number of inputs, each a constant or
 * an activation fed at invoke, of any dtype, and outputs whose shape is either left to prepare or
 * declared (as ONNX models declare graph outputs; needed when a shape-deciding input is an activation).
 * Values are given as doubles and compared exactly unless a tolerance is given. Expected values come
 * from the ONNX backend test data or the ONNX operator spec, cited in each test file. */
#ifndef EDGERT_TESTS_ONNX_TEST_H
#define EDGERT_TESTS_ONNX_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  edgert_dtype dtype;
  int ndim;
  int64_t dims[ER_MAX_DIMS];
  const double *values;
  bool is_const; /* else fed at invoke */
  bool absent;   /* an optional input left out (-1) */
} ot_tensor;

typedef struct {
  edgert_dtype dtype;
  int ndim; /* want: shape and values; declare: also declared in the model */
  int64_t dims[ER_MAX_DIMS];
  const double *values;
  bool declare;
} ot_output;

static inline size_t ot_size(edgert_dtype t) { return edgert_dtype_size(t); }

static inline void ot_store(void *p, int64_t i, edgert_dtype t, double v) {
  switch (t) {
  case EDGERT_FLOAT32: ((float *)p)[i] = (float)v; break;
  case EDGERT_FLOAT64: ((double *)p)[i] = v; break;
  case EDGERT_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
  case EDGERT_UINT8:
  case EDGERT_BOOL: ((uint8_t *)p)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
  case EDGERT_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
  default: ((int64_t *)p)[i] = (int64_t)v; break;
  }
}

static inline double ot_load(const void *p, int64_t i, edgert_dtype t) {
  switch (t) {
  case EDGERT_FLOAT32: return ((const float *)p)[i];
  case EDGERT_FLOAT64: return ((const double *)p)[i];
  case EDGERT_INT8: return ((const int8_t *)p)[i];
  case EDGERT_UINT8:
  case EDGERT_BOOL: return ((const uint8_t *)p)[i];
  case EDGERT_INT16: return ((const int16_t *)p)[i];
  case EDGERT_INT32: return ((const int32_t *)p)[i];
  default: return (double)((const int64_t *)p)[i];
  }
}

static inline int64_t ot_count(int ndim, const int64_t *dims) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  return n;
}

static inline void *ot_buffer(const ot_tensor *t) {
  int64_t n = ot_count(t->ndim, t->dims);
  void *buf = calloc((size_t)(n ? n : 1), 8);
  for (int64_t i = 0; i < n; i++)
    ot_store(buf, i, t->dtype, t->values[i]);
  return buf;
}

/* Runs op on the inputs; on OK checks every output's shape and values within tol. Returns the status so
 * tests of bad inputs can require a failure (expect_ok false: no checks, no message). */
static inline edgert_status ot_run(er_op op, const void *attrs, size_t attrs_size, int n_in,
                                   const ot_tensor *in, int n_out, const ot_output *out, double tol,
                                   bool expect_ok) {
  th_graph *g = th_new();
  int ids[8], out_ids[8], act_ids[8], n_act = 0;
  void *act_bufs[8];
  for (int i = 0; i < n_in; i++) {
    if (in[i].absent) {
      ids[i] = -1;
      continue;
    }
    void *buf = ot_buffer(&in[i]);
    ids[i] = th_tensor(g, in[i].dtype, in[i].ndim, in[i].dims, in[i].is_const ? buf : NULL);
    if (in[i].is_const) {
      free(buf);
    } else {
      act_bufs[n_act] = buf;
      act_ids[n_act++] = ids[i];
    }
  }
  for (int k = 0; k < n_out; k++)
    out_ids[k] = th_tensor(g, out[k].dtype, out[k].declare ? out[k].ndim : -1,
                           out[k].declare ? out[k].dims : NULL, NULL);
  th_node(g, op, attrs, attrs_size, n_in, ids, n_out, out_ids);
  th_io(g, n_act, act_ids, n_out, out_ids);
  edgert_status st = th_run(g, (const void *const *)act_bufs);
  for (int i = 0; i < n_act; i++)
    free(act_bufs[i]);
  if (st != EDGERT_OK && expect_ok) {
    fprintf(stderr, "%s: %s\n", test_current, th_error(g));
    CHECK_OK(st);
  }
  if (st == EDGERT_OK && expect_ok) {
    for (int k = 0; k < n_out; k++) {
      edgert_tensor_info info = th_output_info(g, k);
      CHECK_EQ_INT(info.ndim, out[k].ndim);
      bool same = info.ndim == out[k].ndim;
      for (int i = 0; i < out[k].ndim && i < info.ndim; i++) {
        CHECK_EQ_INT(info.dims[i], out[k].dims[i]);
        same = same && info.dims[i] == out[k].dims[i];
      }
      const void *y = th_output(g, k);
      for (int64_t i = 0; same && i < ot_count(out[k].ndim, out[k].dims); i++)
        CHECK_NEAR(ot_load(y, i, out[k].dtype), out[k].values[i], tol);
    }
  }
  th_free(g);
  return st;
}

#endif
