/* SIGNAL_WINDOW (ONNX HannWindow, HammingWindow, BlackmanWindow, opset 17) and MEL_WEIGHT_MATRIX (ONNX
 * MelWeightMatrix-17): ops that make a constant-like table from scalar inputs. The sizes come from input
 * values; when those are only known at run time the model's declared output shape stands in at prepare
 * and eval checks it (mv_prepare_shape). Values are computed in double and stored in the output dtype. */
#include <math.h>

#include "ops/movement.h"
#include "ops/onnx_number.h"

#define ER_PI 3.14159265358979323846

/* A scalar (one-element) integer input, checked. */
static edgert_status check_int_scalar(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!t) return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s is missing", what);
  if (!mv_is_index_dtype(t)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s must be int32 or int64", what);
  if (er_tensor_elements(t) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold one value", what);
  return EDGERT_OK;
}

static edgert_status check_float_scalar(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!t) return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s is missing", what);
  if (t->dtype != EDGERT_FLOAT32 && t->dtype != EDGERT_FLOAT64 && !mv_is_index_dtype(t))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "%s must be a number", what);
  if (er_tensor_elements(t) != 1) return er_fail(ctx, EDGERT_ERR_SHAPE, "%s must hold one value", what);
  return EDGERT_OK;
}

/* The output may be any numeric dtype ONNX allows; bool and strings are refused. */
static edgert_status check_table_output(er_op_ctx *ctx, const er_tensor *out, edgert_dtype want) {
  if (out->dtype != want) return er_check_dtype(ctx, out, want, "output");
  if (out->dtype == EDGERT_BOOL || edgert_dtype_size(out->dtype) == 0)
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "output dtype %s", edgert_dtype_name(out->dtype));
  return EDGERT_OK;
}

/* ---- windows */

static edgert_status window_dims(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims) {
  (void)plan;
  int64_t size = mv_index_at(er_input(ctx, 0), 0);
  if (size < 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "window size %lld is negative", (long long)size);
  *ndim = 1;
  dims[0] = size;
  return EDGERT_OK;
}

static edgert_status window_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 1, 1, 1);
  if (st != EDGERT_OK) return st;
  const er_window_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  if ((st = check_int_scalar(ctx, er_input(ctx, 0), "size (input 0)")) != EDGERT_OK) return st;
  if ((st = check_table_output(ctx, er_output(ctx, 0), a->out_type)) != EDGERT_OK) return st;
  return mv_prepare_shape(ctx, 0, 0, sizeof(mv_deferred), window_dims);
}

static edgert_status window_eval(er_op_ctx *ctx) {
  edgert_status st = mv_eval_deferred_shape(ctx, window_dims);
  if (st != EDGERT_OK) return st;
  const er_window_attrs *a = er_attrs(ctx);
  er_tensor *out = er_output(ctx, 0);
  int64_t size = out->dims[0];
  /* A symmetric window spans size - 1 intervals; a periodic one is one period of size samples. */
  double period = (double)(a->periodic ? size : size - 1);
  size_t es = edgert_dtype_size(out->dtype);
  for (int64_t k = 0; k < size; k++) {
    double phase = period > 0 ? 2.0 * ER_PI * (double)k / period : 0.0;
    double v = a->a0 - a->a1 * cos(phase) + a->a2 * cos(2.0 * phase);
    store_number((unsigned char *)out->data + (size_t)k * es, out->dtype, v);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_signal_window = {.prepare = window_prepare, .eval = window_eval};

/* ---- MelWeightMatrix */

static edgert_status mel_dims(er_op_ctx *ctx, void *plan, int32_t *ndim, int64_t *dims) {
  (void)plan;
  int64_t mel_bins = mv_index_at(er_input(ctx, 0), 0);
  int64_t dft_length = mv_index_at(er_input(ctx, 1), 0);
  if (mel_bins < 0 || dft_length < 0)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "num_mel_bins %lld and dft_length %lld must not be negative",
                   (long long)mel_bins, (long long)dft_length);
  *ndim = 2;
  dims[0] = dft_length / 2 + 1;
  dims[1] = mel_bins;
  return EDGERT_OK;
}

static edgert_status mel_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 5, 5, 1);
  if (st != EDGERT_OK) return st;
  const er_mel_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  static const char *const names[5] = {"num_mel_bins (input 0)", "dft_length (input 1)",
                                       "sample_rate (input 2)", "lower_edge_hertz (input 3)",
                                       "upper_edge_hertz (input 4)"};
  for (int i = 0; i < 3 && st == EDGERT_OK; i++)
    st = check_int_scalar(ctx, er_input(ctx, i), names[i]);
  for (int i = 3; i < 5 && st == EDGERT_OK; i++)
    st = check_float_scalar(ctx, er_input(ctx, i), names[i]);
  if (st != EDGERT_OK) return st;
  if ((st = check_table_output(ctx, er_output(ctx, 0), a->out_type)) != EDGERT_OK) return st;
  return mv_prepare_shape(ctx, 0, 1, sizeof(mv_deferred), mel_dims);
}

