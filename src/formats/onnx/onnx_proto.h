/* Decoding ONNX's value messages shared by the importer and the conformance runner: TensorProto (dtype,
 * dims and data in any of its encodings, external data included) and TypeProto (tensor element type and
 * shape, symbolic dims flagged dynamic). Internal to src/formats/onnx and its tests. */
#ifndef EDGERT_FORMATS_ONNX_PROTO_H
#define EDGERT_FORMATS_ONNX_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "formats/onnx/protobuf.h"

/* ONNX TensorProto.DataType -> edgert dtype; false for STRING, COMPLEX*, unknown values. */
bool er_onnx_dtype(int64_t onnx_type, edgert_dtype *dtype);
const char *er_onnx_dtype_name(int64_t onnx_type);

typedef struct {
  er_graph *owner;       /* decoded data is allocated from its pool */
  const char *model_dir; /* for external data; NULL refuses it */
  char *err;
  size_t err_len;
  /* large misaligned floating-point raw data stays in the bytes (tensor.h: file_bytes) instead of being
   * copied: for a graph's weights, whose readers copy them; not for values a caller reads */
  bool leave_misaligned;
} er_onnx_decode_ctx;

/* Decodes the TensorProto in the bytes r walks into *t (kind CONST, dims, dtype, data, bytes); its name
 * (not NUL-terminated, pointing into the bytes) into name and name_len when they are not NULL. */
edgert_status er_onnx_decode_tensor(er_onnx_decode_ctx *c, er_pb_reader *r, er_tensor *t, const char **name,
                                    size_t *name_len);

/* Decodes a TypeProto: a tensor type gives dtype, rank and dims (symbolic or unknown dims are 1 and
 * flagged in *dynamic). *has_shape is false when the type gives no shape at all. */
edgert_status er_onnx_decode_type(er_onnx_decode_ctx *c, er_pb_reader *r, edgert_dtype *dtype, int32_t *ndim,
                                  int64_t *dims, uint32_t *dynamic, bool *has_shape);

/* Formats into c->err and returns status. */
edgert_status er_onnx_decode_fail(er_onnx_decode_ctx *c, edgert_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
