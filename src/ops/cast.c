/* CAST between float32, float64, float16, bfloat16, int8..int64, uint8..uint64 and bool, as TFLite's
 * static_cast (and ONNX Cast on these dtypes):
 * integers narrow by two's-complement wrapping, floats go to integers by truncation toward zero, anything
 * goes to bool as (value != 0) and bool is 0 or 1. Where C++ leaves float -> integer undefined (NaN, out of
 * range) this kernel is defined: NaN gives 0 and other values saturate to the int32 (or int64, for
 * int64 and uint32) range before narrowing, which is what x86 and ARM hardware conversions do for the
 * in-between widths; uint64 saturates to its own range. */
#include <math.h>
#include <string.h>

#include "ops/activation_common.h"

static bool cast_dtype_ok(edgert_dtype t) {
  switch (t) {
  case EDGERT_FLOAT32:
  case EDGERT_FLOAT16:
  case EDGERT_INT8:
  case EDGERT_UINT8:
  case EDGERT_INT16:
  case EDGERT_INT32:
  case EDGERT_INT64:
  case EDGERT_BOOL:
  case EDGERT_FLOAT64:
  case EDGERT_BFLOAT16:
  case EDGERT_UINT16:
  case EDGERT_UINT32:
  case EDGERT_UINT64: return true;
  default: return false;
  }
}

static edgert_status cast_prepare(er_op_ctx *ctx) {
  er_tensor *in, *out;
  edgert_status st = act_unary_io(ctx, &in, &out);
  if (st != EDGERT_OK) return st;
  if (!cast_dtype_ok(in->dtype) || !cast_dtype_ok(out->dtype))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "cast %s -> %s is not supported",
                   edgert_dtype_name(in->dtype), edgert_dtype_name(out->dtype));
  return EDGERT_OK;
}

static bool is_float(edgert_dtype t) {
  return t == EDGERT_FLOAT32 || t == EDGERT_FLOAT16 || t == EDGERT_FLOAT64 || t == EDGERT_BFLOAT16;
}

static inline double load_float(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)t->data)[i]);
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)t->data)[i]);
  case EDGERT_FLOAT64: return ((const double *)t->data)[i];
  default: return ((const float *)t->data)[i];
  }
}

static inline int64_t load_int(const er_tensor *t, int64_t i) {
  switch (t->dtype) {
  case EDGERT_INT8: return ((const int8_t *)t->data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)t->data)[i];
  case EDGERT_BOOL: return ((const uint8_t *)t->data)[i] != 0;
  case EDGERT_INT16: return ((const int16_t *)t->data)[i];
  case EDGERT_INT32: return ((const int32_t *)t->data)[i];
  case EDGERT_UINT16: return ((const uint16_t *)t->data)[i];
  case EDGERT_UINT32: return ((const uint32_t *)t->data)[i];
  default: return ((const int64_t *)t->data)[i]; /* int64, and uint64's bits */
  }
}

/* Truncation toward zero, defined for NaN and out-of-range values (see the file comment). */
static inline int64_t float_to_int(double v, edgert_dtype to) {
  if (isnan(v)) return 0;
  if (to == EDGERT_UINT64 && v >= 9223372036854775808.0)
    return v >= 18446744073709551616.0 ? -1 : (int64_t)(uint64_t)v; /* the bits of the uint64 */
  const bool wide = to == EDGERT_INT64 || to == EDGERT_UINT64 || to == EDGERT_UINT32;
  double lo = wide ? -9223372036854775808.0 : -2147483648.0;
  double hi = wide ? 9223372036854775807.0 : 2147483647.0;
  if (v <= lo) return wide ? INT64_MIN : INT32_MIN;
  if (v >= hi) return wide ? INT64_MAX : INT32_MAX;
  return (int64_t)v;
}

/* Stores an integer with two's-complement narrowing. */
static inline void store_int(er_tensor *t, int64_t i, int64_t v) {
  uint64_t bits = (uint64_t)v;
  switch (t->dtype) {
  case EDGERT_INT8: ((int8_t *)t->data)[i] = (int8_t)(uint8_t)bits; break;
  case EDGERT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)bits; break;
  case EDGERT_INT16: ((int16_t *)t->data)[i] = (int16_t)(uint16_t)bits; break;
  case EDGERT_INT32: ((int32_t *)t->data)[i] = (int32_t)(uint32_t)bits; break;
  case EDGERT_UINT16: ((uint16_t *)t->data)[i] = (uint16_t)bits; break;
  case EDGERT_UINT32: ((uint32_t *)t->data)[i] = (uint32_t)bits; break;
  default: ((int64_t *)t->data)[i] = v; break; /* int64, and uint64's bits */
  }
}

/* float -> bfloat16 keeps the top 16 bits (truncation), as ONNX 1.12's Cast defines and its backend test
 * data expect; a NaN keeps a mantissa bit so that it stays NaN. */
static inline uint16_t truncate_to_bfloat16(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  if (isnan(v)) return (uint16_t)((bits >> 16) | 0x40u);
  return (uint16_t)(bits >> 16);
}

static inline void store_float(er_tensor *t, int64_t i, float v) {
  if (t->dtype == EDGERT_FLOAT16)
    ((uint16_t *)t->data)[i] = er_float_to_half(v);
  else if (t->dtype == EDGERT_BFLOAT16)
    ((uint16_t *)t->data)[i] = truncate_to_bfloat16(v);
  else
    ((float *)t->data)[i] = v;
}

/* An integer element as a value: uint64 bits above INT64_MAX are large positives, not negatives. */
static inline double int_value(const er_tensor *t, int64_t i) {
  const int64_t v = load_int(t, i);
  return t->dtype == EDGERT_UINT64 ? (double)(uint64_t)v : (double)v;
}

/* An integer to float32 rounds once, from the integer itself. */
static inline float int_to_float(const er_tensor *t, int64_t i) {
  const int64_t v = load_int(t, i);
  return t->dtype == EDGERT_UINT64 ? (float)(uint64_t)v : (float)v;
}

static edgert_status cast_eval(er_op_ctx *ctx) {
  const er_tensor *in = er_input(ctx, 0);
  er_tensor *out = er_output(ctx, 0);
  int64_t n = er_tensor_elements(in);
  const bool from_float = is_float(in->dtype);
  for (int64_t i = 0; i < n; i++) {
    if (out->dtype == EDGERT_BOOL) {
      bool nonzero = from_float ? load_float(in, i) != 0.0 : load_int(in, i) != 0;
      ((uint8_t *)out->data)[i] = nonzero;
    } else if (out->dtype == EDGERT_FLOAT64) {
      ((double *)out->data)[i] = from_float ? load_float(in, i) : int_value(in, i);
    } else if (is_float(out->dtype)) {
      /* float32 -> float32 passes through double exactly; int64 rounds once, to float. */
      store_float(out, i, from_float ? (float)load_float(in, i) : int_to_float(in, i));
    } else {
      store_int(out, i, from_float ? float_to_int(load_float(in, i), out->dtype) : load_int(in, i));
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_cast = {.prepare = cast_prepare, .eval = cast_eval};
