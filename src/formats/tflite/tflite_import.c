/* Builds the IR graph from a .tflite model: tensors (type, shape, quantization, constant data), graph
 * inputs and outputs, and operators in execution order, all from subgraph 0. Table field numbers follow
 * tensorflow/lite/schema/schema.fbs; the op table and options parsing live in tflite_ops.c. Structural
 * checks that do not depend on the format (execution order, constants written by ops) are left to
 * er_graph_finish; here we check everything needed to read the file safely and to describe the graph. */
#include "formats/tflite/tflite_import.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "formats/tflite/flatbuf.h"
#include "formats/tflite/tflite_ops.h"

/* Beyond these a file is refused (EDGERT_ERR_LIMIT) before memory is taken for it: far above any edge
 * model, low enough that a forged count cannot ask for gigabytes. */
#define MAX_TENSORS (1 << 20)
#define MAX_OPERANDS (1 << 16) /* inputs, outputs or intermediates of one operator or of the graph */

/* Field numbers of the tables we read. */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };
enum {
  TENSOR_SHAPE = 0,
  TENSOR_TYPE = 1,
  TENSOR_BUFFER = 2,
  TENSOR_NAME = 3,
  TENSOR_QUANTIZATION = 4,
  TENSOR_IS_VARIABLE = 5,
  TENSOR_SPARSITY = 6,
  TENSOR_SHAPE_SIGNATURE = 7
};
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DETAILS_TYPE = 4, QUANT_DIMENSION = 6 };
enum { OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_CUSTOM = 1, OPCODE_BUILTIN = 3 };
enum { OPERATOR_OPCODE_INDEX = 0, OPERATOR_INPUTS = 1, OPERATOR_OUTPUTS = 2, OPERATOR_INTERMEDIATES = 8 };

typedef struct {
  er_fb fb;
  er_graph *g;
  char *err;
  size_t err_len;
  er_fb_vector operator_codes, buffers;
  er_fb_vector tensors, operators, inputs, outputs; /* of subgraph 0 */
  edgert_limits limits;                             /* resolved */
} importer;

bool er_tflite_is_model(const uint8_t *data, size_t size) {
  return data && size >= 8 && memcmp(data + 4, "TFL3", 4) == 0;
}

static edgert_status fail(importer *im, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static edgert_status fail(importer *im, edgert_status st, const char *fmt, ...) {
  if (im->err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->err, im->err_len, fmt, ap);
    va_end(ap);
  }
  return st;
}

