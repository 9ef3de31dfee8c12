/* Names of statuses and dtypes, and dtype sizes. */
#include "edgert.h"

const char *edgert_status_name(edgert_status status) {
  switch (status) {
  case EDGERT_OK: return "ok";
  case EDGERT_ERR_ARGUMENT: return "bad argument";
  case EDGERT_ERR_IO: return "i/o error";
  case EDGERT_ERR_MALFORMED: return "malformed model";
  case EDGERT_ERR_UNSUPPORTED: return "unsupported";
  case EDGERT_ERR_SHAPE: return "shape or dtype mismatch";
  case EDGERT_ERR_NO_MEMORY: return "out of memory";
  case EDGERT_ERR_LIMIT: return "resource limit";
  case EDGERT_ERR_RUNTIME: return "runtime error";
  }
  return "unknown status";
}

const char *edgert_dtype_name(edgert_dtype dtype) {
  static const char *const names[EDGERT_DTYPE_COUNT] = {
      "float32", "float16", "int8",   "uint8",  "int16",  "int32",   "int64",
      "bool",    "float64", "uint16", "uint32", "uint64", "bfloat16"};
  return (unsigned)dtype < EDGERT_DTYPE_COUNT ? names[dtype] : "?";
}

size_t edgert_dtype_size(edgert_dtype dtype) {
  static const unsigned char sizes[EDGERT_DTYPE_COUNT] = {4, 2, 1, 1, 2, 4, 8, 1, 8, 2, 4, 8, 2};
  return (unsigned)dtype < EDGERT_DTYPE_COUNT ? sizes[dtype] : 0;
}
