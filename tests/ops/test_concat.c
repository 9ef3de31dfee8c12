/* CONCATENATION and PACK against TFLite's kernel tests:
 *   tensorflow/lite/kernels/concatenation_test.cc (FourInputs, TwoInputsTwoAxesNegativeAxes,
 *     FourInputsQuantizedInt8, QuantizedConcatenationOpTest.FourInputsQuantizedMixedRange and
 *     ...MixedRangeClampingLogic for uint8 and int16: exact requantized outputs)
 *   tensorflow/lite/kernels/pack_test.cc (ThreeInputs on axis 0, 1 and -1)
 * TFLite's tests give quantized tensors as a [min, max] range; quant_params below derives scale and zero
 * point the way its test utilities do (tensorflow/lite/kernels/test_util.h QuantizationParams). */
#include <math.h>

#include "core/interp.h"
#include "movement_test.h"

typedef struct {
  float scale;
  int32_t zero_point;
} qparams;

static qparams quant_params(float min, float max, int32_t qmin, int32_t qmax) {
  qparams p;
  const float qmin_f = (float)qmin, qmax_f = (float)qmax;
  p.scale = (max - min) / (qmax_f - qmin_f);
  const float zp_from_min = qmin_f - min / p.scale, zp_from_max = qmax_f - max / p.scale;
  const float err_min = fabsf(qmin_f) + fabsf(min / p.scale), err_max = fabsf(qmax_f) + fabsf(max / p.scale);
  const float zp = err_min < err_max ? zp_from_min : zp_from_max;
  p.zero_point = zp <= qmin_f ? qmin : zp >= qmax_f ? qmax : (int32_t)roundf(zp);
  return p;
}

/* Concatenates n inputs (each given as real values, quantized with its own params when q is set). */
static void run_concat(edgert_dtype t, int n, int ndim, const int64_t *dims, const double *const *values,
                       const qparams *q, const qparams *out_q, int axis, int out_ndim,
                       const int64_t *out_dims, const double *want) {
  th_graph *g = th_new();
  int ids[8];
  void *bufs[8];
  int64_t count = mt_count(ndim, dims);
  for (int i = 0; i < n; i++) {
    ids[i] = th_tensor(g, t, ndim, dims, NULL);
    if (q) th_quant(g, ids[i], q[i].scale, q[i].zero_point);
    bufs[i] = calloc((size_t)count, 8);
    for (int64_t k = 0; k < count; k++) {
      double v = values[i][k];
      if (q) v = roundf((float)q[i].zero_point + (float)v / q[i].scale);
      mt_store(bufs[i], k, t, v);
    }
  }
  int out = th_tensor(g, t, -1, NULL, NULL);
  if (out_q) th_quant(g, out, out_q->scale, out_q->zero_point);
  er_axis_attrs a = {.axis = axis};
  th_node(g, ER_OP_CONCATENATION, &a, sizeof a, n, ids, 1, (int[]){out});
  th_io(g, n, ids, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *const *)bufs);
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, out_ndim);
    for (int i = 0; i < out_ndim; i++)
      CHECK_EQ_INT(info.dims[i], out_dims[i]);
    for (int64_t k = 0; k < mt_count(out_ndim, out_dims); k++)
      CHECK_NEAR(mt_load(th_output(g, 0), k, t), want[k], 0);
  } else {
    fprintf(stderr, "%s\n", th_error(g));
  }
  for (int i = 0; i < n; i++)
    free(bufs[i]);
  th_free(g);
}

static const double kIn0[4] = {1.0, 3.0, 4.0, 7.0}, kIn1[4] = {1.1, 3.1, 4.1, 7.1};
static const double kIn2[4] = {1.2, 3.2, 4.2, 7.2}, kIn3[4] = {1.3, 3.3, 4.3, 7.3};

static void concat_float_four_inputs(void) {
  const double *in[4] = {kIn0, kIn1, kIn2, kIn3};
  run_concat(EDGERT_FLOAT32, 4, 3, (int64_t[]){2, 1, 2}, in, NULL, NULL, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){1.0f, 3.0f, 1.1f, 3.1f, 1.2f, 3.2f, 1.3f, 3.3f, 4.0f, 7.0f, 4.1f, 7.1f, 4.2f, 7.2f,
                        4.3f, 7.3f});
}