/* A read failed in the flatbuffer reader: "<where>: <what> at byte N". */
static edgert_status malformed(importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static edgert_status malformed(importer *im, const char *fmt, ...) {
  char where[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(where, sizeof where, fmt, ap);
  va_end(ap);
  return fail(im, EDGERT_ERR_MALFORMED, "%s: %s", where, im->fb.failed ? im->fb.error : "malformed data");
}

static edgert_status no_memory(importer *im, const char *what) {
  return fail(im, EDGERT_ERR_NO_MEMORY, "out of memory for %s", what);
}

static const char *tensor_name(const importer *im, int32_t id) {
  const char *name = im->g->tensors[id].name;
  return name ? name : "";
}

/* ---- tensors ---- */

/* Shape: at most ER_MAX_DIMS dims, none negative. The concrete shape is what the converter resolved;
 * dims that shape_signature marks -1 (e.g. the batch) are flagged dynamic so inputs may be resized. */
static edgert_status read_shape(importer *im, int32_t id, const er_fb_table *tt, er_tensor *t) {
  er_fb_vector shape;
  if (!er_fb_vector_field(&im->fb, tt, TENSOR_SHAPE, 4, &shape))
    return malformed(im, "tensor %d '%s' shape", id, t->name);
  if (shape.count > ER_MAX_DIMS)
    return fail(im, EDGERT_ERR_UNSUPPORTED, "tensor %d '%s': %u dims; at most %d are supported", id, t->name,
                shape.count, ER_MAX_DIMS);
  t->ndim = (int32_t)shape.count;
  for (uint32_t i = 0; i < shape.count; i++) {
    int32_t dim;
    if (!er_fb_vec_i32(&im->fb, &shape, i, &dim)) return malformed(im, "tensor %d '%s' shape", id, t->name);
    if (dim < 0)
      return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': dim %u is %d", id, t->name, i, (int)dim);
    t->dims[i] = dim;
  }
  if (!er_bytes_for(t->dtype, er_tensor_elements(t), &t->bytes))
    return fail(im, EDGERT_ERR_LIMIT, "tensor %d '%s': shape is too large", id, t->name);
  er_fb_vector signature;
  if (!er_fb_vector_field(&im->fb, tt, TENSOR_SHAPE_SIGNATURE, 4, &signature))
    return malformed(im, "tensor %d '%s' shape_signature", id, t->name);
  for (uint32_t i = 0; signature.present && i < signature.count && i < shape.count; i++) {
    int32_t dim;
    if (!er_fb_vec_i32(&im->fb, &signature, i, &dim))
      return malformed(im, "tensor %d '%s' shape_signature", id, t->name);
    if (dim < 0) t->dynamic_dims |= 1u << i;
  }
  return EDGERT_OK;
}

/* Checks one scale and returns it as given. */
static bool scale_ok(float s) { return isfinite(s) && s >= 0.0f; }

/* Per-channel quantization: `count` scales and zero points along quantized_dimension. */
static edgert_status read_channels(importer *im, int32_t id, er_tensor *t, const er_fb_vector *scales,
                                   const er_fb_vector *zero_points, int32_t axis) {
  uint32_t count = scales->count;
  /* Converters write a stale quantized_dimension on some 1-D biases (person_detect's conv biases say 3);
   * TFLite never reads it for them. A vector has only one axis the channels can lie along. */
  if (t->ndim == 1 && t->dims[0] == (int64_t)count) axis = 0;
  if (axis < 0 || axis >= t->ndim || t->dims[axis] != (int64_t)count)
    return fail(im, EDGERT_ERR_MALFORMED,
                "tensor %d '%s': %u quantization scales do not match quantized_dimension %d of its %d dims",
                id, t->name, count, (int)axis, (int)t->ndim);
  float *s = er_graph_alloc_array(im->g, count, sizeof *s);
  int32_t *z = er_graph_alloc_array(im->g, count, sizeof *z);
  if (!s || !z) return no_memory(im, "quantization");
  for (uint32_t c = 0; c < count; c++) {
    int64_t zp = 0;
    if (!er_fb_vec_f32(&im->fb, scales, c, &s[c]) ||
        (zero_points->count && !er_fb_vec_i64(&im->fb, zero_points, c, &zp)))
      return malformed(im, "tensor %d '%s' quantization", id, t->name);
    if (!scale_ok(s[c]))
      return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': scale %u is %g", id, t->name, c, (double)s[c]);
    if (zp < INT32_MIN || zp > INT32_MAX)
      return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': zero point %u (%lld) is out of int32 range", id,
                  t->name, c, (long long)zp);
    z[c] = (int32_t)zp;
  }
  t->q.channels = (int32_t)count;
  t->q.axis = axis;
  t->q.scales = s;
  t->q.zero_points = z;
  /* Kernels test q.scale != 0 for "quantized"; the first channel stands in for the tensor. */
  t->q.scale = s[0];
  t->q.zero_point = z[0];
  return EDGERT_OK;
}

/* QuantizationParameters: scale and zero_point, per tensor (one value) or per channel. No scale means
 * not quantized (min/max alone are for re-import into TensorFlow). */
static edgert_status read_quantization(importer *im, int32_t id, const er_fb_table *tt, er_tensor *t) {
  er_fb_table qt;
  er_fb_vector scales, zero_points;
  uint8_t details;
  int32_t axis;
  if (!er_fb_table_field(&im->fb, tt, TENSOR_QUANTIZATION, &qt) ||
      !er_fb_u8(&im->fb, &qt, QUANT_DETAILS_TYPE, 0, &details) ||
      !er_fb_vector_field(&im->fb, &qt, QUANT_SCALE, 4, &scales) ||
      !er_fb_vector_field(&im->fb, &qt, QUANT_ZERO_POINT, 8, &zero_points) ||
      !er_fb_i32(&im->fb, &qt, QUANT_DIMENSION, 0, &axis))
    return malformed(im, "tensor %d '%s' quantization", id, t->name);
  if (details != 0)
    return fail(im, EDGERT_ERR_UNSUPPORTED, "tensor %d '%s': custom quantization is not supported", id,
                t->name);
  if (scales.count == 0) return EDGERT_OK;
  if (zero_points.count != 0 && zero_points.count != scales.count)
    return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': %u quantization scales but %u zero points", id,
                t->name, scales.count, zero_points.count);
  if (scales.count > 1) return read_channels(im, id, t, &scales, &zero_points, axis);
  int64_t zp = 0;
  if (!er_fb_vec_f32(&im->fb, &scales, 0, &t->q.scale) ||
      (zero_points.count && !er_fb_vec_i64(&im->fb, &zero_points, 0, &zp)))
    return malformed(im, "tensor %d '%s' quantization", id, t->name);
  if (!scale_ok(t->q.scale))
    return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': scale is %g", id, t->name, (double)t->q.scale);
  if (zp < INT32_MIN || zp > INT32_MAX)
    return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': zero point %lld is out of int32 range", id,
                t->name, (long long)zp);
  t->q.zero_point = (int32_t)zp;
  return EDGERT_OK;
}

