/* Helpers for the activation-family kernel tests: run one single-input op through the interpreter, and
 * build quantized inputs the way TFLite's kernel tests do (tensorflow/lite/kernels/test_util.h:
 * QuantizationParams picks scale and zero point from a float range; Quantize rounds zp + x / scale and
 * clamps), so that ported test vectors see the same integers TFLite's tests fed its kernels. */
#ifndef EDGERT_TESTS_ACTIVATION_TEST_H
#define EDGERT_TESTS_ACTIVATION_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary_test.h"
#include "op_harness.h"

typedef struct {
  er_op op;
  const void *attrs;
  size_t attrs_size;
  edgert_dtype in_type, out_type;
  int ndim;
  int64_t dims[8];
  float in_scale, out_scale; /* 0: not quantized */
  int32_t in_zp, out_zp;
} act_case;

/* Runs the op on `input`; on success copies out_bytes of output. Prints the error otherwise. */
static inline edgert_status act_run(const act_case *c, const void *input, void *output, size_t out_bytes) {
  th_graph *g = th_new();
  int in = th_tensor(g, c->in_type, c->ndim, c->dims, NULL);
  int out = th_tensor(g, c->out_type, -1, NULL, NULL);
  if (c->in_scale > 0) th_quant(g, in, c->in_scale, c->in_zp);
  if (c->out_scale > 0) th_quant(g, out, c->out_scale, c->out_zp);
  th_node(g, c->op, c->attrs, c->attrs_size, 1, (int[]){in}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  edgert_status st = th_run(g, (const void *[]){input});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(output, th_output(g, 0), out_bytes);
  } else {
    fprintf(stderr, "  (%s)\n", th_error(g));
  }
  th_free(g);
  return st;
}

/* Runs a one-input op on n (at most 8) float64 values, as ONNX models use it, and checks each output
 * within 1e-12 of want. */
static inline void act_run_f64(er_op op, const void *attrs, size_t attrs_size, const double *x, int n,
                               const double *want) {
  double out[8];
  CHECK_OK(bt_run(op, attrs, attrs_size, 1, (bt_tensor[]){{.dtype = EDGERT_FLOAT64, .ndim = 1, .dims = {n}}},
                  (const void *[]){x}, (bt_tensor){.dtype = EDGERT_FLOAT64, .ndim = -1}, out,
                  sizeof(double) * (size_t)n));
  for (int i = 0; i < n; i++)
    CHECK_NEAR(out[i], want[i], 1e-12);
}

/* TFLite test_util.h QuantizationParams<T>(f_min, f_max), in float as there. */
static inline void tfl_quant_params(float f_min, float f_max, int32_t qmin, int32_t qmax, float *scale,
                                    int32_t *zp) {
  const float qmin_f = (float)qmin, qmax_f = (float)qmax;
  *scale = (f_max - f_min) / (qmax_f - qmin_f);
  const float zp_from_min = qmin_f - f_min / *scale;
  const float zp_from_max = qmax_f - f_max / *scale;
  const float err_min = fabsf(qmin_f) + fabsf(f_min / *scale);
  const float err_max = fabsf(qmax_f) + fabsf(f_max / *scale);
  const float zp_f = err_min < err_max ? zp_from_min : zp_from_max;
  if (zp_f < qmin_f)
    *zp = qmin;
  else if (zp_f > qmax_f)
    *zp = qmax;
  else
    *zp = (int32_t)roundf(zp_f);
}

/* TFLite test_util.h Quantize<T>: round(zero_point + x / scale), clamped. Writes int32 values. */
static inline void tfl_quantize(const float *x, int n, float scale, int32_t zp, int32_t qmin, int32_t qmax,
                                int32_t *q) {
  for (int i = 0; i < n; i++) {
    float v = roundf((float)zp + x[i] / scale);
    q[i] = v < (float)qmin ? qmin : (v > (float)qmax ? qmax : (int32_t)v);
  }
}

static inline void to_i8(const int32_t *v, int n, int8_t *out) {
  for (int i = 0; i < n; i++)
    out[i] = (int8_t)v[i];
}
static inline void to_u8(const int32_t *v, int n, uint8_t *out) {
  for (int i = 0; i < n; i++)
    out[i] = (uint8_t)v[i];
}
static inline void to_i16(const int32_t *v, int n, int16_t *out) {
  for (int i = 0; i < n; i++)
    out[i] = (int16_t)v[i];
}

