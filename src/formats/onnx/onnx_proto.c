/* TensorProto and TypeProto decoding. A TensorProto carries its values either as raw little-endian bytes
 * (raw_data), in a typed repeated field chosen by its data type (the ONNX spec packs int8/uint8/int16/
 * uint16/bool/float16/bfloat16 into int32_data, uint32/uint64 into uint64_data), or in a file beside the
 * model (data_location = EXTERNAL). Raw bytes stay in place when aligned for their dtype. */
#include "formats/onnx/onnx_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* TensorProto field numbers (onnx/onnx.proto3). */
enum {
  TP_DIMS = 1,
  TP_DATA_TYPE = 2,
  TP_SEGMENT = 3,
  TP_FLOAT_DATA = 4,
  TP_INT32_DATA = 5,
  TP_STRING_DATA = 6,
  TP_INT64_DATA = 7,
  TP_NAME = 8,
  TP_RAW_DATA = 9,
  TP_DOUBLE_DATA = 10,
  TP_UINT64_DATA = 11,
  TP_EXTERNAL_DATA = 13,
  TP_DATA_LOCATION = 14
};

enum { ONNX_STRING = 8, ONNX_COMPLEX64 = 14, ONNX_COMPLEX128 = 15 };

edgert_status er_onnx_decode_fail(er_onnx_decode_ctx *c, edgert_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (c->err && c->err_len) vsnprintf(c->err, c->err_len, fmt, ap);
  va_end(ap);
  return status;
}

bool er_onnx_dtype(int64_t onnx_type, edgert_dtype *dtype) {
  static const int table[17] = {-1,
                                EDGERT_FLOAT32,
                                EDGERT_UINT8,
                                EDGERT_INT8,
                                EDGERT_UINT16,
                                EDGERT_INT16,
                                EDGERT_INT32,
                                EDGERT_INT64,
                                -1,
                                EDGERT_BOOL,
                                EDGERT_FLOAT16,
                                EDGERT_FLOAT64,
                                EDGERT_UINT32,
                                EDGERT_UINT64,
                                -1,
                                -1,
                                EDGERT_BFLOAT16};
  if (onnx_type < 0 || onnx_type > 16 || table[onnx_type] < 0) return false;
  *dtype = (edgert_dtype)table[onnx_type];
  return true;
}

const char *er_onnx_dtype_name(int64_t onnx_type) {
  switch (onnx_type) {
  case ONNX_STRING: return "string";
  case ONNX_COMPLEX64: return "complex64";
  case ONNX_COMPLEX128: return "complex128";
  default: {
    edgert_dtype d;
    return er_onnx_dtype(onnx_type, &d) ? edgert_dtype_name(d) : "unknown";
  }
  }
}

static bool host_is_little_endian(void) {
  const uint16_t one = 1;
  uint8_t first;
  memcpy(&first, &one, 1);
  return first == 1;
}

/* The typed field holding values of a dtype, and that field's element wire type. */
static int typed_field(edgert_dtype dtype, int *wire) {
  switch (dtype) {
  case EDGERT_FLOAT32: *wire = ER_PB_I32; return TP_FLOAT_DATA;
  case EDGERT_FLOAT64: *wire = ER_PB_I64; return TP_DOUBLE_DATA;
  case EDGERT_INT64: *wire = ER_PB_VARINT; return TP_INT64_DATA;
  case EDGERT_UINT32:
  case EDGERT_UINT64: *wire = ER_PB_VARINT; return TP_UINT64_DATA;
  default: *wire = ER_PB_VARINT; return TP_INT32_DATA;
  }
}

/* Stores one typed-field value as element i of dtype (the narrowing the spec prescribes). */
static void store_value(edgert_dtype dtype, void *data, int64_t i, uint64_t v) {
  uint8_t *p = (uint8_t *)data + (size_t)i * edgert_dtype_size(dtype);
  switch (edgert_dtype_size(dtype)) {
  case 1: *p = (uint8_t)v; break;
  case 2: {
    uint16_t x = (uint16_t)v;
    memcpy(p, &x, 2);
    break;
  }
  case 4: {
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, 4);
    break;
  }
  default: memcpy(p, &v, 8); break;
  }
  if (dtype == EDGERT_BOOL) *p = v != 0;
}

typedef struct {
  int64_t onnx_type;
  bool has_type;
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  const uint8_t *raw;
  size_t raw_len;
  bool has_raw;
  int64_t typed_count[16]; /* values per field number */
  bool external;
  const char *name;
  size_t name_len;
  er_pb_reader start; /* to walk again */
} tensor_fields;

