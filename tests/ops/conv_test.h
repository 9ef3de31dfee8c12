/* Helpers shared by the convolution-family kernel tests: describe each tensor of one node (dtype, shape,
 * constant data or fed at run time, per-tensor or per-channel quantization), run the node through the op
 * harness, and compare outputs exactly (integers) or within a tolerance (floats). */
#ifndef EDGERT_TESTS_CONV_TEST_H
#define EDGERT_TESTS_CONV_TEST_H

#include <stdbool.h>
#include <string.h>

#include "op_harness.h"
#include "uint8_test.h"

#include "core/attrs.h"

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

/* Runs a node the test expects to be refused (at prepare or invoke), quietly, and returns the status. An
 * unexpected success also counts as a failure here: the output is not wanted, so its size never matches. */
static inline edgert_status ct_refused(er_op op, const void *attrs, size_t attrs_size, int n_inputs,
                                       const ct_tensor *inputs, const void *const *feed,
                                       const ct_tensor *output) {
  unsigned char unused[1];
  return ct_run(op, attrs, attrs_size, n_inputs, inputs, feed, output, unused, 0, NULL, true);
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

/* NHWC convolution attributes with dilation 1. */
static inline er_conv_attrs ct_conv_attrs(er_padding padding, int stride_w, int stride_h, er_activation act) {
  er_conv_attrs a;
  memset(&a, 0, sizeof a);
  a.layout = ER_LAYOUT_NHWC;
  a.padding = padding;
  a.stride_w = stride_w;
  a.stride_h = stride_h;
  a.dilation_w = 1;
  a.dilation_h = 1;
  a.activation = act;
  return a;
}

/* Runs a float CONV_2D or DEPTHWISE_CONV_2D (`op`) of input [n,h,w,c] (fed) with a constant filter and
 * optional bias of bias_len values; checks the computed output shape and values (within 1e-4). */
static inline void ct_conv_float(er_op op, const er_conv_attrs *a, const int64_t in_dims[4],
                                 const float *input, const int64_t f_dims[4], const float *filter,
                                 const float *bias, int64_t bias_len, const int64_t out_dims[4],
                                 const float *want) {
  ct_tensor in[3] = {
      {.dtype = EDGERT_FLOAT32, .ndim = 4, .dims = {in_dims[0], in_dims[1], in_dims[2], in_dims[3]}},
      {.dtype = EDGERT_FLOAT32,
       .ndim = 4,
       .dims = {f_dims[0], f_dims[1], f_dims[2], f_dims[3]},
       .data = filter},
      {.dtype = EDGERT_FLOAT32, .ndim = 1, .dims = {bias_len}, .data = bias, .absent = bias == NULL},
  };
  ct_tensor out = {.dtype = EDGERT_FLOAT32, .ndim = -1};
  int64_t n = out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3];
  float got[128];
  edgert_tensor_info info;
  CHECK_OK(ct_run(op, a, sizeof *a, 3, in, (const void *[]){input}, &out, got, sizeof(float) * (size_t)n,
                  &info, false));
  ct_expect_dims(&info, 4, out_dims);
  ct_expect_f32(got, want, (int)n, 1e-4);
}

/* Runs a uint8 CONV_2D or DEPTHWISE_CONV_2D (`op`) of float data quantized over the given ranges as
 * TFLite's tests do (the bias, bias_len values, at input scale times filter scale); n_out outputs into
 * got and, when info is not NULL, the output's shape into *info. */
static inline edgert_status ct_conv_uint8(er_op op, const er_conv_attrs *a, const int64_t in_dims[4],
                                          u8_range in_r, const float *input_f, const int64_t f_dims[4],
                                          u8_range f_r, const float *filter_f, const float *bias_f,
                                          int64_t bias_len, u8_range out_r, int n_out, uint8_t *got,
                                          edgert_tensor_info *info) {
  uint8_t input[128], filter[128];
  int32_t bias[8];
  quantize_u8(input_f, (int)(in_dims[0] * in_dims[1] * in_dims[2] * in_dims[3]), in_r, input);
  quantize_u8(filter_f, (int)(f_dims[0] * f_dims[1] * f_dims[2] * f_dims[3]), f_r, filter);
  quantize_bias(bias_f, (int)bias_len, in_r.scale * f_r.scale, bias);
  ct_tensor in[3] = {
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {in_dims[0], in_dims[1], in_dims[2], in_dims[3]},
       .scale = in_r.scale,
       .zero_point = in_r.zp},
      {.dtype = EDGERT_UINT8,
       .ndim = 4,
       .dims = {f_dims[0], f_dims[1], f_dims[2], f_dims[3]},
       .data = filter,
       .scale = f_r.scale,
       .zero_point = f_r.zp},
      {.dtype = EDGERT_INT32, .ndim = 1, .dims = {bias_len}, .data = bias},
  };
  ct_tensor out = {.dtype = EDGERT_UINT8, .ndim = -1, .scale = out_r.scale, .zero_point = out_r.zp};
  return ct_run(op, a, sizeof *a, 3, in, (const void *[]){input}, &out, got, (size_t)n_out, info, false);
}

#endif
