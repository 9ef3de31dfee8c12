/* Reading and writing single elements of any numeric dtype as double, for the ONNX kernels whose
 * inputs may come in many dtypes but whose values are counts, indices or fill values (OneHot, Range,
 * EyeLike, TopK). Not for arithmetic where the dtype's own rounding matters. */
#ifndef EDGERT_OPS_ONNX_NUMBER_H
#define EDGERT_OPS_ONNX_NUMBER_H

#include <string.h>

#include "core/tensor.h"

/* Element i of a numeric tensor as a double (int64 beyond 2^53 loses bits; fine for counts and
 * indices). */
static inline double number_at(const er_tensor *t, int64_t i) {
  const unsigned char *p = (const unsigned char *)t->data + (size_t)i * edgert_dtype_size(t->dtype);
#define ER_LOAD(type)                                                                                        \
  do {                                                                                                       \
    type v_;                                                                                                 \
    memcpy(&v_, p, sizeof v_);                                                                               \
    return (double)v_;                                                                                       \
  } while (0)
  switch (t->dtype) {
  case EDGERT_FLOAT32: ER_LOAD(float);
  case EDGERT_FLOAT64: ER_LOAD(double);
  case EDGERT_INT8: ER_LOAD(int8_t);
  case EDGERT_UINT8: ER_LOAD(uint8_t);
  case EDGERT_INT16: ER_LOAD(int16_t);
  case EDGERT_UINT16: ER_LOAD(uint16_t);
  case EDGERT_INT32: ER_LOAD(int32_t);
  case EDGERT_UINT32: ER_LOAD(uint32_t);
  case EDGERT_INT64: ER_LOAD(int64_t);
  case EDGERT_UINT64: ER_LOAD(uint64_t);
  case EDGERT_BOOL: ER_LOAD(uint8_t);
  case EDGERT_FLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return er_half_to_float(h);
  }
  case EDGERT_BFLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return er_bfloat16_to_float(h);
  }
  default: return 0;
  }
#undef ER_LOAD
}

/* Writes v as one element of dtype t (integers truncate toward zero, as a C cast). */
static inline void store_number(void *dst, edgert_dtype t, double v) {
#define ER_STORE(type)                                                                                       \
  do {                                                                                                       \
    type v_ = (type)v;                                                                                       \
    memcpy(dst, &v_, sizeof v_);                                                                             \
  } while (0)
  switch (t) {
  case EDGERT_FLOAT32: ER_STORE(float); break;
  case EDGERT_FLOAT64: ER_STORE(double); break;
  case EDGERT_INT8: ER_STORE(int8_t); break;
  case EDGERT_UINT8: ER_STORE(uint8_t); break;
  case EDGERT_INT16: ER_STORE(int16_t); break;
  case EDGERT_UINT16: ER_STORE(uint16_t); break;
  case EDGERT_INT32: ER_STORE(int32_t); break;
  case EDGERT_UINT32: ER_STORE(uint32_t); break;
  case EDGERT_INT64: ER_STORE(int64_t); break;
  case EDGERT_UINT64: ER_STORE(uint64_t); break;
  case EDGERT_BOOL: {
    uint8_t b = v != 0;
    memcpy(dst, &b, 1);
    break;
  }
  case EDGERT_FLOAT16: {
    uint16_t h = er_float_to_half((float)v);
    memcpy(dst, &h, 2);
    break;
  }
  case EDGERT_BFLOAT16: {
    uint16_t h = er_float_to_bfloat16((float)v);
    memcpy(dst, &h, 2);
    break;
  }
  default: break;
  }
#undef ER_STORE
}

#endif
