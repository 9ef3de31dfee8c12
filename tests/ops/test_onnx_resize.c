/* ONNX_RESIZE against the ONNX backend test data (onnx/backend/test/data/node/
 * test_resize_upsample_scales_linear, test_resize_downsample_scales_cubic_A_n0p5_exclude_outside,
 * test_resize_tf_crop_and_resize, test_resize_upsample_sizes_nearest_ceil_half_pixel (first row)),
 * within ONNX's tolerance 1e-7 + 1e-3 |expected| (we ask for 1e-5 absolute on values below 20). */
#include "onnx_test.h"

static const double x4x4[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static er_onnx_resize_attrs attrs(er_resize_mode mode, er_coord_transform coord) {
  return (er_onnx_resize_attrs){.mode = mode, .coord = coord, .cubic_coeff_a = -0.75f};
}

static void resize_upsample_scales_linear(void) {
  er_onnx_resize_attrs a = attrs(ER_RESIZE_LINEAR, ER_COORD_HALF_PIXEL);
  for (int c = 0; c < 2; c++) {
    ot_tensor in[3] = {{EDGERT_FLOAT32, 4, {1, 1, 2, 2}, (const double[]){1, 2, 3, 4}, false, false},
                       {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                       {EDGERT_FLOAT32, 1, {4}, (const double[]){1, 1, 2, 2}, c, false}};
    ot_output out = {
        EDGERT_FLOAT32,
        4,
        {1, 1, 4, 4},
        (const double[]){1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4},
        !c};
    ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 3, in, 1, &out, 1e-5, true);
  }
}

static void resize_downsample_cubic_a_half_exclude_outside(void) {
  er_onnx_resize_attrs a = attrs(ER_RESIZE_CUBIC, ER_COORD_HALF_PIXEL);
  a.cubic_coeff_a = -0.5f;
  a.exclude_outside = true;
  ot_tensor in[3] = {{EDGERT_FLOAT32, 4, {1, 1, 4, 4}, x4x4, false, false},
                     {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                     {EDGERT_FLOAT32, 1, {4}, (const double[]){1, 1, 0.8, 0.8}, true, false}};
  ot_output out = {EDGERT_FLOAT32,
                   4,
                   {1, 1, 3, 3},
                   (const double[]){1.3681267499923706, 2.669501304626465, 4.013336658477783,
                                    6.573625087738037, 7.875, 9.21883487701416, 11.948966026306152,
                                    13.250341415405273, 14.594176292419434},
                   false};
  ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 3, in, 1, &out, 1e-5, true);
}

static void resize_tf_crop_and_resize_extrapolates(void) {
  er_onnx_resize_attrs a = attrs(ER_RESIZE_LINEAR, ER_COORD_TF_CROP_AND_RESIZE);
  a.extrapolation_value = 10;
  ot_tensor in[4] = {{EDGERT_FLOAT32, 4, {1, 1, 4, 4}, x4x4, false, false},
                     {EDGERT_FLOAT32, 1, {8}, (const double[]){0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7}, true, false},
                     {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                     {EDGERT_INT64, 1, {4}, (const double[]){1, 1, 3, 3}, true, false}};
  ot_output out = {
      EDGERT_FLOAT32, 4, {1, 1, 3, 3}, (const double[]){7.6, 10, 10, 12.4, 10, 10, 10, 10, 10}, false};
  ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 4, in, 1, &out, 1e-5, true);
}

/* sizes [1, 1, 8, 8] from 4x4, nearest ceil with half_pixel: each row is [1, 2, 2, 3, 3, 4, 4, 4]. */
static void resize_nearest_ceil_half_pixel_int8(void) {
  er_onnx_resize_attrs a = attrs(ER_RESIZE_NEAREST, ER_COORD_HALF_PIXEL);
  a.nearest = ER_NEAREST_CEIL;
  ot_tensor in[4] = {{EDGERT_INT8, 4, {1, 1, 1, 4}, x4x4, false, false},
                     {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                     {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                     {EDGERT_INT64, 1, {4}, (const double[]){1, 1, 1, 8}, true, false}};
  ot_output out = {EDGERT_INT8, 4, {1, 1, 1, 8}, (const double[]){1, 2, 2, 3, 3, 4, 4, 4}, false};
  ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 4, in, 1, &out, 0, true);
}

static void resize_rejects_linear_int8_and_missing_sizes(void) {
  er_onnx_resize_attrs a = attrs(ER_RESIZE_LINEAR, ER_COORD_HALF_PIXEL);
  ot_tensor in[3] = {{EDGERT_INT8, 4, {1, 1, 2, 2}, (const double[]){1, 2, 3, 4}, false, false},
                     {EDGERT_FLOAT32, 1, {0}, NULL, true, true},
                     {EDGERT_FLOAT32, 1, {4}, (const double[]){1, 1, 2, 2}, true, false}};
  ot_output out = {EDGERT_INT8, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 3, in, 1, &out, 0, false) == EDGERT_ERR_UNSUPPORTED);
  in[0].dtype = EDGERT_FLOAT32;
  in[2].absent = true;
  out.dtype = EDGERT_FLOAT32;
  CHECK(ot_run(ER_OP_ONNX_RESIZE, &a, sizeof a, 3, in, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(resize_upsample_scales_linear);
  RUN(resize_downsample_cubic_a_half_exclude_outside);
  RUN(resize_tf_crop_and_resize_extrapolates);
  RUN(resize_nearest_ceil_half_pixel_int8);
  RUN(resize_rejects_linear_int8_and_missing_sizes);
}
