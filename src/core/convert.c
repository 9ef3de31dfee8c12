/* float32 <-> tensor dtype conversion for callers' pre- and postprocessing (public API). */
#include <math.h>

#include "core/tensor.h"

static double element_as_double(edgert_dtype dtype, const void *data, size_t i) {
  switch (dtype) {
  case EDGERT_FLOAT32: return ((const float *)data)[i];
  case EDGERT_FLOAT16: return er_half_to_float(((const uint16_t *)data)[i]);
  case EDGERT_INT8: return ((const int8_t *)data)[i];
  case EDGERT_UINT8: return ((const uint8_t *)data)[i];
  case EDGERT_INT16: return ((const int16_t *)data)[i];
  case EDGERT_INT32: return ((const int32_t *)data)[i];
  case EDGERT_INT64: return (double)((const int64_t *)data)[i];
  case EDGERT_BOOL: return ((const uint8_t *)data)[i] != 0;
  case EDGERT_FLOAT64: return ((const double *)data)[i];
  case EDGERT_UINT16: return ((const uint16_t *)data)[i];
  case EDGERT_UINT32: return ((const uint32_t *)data)[i];
  case EDGERT_UINT64: return (double)((const uint64_t *)data)[i];
  case EDGERT_BFLOAT16: return er_bfloat16_to_float(((const uint16_t *)data)[i]);
  default: return 0;
  }
}

static bool is_float(edgert_dtype dtype) {
  return dtype == EDGERT_FLOAT32 || dtype == EDGERT_FLOAT16 || dtype == EDGERT_FLOAT64 || dtype == EDGERT_BFLOAT16;
}

edgert_status edgert_tensor_to_float(const edgert_tensor_info *info, const void *data, float *out,
                                     size_t count) {
  if (!info || !data || !out || (unsigned)info->dtype >= EDGERT_DTYPE_COUNT) return EDGERT_ERR_ARGUMENT;
  bool quantized = info->scale != 0.0f && !is_float(info->dtype);
  for (size_t i = 0; i < count; i++) {
    double v = element_as_double(info->dtype, data, i);
    out[i] = quantized ? (float)((double)info->scale * (v - info->zero_point)) : (float)v;
  }
  return EDGERT_OK;
}

static void store_integer(edgert_dtype dtype, void *data, size_t i, double v) {
  switch (dtype) {
  case EDGERT_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
  case EDGERT_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
  case EDGERT_INT32: ((int32_t *)data)[i] = (int32_t)v; break;
  case EDGERT_INT64: ((int64_t *)data)[i] = (int64_t)v; break;
  case EDGERT_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
  case EDGERT_UINT32: ((uint32_t *)data)[i] = (uint32_t)v; break;
  case EDGERT_UINT64: ((uint64_t *)data)[i] = (uint64_t)v; break;
  default: ((uint8_t *)data)[i] = v != 0; break;
  }
}

static void integer_range(edgert_dtype dtype, double *lo, double *hi) {
  switch (dtype) {
  case EDGERT_INT8:
    *lo = -128;
    *hi = 127;
    break;
  case EDGERT_UINT8:
    *lo = 0;
    *hi = 255;
    break;
  case EDGERT_INT16:
    *lo = -32768;
    *hi = 32767;
    break;
  case EDGERT_INT32:
    *lo = -2147483648.0;
    *hi = 2147483647.0;
    break;
  case EDGERT_INT64:
    *lo = -9223372036854775808.0;
    *hi = 9223372036854774784.0;
    break;
  case EDGERT_UINT16:
    *lo = 0;
    *hi = 65535;
    break;
  case EDGERT_UINT32:
    *lo = 0;
    *hi = 4294967295.0;
    break;
  case EDGERT_UINT64:
    *lo = 0;
    *hi = 18446744073709549568.0;
    break;
  default:
    *lo = 0;
    *hi = 1;
    break;
  }
}

edgert_status edgert_tensor_from_float(const edgert_tensor_info *info, const float *in, void *data,
                                       size_t count) {
  if (!info || !in || !data || (unsigned)info->dtype >= EDGERT_DTYPE_COUNT) return EDGERT_ERR_ARGUMENT;
  if (is_float(info->dtype)) {
    for (size_t i = 0; i < count; i++) {
      if (info->dtype == EDGERT_FLOAT32)
        ((float *)data)[i] = in[i];
      else if (info->dtype == EDGERT_FLOAT64)
        ((double *)data)[i] = in[i];
      else if (info->dtype == EDGERT_FLOAT16)
        ((uint16_t *)data)[i] = er_float_to_half(in[i]);
      else
        ((uint16_t *)data)[i] = er_float_to_bfloat16(in[i]);
    }
    return EDGERT_OK;
  }
  bool quantized = info->scale != 0.0f;
  double lo, hi;
  integer_range(info->dtype, &lo, &hi);
  for (size_t i = 0; i < count; i++) {
    if (isnan(in[i])) return EDGERT_ERR_ARGUMENT;
    double v =
        quantized ? round((double)in[i] / (double)info->scale) + info->zero_point : trunc((double)in[i]);
    store_integer(info->dtype, data, i, v < lo ? lo : (v > hi ? hi : v));
  }
  return EDGERT_OK;
}