/* The bytes of buffer `index`: Buffer.data inside the FlatBuffer, or Buffer.offset/size (offset from the
 * start of the file, used by models over 2 GB; meaningful only when offset > 1). NULL when empty. */
static edgert_status buffer_bytes(importer *im, int32_t id, uint32_t index, const uint8_t **bytes,
                                  size_t *len) {
  *bytes = NULL;
  *len = 0;
  if (index == 0 && im->buffers.count == 0) return EDGERT_OK; /* buffer 0 is the empty sentinel */
  if (index >= im->buffers.count)
    return fail(im, EDGERT_ERR_MALFORMED, "tensor %d '%s': buffer %u does not exist (the model has %u)", id,
                tensor_name(im, id), index, im->buffers.count);
  er_fb_table bt;
  er_fb_vector data;
  uint64_t offset, size;
  if (!er_fb_vec_table(&im->fb, &im->buffers, index, &bt) ||
      !er_fb_vector_field(&im->fb, &bt, BUFFER_DATA, 1, &data) ||
      !er_fb_u64(&im->fb, &bt, BUFFER_OFFSET, 0, &offset) || !er_fb_u64(&im->fb, &bt, BUFFER_SIZE, 0, &size))
    return malformed(im, "tensor %d '%s' buffer %u", id, tensor_name(im, id), index);
  if (data.count > 0) {
    *bytes = er_fb_vec_bytes(&im->fb, &data);
    *len = data.count;
    return EDGERT_OK;
  }
  if (offset <= 1 || size == 0) return EDGERT_OK;
  if (offset > im->fb.size || size > im->fb.size - offset)
    return fail(im, EDGERT_ERR_MALFORMED,
                "tensor %d '%s': buffer %u lies at bytes %llu..+%llu, past the end of the %zu-byte file", id,
                tensor_name(im, id), index, (unsigned long long)offset, (unsigned long long)size,
                im->fb.size);
  *bytes = im->fb.data + offset;
  *len = (size_t)size;
  return EDGERT_OK;
}

/* Constant data: zero-copy into the model bytes. Kernels read elements through typed pointers, so data
 * that is not aligned to its element size (possible only in odd files: TFLite aligns buffers to 16) is
 * copied into graph memory instead. */
static edgert_status read_data(importer *im, int32_t id, const er_fb_table *tt, er_tensor *t) {
  uint32_t index;
  if (!er_fb_u32(&im->fb, tt, TENSOR_BUFFER, 0, &index))
    return malformed(im, "tensor %d '%s' buffer", id, t->name);
  const uint8_t *bytes;
  size_t len;
  edgert_status st = buffer_bytes(im, id, index, &bytes, &len);
  if (st != EDGERT_OK || !bytes) return st;
  /* Recurrent state starts at zero at every reset; initial values in the file are not used. */
  if (t->kind == ER_TENSOR_VARIABLE) return EDGERT_OK;
  if (len != t->bytes) {
    char shape[96];
    return fail(im, EDGERT_ERR_MALFORMED,
                "tensor %d '%s': buffer %u holds %zu bytes; shape %s of %s needs %zu", id, t->name, index,
                len, er_shape_str(t->ndim, t->dims, shape, sizeof shape), edgert_dtype_name(t->dtype),
                t->bytes);
  }
  size_t align = edgert_dtype_size(t->dtype);
  if (align > 8) align = 8;
  if ((uintptr_t)bytes % align != 0) {
    void *copy = er_graph_alloc(im->g, len);
    if (!copy) return no_memory(im, "constant data");
    memcpy(copy, bytes, len);
    t->data = copy;
  } else {
    t->data = (void *)(uintptr_t)bytes; /* read-only: the graph never writes constants */
  }
  t->kind = ER_TENSOR_CONST;
  return EDGERT_OK;
}

