/* ONNX op mappers of the vision/text/signal family (see onnx_families.def): NonMaxSuppression,
 * GridSample, TfIdfVectorizer, and the opset-17 signal ops DFT, STFT, HannWindow, HammingWindow,
 * BlackmanWindow, MelWeightMatrix. TfIdfVectorizer's pool and index attributes become constant inputs so
 * that the kernel reads graph-owned arrays of any length. Kernels: src/ops/non_max_suppression.c,
 * grid_sample.c, tfidf_vectorizer.c, dft.c (DFT and STFT), signal_window.c (windows, MelWeightMatrix). */
#include <stdlib.h>
#include <string.h>

#include "formats/onnx/onnx_map.h"
#include "formats/onnx/onnx_proto.h"

/* The most values a TfIdfVectorizer array attribute may hold. */
#define TFIDF_MAX_VALUES (1 << 20)

static edgert_status status_of(const er_onnx_node *n) {
  return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
}

/* Sets the op and returns zeroed attrs of `bytes` (NULL when out of memory, error recorded). */
static void *new_op(er_onnx_node *n, er_op op, size_t bytes) {
  er_onnx_set_op(n, op);
  return er_onnx_new_attrs(n, bytes);
}

/* A string attribute equal to `want`; an absent attribute counts as `fallback`. */
static bool string_is(er_onnx_node *n, const char *name, const char *fallback, const char *want) {
  const char *s;
  size_t len;
  if (!er_onnx_attr_string(n, name, &s, &len)) {
    s = fallback;
    len = strlen(fallback);
  }
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* Reads a string attribute into buf (terminated, cut to cap - 1); absent gives fallback. */
static void string_attr(er_onnx_node *n, const char *name, const char *fallback, char *buf, size_t cap) {
  const char *s;
  size_t len;
  if (!er_onnx_attr_string(n, name, &s, &len)) {
    s = fallback;
    len = strlen(fallback);
  }
  if (len >= cap) len = cap - 1;
  memcpy(buf, s, len);
  buf[len] = '\0';
}

/* The output dtype an `output_datatype` attribute names (default float32). */
static edgert_status output_datatype(er_onnx_node *n, edgert_dtype *dtype) {
  int64_t onnx_type = 1;
  er_onnx_attr_int_or(n, "output_datatype", 1, &onnx_type);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (!er_onnx_dtype(onnx_type, dtype))
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "output_datatype %lld", (long long)onnx_type);
  er_onnx_set_output_dtype(n, 0, *dtype);
  return EDGERT_OK;
}

/* ---- NonMaxSuppression-10/11 */

static edgert_status map_nms(er_onnx_node *n) {
  er_nms_attrs *a = new_op(n, ER_OP_NON_MAX_SUPPRESSION, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t center = 0;
  er_onnx_attr_int_or(n, "center_point_box", 0, &center);
  if (center != 0 && center != 1)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "center_point_box must be 0 or 1, not %lld",
                        (long long)center);
  a->center_point_box = center == 1;
  er_onnx_set_output_dtype(n, 0, EDGERT_INT64);
  return status_of(n);
}

/* ---- GridSample-16 */

static edgert_status map_grid_sample(er_onnx_node *n) {
  er_grid_sample_attrs *a = new_op(n, ER_OP_GRID_SAMPLE, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  char mode[16], padding[16];
  string_attr(n, "mode", "bilinear", mode, sizeof mode);
  string_attr(n, "padding_mode", "zeros", padding, sizeof padding);
  int64_t align = 0;
  er_onnx_attr_int_or(n, "align_corners", 0, &align);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  a->align_corners = align != 0;
  if (!strcmp(mode, "bilinear") || !strcmp(mode, "linear"))
    a->mode = ER_GRID_BILINEAR;
  else if (!strcmp(mode, "nearest"))
    a->mode = ER_GRID_NEAREST;
  else if (!strcmp(mode, "bicubic") || !strcmp(mode, "cubic"))
    a->mode = ER_GRID_BICUBIC;
  else
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "mode '%s'", mode);
  if (!strcmp(padding, "zeros"))
    a->padding = ER_GRID_PAD_ZEROS;
  else if (!strcmp(padding, "border"))
    a->padding = ER_GRID_PAD_BORDER;
  else if (!strcmp(padding, "reflection"))
    a->padding = ER_GRID_PAD_REFLECTION;
  else
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "padding_mode '%s'", padding);
  return EDGERT_OK;
}

/* ---- TfIdfVectorizer-9 */

