/* ONNX_DEPTH_TO_SPACE and ONNX_SPACE_TO_DEPTH against the examples of the ONNX operator spec
 * (docs/Operators.md, DepthToSpace: the DCR and CRD examples on x of shape [1, 8, 2, 3] holding
 * c * 9 + h * 3 + w), and SpaceToDepth as the inverse of DCR DepthToSpace. */
#include "onnx_test.h"

static double x[48];

static void fill_x(void) {
  for (int c = 0; c < 8; c++)
    for (int i = 0; i < 6; i++)
      x[c * 6 + i] = c * 9 + i;
}

static const double dcr[48] = {0,  18, 1,  19, 2,  20, 36, 54, 37, 55, 38, 56, 3,  21, 4,  22,
                               5,  23, 39, 57, 40, 58, 41, 59, 9,  27, 10, 28, 11, 29, 45, 63,
                               46, 64, 47, 65, 12, 30, 13, 31, 14, 32, 48, 66, 49, 67, 50, 68};
static const double crd[48] = {0,  9,  1,  10, 2,  11, 18, 27, 19, 28, 20, 29, 3,  12, 4,  13,
                               5,  14, 21, 30, 22, 31, 23, 32, 36, 45, 37, 46, 38, 47, 54, 63,
                               55, 64, 56, 65, 39, 48, 40, 49, 41, 50, 57, 66, 58, 67, 59, 68};

static void depth_to_space_dcr_and_crd(void) {
  fill_x();
  ot_tensor in[1] = {{EDGERT_FLOAT32, 4, {1, 8, 2, 3}, x, false, false}};
  er_depth_space_attrs a = {2, false}, b = {2, true};
  ot_output out = {EDGERT_FLOAT32, 4, {1, 2, 4, 6}, dcr, false};
  ot_run(ER_OP_ONNX_DEPTH_TO_SPACE, &a, sizeof a, 1, in, 1, &out, 0, true);
  ot_output out_crd = {EDGERT_FLOAT32, 4, {1, 2, 4, 6}, crd, false};
  ot_run(ER_OP_ONNX_DEPTH_TO_SPACE, &b, sizeof b, 1, in, 1, &out_crd, 0, true);
}

static void space_to_depth_inverts_dcr(void) {
  fill_x();
  er_depth_space_attrs a = {2, false};
  ot_tensor in[1] = {{EDGERT_INT16, 4, {1, 2, 4, 6}, dcr, false, false}};
  ot_output out = {EDGERT_INT16, 4, {1, 8, 2, 3}, x, false};
  ot_run(ER_OP_ONNX_SPACE_TO_DEPTH, &a, sizeof a, 1, in, 1, &out, 0, true);
  er_depth_space_attrs three = {3, false}; /* 4 x 6 does not divide by 3 */
  CHECK(ot_run(ER_OP_ONNX_SPACE_TO_DEPTH, &three, sizeof three, 1, in, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(depth_to_space_dcr_and_crd);
  RUN(space_to_depth_inverts_dcr);
}