static edgert_status read_tensor(importer *im, int32_t id) {
  er_tensor *t = &im->g->tensors[id];
  er_fb_table tt, sparsity;
  const char *name;
  size_t name_len;
  int8_t type;
  bool is_variable;
  if (!er_fb_vec_table(&im->fb, &im->tensors, (uint32_t)id, &tt) ||
      !er_fb_string_field(&im->fb, &tt, TENSOR_NAME, &name, &name_len) ||
      !er_fb_i8(&im->fb, &tt, TENSOR_TYPE, 0, &type) ||
      !er_fb_bool(&im->fb, &tt, TENSOR_IS_VARIABLE, false, &is_variable) ||
      !er_fb_table_field(&im->fb, &tt, TENSOR_SPARSITY, &sparsity))
    return malformed(im, "tensor %d", (int)id);
  t->name = er_graph_strdup(im->g, name ? name : "", name_len);
  if (!t->name) return no_memory(im, "tensor names");
  if (!er_tflite_dtype(type, &t->dtype))
    return fail(im, EDGERT_ERR_UNSUPPORTED, "tensor %d '%s': type %s (%d) is not supported", id, t->name,
                er_tflite_type_name(type), type);
  if (sparsity.present)
    return fail(im, EDGERT_ERR_UNSUPPORTED,
                "tensor %d '%s': sparse tensors (sparsity parameters) are not supported", id, t->name);
  t->kind = is_variable ? ER_TENSOR_VARIABLE : ER_TENSOR_ACTIVATION;
  edgert_status st = read_shape(im, id, &tt, t);
  if (st == EDGERT_OK) st = read_quantization(im, id, &tt, t);
  if (st == EDGERT_OK) st = read_data(im, id, &tt, t);
  return st;
}

/* ---- graph inputs, outputs and operators ---- */

/* Copies a vector of tensor ids, each in [0, n_tensors) or -1 when allow_absent. */
static edgert_status read_ids(importer *im, const er_fb_vector *v, bool allow_absent, const char *what,
                              int32_t *count, const int32_t **ids) {
  if (v->count > MAX_OPERANDS)
    return fail(im, EDGERT_ERR_LIMIT, "%s: %u tensors is too many", what, v->count);
  int32_t *out = er_graph_alloc_array(im->g, v->count, sizeof *out);
  if (!out) return no_memory(im, what);
  for (uint32_t i = 0; i < v->count; i++) {
    if (!er_fb_vec_i32(&im->fb, v, i, &out[i])) return malformed(im, "%s %u", what, i);
    bool absent = allow_absent && out[i] == -1;
    if (!absent && (out[i] < 0 || out[i] >= im->g->n_tensors))
      return fail(im, EDGERT_ERR_MALFORMED, "%s %u: tensor %d does not exist (the subgraph has %d)", what, i,
                  (int)out[i], (int)im->g->n_tensors);
  }
  *count = (int32_t)v->count;
  *ids = out;
  return EDGERT_OK;
}

/* The builtin code of an operator code table: the larger of deprecated_builtin_code (a byte, for codes
 * below 127) and builtin_code, as the schema says readers must. */
static edgert_status operator_code(importer *im, int32_t k, uint32_t index, int32_t *code, er_fb_table *ct) {
  if (index >= im->operator_codes.count)
    return fail(im, EDGERT_ERR_MALFORMED, "operator %d: opcode_index %u does not exist (the model has %u)", k,
                index, im->operator_codes.count);
  int8_t deprecated;
  int32_t builtin;
  if (!er_fb_vec_table(&im->fb, &im->operator_codes, index, ct) ||
      !er_fb_i8(&im->fb, ct, OPCODE_DEPRECATED_BUILTIN, 0, &deprecated) ||
      !er_fb_i32(&im->fb, ct, OPCODE_BUILTIN, 0, &builtin))
    return malformed(im, "operator %d code %u", (int)k, index);
  *code = deprecated > builtin ? deprecated : builtin;
  return EDGERT_OK;
}

