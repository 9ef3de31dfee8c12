/* Dtype lists and conversions for elementwise kernels that run one piece of code on many plain (not
 * quantized) dtypes, as ONNX models need: X-macro lists of (dtype, C type) pairs to expand a switch case
 * per dtype, integer arithmetic that wraps around in two's complement without C's undefined behaviour,
 * and float16 / bfloat16 values carried as their 16-bit patterns and computed in float. */
#ifndef EDGERT_OPS_ELEMENTWISE_TYPES_H
#define EDGERT_OPS_ELEMENTWISE_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/tensor.h"

/* X(dtype, C type) for each signed and unsigned integer dtype. */
#define ER_SIGNED_INT_TYPES(X)                                                                               \
  X(EDGERT_INT8, int8_t) X(EDGERT_INT16, int16_t) X(EDGERT_INT32, int32_t) X(EDGERT_INT64, int64_t)
#define ER_UNSIGNED_INT_TYPES(X)                                                                             \
  X(EDGERT_UINT8, uint8_t) X(EDGERT_UINT16, uint16_t) X(EDGERT_UINT32, uint32_t) X(EDGERT_UINT64, uint64_t)
#define ER_INT_TYPES(X) ER_SIGNED_INT_TYPES(X) ER_UNSIGNED_INT_TYPES(X)

static inline bool er_is_signed_int(edgert_dtype t) {
  return t == EDGERT_INT8 || t == EDGERT_INT16 || t == EDGERT_INT32 || t == EDGERT_INT64;
}
static inline bool er_is_unsigned_int(edgert_dtype t) {
  return t == EDGERT_UINT8 || t == EDGERT_UINT16 || t == EDGERT_UINT32 || t == EDGERT_UINT64;
}
static inline bool er_is_int(edgert_dtype t) { return er_is_signed_int(t) || er_is_unsigned_int(t); }
/* The dtypes computed in floating point; float16 and bfloat16 go through float. */
static inline bool er_is_float(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_FLOAT64 || t == EDGERT_FLOAT16 || t == EDGERT_BFLOAT16;
}
static inline bool er_is_numeric(edgert_dtype t) { return er_is_int(t) || er_is_float(t); }
/* No quantization parameters: the stored integers are the values. */
static inline bool er_is_unquantized(const er_tensor *t) { return t->q.scale == 0.0f && t->q.channels <= 1; }

/* Wrapping arithmetic: through uint64_t, whose results modulo 2^64 hold modulo 2^bits for any narrower
 * type; the conversion back to a signed type is modular in every compiler we target. */
#define ER_WRAP_ADD(T, x, y) ((T)((uint64_t)(x) + (uint64_t)(y)))
#define ER_WRAP_SUB(T, x, y) ((T)((uint64_t)(x) - (uint64_t)(y)))
#define ER_WRAP_MUL(T, x, y) ((T)((uint64_t)(x) * (uint64_t)(y)))

/* Signed division truncating toward zero, where the one overflowing case (MIN / -1) wraps. y != 0. */
static inline int64_t er_div_trunc_i64(int64_t x, int64_t y) {
  return y == -1 ? (int64_t)(0u - (uint64_t)x) : x / y;
}

/* Whether any element of an integer tensor is zero: an integer is zero exactly when its bytes are. */
static inline bool er_any_int_zero(const er_tensor *t) {
  const size_t size = edgert_dtype_size(t->dtype);
  const int64_t n = er_tensor_elements(t);
  static const uint8_t zeros[8] = {0};
  for (int64_t i = 0; i < n; i++)
    if (memcmp((const uint8_t *)t->data + (size_t)i * size, zeros, size) == 0) return true;
  return false;
}

/* Element i of a float-like tensor (float32, float64, float16, bfloat16) as a double, and the store back. */
static inline double er_load_float(const void *data, edgert_dtype t, int64_t i) {
  switch (t) {
  case EDGERT_FLOAT64: return ((const double *)data)[i];
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)data)[i]);
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)data)[i]);
  default: return ((const float *)data)[i];
  }
}
static inline void er_store_float(void *data, edgert_dtype t, int64_t i, double v) {
  switch (t) {
  case EDGERT_FLOAT64: ((double *)data)[i] = v; break;
  case EDGERT_FLOAT16: ((uint16_t *)data)[i] = er_float_to_half((float)v); break;
  case EDGERT_BFLOAT16: ((uint16_t *)data)[i] = er_float_to_bfloat16((float)v); break;
  default: ((float *)data)[i] = (float)v; break;
  }
}

/* The float dtypes other than float32 (float64, float16, bfloat16), which only ONNX models bring. */
static inline bool er_is_extra_float(edgert_dtype t) { return er_is_float(t) && t != EDGERT_FLOAT32; }

/* out[i] = fn(in[i], arg) over a tensor of one of those dtypes, computed in double, rounded once. */
typedef double (*er_double_fn)(double x, const void *arg);
static inline void er_map_extra_float(const er_tensor *in, er_tensor *out, er_double_fn fn, const void *arg) {
  const int64_t n = er_tensor_elements(in);
  for (int64_t i = 0; i < n; i++)
    er_store_float(out->data, out->dtype, i, fn(er_load_float(in->data, in->dtype, i), arg));
}

/* float16 pairs computed in float and rounded back once. */
#define ER_HALF_OP(x, y, OP) er_float_to_half(er_half_to_float(x) OP er_half_to_float(y))

#endif