static void concat_two_axes_and_negative_axes_every_dtype(void) {
  const double t0[6] = {1, 2, 3, 4, 5, 6}, t1[6] = {7, 8, 9, 10, 11, 12};
  const double *in[2] = {t0, t1};
  const double rows[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const double cols[12] = {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    run_concat(t, 2, 2, (int64_t[]){2, 3}, in, NULL, NULL, 0, 2, (int64_t[]){4, 3}, rows);
    run_concat(t, 2, 2, (int64_t[]){2, 3}, in, NULL, NULL, -2, 2, (int64_t[]){4, 3}, rows);
    run_concat(t, 2, 2, (int64_t[]){2, 3}, in, NULL, NULL, 1, 2, (int64_t[]){2, 6}, cols);
    run_concat(t, 2, 2, (int64_t[]){2, 3}, in, NULL, NULL, -1, 2, (int64_t[]){2, 6}, cols);
  }
}

static void concat_int8_same_range_copies(void) {
  const double *in[4] = {kIn0, kIn1, kIn2, kIn3};
  qparams p = quant_params(-12.7, 12.8, -128, 127);
  qparams q[4] = {p, p, p, p};
  run_concat(EDGERT_INT8, 4, 3, (int64_t[]){2, 1, 2}, in, q, &p, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){9, 29, 10, 30, 11, 31, 12, 32, 39, 69, 40, 70, 41, 71, 42, 72});
}

static void concat_mixed_ranges_requantize_uint8_and_int16(void) {
  const double *in[4] = {kIn0, kIn1, kIn2, kIn3};
  const double ranges[4][2] = {{-10.7, 10.8}, {0, 12.8}, {-11, 11.8}, {0, 7.4}};
  qparams q8[4], q16[4];
  for (int i = 0; i < 4; i++) {
    q8[i] = quant_params(ranges[i][0], ranges[i][1], 0, 255);
    q16[i] = quant_params(ranges[i][0], ranges[i][1], -32768, 32767);
  }
  qparams o8 = quant_params(-12.7, 12.8, 0, 255), o16 = quant_params(-12.7, 12.8, -32768, 32767);
  run_concat(EDGERT_UINT8, 4, 3, (int64_t[]){2, 1, 2}, in, q8, &o8, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){137, 157, 138, 158, 139, 159, 140, 160, 167, 197, 168, 198, 169, 199, 170, 200});
  run_concat(EDGERT_INT16, 4, 3, (int64_t[]){2, 1, 2}, in, q16, &o16, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){2441, 7581, 2698, 7838, 2955, 8095, 3212, 8352, 10151, 17861, 10408, 18118, 10665,
                        18375, 10922, 18632});
  /* ...ClampingLogic: an output range of [-1, 1] saturates */
  const double c0[4] = {1.0, -3.0, -4.0, -7.0}, c2[4] = {1.2, -3.2, -4.2, 7.2};
  const double *cin[4] = {c0, kIn1, c2, kIn3};
  o8 = quant_params(-1, 1, 0, 255);
  o16 = quant_params(-1, 1, -32768, 32767);
  run_concat(EDGERT_UINT8, 4, 3, (int64_t[]){2, 1, 2}, cin, q8, &o8, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){255, 0, 255, 255, 255, 0, 255, 255, 0, 0, 255, 255, 0, 255, 255, 255});
  run_concat(EDGERT_INT16, 4, 3, (int64_t[]){2, 1, 2}, cin, q16, &o16, 2, 3, (int64_t[]){2, 1, 8},
             (double[]){32765, -32768, 32767, 32767, 32767, -32768, 32767, 32767, -32768, -32768, 32767,
                        32767, -32768, 32767, 32767, 32767});
}

static edgert_status run_pack(edgert_dtype t, int axis, int out_ndim, const int64_t *out_dims,
                              const double *want, bool mismatched) {
  th_graph *g = th_new();
  const double vals[3][2] = {{1, 4}, {2, 5}, {3, 6}};
  int ids[3];
  void *bufs[3];
  for (int i = 0; i < 3; i++) {
    ids[i] = th_tensor(g, t, 1, (int64_t[]){mismatched && i == 2 ? 1 : 2}, NULL);
    bufs[i] = calloc(2, 8);
    for (int k = 0; k < 2; k++)
      mt_store(bufs[i], k, t, vals[i][k]);
  }
  int out = th_tensor(g, t, -1, NULL, NULL);
  er_axis_attrs a = {.axis = axis, .count = 3};
  th_node(g, ER_OP_PACK, &a, sizeof a, 3, ids, 1, (int[]){out});
  th_io(g, 3, ids, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *const *)bufs);
  if (st == EDGERT_OK && want) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.ndim, out_ndim);
    for (int i = 0; i < out_ndim; i++)
      CHECK_EQ_INT(info.dims[i], out_dims[i]);
    for (int k = 0; k < 6; k++)
      CHECK_NEAR(mt_load(th_output(g, 0), k, t), want[k], 0);
  }
  for (int i = 0; i < 3; i++)
    free(bufs[i]);
  th_free(g);
  return st;
}

