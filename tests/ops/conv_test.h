/* Helpers shared by the convolution-family kernel tests: describe each tensor of one node (dtype, shape,
 * constant data or fed at run time, per-tensor or per-channel quantization), run the node through the op
 * harness, and compare outputs exactly (integers) or within a tolerance (floats). */
#ifndef EDGERT_TESTS_CONV_TEST_H
#define EDGERT_TESTS_CONV_TEST_H

#include <stdbool.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  bool absent; /* an optional input left out (id -1) */
  edgert_dtype dtype;
  int ndim; /* on the output, -1 leaves the shape to prepare */
  int64_t dims[EDGERT_MAX_DIMS];
  const void *data; /* inputs: constant data; NULL makes a graph input fed at run time */
  float scale;      /* per-tensor quantization; 0: none */
  int32_t zero_point;
  int channels; /* > 0: per-channel scales along axis */
  int axis;
  const float *scales;
} ct_tensor;

#define CT_MAX_INPUTS 8

/* Runs one `op` node. Graph inputs (inputs without data) are fed, in order, from feed[]. On success the
 * output is copied into out (out_bytes) and its shape into *info when info is not NULL. Failures print
 * the interpreter's message unless quiet. */
static inline edgert_status ct_run(er_op op, const void *attrs, size_t attrs_size, int n_inputs,
                                   const ct_tensor *inputs, const void *const *feed, const ct_tensor *output,
                                   void *out, size_t out_bytes, edgert_tensor_info *info, bool quiet) {
  th_graph *g = th_new();
  int ids[CT_MAX_INPUTS], graph_inputs[CT_MAX_INPUTS], n_graph_inputs = 0;
  for (int i = 0; i < n_inputs; i++) {
    const ct_tensor *t = &inputs[i];
    if (t->absent) {
      ids[i] = -1;
      continue;
    }
    ids[i] = th_tensor(g, t->dtype, t->ndim, t->dims, t->data);
    if (t->channels > 0) th_quant_channels(g, ids[i], t->axis, t->channels, t->scales, NULL);
    if (t->scale > 0) th_quant(g, ids[i], t->scale, t->zero_point);
    if (!t->data) graph_inputs[n_graph_inputs++] = ids[i];
  }
  int out_id = th_tensor(g, output->dtype, output->ndim, output->dims, NULL);
  if (output->scale > 0) th_quant(g, out_id, output->scale, output->zero_point);
  th_node(g, op, attrs, attrs_size, n_inputs, ids, 1, &out_id);
  th_io(g, n_graph_inputs, graph_inputs, 1, &out_id);
  edgert_status st = th_run(g, feed);
  if (st == EDGERT_OK) {
    edgert_tensor_info got = th_output_info(g, 0);
    if (info) *info = got;
    if (got.bytes != out_bytes) {
      fprintf(stderr, "%s: output has %zu bytes, test expects %zu\n", test_current, got.bytes, out_bytes);
      test_failures++;
    } else {
      memcpy(out, th_output(g, 0), out_bytes);
    }
  } else if (!quiet) {
    fprintf(stderr, "%s: run failed: %s\n", test_current, th_error(g));
  }
  th_free(g);
  return st;
}

static inline void ct_expect_f32(const float *got, const float *want, int n, double tol) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], tol);
}

static inline void ct_expect_i8(const int8_t *got, const int8_t *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(got[i], want[i]);
}

static inline void ct_expect_i16(const int16_t *got, const int16_t *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_EQ_INT(got[i], want[i]);
}

static inline void ct_expect_dims(const edgert_tensor_info *info, int ndim, const int64_t *dims) {
  CHECK_EQ_INT(info->ndim, ndim);
  for (int i = 0; i < ndim && i < info->ndim; i++)
    CHECK_EQ_INT(info->dims[i], dims[i]);
}

#endif