static edgert_status scan_tensor(er_onnx_decode_ctx *c, er_pb_reader *r, tensor_fields *tf) {
  memset(tf, 0, sizeof *tf);
  tf->start = *r;
  er_pb_field f;
  int got;
  while ((got = er_pb_next(r, &f)) == 1) {
    switch (f.number) {
    case TP_DIMS: {
      size_t cur = 0;
      uint64_t v;
      int64_t n = er_pb_count(&f, ER_PB_VARINT, r->error);
      if (n < 0) return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor dims: %s", r->error->message);
      while (er_pb_value(&f, ER_PB_VARINT, &cur, &v)) {
        if (tf->ndim >= ER_MAX_DIMS)
          return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "tensor has more than %d dims", ER_MAX_DIMS);
        if ((int64_t)v < 0)
          return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor dim %d is negative (%lld) at byte %zu",
                                     (int)tf->ndim, (long long)(int64_t)v, f.offset);
        tf->dims[tf->ndim++] = (int64_t)v;
      }
      break;
    }
    case TP_DATA_TYPE:
      if (f.wire != ER_PB_VARINT) break;
      tf->onnx_type = (int64_t)f.value;
      tf->has_type = true;
      break;
    case TP_SEGMENT:
      return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "segmented tensors are not supported");
    case TP_STRING_DATA:
      return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "string tensors are not supported");
    case TP_FLOAT_DATA:
    case TP_INT32_DATA:
    case TP_INT64_DATA:
    case TP_DOUBLE_DATA:
    case TP_UINT64_DATA: {
      int wire = f.number == TP_FLOAT_DATA    ? ER_PB_I32
                 : f.number == TP_DOUBLE_DATA ? ER_PB_I64
                                              : ER_PB_VARINT;
      int64_t n = er_pb_count(&f, wire, r->error);
      if (n < 0) return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor values: %s", r->error->message);
      tf->typed_count[f.number] += n;
      break;
    }
    case TP_NAME:
      if (f.wire == ER_PB_LEN) {
        tf->name = (const char *)f.bytes;
        tf->name_len = f.len;
      }
      break;
    case TP_RAW_DATA:
      if (f.wire != ER_PB_LEN) break;
      tf->raw = f.bytes;
      tf->raw_len = f.len;
      tf->has_raw = true;
      break;
    case TP_DATA_LOCATION:
      if (f.wire == ER_PB_VARINT) tf->external = f.value == 1;
      break;
    default: break;
    }
  }
  if (got < 0) return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "%s", r->error->message);
  return EDGERT_OK;
}

static bool same_key(const er_pb_field *f, const char *key) {
  return f->len == strlen(key) && memcmp(f->bytes, key, f->len) == 0;
}

/* A location is safe when relative and free of ".." components, so it cannot leave the model's folder. */
static bool location_is_safe(const char *loc, size_t len) {
  if (len == 0 || loc[0] == '/' || loc[0] == '\\' || memchr(loc, '\0', len)) return false;
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || loc[i] == '/' || loc[i] == '\\') {
      if (i - start == 2 && loc[start] == '.' && loc[start + 1] == '.') return false;
      if (i > 0 && loc[i - 1] == ':') return false; /* Windows drive letters */
      start = i + 1;
    }
  }
  return true;
}

static bool parse_u64_text(const uint8_t *s, size_t len, uint64_t *v) {
  if (len == 0 || len > 19) return false;
  uint64_t x = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    x = x * 10 + (uint64_t)(s[i] - '0');
  }
  *v = x;
  return true;
}

