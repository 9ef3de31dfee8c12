/* REVERSE_SEQUENCE against the ONNX backend test data (onnx/backend/test/data/node/
 * test_reversesequence_batch and test_reversesequence_time, the ONNX spec's two examples). */
#include "onnx_test.h"

static const double x16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void reverse_sequence_batch_and_time_axes(void) {
  er_reverse_sequence_attrs batch = {0, 1}, time = {1, 0};
  ot_tensor in[2] = {{EDGERT_FLOAT32, 2, {4, 4}, x16, false, false},
                     {EDGERT_INT64, 1, {4}, (const double[]){1, 2, 3, 4}, false, false}};
  ot_output out = {EDGERT_FLOAT32,
                   2,
                   {4, 4},
                   (const double[]){0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12},
                   false};
  ot_run(ER_OP_REVERSE_SEQUENCE, &batch, sizeof batch, 2, in, 1, &out, 0, true);
  /* test_reversesequence_time: x[t][b] = b * 4 + t layout, lens [4, 3, 2, 1]. */
  ot_tensor tin[2] = {{EDGERT_FLOAT32,
                       2,
                       {4, 4},
                       (const double[]){0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15},
                       false,
                       false},
                      {EDGERT_INT64, 1, {4}, (const double[]){4, 3, 2, 1}, false, false}};
  ot_output tout = {EDGERT_FLOAT32,
                    2,
                    {4, 4},
                    (const double[]){3, 6, 9, 12, 2, 5, 8, 13, 1, 4, 10, 14, 0, 7, 11, 15},
                    false};
  ot_run(ER_OP_REVERSE_SEQUENCE, &time, sizeof time, 2, tin, 1, &tout, 0, true);
  in[1].values = (const double[]){1, 2, 3, 5};
  CHECK(ot_run(ER_OP_REVERSE_SEQUENCE, &batch, sizeof batch, 2, in, 1, &out, 0, false) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) { RUN(reverse_sequence_batch_and_time_axes); }
