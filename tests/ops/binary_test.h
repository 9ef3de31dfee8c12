/* Helpers shared by the elementwise kernel tests: run one op on a few tensors through the op harness and
 * quantize float vectors the way TFLite's test helpers do (round half away from zero, add the zero point,
 * clamp). */
#ifndef EDGERT_TESTS_BINARY_TEST_H
#define EDGERT_TESTS_BINARY_TEST_H

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  edgert_dtype dtype;
  int ndim; /* -1 on an output: leave the shape to prepare */
  int64_t dims[EDGERT_MAX_DIMS];
  float scale; /* 0: not quantized */
  int32_t zero_point;
  const void *const_data; /* inputs: non-NULL makes a constant tensor */
} bt_tensor;

#define BT_MAX_INPUTS 8

/* Runs op once. Inputs without const_data are graph inputs fed from `data` (indexed like `inputs`).
 * On success copies out_bytes of output 0 into out. A failure's message is printed when `quiet` is
 * false, so tests that expect an error can stay silent. */
static inline edgert_status bt_run_ex(er_op op, const void *attrs, size_t attrs_size, int n_inputs,
                                      const bt_tensor *inputs, const void *const *data, bt_tensor output,
                                      void *out, size_t out_bytes, bool quiet) {
  th_graph *g = th_new();
  int ids[BT_MAX_INPUTS], feed_ids[BT_MAX_INPUTS];
  const void *feed[BT_MAX_INPUTS];
  int n_feed = 0;
  for (int i = 0; i < n_inputs; i++) {
    const bt_tensor *t = &inputs[i];
    ids[i] = th_tensor(g, t->dtype, t->ndim, t->dims, t->const_data);
    if (t->scale > 0) th_quant(g, ids[i], t->scale, t->zero_point);
    if (!t->const_data) {
      feed_ids[n_feed] = ids[i];
      feed[n_feed++] = data ? data[i] : NULL;
    }
  }
  int out_id = th_tensor(g, output.dtype, output.ndim, output.dims, NULL);
  if (output.scale > 0) th_quant(g, out_id, output.scale, output.zero_point);
  th_node(g, op, attrs, attrs_size, n_inputs, ids, 1, &out_id);
  th_io(g, n_feed, feed_ids, 1, &out_id);
  edgert_status st = th_run(g, feed);
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    if (info.bytes != out_bytes) {
      fprintf(stderr, "%s: output has %zu bytes, test expected %zu\n", test_current, info.bytes, out_bytes);
      test_failures++;
    } else {
      memcpy(out, th_output(g, 0), out_bytes);
    }
  } else if (!quiet) {
    fprintf(stderr, "%s: %s\n", test_current, th_error(g));
  }
  th_free(g);
  return st;
}

static inline edgert_status bt_run(er_op op, const void *attrs, size_t attrs_size, int n_inputs,
                                   const bt_tensor *inputs, const void *const *data, bt_tensor output,
                                   void *out, size_t out_bytes) {
  return bt_run_ex(op, attrs, attrs_size, n_inputs, inputs, data, output, out, out_bytes, false);
}

/* TFLite's test Quantize: round(x / scale) + zero_point, clamped to [qmin, qmax]. */
static inline int32_t bt_quantize(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float r = roundf(x / scale) + (float)zero_point;
  if (r < (float)qmin) return qmin;
  if (r > (float)qmax) return qmax;
  return (int32_t)r;
}

static inline void bt_quantize_i8(const float *x, int n, float scale, int32_t zp, int8_t *q) {
  for (int i = 0; i < n; i++)
    q[i] = (int8_t)bt_quantize(x[i], scale, zp, -128, 127);
}

static inline void bt_quantize_i16(const float *x, int n, float scale, int32_t zp, int16_t *q) {
  for (int i = 0; i < n; i++)
    q[i] = (int16_t)bt_quantize(x[i], scale, zp, -32768, 32767);
}

/* Scale and zero point TFLite's kernel tests derive from a float range [min, max] containing 0
 * (tensorflow/lite/kernels/test_util.h QuantizationParams). */
static inline void bt_qparams_from_range(float min, float max, int32_t qmin, int32_t qmax, float *scale,
                                         int32_t *zero_point) {
  *scale = (max - min) / (float)(qmax - qmin);
  const float from_min = (float)qmin - min / *scale, from_max = (float)qmax - max / *scale;
  const float error_min = fabsf((float)qmin) + fabsf(min / *scale);
  const float error_max = fabsf((float)qmax) + fabsf(max / *scale);
  const float zp = error_min < error_max ? from_min : from_max;
  *zero_point = zp <= (float)qmin ? qmin : zp >= (float)qmax ? qmax : (int32_t)roundf(zp);
}

/* Builds a shape: BT_SHAPE(2, 3) -> ndim 2, dims {2, 3}. */
#define BT_NDIM_(...) ((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))
#define BT_SHAPE(...) .ndim = BT_NDIM_(__VA_ARGS__), .dims = {__VA_ARGS__}

#endif