static void pack_three_inputs_on_each_axis(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    CHECK_OK(run_pack(t, 0, 2, (int64_t[]){3, 2}, (double[]){1, 4, 2, 5, 3, 6}, false));
    CHECK_OK(run_pack(t, 1, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6}, false));
    CHECK_OK(run_pack(t, -1, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6}, false));
  }
}

/* The planner places the inputs of a concatenation along its outermost dim inside its output, so the
 * copies are skipped: a = relu(x) and b = -x go to y = concat(a, b) in place, a is read again after the
 * concat (abs), and w = concat(x, b, b) copies all three (a graph input; b already lives in y). */
static void concat_inputs_placed_in_output(void) {
  const int64_t dims[4] = {1, 4, 2, 2}, cat2[4] = {1, 8, 2, 2}, cat3[4] = {1, 12, 2, 2};
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), a = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL);
  int b = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), y = th_tensor(g, EDGERT_FLOAT32, 4, cat2, NULL);
  int z = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), w = th_tensor(g, EDGERT_FLOAT32, 4, cat3, NULL);
  er_axis_attrs axis1 = {.axis = 1};
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){x}, 1, (int[]){a});
  th_node(g, ER_OP_NEG, NULL, 0, 1, (int[]){x}, 1, (int[]){b});
  th_node(g, ER_OP_CONCATENATION, &axis1, sizeof axis1, 2, (int[]){a, b}, 1, (int[]){y});
  th_node(g, ER_OP_ABS, NULL, 0, 1, (int[]){a}, 1, (int[]){z});
  th_node(g, ER_OP_CONCATENATION, &axis1, sizeof axis1, 3, (int[]){x, b, b}, 1, (int[]){w});
  th_io(g, 1, (int[]){x}, 3, (int[]){y, z, w});
  float in[16];
  for (int i = 0; i < 16; i++)
    in[i] = (float)(i - 7) * 0.5f;
  edgert_status st = th_run(g, (const void *[]){in});
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    const float *yv = th_output(g, 0), *zv = th_output(g, 1), *wv = th_output(g, 2);
    for (int i = 0; i < 16; i++) {
      CHECK_NEAR(yv[i], in[i] > 0 ? in[i] : 0.0f, 0);
      CHECK_NEAR(yv[16 + i], -in[i], 0);
      CHECK_NEAR(zv[i], in[i] > 0 ? in[i] : 0.0f, 0);
      CHECK_NEAR(wv[i], in[i], 0);
      CHECK_NEAR(wv[16 + i], -in[i], 0);
      CHECK_NEAR(wv[32 + i], -in[i], 0);
    }
    const er_tensor *t = th_interpreter(g)->tensors;
    CHECK(t[a].data == t[y].data);
    CHECK((const char *)t[b].data == (const char *)t[y].data + 16 * sizeof(float));
    CHECK(t[x].data != t[w].data);
  }
  th_free(g);
}

static void concat_and_pack_reject_mismatched_shapes(void) {
  CHECK(run_pack(EDGERT_FLOAT32, 0, 0, NULL, NULL, true) != EDGERT_OK);
  th_graph *g = th_new();
  int a = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){2, 3}, NULL);
  int b = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){3, 3}, NULL);
  int out = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  er_axis_attrs attrs = {.axis = 1};
  th_node(g, ER_OP_CONCATENATION, &attrs, sizeof attrs, 2, (int[]){a, b}, 1, (int[]){out});
  th_io(g, 2, (int[]){a, b}, 1, (int[]){out});
  float x[9] = {0};
  CHECK(th_run(g, (const void *[]){x, x}) != EDGERT_OK);
  th_free(g);
}

void run_tests(void) {
  RUN(concat_float_four_inputs);
  RUN(concat_two_axes_and_negative_axes_every_dtype);
  RUN(concat_int8_same_range_copies);
  RUN(concat_mixed_ranges_requantize_uint8_and_int16);
  RUN(pack_three_inputs_on_each_axis);
  RUN(concat_inputs_placed_in_output);
  RUN(concat_and_pack_reject_mismatched_shapes);
}
