/* ONNX_PAD against the examples of the ONNX operator spec (docs/Operators.md, Pad: constant, reflect and
 * edge modes on [[1.0, 1.2], [2.3, 3.4], [4.5, 5.7]] with pads [0, 2, 0, 0]) and a crop by negative pads
 * (numpy slicing). */
#include "onnx_test.h"

static const double data[6] = {1.0, 1.2, 2.3, 3.4, 4.5, 5.7};

static void pad_mode(er_pad_mode mode, const double *want, bool pads_const) {
  er_onnx_pad_attrs a = {mode};
  ot_tensor in[3] = {{EDGERT_FLOAT32, 2, {3, 2}, data, false, false},
                     {EDGERT_INT64, 1, {4}, (const double[]){0, 2, 0, 0}, pads_const, false},
                     {EDGERT_FLOAT32, 0, {0}, (const double[]){0}, true, mode != ER_PAD_MODE_CONSTANT}};
  ot_output out = {EDGERT_FLOAT32, 2, {3, 4}, want, !pads_const};
  ot_run(ER_OP_ONNX_PAD, &a, sizeof a, 3, in, 1, &out, 1e-6, true);
}

static void pad_spec_examples(void) {
  for (int c = 0; c < 2; c++) {
    pad_mode(ER_PAD_MODE_CONSTANT, (const double[]){0, 0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7}, c);
    pad_mode(ER_PAD_MODE_REFLECT,
             (const double[]){1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7}, c);
    pad_mode(ER_PAD_MODE_EDGE, (const double[]){1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7},
             c);
  }
}

static void pad_negative_crops_and_value_fills(void) {
  er_onnx_pad_attrs a = {ER_PAD_MODE_CONSTANT};
  ot_tensor in[3] = {{EDGERT_FLOAT32, 2, {3, 2}, data, false, false},
                     {EDGERT_INT64, 1, {4}, (const double[]){-1, 1, 0, 0}, true, false},
                     {EDGERT_FLOAT32, 0, {0}, (const double[]){9}, false, false}};
  ot_output out = {EDGERT_FLOAT32, 2, {2, 3}, (const double[]){9, 2.3, 3.4, 9, 4.5, 5.7}, false};
  ot_run(ER_OP_ONNX_PAD, &a, sizeof a, 3, in, 1, &out, 1e-6, true);
}

static void pad_rejects_bad_pads(void) {
  er_onnx_pad_attrs a = {ER_PAD_MODE_EDGE};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {3, 2}, data, false, false},
                     {EDGERT_INT64, 1, {3}, (const double[]){0, 2, 0}, true, false}};
  ot_output out = {EDGERT_FLOAT32, 0, {0}, NULL, false};
  CHECK(ot_run(ER_OP_ONNX_PAD, &a, sizeof a, 2, in, 1, &out, 0, false) != EDGERT_OK);
  in[1] = (ot_tensor){EDGERT_INT64, 1, {4}, (const double[]){-4, 0, 0, 0}, true, false};
  CHECK(ot_run(ER_OP_ONNX_PAD, &a, sizeof a, 2, in, 1, &out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(pad_spec_examples);
  RUN(pad_negative_crops_and_value_fills);
  RUN(pad_rejects_bad_pads);
}
