/* RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR against TFLite's kernel tests:
 *   tensorflow/lite/kernels/resize_bilinear_test.cc (float, uint8, int8, int16; the int8/int16 extreme
 *     value cases pin the integer variant's double rounding: -32598, not single rounding's -32597)
 *   tensorflow/lite/kernels/resize_nearest_neighbor_test.cc
 * TFLite compares with max_abs_err 1 in a few quantized bilinear cases; we use the same tolerance
 * there and compare exactly everywhere else. */
#include "movement_test.h"

static edgert_status resize(er_op op, edgert_dtype t, const int64_t *in_dims, const double *in, int64_t out_h,
                            int64_t out_w, bool align, bool half, const double *want, double tol) {
  er_resize_attrs a = {align, half};
  mt_case mc = {
      .op = op, .attrs = &a, .attrs_size = sizeof a, .dtype = t, .ndim = 4, .values = in, .n_consts = 1};
  memcpy(mc.dims, in_dims, sizeof(int64_t) * 4);
  if (t != EDGERT_FLOAT32) mc.scale = 1.f;
  mc.consts[0] = (mt_const){EDGERT_INT32, 1, {2}, (const int64_t[]){out_h, out_w}};
  int64_t out_dims[4] = {in_dims[0], out_h, out_w, in_dims[3]};
  return mt_run(&mc, want ? 4 : 0, want ? out_dims : NULL, want, tol);
}

static const edgert_dtype kBilinearTypes[] = {EDGERT_FLOAT32, EDGERT_UINT8, EDGERT_INT8, EDGERT_INT16};

static void bilinear_small_resizes_match_tflite(void) {
  for (int i = 0; i < 4; i++) {
    edgert_dtype t = kBilinearTypes[i];
    /* HorizontalResize, VerticalResize, TwoDimensionalResize */
    resize(ER_OP_RESIZE_BILINEAR, t, (int64_t[]){1, 1, 2, 1}, (double[]){3, 6}, 1, 3, false, false,
           (double[]){3, 5, 6}, 0);
    resize(ER_OP_RESIZE_BILINEAR, t, (int64_t[]){1, 2, 1, 1}, (double[]){3, 9}, 3, 1, false, false,
           (double[]){3, 7, 9}, 0);
    resize(ER_OP_RESIZE_BILINEAR, t, (int64_t[]){1, 2, 2, 1}, (double[]){3, 6, 9, 12}, 3, 3, false, false,
           (double[]){3, 5, 6, 7, 9, 10, 9, 11, 12}, 0);
  }
  /* TwoDimensionalResizeWithTwoBatches, _HalfPixelCenters, ThreeDimensionalResize (float) */
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_FLOAT32, (int64_t[]){2, 2, 2, 1},
         (double[]){3, 6, 9, 12, 4, 10, 10, 16}, 3, 3, false, false,
         (double[]){3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 8, 12, 14, 10, 14, 16}, 1e-5);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_FLOAT32, (int64_t[]){2, 2, 2, 1}, (double[]){1, 2, 3, 4, 1, 2, 3, 4},
         3, 3, false, true, (double[]){1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4, 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4},
         1e-5);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_FLOAT32, (int64_t[]){1, 2, 2, 2},
         (double[]){3, 4, 6, 10, 9, 10, 12, 16}, 3, 3, false, false,
         (double[]){3, 4, 5, 8, 6, 10, 7, 8, 9, 12, 10, 14, 9, 10, 11, 14, 12, 16}, 1e-5);
}

static void bilinear_quantized_batches_match_tflite(void) {
  const double in[8] = {3, 6, 9, 12, 4, 10, 12, 16};
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_UINT8, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, false,
         (double[]){3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 9, 12, 14, 12, 14, 16}, 1);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_UINT8, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, true,
         (double[]){2, 4, 6, 6, 7, 9, 9, 10, 12, 4, 7, 10, 8, 10, 13, 12, 14, 16}, 1);
  const double want_int[18] = {3, 5, 6, 7, 9, 10, 9, 11, 12, 4, 8, 10, 9, 12, 13, 12, 14, 16};
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT8, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, false, want_int, 1);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT16, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, false, want_int, 1);
  const double in3[8] = {3, 4, 6, 10, 10, 12, 14, 16};
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT8, (int64_t[]){1, 2, 2, 2}, in3, 3, 3, false, false,
         (double[]){3, 4, 5, 8, 6, 10, 7, 9, 10, 12, 11, 13, 10, 12, 12, 14, 14, 16}, 1);
}

/* HorizontalResizeExtremeValues*: exact, and the int16 negative case distinguishes double rounding. */
static void bilinear_extreme_values_use_double_rounding(void) {
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_UINT8, (int64_t[]){1, 1, 2, 1}, (double[]){253, 255}, 1, 3, false,
         false, (double[]){253, 254, 255}, 0);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT8, (int64_t[]){1, 1, 2, 1}, (double[]){125, 127}, 1, 3, false,
         false, (double[]){125, 126, 127}, 0);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT16, (int64_t[]){1, 1, 2, 1}, (double[]){32765, 32767}, 1, 3, false,
         false, (double[]){32765, 32766, 32767}, 0);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT8, (int64_t[]){1, 1, 2, 1}, (double[]){-120, -128}, 1, 3, false,
         false, (double[]){-120, -125, -128}, 0);
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_INT16, (int64_t[]){1, 1, 2, 1}, (double[]){-32256, -32768}, 1, 3,
         false, false, (double[]){-32256, -32598, -32768}, 0);
}