static inline void check_floats_near(const float *got, const float *want, int n, double tol) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], tol);
}

/* Integers of a comma/newline separated file into malloc'ed memory (caller frees); NULL if unreadable. */
static inline int64_t *read_csv_ints(const char *path, size_t *count) {
  size_t size;
  unsigned char *text = test_read_file(path, &size);
  if (!text) return NULL;
  text[size] = 0;
  int64_t *values = malloc(sizeof(int64_t) * (size / 2 + 1));
  size_t n = 0;
  char *p = (char *)text;
  while (values && *p) {
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p) {
      p++;
      continue;
    }
    values[n++] = v;
    p = end;
  }
  free(text);
  *count = n;
  return values;
}

static inline int64_t tensor_int_at(const void *data, edgert_dtype t, size_t i) {
  switch (t) {
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  default: return ((const int64_t *)data)[i];
  }
}

/* Runs a one-input fixture model (paths relative to the fixtures folder) on the integers of input_csv
 * and checks every output value equals golden_csv. Returns the number of values that differ. */
static inline size_t check_model_golden(const char *model_rel, const char *input_rel,
                                        const char *golden_rel) {
  char model_path[4096], input_path[4096];
  snprintf(model_path, sizeof model_path, "%s", test_fixture(model_rel));
  snprintf(input_path, sizeof input_path, "%s", test_fixture(input_rel));
  size_t n_in = 0, n_gold = 0, differ = 0;
  int64_t *in = read_csv_ints(input_path, &n_in);
  int64_t *gold = read_csv_ints(test_fixture(golden_rel), &n_gold);
  edgert_model *model = NULL;
  edgert_interpreter *interp = NULL;
  CHECK_MSG(in && gold, "cannot read %s or %s", input_rel, golden_rel);
  if (!in || !gold) goto done;
  edgert_status st = edgert_model_load_file(model_path, &model);
  CHECK_MSG(st == EDGERT_OK, "%s: %s", model_rel, model ? edgert_model_error(model) : "out of memory");
  if (st != EDGERT_OK) goto done;
  st = edgert_interpreter_create(model, NULL, &interp);
  CHECK_MSG(st == EDGERT_OK, "%s: %s", model_rel,
            interp ? edgert_interpreter_error(interp) : "out of memory");
  if (st != EDGERT_OK) goto done;
  edgert_tensor_info in_info, out_info;
  edgert_interpreter_input_info(interp, 0, &in_info);
  size_t elem = edgert_dtype_size(in_info.dtype);
  CHECK_EQ_INT(n_in * elem, in_info.bytes);
  if (n_in * elem != in_info.bytes) goto done;
  unsigned char *x = edgert_interpreter_input_data(interp, 0);
  for (size_t i = 0; i < n_in; i++) {
    int64_t v = in[i];
    if (in_info.dtype == EDGERT_INT8)
      ((int8_t *)x)[i] = (int8_t)v;
    else if (in_info.dtype == EDGERT_INT16)
      ((int16_t *)x)[i] = (int16_t)v;
    else if (in_info.dtype == EDGERT_INT32)
      ((int32_t *)x)[i] = (int32_t)v;
  }
  st = edgert_interpreter_invoke(interp);
  CHECK_MSG(st == EDGERT_OK, "%s: %s", model_rel, edgert_interpreter_error(interp));
  if (st != EDGERT_OK) goto done;
  edgert_interpreter_output_info(interp, 0, &out_info);
  CHECK_EQ_INT(n_gold * edgert_dtype_size(out_info.dtype), out_info.bytes);
  if (n_gold * edgert_dtype_size(out_info.dtype) != out_info.bytes) goto done;
  const void *y = edgert_interpreter_output_data(interp, 0);
  for (size_t i = 0; i < n_gold; i++) {
    int64_t got = tensor_int_at(y, out_info.dtype, i);
    if (got != gold[i] && differ++ == 0)
      CHECK_MSG(got == gold[i], "%s: output %zu is %lld, golden %lld", model_rel, i, (long long)got,
                (long long)gold[i]);
  }
  CHECK_MSG(differ == 0, "%s: %zu of %zu outputs differ from the golden", model_rel, differ, n_gold);
done:
  edgert_interpreter_free(interp);
  edgert_model_free(model);
  free(in);
  free(gold);
  return differ;
}

#endif
