/* A runner for the shape and data-movement kernel tests: one op on one activation input (values given as
 * doubles, stored in any dtype) plus constant index inputs (int32 or int64 vectors), checking the output
 * shape and values. Data movement must not change values, so comparisons are exact unless a tolerance
 * is given (resize). Expected values come from TFLite's kernel tests, cited in each test file. */
#ifndef EDGERT_TESTS_MOVEMENT_TEST_H
#define EDGERT_TESTS_MOVEMENT_TEST_H

#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  edgert_dtype dtype; /* EDGERT_INT32 or EDGERT_INT64 */
  int ndim;
  int64_t dims[ER_MAX_DIMS];
  const int64_t *values;
} mt_const;

typedef struct {
  er_op op;
  const void *attrs;
  size_t attrs_size;
  edgert_dtype dtype;
  float scale; /* applied to input and output when > 0 */
  int32_t zero_point;
  int ndim;
  int64_t dims[ER_MAX_DIMS];
  const double *values;
  int data_pos; /* position of the activation among the node's inputs */
  int n_consts;
  mt_const consts[4];
} mt_case;

static inline void mt_store(void *p, int64_t i, edgert_dtype t, double v) {
  switch (t) {
  case EDGERT_FLOAT32: ((float *)p)[i] = (float)v; break;
  case EDGERT_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
  case EDGERT_UINT8:
  case EDGERT_BOOL: ((uint8_t *)p)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
  case EDGERT_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
  default: ((int64_t *)p)[i] = (int64_t)v; break;
  }
}

static inline double mt_load(const void *p, int64_t i, edgert_dtype t) {
  switch (t) {
  case EDGERT_FLOAT32: return ((const float *)p)[i];
  case EDGERT_INT8: return ((const int8_t *)p)[i];
  case EDGERT_UINT8:
  case EDGERT_BOOL: return ((const uint8_t *)p)[i];
  case EDGERT_INT16: return ((const int16_t *)p)[i];
  case EDGERT_INT32: return ((const int32_t *)p)[i];
  default: return (double)((const int64_t *)p)[i];
  }
}

static inline int64_t mt_count(int ndim, const int64_t *dims) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  return n;
}

static inline int mt_const_tensor(th_graph *g, const mt_const *c) {
  int64_t n = mt_count(c->ndim, c->dims);
  void *buf = calloc((size_t)(n ? n : 1), 8);
  for (int64_t i = 0; i < n; i++)
    mt_store(buf, i, c->dtype, (double)c->values[i]);
  int id = th_tensor(g, c->dtype, c->ndim, c->dims, buf);
  free(buf);
  return id;
}

/* Runs the case. On OK checks shape (want_ndim dims) and values (want, tolerance tol). Returns the status
 * so tests of bad inputs can require a failure. */
static inline edgert_status mt_run(const mt_case *c, int want_ndim, const int64_t *want_dims,
                                   const double *want, double tol) {
  th_graph *g = th_new();
  int in = th_tensor(g, c->dtype, c->ndim, c->dims, NULL);
  int out = th_tensor(g, c->dtype, -1, NULL, NULL);
  if (c->scale > 0) {
    th_quant(g, in, c->scale, c->zero_point);
    th_quant(g, out, c->scale, c->zero_point);
  }
  int inputs[8], n = 0;
  for (int k = 0; k < c->n_consts + 1; k++) {
    if (k == c->data_pos)
      inputs[n++] = in;
    else
      inputs[n++] = mt_const_tensor(g, &c->consts[k < c->data_pos ? k : k - 1]);
  }
  th_node(g, c->op, c->attrs, c->attrs_size, n, inputs, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  int64_t count = mt_count(c->ndim, c->dims);
  void *buf = calloc((size_t)(count ? count : 1), 8);
  for (int64_t i = 0; i < count; i++)
    mt_store(buf, i, c->dtype, c->values[i]);
  edgert_status st = th_run(g, (const void *[]){buf});
  free(buf);
  if (st == EDGERT_OK && want_dims) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, want_ndim);
    for (int i = 0; i < want_ndim && i < info.ndim; i++)
      CHECK_EQ_INT(info.dims[i], want_dims[i]);
    const void *y = th_output(g, 0);
    int64_t wn = mt_count(want_ndim, want_dims);
    if (info.ndim == want_ndim && mt_count(info.ndim, info.dims) == wn)
      for (int64_t i = 0; i < wn; i++)
        CHECK_NEAR(mt_load(y, i, c->dtype), want[i], tol);
  } else if (st != EDGERT_OK && want_dims) {
    fprintf(stderr, "%s: %s\n", test_current, th_error(g));
    CHECK_OK(st);
  }
  th_free(g);
  return st;
}

/* The dtypes every data-movement test runs in. */
static const edgert_dtype mt_all_dtypes[] = {EDGERT_FLOAT32, EDGERT_INT8,  EDGERT_UINT8,
                                             EDGERT_INT16,   EDGERT_INT32, EDGERT_INT64};
#define MT_N_DTYPES ((int)(sizeof mt_all_dtypes / sizeof mt_all_dtypes[0]))

#endif