/* Copies an ints attribute into a new int64 constant set as IR input k; *count receives its length (0
 * and no input when absent). */
static edgert_status ints_attr_input(er_onnx_node *n, const char *name, int k, int64_t *scratch, int *count) {
  *count = 0;
  if (!er_onnx_attr_ints(n, name, scratch, TFIDF_MAX_VALUES, count))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  void *data;
  int64_t dims[1] = {*count};
  int32_t id = er_onnx_add_const(n, EDGERT_INT64, 1, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  if (*count) memcpy(data, scratch, sizeof(int64_t) * (size_t)*count);
  return er_onnx_set_input_tensor(n, k, id);
}

static edgert_status weights_attr_input(er_onnx_node *n, int k, float *scratch) {
  int count = 0;
  if (!er_onnx_attr_floats(n, "weights", scratch, TFIDF_MAX_VALUES, &count))
    return er_onnx_failed(n) ? EDGERT_ERR_MALFORMED : EDGERT_OK;
  void *data;
  int64_t dims[1] = {count};
  int32_t id = er_onnx_add_const(n, EDGERT_FLOAT32, 1, dims, &data);
  if (id < 0) return EDGERT_ERR_NO_MEMORY;
  if (count) memcpy(data, scratch, sizeof(float) * (size_t)count);
  return er_onnx_set_input_tensor(n, k, id);
}

static edgert_status tfidf_arrays(er_onnx_node *n, er_tfidf_attrs *a, int64_t *scratch) {
  int pool_count, counts_count, index_count;
  edgert_status st = ints_attr_input(n, "pool_int64s", 1, scratch, &pool_count);
  if (st != EDGERT_OK) return st;
  if (pool_count == 0)
    return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "needs pool_int64s (string pools are not supported)");
  if ((st = ints_attr_input(n, "ngram_counts", 2, scratch, &counts_count)) != EDGERT_OK) return st;
  if ((st = ints_attr_input(n, "ngram_indexes", 3, scratch, &index_count)) != EDGERT_OK) return st;
  if (counts_count == 0 || index_count == 0)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "ngram_counts and ngram_indexes are required");
  a->output_size = 0;
  for (int i = 0; i < index_count; i++) {
    if (scratch[i] < 0 || scratch[i] >= TFIDF_MAX_VALUES)
      return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "ngram_indexes[%d] = %lld", i, (long long)scratch[i]);
    if (scratch[i] + 1 > a->output_size) a->output_size = scratch[i] + 1;
  }
  return weights_attr_input(n, 4, (float *)scratch);
}

static edgert_status map_tfidf(er_onnx_node *n) {
  er_tfidf_attrs *a = new_op(n, ER_OP_TFIDF_VECTORIZER, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t min_gram = 0, max_gram = 0, max_skip = 0;
  er_onnx_attr_int_or(n, "min_gram_length", 0, &min_gram);
  er_onnx_attr_int_or(n, "max_gram_length", 0, &max_gram);
  er_onnx_attr_int_or(n, "max_skip_count", 0, &max_skip);
  if (er_onnx_failed(n)) return EDGERT_ERR_MALFORMED;
  if (min_gram < 1 || max_gram < min_gram || max_gram > 64 || max_skip < 0 || max_skip > 1 << 20)
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "gram lengths [%lld, %lld] and max_skip_count %lld",
                        (long long)min_gram, (long long)max_gram, (long long)max_skip);
  a->min_gram = (int32_t)min_gram;
  a->max_gram = (int32_t)max_gram;
  a->max_skip = (int32_t)max_skip;
  if (string_is(n, "mode", "", "TF"))
    a->mode = ER_TFIDF_TF;
  else if (string_is(n, "mode", "", "IDF"))
    a->mode = ER_TFIDF_IDF;
  else if (string_is(n, "mode", "", "TFIDF"))
    a->mode = ER_TFIDF_TFIDF;
  else
    return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "mode must be TF, IDF or TFIDF");
  if (er_onnx_set_inputs(n, 1, (const int[]){0}) != EDGERT_OK) return EDGERT_ERR_NO_MEMORY;
  int64_t *scratch = malloc(sizeof(int64_t) * TFIDF_MAX_VALUES);
  if (!scratch) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "no memory for the attribute arrays");
  edgert_status st = tfidf_arrays(n, a, scratch);
  free(scratch);
  if (st != EDGERT_OK) return st;
  er_onnx_ignore_attr(n, "pool_strings");
  er_onnx_set_output_dtype(n, 0, EDGERT_FLOAT32);
  return status_of(n);
}

/* ---- signal ops (opset 17) */

