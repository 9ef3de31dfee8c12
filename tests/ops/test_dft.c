/* DFT and STFT. Expected values from numpy.fft (fft, ifft, rfft: the reference the ONNX backend test data
 * for test_dft* and test_stft* was generated with, onnx/backend/test/case/node/{dft,stft}.py) on small
 * inputs; the ONNX test models themselves run in the conformance runner. */
#include "onnx_test.h"

static const double ramp5[5] = {1, 2, 3, 4, 5};

/* numpy.fft.fft([1, 2, 3, 4, 5]) */
static void dft_real_input(void) {
  er_dft_attrs a = {1, false, false};
  static const double want[10] = {15,          0,    -2.5,         3.4409548, -2.5,
                                  0.812299241, -2.5, -0.812299241, -2.5,      -3.4409548};
  static const edgert_dtype types[2] = {EDGERT_FLOAT32, EDGERT_FLOAT64};
  for (int k = 0; k < 2; k++) {
    edgert_dtype t = types[k];
    ot_tensor in[1] = {{t, 3, {1, 5, 1}, ramp5, false, false}};
    ot_output out[1] = {{t, 3, {1, 5, 2}, want, false}};
    ot_run(ER_OP_DFT, &a, sizeof a, 1, in, 1, out, 1e-5, true);
  }
}

/* numpy.fft.fft([1, 2, 3, 4, 5], 8)[:5]: dft_length pads with zeros; onesided keeps n / 2 + 1 bins. */
static void dft_length_and_onesided(void) {
  er_dft_attrs a = {-2, false, true};
  static const double want[10] = {15, 0, -5.41421356, -7.24264069, 3, 2, -2.58578644, -1.24264069, 3, 0};
  /* dft_length: a run-time input with the output declared; a constant; a run-time input with the output
   * left open (the interpreter then supplies its value at prepare) */
  for (int c = 0; c < 3; c++) {
    ot_tensor in[2] = {{EDGERT_FLOAT32, 3, {1, 5, 1}, ramp5, false, false},
                       {EDGERT_INT64, 0, {0}, (const double[]){8}, c == 1, false}};
    ot_output out[1] = {{EDGERT_FLOAT32, 3, {1, 5, 2}, want, c == 0}};
    ot_run(ER_OP_DFT, &a, sizeof a, 2, in, 1, out, 1e-5, true);
  }
}

/* numpy.fft.ifft([1+2j, -1+0.5j, 3-1j, 0.25]) */
static void dft_inverse_complex(void) {
  er_dft_attrs a = {1, true, false};
  static const double x[8] = {1, 2, -1, 0.5, 3, -1, 0.25, 0};
  static const double want[8] = {0.8125, 0.375, -0.625, 0.4375, 1.1875, 0.125, -0.375, 1.0625};
  ot_tensor in[1] = {{EDGERT_FLOAT32, 3, {1, 4, 2}, x, false, false}};
  ot_output out[1] = {{EDGERT_FLOAT32, 3, {1, 4, 2}, want, false}};
  ot_run(ER_OP_DFT, &a, sizeof a, 1, in, 1, out, 1e-6, true);
}

static void dft_rejects_bad_input(void) {
  er_dft_attrs a = {1, false, false};
  ot_tensor in[1] = {{EDGERT_INT32, 3, {1, 5, 1}, ramp5, false, false}};
  ot_output out[1] = {{EDGERT_INT32, 3, {1, 5, 2}, NULL, false}};
  CHECK(ot_run(ER_OP_DFT, &a, sizeof a, 1, in, 1, out, 0, false) != EDGERT_OK);
  ot_tensor three[1] = {{EDGERT_FLOAT32, 3, {1, 1, 3}, ramp5, false, false}}; /* last dim must be 1 or 2 */
  CHECK(ot_run(ER_OP_DFT, &a, sizeof a, 1, three, 1, out, 0, false) != EDGERT_OK);
  er_dft_attrs last = {2, false, false};
  in[0].dtype = EDGERT_FLOAT32;
  CHECK(ot_run(ER_OP_DFT, &last, sizeof last, 1, in, 1, out, 0, false) != EDGERT_OK);
}

/* numpy.fft.rfft(signal[2f : 2f + 4] * window) for signal 0..7, frame_step 2, periodic Hann window of 4
 * ([0, 0.5, 1, 0.5]). With the window or with only frame_length = 4 (then no window: rfft of the frame). */
static void stft_with_window(void) {
  er_stft_attrs a = {true};
  static const double signal[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  static const double want[18] = {4, 0, -2, 1, 0, 0, 8, 0, -4, 1, 0, 0, 12, 0, -6, 1, 0, 0};
  for (int c = 0; c < 2; c++) {
    ot_tensor in[3] = {{EDGERT_FLOAT32, 3, {1, 8, 1}, signal, false, false},
                       {EDGERT_INT64, 0, {0}, (const double[]){2}, c, false},
                       {EDGERT_FLOAT32, 1, {4}, (const double[]){0, 0.5, 1, 0.5}, false, false}};
    ot_output out[1] = {{EDGERT_FLOAT32, 4, {1, 3, 3, 2}, want, !c}};
    ot_run(ER_OP_STFT, &a, sizeof a, 3, in, 1, out, 1e-5, true);
  }
}

/* numpy.fft.rfft of frames [0..3], [2..5], [4..7]: sums 6, 14, 22; bin 1 = -2 + 2j; bin 2 = -2. */
static void stft_frame_length_only(void) {
  er_stft_attrs a = {true};
  static const double signal[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  static const double want[18] = {6, 0, -2, 2, -2, 0, 14, 0, -2, 2, -2, 0, 22, 0, -2, 2, -2, 0};
  ot_tensor in[4] = {{EDGERT_FLOAT64, 3, {1, 8, 1}, signal, false, false},
                     {EDGERT_INT64, 0, {0}, (const double[]){2}, true, false},
                     {EDGERT_FLOAT64, 1, {4}, NULL, false, true},
                     {EDGERT_INT64, 0, {0}, (const double[]){4}, true, false}};
  ot_output out[1] = {{EDGERT_FLOAT64, 4, {1, 3, 3, 2}, want, false}};
  ot_run(ER_OP_STFT, &a, sizeof a, 4, in, 1, out, 1e-9, true);
  in[3].values = (const double[]){9}; /* longer than the signal */
  CHECK(ot_run(ER_OP_STFT, &a, sizeof a, 4, in, 1, out, 0, false) != EDGERT_OK);
}

void run_tests(void) {
  RUN(dft_real_input);
  RUN(dft_length_and_onesided);
  RUN(dft_inverse_complex);
  RUN(dft_rejects_bad_input);
  RUN(stft_with_window);
  RUN(stft_frame_length_only);
}