/* Not from a TFLite unit test: input and expected output of TensorFlow Lite itself (tfjs-tflite
 * 0.0.1-alpha.10 WebAssembly, size fed at run time so its own RESIZE_BILINEAR kernel ran, not XNNPACK).
 * Output 20 (row 1, column 8) is 140 from TFLite's default kernel; the reference kernel's order of
 * float operations gives 139 there. */
static void bilinear_uint8_matches_tflite_default_kernel(void) {
  const double in[20] = {210, 15,  110, 139, 182, 2,   211, 134, 137, 92,
                         12,  238, 210, 212, 177, 124, 232, 27,  69,  114};
  const double want[24] = {189, 189, 128, 66,  5,   65,  126, 186, 169, 152, 135, 135,
                           215, 216, 199, 182, 166, 161, 155, 150, 140, 131, 122, 122};
  resize(ER_OP_RESIZE_BILINEAR, EDGERT_UINT8, (int64_t[]){1, 5, 4, 1}, in, 2, 12, false, true, want, 0);
}

static void nearest_neighbor_matches_tflite(void) {
  for (int i = 0; i < MT_N_DTYPES; i++) {
    edgert_dtype t = mt_all_dtypes[i];
    if (t == EDGERT_UINT8) continue; /* these inputs are negative; uint8 is covered below */
    resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, t, (int64_t[]){1, 1, 2, 1}, (double[]){-3, 6}, 1, 3, false, false,
           (double[]){-3, -3, 6}, 0);
    resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, t, (int64_t[]){1, 2, 1, 1}, (double[]){3, -9}, 3, 1, false, false,
           (double[]){3, 3, -9}, 0);
    const double in[8] = {3, 6, 9, -12, -4, 10, 12, 16};
    resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, t, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, false,
           (double[]){3, 3, 6, 3, 3, 6, 9, 9, -12, -4, -4, 10, -4, -4, 10, 12, 12, 16}, 0);
  }
  const double in[8] = {3, 6, 9, 12, 4, 10, 10, 16};
  const double want_corner[18] = {3, 6, 6, 9, 12, 12, 9, 12, 12, 4, 10, 10, 10, 16, 16, 10, 16, 16};
  /* TwoDimensionalResizeWithTwoBatches_AlignCorners and _HalfPixelCenters give the same output */
  resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, EDGERT_FLOAT32, (int64_t[]){2, 2, 2, 1}, in, 3, 3, true, false,
         want_corner, 0);
  resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, EDGERT_FLOAT32, (int64_t[]){2, 2, 2, 1}, in, 3, 3, false, true,
         want_corner, 0);
  /* ThreeDimensionalResize and ThreeDimensionalResizeUInt8_AlignCorners */
  resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, EDGERT_FLOAT32, (int64_t[]){1, 2, 2, 2},
         (double[]){3, 4, 6, 10, 9, 10, 12, 16}, 3, 3, false, false,
         (double[]){3, 4, 3, 4, 6, 10, 3, 4, 3, 4, 6, 10, 9, 10, 9, 10, 12, 16}, 0);
  resize(ER_OP_RESIZE_NEAREST_NEIGHBOR, EDGERT_UINT8, (int64_t[]){1, 2, 2, 2},
         (double[]){3, 4, 6, 10, 10, 12, 14, 16}, 3, 3, true, false,
         (double[]){3, 4, 6, 10, 6, 10, 10, 12, 14, 16, 14, 16, 10, 12, 14, 16, 14, 16}, 0);
}

static void resize_rejects_bad_inputs(void) {
  /* both corner flags; 3-D input; mismatched quantization (resize_bilinear_test.cc
   * MismatchedQuantizationFails) */
  CHECK(resize(ER_OP_RESIZE_BILINEAR, EDGERT_FLOAT32, (int64_t[]){1, 1, 2, 1}, (double[]){3, 6}, 1, 3, true,
               true, NULL, 0) != EDGERT_OK);
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_INT8, 4, (int64_t[]){1, 2, 2, 1}, NULL);
  int s = th_tensor(g, EDGERT_INT32, 1, (int64_t[]){2}, (int32_t[]){3, 3});
  int y = th_tensor(g, EDGERT_INT8, -1, NULL, NULL);
  th_quant(g, x, 0.5f, 1);
  th_quant(g, y, 0.25f, 2);
  er_resize_attrs a = {false, false};
  th_node(g, ER_OP_RESIZE_BILINEAR, &a, sizeof a, 2, (int[]){x, s}, 1, (int[]){y});
  th_io(g, 1, (int[]){x}, 1, (int[]){y});
  CHECK(th_run(g, (const void *[]){(int8_t[]){1, 2, 3, 4}}) != EDGERT_OK);
  th_free(g);
}

void run_tests(void) {
  RUN(bilinear_small_resizes_match_tflite);
  RUN(bilinear_quantized_batches_match_tflite);
  RUN(bilinear_extreme_values_use_double_rounding);
  RUN(bilinear_uint8_matches_tflite_default_kernel);
  RUN(nearest_neighbor_matches_tflite);
  RUN(resize_rejects_bad_inputs);
}