static edgert_status read_external(er_onnx_decode_ctx *c, const tensor_fields *tf, er_tensor *t,
                                   size_t bytes) {
  if (!c->model_dir)
    return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED,
                               "tensor data is external but the model was not loaded from a file");
  er_pb_reader r = tf->start;
  er_pb_field f;
  const uint8_t *loc = NULL;
  size_t loc_len = 0;
  uint64_t offset = 0, length = UINT64_MAX;
  while (er_pb_next(&r, &f) == 1) {
    if (f.number != TP_EXTERNAL_DATA || f.wire != ER_PB_LEN) continue;
    er_pb_reader e;
    er_pb_sub(&r, &f, &e);
    er_pb_field kv, key = {0}, value = {0};
    while (er_pb_next(&e, &kv) == 1) {
      if (kv.wire != ER_PB_LEN) continue;
      if (kv.number == 1) key = kv;
      if (kv.number == 2) value = kv;
    }
    bool ok = true;
    if (key.bytes && same_key(&key, "location")) {
      loc = value.bytes;
      loc_len = value.len;
    } else if (key.bytes && same_key(&key, "offset")) {
      ok = parse_u64_text(value.bytes, value.len, &offset);
    } else if (key.bytes && same_key(&key, "length")) {
      ok = parse_u64_text(value.bytes, value.len, &length);
    }
    if (!ok)
      return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "external data offset or length is not a number");
  }
  if (r.error->failed) return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "%s", r.error->message);
  if (!loc || !location_is_safe((const char *)loc, loc_len))
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED,
                               "external data location is missing, absolute or leaves the model's folder");
  if (length != UINT64_MAX && length != bytes)
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "external data length %llu, shape needs %zu",
                               (unsigned long long)length, bytes);
  char path[1024];
  int n = snprintf(path, sizeof path, "%s/%.*s", c->model_dir, (int)loc_len, (const char *)loc);
  if (n < 0 || (size_t)n >= sizeof path)
    return er_onnx_decode_fail(c, EDGERT_ERR_LIMIT, "external data path is too long");
  FILE *file = fopen(path, "rb");
  if (!file) return er_onnx_decode_fail(c, EDGERT_ERR_IO, "cannot open external data file %s", path);
  edgert_status st = EDGERT_OK;
  long file_size = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
  if (file_size < 0 || offset > (uint64_t)file_size || bytes > (uint64_t)file_size - offset ||
      fseek(file, (long)offset, SEEK_SET) != 0) {
    st = er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "external data file %s has no %zu bytes at offset %llu",
                             path, bytes, (unsigned long long)offset);
  } else if (!(t->data = er_graph_alloc(c->owner, bytes ? bytes : 1))) {
    st = er_onnx_decode_fail(c, EDGERT_ERR_NO_MEMORY, "out of memory for a %zu-byte tensor", bytes);
  } else if (fread(t->data, 1, bytes, file) != bytes) {
    st = er_onnx_decode_fail(c, EDGERT_ERR_IO, "cannot read external data file %s", path);
  }
  fclose(file);
  return st;
}

static edgert_status fill_typed(er_onnx_decode_ctx *c, const tensor_fields *tf, edgert_dtype dtype,
                                void *data, int64_t elements) {
  int wire;
  int field = typed_field(dtype, &wire);
  if (tf->typed_count[field] != elements)
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor has %lld values for %lld elements",
                               (long long)tf->typed_count[field], (long long)elements);
  er_pb_reader r = tf->start;
  er_pb_field f;
  int64_t i = 0;
  while (er_pb_next(&r, &f) == 1) {
    if (f.number != (uint32_t)field) continue;
    size_t cur = 0;
    uint64_t v;
    while (i < elements && er_pb_value(&f, wire, &cur, &v))
      store_value(dtype, data, i++, v);
  }
  return EDGERT_OK;
}

/* Misaligned raw tensors from this size up stay in the file until a reader copies them; smaller ones
 * (biases, shapes, the constants the importer reads) are copied here. Only floating-point tensors stay:
 * the importer reads integer constants (shapes, axes, sizes) as it maps nodes. */
#define FILE_BYTES_MIN 4096

static bool is_float_dtype(edgert_dtype dtype) {
  return dtype == EDGERT_FLOAT32 || dtype == EDGERT_FLOAT16 || dtype == EDGERT_BFLOAT16 ||
         dtype == EDGERT_FLOAT64;
}

edgert_status er_onnx_decode_tensor(er_onnx_decode_ctx *c, er_pb_reader *r, er_tensor *t, const char **name,
                                    size_t *name_len) {
  tensor_fields tf;
  edgert_status st = scan_tensor(c, r, &tf);
  if (st != EDGERT_OK) return st;
  if (name) *name = tf.name;
  if (name_len) *name_len = tf.name_len;
  edgert_dtype dtype;
  if (!tf.has_type || !er_onnx_dtype(tf.onnx_type, &dtype))
    return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "tensor data type %lld (%s) is not supported",
                               (long long)tf.onnx_type, er_onnx_dtype_name(tf.onnx_type));
  memset(t, 0, sizeof *t);
  t->dtype = dtype;
  t->kind = ER_TENSOR_CONST;
  t->ndim = tf.ndim;
  memcpy(t->dims, tf.dims, sizeof t->dims);
  int64_t elements = er_tensor_elements(t);
  size_t bytes;
  if (elements < 0 || !er_bytes_for(dtype, elements, &bytes))
    return er_onnx_decode_fail(c, EDGERT_ERR_LIMIT, "tensor shape is too large");
  t->bytes = bytes;
  size_t size = edgert_dtype_size(dtype);
  bool raw_in_place = tf.has_raw && !tf.external && host_is_little_endian();
  if (raw_in_place && tf.raw_len != bytes)
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor raw_data holds %zu bytes, shape needs %zu",
                               tf.raw_len, bytes);
  if (raw_in_place && bytes > 0 && (uintptr_t)tf.raw % size == 0) {
    t->data = (void *)(uintptr_t)tf.raw; /* zero-copy: read-only model bytes */
    return EDGERT_OK;
  }
  if (c->leave_misaligned && raw_in_place && bytes >= FILE_BYTES_MIN && is_float_dtype(dtype)) {
    t->file_bytes = tf.raw; /* misaligned weights: each reader copies them (tensor.h) */
    return EDGERT_OK;
  }
  if (!host_is_little_endian())
    return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "ONNX tensors need a little-endian host");
  /* memory is allocated only for data the file really holds, so a forged shape cannot ask for more */
  if (tf.external) return read_external(c, &tf, t, bytes);
  int wire;
  if (!tf.has_raw && tf.typed_count[typed_field(dtype, &wire)] != elements)
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "tensor has %lld values for %lld elements",
                               (long long)tf.typed_count[typed_field(dtype, &wire)], (long long)elements);
  t->data = er_graph_alloc(c->owner, bytes ? bytes : 1);
  if (!t->data)
    return er_onnx_decode_fail(c, EDGERT_ERR_NO_MEMORY, "out of memory for a %zu-byte tensor", bytes);
  if (tf.has_raw) {
    if (bytes) memcpy(t->data, tf.raw, bytes);
    return EDGERT_OK;
  }
  return fill_typed(c, &tf, dtype, t->data, elements);
}

