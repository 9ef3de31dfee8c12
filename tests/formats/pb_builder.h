/* A tiny protocol buffers writer for tests: messages are built bottom-up into fixed buffers and nested
 * by copying, following the wire format (protobuf.dev/programming-guides/encoding). Plus helpers that
 * lay out the ONNX messages the importer tests need (field numbers from onnx/onnx.proto3). */
#ifndef EDGERT_TESTS_PB_BUILDER_H
#define EDGERT_TESTS_PB_BUILDER_H

#include <stdint.h>
#include <string.h>

typedef struct {
  uint8_t buf[8192];
  size_t len;
} pbw;

static inline void pbw_byte(pbw *w, uint8_t b) {
  if (w->len < sizeof w->buf) w->buf[w->len++] = b;
}

static inline void pbw_varint(pbw *w, uint64_t v) {
  do {
    pbw_byte(w, (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
    v >>= 7;
  } while (v);
}

static inline void pbw_key(pbw *w, uint32_t field, int wire) {
  pbw_varint(w, ((uint64_t)field << 3) | (unsigned)wire);
}

static inline void pbw_int(pbw *w, uint32_t field, int64_t v) {
  pbw_key(w, field, 0);
  pbw_varint(w, (uint64_t)v);
}

static inline void pbw_bytes(pbw *w, uint32_t field, const void *data, size_t len) {
  pbw_key(w, field, 2);
  pbw_varint(w, len);
  for (size_t i = 0; i < len; i++)
    pbw_byte(w, ((const uint8_t *)data)[i]);
}

static inline void pbw_str(pbw *w, uint32_t field, const char *s) { pbw_bytes(w, field, s, strlen(s)); }
static inline void pbw_msg(pbw *w, uint32_t field, const pbw *m) { pbw_bytes(w, field, m->buf, m->len); }

static inline void pbw_fixed32(pbw *w, uint32_t field, uint32_t v) {
  pbw_key(w, field, 5);
  for (int i = 0; i < 4; i++)
    pbw_byte(w, (uint8_t)(v >> (8 * i)));
}

static inline void pbw_float(pbw *w, uint32_t field, float f) {
  uint32_t v;
  memcpy(&v, &f, 4);
  pbw_fixed32(w, field, v);
}

/* ---- ONNX ---- */

enum {
  ONNX_FLOAT = 1,
  ONNX_UINT8 = 2,
  ONNX_INT8 = 3,
  ONNX_INT64 = 7,
  ONNX_STRING = 8,
  ONNX_BOOL = 9,
  ONNX_FLOAT16 = 10,
  ONNX_DOUBLE = 11,
  ONNX_UINT64 = 13
};

/* ValueInfoProto of a tensor; dims < 0 become the symbolic dim "N". */
static inline void onnx_value_info(pbw *w, const char *name, int elem_type, int ndim, const int64_t *dims) {
  pbw shape = {0}, tensor = {0}, type = {0};
  for (int i = 0; i < ndim; i++) {
    pbw dim = {0};
    if (dims[i] < 0)
      pbw_str(&dim, 2, "N");
    else
      pbw_int(&dim, 1, dims[i]);
    pbw_msg(&shape, 1, &dim);
  }
  pbw_int(&tensor, 1, elem_type);
  pbw_msg(&tensor, 2, &shape);
  pbw_msg(&type, 1, &tensor);
  memset(w, 0, sizeof *w);
  pbw_str(w, 1, name);
  pbw_msg(w, 2, &type);
}

/* TensorProto header: name, data type, dims (values are added by the caller). */
static inline void onnx_tensor_header(pbw *w, const char *name, int data_type, int ndim,
                                      const int64_t *dims) {
  memset(w, 0, sizeof *w);
  for (int i = 0; i < ndim; i++)
    pbw_int(w, 1, dims[i]);
  pbw_int(w, 2, data_type);
  if (name) pbw_str(w, 8, name);
}

/* NodeProto with up to 4 inputs/outputs ("" for absent) and pre-built attributes. */
static inline void onnx_node(pbw *w, const char *op_type, const char *name, int n_in, const char *const *in,
                             int n_out, const char *const *out, int n_attrs, const pbw *attrs) {
  memset(w, 0, sizeof *w);
  for (int i = 0; i < n_in; i++)
    pbw_str(w, 1, in[i]);
  for (int i = 0; i < n_out; i++)
    pbw_str(w, 2, out[i]);
  pbw_str(w, 3, name);
  pbw_str(w, 4, op_type);
  for (int i = 0; i < n_attrs; i++)
    pbw_msg(w, 5, &attrs[i]);
}

/* AttributeProto holding a graph (type GRAPH), e.g. a Loop's body or an If's branch. */
static inline void onnx_graph_attr(pbw *w, const char *name, const pbw *graph) {
  memset(w, 0, sizeof *w);
  pbw_str(w, 1, name);
  pbw_msg(w, 6, graph);
  pbw_int(w, 20, 5);
}

/* ModelProto around a graph, importing the default domain at `opset`. */
static inline void onnx_model(pbw *w, const pbw *graph, int opset) {
  pbw imp = {0};
  pbw_str(&imp, 1, "");
  pbw_int(&imp, 2, opset);
  memset(w, 0, sizeof *w);
  pbw_int(w, 1, 8);
  pbw_str(w, 2, "edgert-test");
  pbw_msg(w, 7, graph);
  pbw_msg(w, 8, &imp);
}

#endif
