/* The mapper API of onnx_map.h over one NodeProto: facts about the node, typed attribute access (each
 * attribute read is marked so unread ones can be refused), and the IR node a mapper builds: op kind,
 * attrs, inputs rearranged, constants added, outputs typed or forwarded. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/onnx/onnx_import_internal.h"
#include "formats/onnx/onnx_proto.h"

const char *er_onnx_op_type(const er_onnx_node *n) { return n->op_type; }
const char *er_onnx_node_name(const er_onnx_node *n) { return n->name; }
int er_onnx_opset(const er_onnx_node *n) { return n->opset; }
int er_onnx_input_count(const er_onnx_node *n) { return n->n_in; }
int er_onnx_output_count(const er_onnx_node *n) { return n->n_out; }
bool er_onnx_input_present(const er_onnx_node *n, int i) {
  return i >= 0 && i < n->n_in && n->in_ids[i] >= 0;
}
bool er_onnx_failed(const er_onnx_node *n) { return n->failed; }

int32_t er_onnx_input_id(const er_onnx_node *n, int i) {
  return er_onnx_input_present(n, i) ? n->in_ids[i] : -1;
}

const er_tensor *er_onnx_input(const er_onnx_node *n, int i) {
  return er_onnx_input_present(n, i) ? er_onnx_tensor_at(n->sc, n->in_ids[i]) : NULL;
}

const er_tensor *er_onnx_output(const er_onnx_node *n, int i) {
  return i >= 0 && i < n->n_out ? er_onnx_tensor_at(n->sc, n->out_ids[i]) : NULL;
}

const er_tensor *er_onnx_const_input(const er_onnx_node *n, int i) {
  const er_tensor *t = er_onnx_input(n, i);
  return t && t->kind == ER_TENSOR_CONST ? t : NULL;
}

edgert_status er_onnx_fail(er_onnx_node *n, edgert_status status, const char *fmt, ...) {
  if (n->failed) return n->status;
  char msg[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  er_onnx_import_fail(n->sc->im, status, "%s node '%s' (%s opset %d): %s", n->op_type, n->name,
                      n->domain[0] ? n->domain : "ai.onnx", n->opset, msg);
  n->failed = true;
  n->status = status;
  return status;
}

static attribute *find_attr(er_onnx_node *n, const char *name) {
  span key = {name, strlen(name)};
  for (int i = 0; i < n->n_attrs; i++)
    if (er_onnx_same_span(n->attrs[i].name, key)) return &n->attrs[i];
  return NULL;
}

static const char *attr_type_name(int64_t type) {
  static const char *names[] = {
      "undefined", "float",   "int",    "string",        "tensor",         "graph",      "floats",     "ints",
      "strings",   "tensors", "graphs", "sparse_tensor", "sparse_tensors", "type_proto", "type_protos"};
  return type >= 0 && type < (int64_t)(sizeof names / sizeof names[0]) ? names[type] : "unknown";
}

/* The attribute when present with the expected type; NULL otherwise (failing on a wrong type). */
static attribute *typed_attr(er_onnx_node *n, const char *name, int64_t type) {
  attribute *a = find_attr(n, name);
  if (!a) return NULL;
  a->read = true;
  if (a->type != type) {
    er_onnx_fail(n, EDGERT_ERR_MALFORMED, "attribute '%s' is %s, expected %s", name, attr_type_name(a->type),
                 attr_type_name(type));
    return NULL;
  }
  return a;
}

/* The first field `number` of the attribute body with the given wire type. */
bool er_onnx_attr_field(const attribute *a, uint32_t number, int wire, er_pb_field *out) {
  er_pb_reader r = a->body;
  er_pb_field f;
  while (er_pb_next(&r, &f) == 1)
    if (f.number == number && f.wire == wire) {
      *out = f;
      return true;
    }
  return false;
}

bool er_onnx_attr_int(er_onnx_node *n, const char *name, int64_t *value) {
  attribute *a = typed_attr(n, name, AT_INT);
  if (!a) return false;
  er_pb_field f;
  *value = er_onnx_attr_field(a, ATTR_I, ER_PB_VARINT, &f) ? (int64_t)f.value : 0;
  return true;
}

bool er_onnx_attr_float(er_onnx_node *n, const char *name, float *value) {
  attribute *a = typed_attr(n, name, AT_FLOAT);
  if (!a) return false;
  er_pb_field f;
  *value = er_onnx_attr_field(a, ATTR_F, ER_PB_I32, &f) ? er_pb_float(f.value) : 0.0f;
  return true;
}