/* Custom ops are refused by name ("unsupported custom op SignalWindow (operator 3)"), except the few
 * er_tflite_custom_supported names, which er_tflite_map_op maps. */
static edgert_status refuse_custom(importer *im, int32_t k, const er_fb_table *ct) {
  const char *name;
  size_t len;
  if (!er_fb_string_field(&im->fb, ct, OPCODE_CUSTOM, &name, &len))
    return malformed(im, "operator %d custom op name", (int)k);
  if (er_tflite_custom_supported(name, len)) return EDGERT_OK;
  char clean[65];
  size_t n = 0;
  for (size_t i = 0; name && i < len && n < sizeof clean - 1; i++)
    clean[n++] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
  clean[n] = '\0';
  return fail(im, EDGERT_ERR_UNSUPPORTED, "unsupported custom op %s (operator %d)", n ? clean : "(unnamed)",
              k);
}

/* Operator k's table and builtin code; refuses custom ops and builtins edgert has no op for. */
static edgert_status operator_kind(importer *im, int32_t k, er_fb_table *ot, int32_t *code) {
  er_fb_table ct;
  uint32_t opcode_index;
  if (!er_fb_vec_table(&im->fb, &im->operators, (uint32_t)k, ot) ||
      !er_fb_u32(&im->fb, ot, OPERATOR_OPCODE_INDEX, 0, &opcode_index))
    return malformed(im, "operator %d", (int)k);
  edgert_status st = operator_code(im, k, opcode_index, code, &ct);
  if (st != EDGERT_OK) return st;
  if (*code == ER_TFLITE_CUSTOM) return refuse_custom(im, k, &ct);
  if (!er_tflite_builtin_supported(*code))
    return fail(im, EDGERT_ERR_UNSUPPORTED, "unsupported builtin op %s (code %d, operator %d)",
                er_tflite_builtin_name(*code), (int)*code, (int)k);
  return EDGERT_OK;
}

static edgert_status read_operator(importer *im, int32_t k) {
  er_node *node = &im->g->nodes[k];
  er_fb_table ot;
  er_fb_vector inputs, outputs, intermediates;
  int32_t code;
  edgert_status st = operator_kind(im, k, &ot, &code);
  if (st != EDGERT_OK) return st;
  if (!er_fb_vector_field(&im->fb, &ot, OPERATOR_INPUTS, 4, &inputs) ||
      !er_fb_vector_field(&im->fb, &ot, OPERATOR_OUTPUTS, 4, &outputs) ||
      !er_fb_vector_field(&im->fb, &ot, OPERATOR_INTERMEDIATES, 4, &intermediates))
    return malformed(im, "operator %d", (int)k);
  char what[64];
  snprintf(what, sizeof what, "operator %d input", (int)k);
  st = read_ids(im, &inputs, true, what, &node->n_inputs, &node->inputs);
  if (st != EDGERT_OK) return st;
  snprintf(what, sizeof what, "operator %d output", (int)k);
  st = read_ids(im, &outputs, false, what, &node->n_outputs, &node->outputs);
  if (st != EDGERT_OK) return st;
  snprintf(what, sizeof what, "operator %d intermediate", (int)k);
  st = read_ids(im, &intermediates, false, what, &node->n_intermediates, &node->intermediates);
  if (st != EDGERT_OK) return st;
  node->index = k;
  er_tflite_op op = {.fb = &im->fb,
                     .graph = im->g,
                     .node = node,
                     .builtin = code,
                     .index = k,
                     .table = ot,
                     .err = im->err,
                     .err_len = im->err_len};
  return er_tflite_map_op(&op);
}

/* ---- the model ---- */