/* Hertz to mel and back (HTK formula, as ONNX's reference). */
static double hz_to_mel(double hz) { return 2595.0 * log10(1.0 + hz / 700.0); }
static double mel_to_hz(double mel) { return 700.0 * (pow(10.0, mel / 2595.0) - 1.0); }

static void mel_set(er_tensor *out, int64_t row, int64_t col, double v) {
  if (row < 0 || row >= out->dims[0]) return; /* edges past the spectrum have no row */
  size_t es = edgert_dtype_size(out->dtype);
  store_number((unsigned char *)out->data + (size_t)(row * out->dims[1] + col) * es, out->dtype, v);
}

static edgert_status mel_eval(er_op_ctx *ctx) {
  edgert_status st = mv_eval_deferred_shape(ctx, mel_dims);
  if (st != EDGERT_OK) return st;
  er_tensor *out = er_output(ctx, 0);
  int64_t bins = out->dims[1], rows = out->dims[0];
  int64_t dft_length = mv_index_at(er_input(ctx, 1), 0);
  int64_t sample_rate = mv_index_at(er_input(ctx, 2), 0);
  double low = number_at(er_input(ctx, 3), 0), high = number_at(er_input(ctx, 4), 0);
  if (sample_rate <= 0) return er_fail(ctx, EDGERT_ERR_RUNTIME, "sample_rate must be positive");
  size_t es = edgert_dtype_size(out->dtype);
  for (int64_t i = 0; i < rows * bins; i++)
    store_number((unsigned char *)out->data + (size_t)i * es, out->dtype, 0.0);
  /* bins + 2 edges evenly spaced in mel, turned into spectrum rows; triangle i rises from edge i to
   * edge i + 1 and falls to edge i + 2. */
  double low_mel = hz_to_mel(low), step = (hz_to_mel(high) - low_mel) / (double)(bins + 2);
  for (int64_t i = 0; i < bins; i++) {
    int64_t edge[3];
    for (int e = 0; e < 3; e++) {
      double hz = mel_to_hz((double)(i + e) * step + low_mel);
      double row = floor((double)(dft_length + 1) * hz / (double)sample_rate);
      edge[e] = (int64_t)fmax(-4.0e15, fmin(4.0e15, isnan(row) ? 0.0 : row)); /* keeps the cast defined */
    }
    int64_t rise = edge[1] - edge[0], fall = edge[2] - edge[1];
    if (rise == 0) {
      mel_set(out, edge[1], i, 1.0);
    } else {
      for (int64_t j = edge[0] > 0 ? edge[0] : 0; j <= edge[1] && j < rows; j++)
        mel_set(out, j, i, (double)(j - edge[0]) / (double)rise);
    }
    for (int64_t j = edge[1] > 0 ? edge[1] : 0; fall > 0 && j < edge[2] && j < rows; j++)
      mel_set(out, j, i, (double)(edge[2] - j) / (double)fall);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_mel_weight_matrix = {.prepare = mel_prepare, .eval = mel_eval};