bool er_onnx_attr_string(er_onnx_node *n, const char *name, const char **str, size_t *len) {
  attribute *a = typed_attr(n, name, AT_STRING);
  if (!a) return false;
  er_pb_field f;
  if (er_onnx_attr_field(a, ATTR_S, ER_PB_LEN, &f)) {
    *str = (const char *)f.bytes;
    *len = f.len;
  } else {
    *str = "";
    *len = 0;
  }
  return true;
}

/* Repeated numeric attribute values, packed or not; `convert` turns a wire value into the element. */
static bool attr_repeated(er_onnx_node *n, const char *name, int64_t type, uint32_t field, int wire,
                          void *values, size_t elem, int cap, int *count) {
  attribute *a = typed_attr(n, name, type);
  if (!a) return false;
  er_pb_reader r = a->body;
  er_pb_field f;
  int k = 0;
  while (er_pb_next(&r, &f) == 1) {
    if (f.number != field) continue;
    size_t cur = 0;
    uint64_t v;
    while (er_pb_value(&f, wire, &cur, &v)) {
      if (k >= cap) {
        er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "attribute '%s' has more than %d values", name, cap);
        return false;
      }
      if (elem == sizeof(int64_t))
        ((int64_t *)values)[k] = (int64_t)v;
      else
        ((float *)values)[k] = er_pb_float(v);
      k++;
    }
  }
  *count = k;
  return true;
}

bool er_onnx_attr_ints(er_onnx_node *n, const char *name, int64_t *values, int cap, int *count) {
  return attr_repeated(n, name, AT_INTS, ATTR_INTS, ER_PB_VARINT, values, sizeof(int64_t), cap, count);
}

bool er_onnx_attr_floats(er_onnx_node *n, const char *name, float *values, int cap, int *count) {
  return attr_repeated(n, name, AT_FLOATS, ATTR_FLOATS, ER_PB_I32, values, sizeof(float), cap, count);
}

static int32_t add_decoded_tensor(er_onnx_node *n, er_pb_reader *body, span name) {
  scope *sc = n->sc;
  er_tensor t;
  char msg[300] = {0};
  er_onnx_decode_ctx c = {sc->im->root, sc->im->model_dir, msg, sizeof msg, true};
  edgert_status st = er_onnx_decode_tensor(&c, body, &t, NULL, NULL);
  if (st != EDGERT_OK) return er_onnx_fail(n, st, "%s", msg), -1;
  int32_t id = er_onnx_new_tensor(sc, name);
  if (id < 0) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory"), -1;
  er_tensor *dst = er_onnx_tensor_at(sc, id);
  const char *kept = dst->name;
  *dst = t;
  dst->name = kept;
  return id;
}

bool er_onnx_attr_tensor(er_onnx_node *n, const char *name, int32_t *tensor_id) {
  attribute *a = typed_attr(n, name, AT_TENSOR);
  if (!a) return false;
  er_pb_field f;
  if (!er_onnx_attr_field(a, ATTR_T, ER_PB_LEN, &f)) {
    er_onnx_fail(n, EDGERT_ERR_MALFORMED, "attribute '%s' holds no tensor", name);
    return false;
  }
  er_pb_reader body;
  er_pb_sub(&a->body, &f, &body);
  int32_t id = add_decoded_tensor(n, &body, (span){NULL, 0});
  if (id < 0) return false;
  *tensor_id = id;
  return true;
}

void er_onnx_ignore_attr(er_onnx_node *n, const char *name) {
  attribute *a = find_attr(n, name);
  if (a) a->read = true;
}

void er_onnx_set_op(er_onnx_node *n, er_op op) {
  n->op = op;
  n->op_set = true;
}

void *er_onnx_new_attrs(er_onnx_node *n, size_t bytes) {
  void *p = er_graph_alloc(n->sc->im->root, bytes);
  if (!p) {
    er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory for attributes");
    return NULL;
  }
  n->op_attrs = p;
  return p;
}

static edgert_status ensure_ir_inputs(er_onnx_node *n, int count) {
  if (count < 0 || count > 4096) return er_onnx_fail(n, EDGERT_ERR_LIMIT, "%d inputs", count);
  int32_t *ids = realloc(n->ir_inputs, sizeof(int32_t) * (size_t)(count ? count : 1));
  if (!ids) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
  for (int k = n->n_ir_inputs; k < count; k++)
    ids[k] = -1;
  n->ir_inputs = ids;
  n->n_ir_inputs = count;
  return EDGERT_OK;
}

