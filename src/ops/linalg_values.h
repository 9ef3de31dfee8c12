/* Element access by dtype for the ONNX linalg kernels, which take many dtypes (float32/64, float16,
 * bfloat16, 8..64-bit integers) through one code path: values are widened to double or int64, worked on,
 * and narrowed back on store. Narrowing a double into an integer truncates toward zero, as numpy's astype
 * does (ONNX's reference implementation); integer narrowing keeps the low bits. */
#ifndef EDGERT_OPS_LINALG_VALUES_H
#define EDGERT_OPS_LINALG_VALUES_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/tensor.h"

static inline bool lv_is_float(edgert_dtype dt) {
  return dt == EDGERT_FLOAT32 || dt == EDGERT_FLOAT64 || dt == EDGERT_FLOAT16 || dt == EDGERT_BFLOAT16;
}

static inline bool lv_is_integer(edgert_dtype dt) {
  switch (dt) {
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16:
  case EDGERT_UINT16:
  case EDGERT_INT32:
  case EDGERT_UINT32:
  case EDGERT_INT64:
  case EDGERT_UINT64: return true;
  default: return false;
  }
}

static inline int64_t lv_load_i64(const void *p, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_INT8: return ((const int8_t *)p)[i];
  case EDGERT_UINT8: return ((const uint8_t *)p)[i];
  case EDGERT_BOOL: return ((const uint8_t *)p)[i] != 0;
  case EDGERT_INT16: return ((const int16_t *)p)[i];
  case EDGERT_UINT16: return ((const uint16_t *)p)[i];
  case EDGERT_INT32: return ((const int32_t *)p)[i];
  case EDGERT_UINT32: return ((const uint32_t *)p)[i];
  case EDGERT_INT64: return ((const int64_t *)p)[i];
  case EDGERT_UINT64: return (int64_t)((const uint64_t *)p)[i];
  default: return 0;
  }
}

static inline double lv_load(const void *p, edgert_dtype dt, int64_t i) {
  switch (dt) {
  case EDGERT_FLOAT32: return ((const float *)p)[i];
  case EDGERT_FLOAT64: return ((const double *)p)[i];
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)p)[i]);
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)p)[i]);
  case EDGERT_UINT64: return (double)((const uint64_t *)p)[i];
  default: return (double)lv_load_i64(p, dt, i);
  }
}

static inline void lv_store_i64(void *p, edgert_dtype dt, int64_t i, int64_t v) {
  switch (dt) {
  case EDGERT_INT8: ((int8_t *)p)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)p)[i] = (uint8_t)(uint64_t)v; break;
  case EDGERT_BOOL: ((uint8_t *)p)[i] = v != 0; break;
  case EDGERT_INT16: ((int16_t *)p)[i] = (int16_t)(uint16_t)(uint64_t)v; break;
  case EDGERT_UINT16: ((uint16_t *)p)[i] = (uint16_t)(uint64_t)v; break;
  case EDGERT_INT32: ((int32_t *)p)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
  case EDGERT_UINT32: ((uint32_t *)p)[i] = (uint32_t)(uint64_t)v; break;
  case EDGERT_FLOAT32: ((float *)p)[i] = (float)v; break;
  case EDGERT_FLOAT64: ((double *)p)[i] = (double)v; break;
  default: ((int64_t *)p)[i] = v; break;
  }
}

/* Doubles beyond an integer type's range (and NaN) have no defined C conversion; they saturate here. */
static inline int64_t lv_double_to_i64(double v) {
  if (v != v) return 0;
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)v;
}

static inline void lv_store(void *p, edgert_dtype dt, int64_t i, double v) {
  switch (dt) {
  case EDGERT_FLOAT32: ((float *)p)[i] = (float)v; break;
  case EDGERT_FLOAT64: ((double *)p)[i] = v; break;
  case EDGERT_FLOAT16: ((uint16_t *)p)[i] = er_float_to_half((float)v); break;
  case EDGERT_BFLOAT16: ((uint16_t *)p)[i] = er_float_to_bfloat16((float)v); break;
  case EDGERT_UINT64:
    ((uint64_t *)p)[i] = v <= 0 ? 0 : (v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v);
    break;
  default: lv_store_i64(p, dt, i, lv_double_to_i64(v)); break;
  }
}

#endif
