/* A runner for the extra-family kernel tests: one op whose inputs are constants or graph inputs (fed from
 * given values) or variable state, and whose outputs take the shapes prepare computes; plus checks of
 * output shapes and values. Expected values come from TFLite's own kernel tests, cited in each file. */
#ifndef EDGERT_TESTS_EXTRA_TEST_H
#define EDGERT_TESTS_EXTRA_TEST_H

#include <stdbool.h>
#include <string.h>

#include "op_harness.h"

typedef enum { XT_INPUT = 0, XT_CONST, XT_VARIABLE } xt_kind;

typedef struct {
  edgert_dtype dtype;
  int ndim;
  int64_t dims[ER_MAX_DIMS];
  const void *data; /* values in the dtype; ignored for XT_VARIABLE */
  xt_kind kind;
  float scale; /* quantization, when > 0 */
  int32_t zero_point;
} xt_tensor;

typedef struct {
  edgert_dtype dtype;
  float scale;
  int32_t zero_point;
} xt_out;

/* Builds and runs the op once; *graph (always set) keeps the interpreter for reading outputs or running
 * again with th_run, and is freed by the caller. Prints the error of a failed run when `quiet` is false. */
static inline edgert_status xt_run(th_graph **graph, er_op op, const void *attrs, size_t attrs_size, int n_in,
                                   const xt_tensor *ins, int n_out, const xt_out *outs, bool quiet) {
  th_graph *g = th_new();
  int in_ids[8], out_ids[8], feed_ids[8];
  const void *feeds[8];
  int n_feeds = 0;
  for (int i = 0; i < n_in; i++) {
    const xt_tensor *t = &ins[i];
    in_ids[i] = th_tensor(g, t->dtype, t->ndim, t->dims, t->kind == XT_CONST ? t->data : NULL);
    if (t->scale > 0) th_quant(g, in_ids[i], t->scale, t->zero_point);
    if (t->kind == XT_VARIABLE) th_variable(g, in_ids[i]);
    if (t->kind == XT_INPUT) {
      feed_ids[n_feeds] = in_ids[i];
      feeds[n_feeds++] = t->data;
    }
  }
  for (int i = 0; i < n_out; i++) {
    out_ids[i] = th_tensor(g, outs[i].dtype, -1, NULL, NULL);
    if (outs[i].scale > 0) th_quant(g, out_ids[i], outs[i].scale, outs[i].zero_point);
  }
  th_node(g, op, attrs, attrs_size, n_in, in_ids, n_out, out_ids);
  th_io(g, n_feeds, feed_ids, n_out, out_ids);
  edgert_status st = th_run(g, feeds);
  if (st != EDGERT_OK && !quiet) fprintf(stderr, "%s: %s\n", test_current, th_error(g));
  *graph = g;
  return st;
}

static inline void xt_check_shape(th_graph *g, int output, int ndim, const int64_t *dims) {
  edgert_tensor_info info = th_output_info(g, output);
  CHECK_EQ_INT(info.ndim, ndim);
  for (int i = 0; i < ndim && i < info.ndim; i++)
    CHECK_EQ_INT(info.dims[i], dims[i]);
}

static inline void xt_check_floats(th_graph *g, int output, const float *want, int64_t n, double tol) {
  const float *got = th_output(g, output);
  for (int64_t i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], tol);
}

/* Exact comparison of an integer output of any integer dtype. */
static inline void xt_check_ints(th_graph *g, int output, edgert_dtype dtype, const int64_t *want,
                                 int64_t n) {
  const void *p = th_output(g, output);
  for (int64_t i = 0; i < n; i++) {
    int64_t v;
    switch (dtype) {
    case EDGERT_INT8: v = ((const int8_t *)p)[i]; break;
    case EDGERT_UINT8: v = ((const uint8_t *)p)[i]; break;
    case EDGERT_INT16: v = ((const int16_t *)p)[i]; break;
    case EDGERT_INT32: v = ((const int32_t *)p)[i]; break;
    default: v = ((const int64_t *)p)[i]; break;
    }
    CHECK_EQ_INT(v, want[i]);
  }
}

#define XT_COUNT(a) ((int64_t)(sizeof(a) / sizeof((a)[0])))

#endif