edgert_status er_onnx_set_inputs(er_onnx_node *n, int count, const int *onnx_inputs) {
  edgert_status st = ensure_ir_inputs(n, count);
  if (st != EDGERT_OK) return st;
  for (int k = 0; k < count; k++) {
    int i = onnx_inputs[k];
    if (i >= n->n_in)
      return er_onnx_fail(n, EDGERT_ERR_ARGUMENT, "mapper refers to input %d of %d", i, n->n_in);
    n->ir_inputs[k] = i >= 0 ? n->in_ids[i] : -1;
  }
  return EDGERT_OK;
}

int32_t er_onnx_add_const(er_onnx_node *n, edgert_dtype dtype, int ndim, const int64_t *dims, void **data) {
  if (ndim < 0 || ndim > ER_MAX_DIMS || (unsigned)dtype >= EDGERT_DTYPE_COUNT) {
    er_onnx_fail(n, EDGERT_ERR_ARGUMENT, "constant of rank %d", ndim);
    return -1;
  }
  size_t bytes;
  if (!er_bytes_for(dtype, er_shape_elements(ndim, dims), &bytes)) {
    er_onnx_fail(n, EDGERT_ERR_LIMIT, "constant shape is negative or too large");
    return -1;
  }
  void *p = er_graph_alloc(n->sc->im->root, bytes ? bytes : 1);
  int32_t id = p ? er_onnx_new_tensor(n->sc, (span){NULL, 0}) : -1;
  if (id < 0) {
    er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory for a constant");
    return -1;
  }
  er_tensor *t = er_onnx_tensor_at(n->sc, id);
  t->dtype = dtype;
  t->kind = ER_TENSOR_CONST;
  t->ndim = ndim;
  if (ndim) memcpy(t->dims, dims, sizeof(int64_t) * (size_t)ndim);
  t->data = p;
  t->bytes = bytes;
  if (data) *data = p;
  return id;
}

edgert_status er_onnx_set_input_tensor(er_onnx_node *n, int k, int32_t tensor_id) {
  if (k < 0 || tensor_id < -1 || tensor_id >= n->sc->n_tensors)
    return er_onnx_fail(n, EDGERT_ERR_ARGUMENT, "bad input %d or tensor %d", k, (int)tensor_id);
  if (!n->ir_inputs) {
    int32_t count = n->n_in;
    if (ensure_ir_inputs(n, count) != EDGERT_OK) return n->status;
    memcpy(n->ir_inputs, n->in_ids, sizeof(int32_t) * (size_t)count);
  }
  if (k >= n->n_ir_inputs && ensure_ir_inputs(n, k + 1) != EDGERT_OK) return n->status;
  n->ir_inputs[k] = tensor_id;
  return EDGERT_OK;
}

void er_onnx_set_output_dtype(er_onnx_node *n, int i, edgert_dtype dtype) {
  if (i < 0 || i >= n->n_out || n->out_declared[i]) return;
  er_onnx_tensor_at(n->sc, n->out_ids[i])->dtype = dtype;
}

edgert_status er_onnx_forward_output(er_onnx_node *n, int i, int32_t tensor_id) {
  if (i < 0 || i >= n->n_out || tensor_id < 0 || tensor_id >= n->sc->n_tensors)
    return er_onnx_fail(n, EDGERT_ERR_ARGUMENT, "cannot forward output %d to tensor %d", i, (int)tensor_id);
  n->out_ids[i] = tensor_id;
  n->out_forwarded[i] = true;
  return EDGERT_OK;
}

bool er_onnx_attr_int_or(er_onnx_node *n, const char *name, int64_t fallback, int64_t *value) {
  if (!er_onnx_attr_int(n, name, value)) {
    if (n->failed) return false;
    *value = fallback;
  }
  return true;
}

bool er_onnx_attr_float_or(er_onnx_node *n, const char *name, float fallback, float *value) {
  if (!er_onnx_attr_float(n, name, value)) {
    if (n->failed) return false;
    *value = fallback;
  }
  return true;
}

bool er_onnx_attr_graph(er_onnx_node *n, const char *name, int32_t *subgraph) {
  attribute *a = typed_attr(n, name, AT_GRAPH);
  if (!a) return false;
  scope *sc = n->sc;
  er_pb_field f;
  if (!er_onnx_attr_field(a, ATTR_G, ER_PB_LEN, &f)) {
    er_onnx_fail(n, EDGERT_ERR_MALFORMED, "attribute '%s' holds no graph", name);
    return false;
  }
  er_pb_reader body;
  er_pb_sub(&a->body, &f, &body);
  edgert_status st = er_onnx_build_subgraph(sc, &body, name, subgraph);
  if (st != EDGERT_OK) {
    /* the subgraph's own message is already recorded: keep it */
    n->failed = true;
    n->status = st;
    return false;
  }
  return true;
}