/* Model fields and subgraph 0's vectors. */
static edgert_status read_model(importer *im) {
  er_fb_table model, subgraph;
  er_fb_vector subgraphs;
  uint32_t version;
  if (!er_fb_root(&im->fb, &model) || !er_fb_u32(&im->fb, &model, MODEL_VERSION, 0, &version))
    return malformed(im, "%s", "model");
  if (version != 3)
    return fail(im, EDGERT_ERR_UNSUPPORTED,
                "model schema version %u is not supported (edgert reads version 3)", version);
  if (!er_fb_vector_field(&im->fb, &model, MODEL_OPERATOR_CODES, 4, &im->operator_codes) ||
      !er_fb_vector_field(&im->fb, &model, MODEL_SUBGRAPHS, 4, &subgraphs) ||
      !er_fb_vector_field(&im->fb, &model, MODEL_BUFFERS, 4, &im->buffers))
    return malformed(im, "%s", "model");
  if (subgraphs.count == 0) return fail(im, EDGERT_ERR_MALFORMED, "model has no subgraphs");
  if (!er_fb_vec_table(&im->fb, &subgraphs, 0, &subgraph) ||
      !er_fb_vector_field(&im->fb, &subgraph, SUBGRAPH_TENSORS, 4, &im->tensors) ||
      !er_fb_vector_field(&im->fb, &subgraph, SUBGRAPH_INPUTS, 4, &im->inputs) ||
      !er_fb_vector_field(&im->fb, &subgraph, SUBGRAPH_OUTPUTS, 4, &im->outputs) ||
      !er_fb_vector_field(&im->fb, &subgraph, SUBGRAPH_OPERATORS, 4, &im->operators))
    return malformed(im, "%s", "subgraph 0");
  if (im->tensors.count > MAX_TENSORS)
    return fail(im, EDGERT_ERR_LIMIT, "subgraph 0 has %u tensors; at most %d are supported",
                im->tensors.count, MAX_TENSORS);
  if (im->operators.count > (uint32_t)im->limits.max_nodes)
    return fail(im, EDGERT_ERR_LIMIT, "subgraph 0 has %u operators, beyond the limit of %d (edgert_limits)",
                im->operators.count, (int)im->limits.max_nodes);
  return EDGERT_OK;
}

static edgert_status build_graph(importer *im) {
  edgert_status st = read_model(im);
  if (st != EDGERT_OK) return st;
  er_graph *g = im->g;
  g->n_tensors = (int32_t)im->tensors.count;
  g->tensors = er_graph_alloc_array(g, im->tensors.count, sizeof *g->tensors);
  g->n_nodes = (int32_t)im->operators.count;
  g->nodes = er_graph_alloc_array(g, im->operators.count, sizeof *g->nodes);
  if (!g->tensors || !g->nodes) return no_memory(im, "the graph");
  /* Ops first: "this model needs an op we lack" is the most useful thing to say about a model that
   * also has tensors we cannot hold (custom ops usually come with exotic types). */
  for (int32_t k = 0; k < g->n_nodes; k++) {
    er_fb_table ot;
    int32_t code;
    if ((st = operator_kind(im, k, &ot, &code)) != EDGERT_OK) return st;
  }
  for (int32_t i = 0; i < g->n_tensors; i++)
    if ((st = read_tensor(im, i)) != EDGERT_OK) return st;
  if ((st = read_ids(im, &im->inputs, false, "graph input", &g->n_inputs, &g->inputs)) != EDGERT_OK)
    return st;
  if ((st = read_ids(im, &im->outputs, false, "graph output", &g->n_outputs, &g->outputs)) != EDGERT_OK)
    return st;
  for (int32_t k = 0; k < g->n_nodes; k++)
    if ((st = read_operator(im, k)) != EDGERT_OK) return st;
  return EDGERT_OK;
}

edgert_status er_tflite_import(const uint8_t *data, size_t size, const edgert_limits *limits, er_graph *graph,
                               char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
  if (!graph) return EDGERT_ERR_ARGUMENT;
  memset(graph, 0, sizeof *graph);
  importer im;
  memset(&im, 0, sizeof im);
  im.g = graph;
  im.limits = er_limits_resolve(limits);
  im.err = err;
  im.err_len = err ? err_len : 0;
  if (!data) return fail(&im, EDGERT_ERR_ARGUMENT, "model data is NULL");
  er_fb_init(&im.fb, data, size);
  edgert_status st = build_graph(&im);
  if (st != EDGERT_OK) {
    if (im.err_len && !im.err[0]) fail(&im, st, "import failed");
    er_graph_free(graph);
  }
  return st;
}