static edgert_status map_dft(er_onnx_node *n) {
  er_dft_attrs *a = new_op(n, ER_OP_DFT, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t axis = 1, inverse = 0, onesided = 0;
  er_onnx_attr_int_or(n, "axis", 1, &axis);
  er_onnx_attr_int_or(n, "inverse", 0, &inverse);
  er_onnx_attr_int_or(n, "onesided", 0, &onesided);
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  a->inverse = inverse != 0;
  a->onesided = onesided != 0;
  return status_of(n);
}

/* DFT-20 takes the axis as input 2 (default -2); the kernel reads it from the attrs, so it must be a
 * constant. */
static edgert_status map_dft20(er_onnx_node *n) {
  er_dft_attrs *a = new_op(n, ER_OP_DFT, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t inverse = 0, onesided = 0, axis = -2;
  er_onnx_attr_int_or(n, "inverse", 0, &inverse);
  er_onnx_attr_int_or(n, "onesided", 0, &onesided);
  if (er_onnx_input_present(n, 2)) {
    const er_tensor *t = er_onnx_const_input(n, 2);
    if (!t || (t->dtype != EDGERT_INT64 && t->dtype != EDGERT_INT32) || er_tensor_elements(t) != 1)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "axis (input 2) must be a constant integer scalar");
    if (t->dtype == EDGERT_INT64) { /* memcpy: model bytes need not be aligned */
      memcpy(&axis, t->data, sizeof axis);
    } else {
      int32_t axis32;
      memcpy(&axis32, t->data, sizeof axis32);
      axis = axis32;
    }
  }
  if (axis < -ER_MAX_DIMS || axis >= ER_MAX_DIMS)
    return er_onnx_fail(n, EDGERT_ERR_SHAPE, "axis %lld", (long long)axis);
  a->axis = (int32_t)axis;
  a->inverse = inverse != 0;
  a->onesided = onesided != 0;
  int count = er_onnx_input_count(n) < 2 ? er_onnx_input_count(n) : 2;
  edgert_status st = er_onnx_set_inputs(n, count, (const int[]){0, er_onnx_input_present(n, 1) ? 1 : -1});
  return st != EDGERT_OK ? st : status_of(n);
}

static edgert_status map_stft(er_onnx_node *n) {
  er_stft_attrs *a = new_op(n, ER_OP_STFT, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t onesided = 1;
  er_onnx_attr_int_or(n, "onesided", 1, &onesided);
  a->onesided = onesided != 0;
  return status_of(n);
}

static edgert_status map_window(er_onnx_node *n, double a0, double a1, double a2) {
  er_window_attrs *a = new_op(n, ER_OP_SIGNAL_WINDOW, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  int64_t periodic = 1;
  er_onnx_attr_int_or(n, "periodic", 1, &periodic);
  a->periodic = periodic != 0;
  a->a0 = a0;
  a->a1 = a1;
  a->a2 = a2;
  edgert_status st = output_datatype(n, &a->out_type);
  return st != EDGERT_OK ? st : status_of(n);
}

static edgert_status map_hann(er_onnx_node *n) { return map_window(n, 0.5, 0.5, 0.0); }
static edgert_status map_hamming(er_onnx_node *n) { return map_window(n, 25.0 / 46.0, 21.0 / 46.0, 0.0); }
static edgert_status map_blackman(er_onnx_node *n) { return map_window(n, 0.42, 0.5, 0.08); }

static edgert_status map_mel(er_onnx_node *n) {
  er_mel_attrs *a = new_op(n, ER_OP_MEL_WEIGHT_MATRIX, sizeof *a);
  if (!a) return EDGERT_ERR_NO_MEMORY;
  edgert_status st = output_datatype(n, &a->out_type);
  return st != EDGERT_OK ? st : status_of(n);
}

const er_onnx_op_mapping er_onnx_ops_vision[] = {
    {"", "NonMaxSuppression", 10, map_nms},
    {"", "GridSample", 16, map_grid_sample},
    {"", "TfIdfVectorizer", 9, map_tfidf},
    {"", "DFT", 17, map_dft},
    {"", "DFT", 20, map_dft20},
    {"", "STFT", 17, map_stft},
    {"", "HannWindow", 17, map_hann},
    {"", "HammingWindow", 17, map_hamming},
    {"", "BlackmanWindow", 17, map_blackman},
    {"", "MelWeightMatrix", 17, map_mel},
};
const size_t er_onnx_ops_vision_count = sizeof er_onnx_ops_vision / sizeof er_onnx_ops_vision[0];
