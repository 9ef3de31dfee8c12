/* Shared by the tests of the N-d ONNX convolutions (test_conv_nd.c, test_conv_transpose_nd.c): default
 * attrs and running a one-node graph whose float output is copied out. */
#ifndef EDGERT_TESTS_CONV_ND_TEST_H
#define EDGERT_TESTS_CONV_ND_TEST_H

#include <string.h>

#include "op_harness.h"

/* Attrs as the ONNX importer gives for a convolution without attributes (auto_pad NOTSET). */
static inline er_conv_nd_attrs conv_nd_default_attrs(void) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = 1;
  a.auto_pad = ER_PAD_EXPLICIT;
  return a;
}

/* Runs g, fed x as its one input; copies the output (which must have out_bytes) to out and, unless out_dims
 * is NULL, its dims to out_dims; prints the error on failure. Frees g. */
static inline edgert_status conv_nd_run_graph(th_graph *g, const void *x, void *out, size_t out_bytes,
                                              int64_t *out_dims) {
  edgert_status st = th_run(g, (const void *[]){x});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(out, th_output(g, 0), out_bytes);
    for (int i = 0; i < info.ndim && out_dims; i++)
      out_dims[i] = info.dims[i];
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

#endif