/* TypeProto / TypeProto.Tensor / TensorShapeProto field numbers. */
enum { TYPE_TENSOR = 1, TYPE_SEQUENCE = 4, TYPE_MAP = 5, TYPE_SPARSE = 8, TYPE_OPTIONAL = 9 };

static edgert_status decode_shape(er_onnx_decode_ctx *c, er_pb_reader *r, int32_t *ndim, int64_t *dims,
                                  uint32_t *dynamic) {
  er_pb_field f;
  int got;
  while ((got = er_pb_next(r, &f)) == 1) {
    if (f.number != 1 || f.wire != ER_PB_LEN) continue;
    if (*ndim >= ER_MAX_DIMS)
      return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "value has more than %d dims", ER_MAX_DIMS);
    er_pb_reader d;
    er_pb_sub(r, &f, &d);
    er_pb_field df;
    bool known = false;
    int64_t value = 1;
    while (er_pb_next(&d, &df) == 1) {
      if (df.number == 1 && df.wire == ER_PB_VARINT) {
        value = (int64_t)df.value;
        known = true;
      } else if (df.number == 2) {
        known = false; /* symbolic: a placeholder 1, flagged dynamic */
        value = 1;
      }
    }
    if (d.error->failed) break;
    if (value < 0)
      return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "dim %d of a value's shape is negative",
                                 (int)*ndim);
    if (!known) *dynamic |= 1u << *ndim;
    dims[(*ndim)++] = value;
  }
  if (r->error->failed) return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "%s", r->error->message);
  return EDGERT_OK;
}

edgert_status er_onnx_decode_type(er_onnx_decode_ctx *c, er_pb_reader *r, edgert_dtype *dtype, int32_t *ndim,
                                  int64_t *dims, uint32_t *dynamic, bool *has_shape) {
  *ndim = 0;
  *dynamic = 0;
  *has_shape = false;
  bool tensor = false;
  int64_t elem = 0;
  er_pb_field f;
  int got;
  while ((got = er_pb_next(r, &f)) == 1) {
    if (f.number == TYPE_SEQUENCE || f.number == TYPE_MAP || f.number == TYPE_OPTIONAL ||
        f.number == TYPE_SPARSE)
      return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "%s values are not supported",
                                 f.number == TYPE_SEQUENCE ? "sequence"
                                 : f.number == TYPE_MAP    ? "map"
                                 : f.number == TYPE_SPARSE ? "sparse tensor"
                                                           : "optional");
    if (f.number != TYPE_TENSOR || f.wire != ER_PB_LEN) continue;
    tensor = true;
    er_pb_reader t;
    er_pb_sub(r, &f, &t);
    er_pb_field tf;
    while (er_pb_next(&t, &tf) == 1) {
      if (tf.number == 1 && tf.wire == ER_PB_VARINT) elem = (int64_t)tf.value;
      if (tf.number == 2 && tf.wire == ER_PB_LEN) {
        er_pb_reader s;
        er_pb_sub(&t, &tf, &s);
        *has_shape = true;
        *ndim = 0;
        *dynamic = 0;
        edgert_status st = decode_shape(c, &s, ndim, dims, dynamic);
        if (st != EDGERT_OK) return st;
      }
    }
  }
  if (got < 0 || r->error->failed)
    return er_onnx_decode_fail(c, EDGERT_ERR_MALFORMED, "%s", r->error->message);
  if (!tensor) return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "value has no tensor type");
  if (!er_onnx_dtype(elem, dtype))
    return er_onnx_decode_fail(c, EDGERT_ERR_UNSUPPORTED, "element type %lld (%s) is not supported",
                               (long long)elem, er_onnx_dtype_name(elem));
  return EDGERT_OK;
}
