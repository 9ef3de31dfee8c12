/* The ONNX importer. A ModelProto gives the opsets per domain and the main GraphProto; each graph is
 * read in the order ONNX defines its meaning: initializers (constants), inputs that are not
 * initializers (graph inputs), declared types (outputs and value_info), then nodes in their
 * (topological) order, each resolved by name and handed to its op mapper, then the outputs. Subgraphs
 * (GRAPH attributes) are read the same way in a nested scope whose unresolved names are captured from
 * the enclosing graphs (graph.h describes the representation). Nesting is limited, so the recursion over
 * subgraphs is bounded; everything else walks messages iteratively. */
#include "formats/onnx/onnx_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "formats/onnx/onnx_import_internal.h"
#include "formats/onnx/onnx_map.h"
#include "formats/onnx/onnx_proto.h"
#include "formats/onnx/protobuf.h"

edgert_status er_onnx_import_fail(importer *im, edgert_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (im->err && im->err_len) vsnprintf(im->err, im->err_len, fmt, ap);
  va_end(ap);
  return st;
}

static edgert_status pb_failure(importer *im) {
  return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "%s", im->pb.message);
}

/* ---- growable arrays (malloc'ed while building, copied into the graph pool at the end) ---- */

bool er_onnx_grow(void **array, int32_t *cap, int32_t need, size_t elem) {
  if (need <= *cap) return true;
  int32_t n = *cap ? *cap : 16;
  while (n < need) {
    if (n > INT32_MAX / 2) return false;
    n *= 2;
  }
  void *p = realloc(*array, (size_t)n * elem);
  if (!p) return false;
  *array = p;
  *cap = n;
  return true;
}

/* ---- name tables: open addressing, FNV-1a ---- */

static uint64_t hash_span(span s) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < s.len; i++)
    h = (h ^ (uint8_t)s.s[i]) * 1099511628211ull;
  return h;
}

bool er_onnx_same_span(span a, span b) { return a.len == b.len && memcmp(a.s, b.s, a.len) == 0; }

static name_entry *table_find(const name_table *t, span key) {
  if (!t->cap) return NULL;
  for (size_t i = hash_span(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
    name_entry *e = &t->slots[i];
    if (!e->key.s) return NULL;
    if (er_onnx_same_span(e->key, key)) return e;
  }
}

/* Inserts key (or finds it); NULL when out of memory. */
static name_entry *table_put(name_table *t, span key) {
  if ((t->used + 1) * 2 > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    name_entry *slots = calloc(cap, sizeof *slots);
    if (!slots) return NULL;
    for (size_t i = 0; i < t->cap; i++) {
      if (!t->slots[i].key.s) continue;
      size_t j = hash_span(t->slots[i].key) & (cap - 1);
      while (slots[j].key.s)
        j = (j + 1) & (cap - 1);
      slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
  }
  size_t i = hash_span(key) & (t->cap - 1);
  while (t->slots[i].key.s && !er_onnx_same_span(t->slots[i].key, key))
    i = (i + 1) & (t->cap - 1);
  if (!t->slots[i].key.s) {
    t->slots[i].key = key;
    t->slots[i].id = -1;
    t->used++;
  }
  return &t->slots[i];
}

/* ---- tensors of a scope (chunked so pointers stay valid while mappers add constants) ---- */

er_tensor *er_onnx_tensor_at(const scope *sc, int32_t id) {
  return &sc->chunks[id / TENSOR_CHUNK][id % TENSOR_CHUNK];
}

/* A new zeroed tensor; its id, or -1 (message recorded) when out of memory. */
int32_t er_onnx_new_tensor(scope *sc, span name) {
  int32_t id = sc->n_tensors;
  if (id % TENSOR_CHUNK == 0) {
    if (id == INT32_MAX - TENSOR_CHUNK) return -1;
    er_tensor **chunks = realloc(sc->chunks, sizeof(er_tensor *) * (size_t)(sc->n_chunks + 1));
    if (!chunks) return -1;
    sc->chunks = chunks;
    sc->chunks[sc->n_chunks] = calloc(TENSOR_CHUNK, sizeof(er_tensor));
    if (!sc->chunks[sc->n_chunks]) return -1;
    sc->n_chunks++;
  }
  er_tensor *t = er_onnx_tensor_at(sc, id);
  memset(t, 0, sizeof *t);
  t->name = name.len ? er_graph_strdup(sc->im->root, name.s, name.len) : "";
  if (!t->name) return -1;
  sc->n_tensors++;
  return id;
}

edgert_status er_onnx_no_memory(importer *im) {
  return er_onnx_import_fail(im, EDGERT_ERR_NO_MEMORY, "out of memory importing ONNX model");
}

static void scope_free(scope *sc) {
  for (int32_t i = 0; i < sc->n_chunks; i++)
    free(sc->chunks[i]);
  free(sc->chunks);
  free(sc->names.slots);
  free(sc->declared.slots);
  free(sc->nodes);
  free(sc->inputs);
  free(sc->captures);
  free(sc->subgraphs);
}

static void *pool_copy(importer *im, const void *src, size_t count, size_t elem) {
  void *p = er_graph_alloc_array(im->root, count ? count : 1, elem);
  if (p && count) memcpy(p, src, count * elem);
  return p;
}

/* Moves the scope's arrays into *g (memory from the root pool). */
static edgert_status scope_to_graph(scope *sc, er_graph *g, const int32_t *outputs, int32_t n_outputs) {
  importer *im = sc->im;
  er_tensor *tensors =
      er_graph_alloc_array(im->root, sc->n_tensors ? (size_t)sc->n_tensors : 1, sizeof(er_tensor));
  if (!tensors) return er_onnx_no_memory(im);
  for (int32_t i = 0; i < sc->n_tensors; i++)
    tensors[i] = *er_onnx_tensor_at(sc, i);
  g->tensors = tensors;
  g->n_tensors = sc->n_tensors;
  g->nodes = pool_copy(im, sc->nodes, (size_t)sc->n_nodes, sizeof(er_node));
  g->n_nodes = sc->n_nodes;
  g->inputs = pool_copy(im, sc->inputs, (size_t)sc->n_inputs, sizeof(int32_t));
  g->n_inputs = sc->n_inputs;
  g->outputs = pool_copy(im, outputs, (size_t)n_outputs, sizeof(int32_t));
  g->n_outputs = n_outputs;
  g->n_formal_inputs = sc->n_formal_inputs;
  g->n_captures = sc->n_captures;
  g->captures = pool_copy(im, sc->captures, (size_t)sc->n_captures, sizeof(int32_t));
  g->n_subgraphs = sc->n_subgraphs;
  g->subgraphs =
      sc->n_subgraphs ? pool_copy(im, sc->subgraphs, (size_t)sc->n_subgraphs, sizeof(er_graph)) : NULL;
  if (!g->nodes || !g->inputs || !g->outputs || !g->captures || (sc->n_subgraphs && !g->subgraphs))
    return er_onnx_no_memory(im);
  return EDGERT_OK;
}

/* ---- name resolution with captures from enclosing scopes ---- */

static edgert_status add_input(scope *sc, int32_t id) {
  if (!er_onnx_grow((void **)&sc->inputs, &sc->cap_inputs, sc->n_inputs + 1, sizeof(int32_t)))
    return er_onnx_no_memory(sc->im);
  sc->inputs[sc->n_inputs++] = id;
  return EDGERT_OK;
}

/* The tensor id of `name` in scope sc, capturing it from an enclosing scope when needed; -1 when no
 * scope knows it, -2 on failure (message recorded). */
static int32_t resolve(scope *sc, span name) {
  name_entry *e = table_find(&sc->names, name);
  if (e) return e->id;
  if (!sc->parent) return -1;
  int32_t outer = resolve(sc->parent, name); /* depth is bounded by MAX_GRAPH_DEPTH */
  if (outer < 0) return outer;
  const er_tensor *src = er_onnx_tensor_at(sc->parent, outer);
  int32_t id = er_onnx_new_tensor(sc, name);
  if (id < 0) return er_onnx_no_memory(sc->im), -2;
  er_tensor *t = er_onnx_tensor_at(sc, id);
  const char *kept_name = t->name;
  *t = *src;
  t->name = kept_name;
  if (src->kind != ER_TENSOR_CONST) {
    t->kind = ER_TENSOR_ACTIVATION;
    t->data = NULL;
    if (add_input(sc, id) != EDGERT_OK) return -2;
    if (!er_onnx_grow((void **)&sc->captures, &sc->cap_captures, sc->n_captures + 1, sizeof(int32_t)))
      return er_onnx_no_memory(sc->im), -2;
    sc->captures[sc->n_captures++] = outer;
  }
  name_entry *ne = table_put(&sc->names, name);
  if (!ne) return er_onnx_no_memory(sc->im), -2;
  ne->id = id;
  return id;
}

/* ---- opsets ---- */

static bool same_domain(span a, span b) {
  bool a_default = a.len == 0 || er_onnx_same_span(a, (span){"ai.onnx", 7});
  bool b_default = b.len == 0 || er_onnx_same_span(b, (span){"ai.onnx", 7});
  return a_default ? b_default : er_onnx_same_span(a, b);
}

static int64_t opset_of(const importer *im, span domain) {
  for (int i = 0; i < im->n_opsets; i++)
    if (same_domain(im->opsets[i].domain, domain)) return im->opsets[i].version;
  return -1;
}

/* Reads a ValueInfoProto: its name and TypeProto span. */
static edgert_status read_value_info(importer *im, er_pb_reader *r, span *name, er_pb_reader *type,
                                     bool *has_type) {
  er_pb_field f;
  int got;
  *has_type = false;
  name->s = "";
  name->len = 0;
  while ((got = er_pb_next(r, &f)) == 1) {
    if (f.number == 1 && f.wire == ER_PB_LEN) *name = (span){(const char *)f.bytes, f.len};
    if (f.number == 2 && f.wire == ER_PB_LEN) {
      er_pb_sub(r, &f, type);
      *has_type = true;
    }
  }
  return got < 0 ? pb_failure(im) : EDGERT_OK;
}

/* Applies a TypeProto to tensor t; with_shape false keeps only the dtype (intermediate values, whose
 * declared shapes exporters do not always keep right). */
static edgert_status apply_type(scope *sc, er_pb_reader *type, er_tensor *t, bool with_shape, span name) {
  char msg[300] = {0};
  er_onnx_decode_ctx c = {sc->im->root, sc->im->model_dir, msg, sizeof msg, false};
  int32_t ndim;
  int64_t dims[ER_MAX_DIMS];
  uint32_t dynamic;
  bool has_shape;
  er_pb_reader r = *type;
  edgert_status st = er_onnx_decode_type(&c, &r, &t->dtype, &ndim, dims, &dynamic, &has_shape);
  if (st != EDGERT_OK) return er_onnx_import_fail(sc->im, st, "value '%.*s': %s", (int)name.len, name.s, msg);
  if (with_shape && has_shape) {
    t->ndim = ndim;
    memcpy(t->dims, dims, sizeof dims);
    t->dynamic_dims = dynamic;
  }
  return EDGERT_OK;
}

static edgert_status add_initializer(scope *sc, er_pb_reader *r) {
  importer *im = sc->im;
  er_tensor t;
  char msg[300] = {0};
  er_onnx_decode_ctx c = {im->root, im->model_dir, msg, sizeof msg, true};
  const char *name;
  size_t name_len;
  size_t at = r->pos;
  edgert_status st = er_onnx_decode_tensor(&c, r, &t, &name, &name_len);
  if (st != EDGERT_OK) return er_onnx_import_fail(im, st, "initializer at byte %zu: %s", at, msg);
  span key = {name ? name : "", name ? name_len : 0};
  if (!key.len)
    return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "initializer at byte %zu has no name", at);
  name_entry *e = table_put(&sc->names, key);
  if (!e) return er_onnx_no_memory(im);
  if (e->id >= 0)
    return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "initializer '%.*s' is defined twice", (int)key.len,
                               key.s);
  int32_t id = er_onnx_new_tensor(sc, key);
  if (id < 0) return er_onnx_no_memory(im);
  er_tensor *dst = er_onnx_tensor_at(sc, id);
  const char *kept = dst->name;
  *dst = t;
  dst->name = kept;
  e->id = id;
  return EDGERT_OK;
}

static edgert_status add_graph_input(scope *sc, er_pb_reader *r) {
  importer *im = sc->im;
  span name;
  er_pb_reader type;
  bool has_type;
  edgert_status st = read_value_info(im, r, &name, &type, &has_type);
  if (st != EDGERT_OK) return st;
  name_entry *existing = table_find(&sc->names, name);
  if (existing && existing->id >= 0) {
    /* an initializer of the same name: ONNX lets callers override it; edgert treats it as constant */
    if (sc->parent)
      return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "subgraph input '%.*s' is also an initializer",
                                 (int)name.len, name.s);
    return EDGERT_OK;
  }
  if (!name.len && !sc->parent)
    return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "a graph input has no name");
  int32_t id = er_onnx_new_tensor(sc, name);
  if (id < 0) return er_onnx_no_memory(im);
  er_tensor *t = er_onnx_tensor_at(sc, id);
  t->kind = ER_TENSOR_ACTIVATION;
  t->dtype = EDGERT_FLOAT32;
  if (has_type && (st = apply_type(sc, &type, t, true, name)) != EDGERT_OK) return st;
  if (!has_type && !sc->parent)
    return er_onnx_import_fail(im, EDGERT_ERR_UNSUPPORTED, "graph input '%.*s' has no type", (int)name.len,
                               name.s);
  if (name.len) {
    name_entry *e = table_put(&sc->names, name);
    if (!e) return er_onnx_no_memory(im);
    e->id = id;
  }
  return add_input(sc, id);
}

static edgert_status add_declared(scope *sc, er_pb_reader *r) {
  span name;
  er_pb_reader type;
  bool has_type;
  edgert_status st = read_value_info(sc->im, r, &name, &type, &has_type);
  if (st != EDGERT_OK || !has_type || !name.len) return st;
  name_entry *e = table_put(&sc->declared, name);
  if (!e) return er_onnx_no_memory(sc->im);
  e->type = type.base;
  e->type_offset = type.pos;
  e->type_len = type.end - type.pos;
  return EDGERT_OK;
}

/* ---- nodes ---- */

typedef struct {
  span op_type, domain, name;
  int n_in, n_out, n_attrs;
} node_header;

static edgert_status scan_node(importer *im, er_pb_reader r, node_header *h) {
  memset(h, 0, sizeof *h);
  er_pb_field f;
  int got;
  while ((got = er_pb_next(&r, &f)) == 1) {
    if (f.wire != ER_PB_LEN) continue;
    span s = {(const char *)f.bytes, f.len};
    switch (f.number) {
    case NODE_INPUT: h->n_in++; break;
    case NODE_OUTPUT: h->n_out++; break;
    case NODE_NAME: h->name = s; break;
    case NODE_OP_TYPE: h->op_type = s; break;
    case NODE_DOMAIN: h->domain = s; break;
    case NODE_ATTRIBUTE: h->n_attrs++; break;
    default: break;
    }
  }
  if (got < 0) return pb_failure(im);
  if (h->n_in > 4096 || h->n_out > 4096 || h->n_attrs > 4096)
    return er_onnx_import_fail(im, EDGERT_ERR_LIMIT, "node '%.*s' has too many inputs, outputs or attributes",
                               (int)h->name.len, h->name.s);
  return EDGERT_OK;
}

static void copy_text(char *dst, size_t cap, span s) {
  size_t n = s.len < cap - 1 ? s.len : cap - 1;
  for (size_t i = 0; i < n; i++) /* keep messages one printable line */
    dst[i] = (s.s[i] >= 32 && s.s[i] < 127) ? s.s[i] : '?';
  dst[n] = '\0';
}

static edgert_status read_attribute(er_onnx_node *n, er_pb_reader *r, attribute *a) {
  memset(a, 0, sizeof *a);
  a->body = *r;
  er_pb_field f;
  int got;
  while ((got = er_pb_next(r, &f)) == 1) {
    if (f.number == ATTR_NAME && f.wire == ER_PB_LEN) a->name = (span){(const char *)f.bytes, f.len};
    if (f.number == ATTR_TYPE && f.wire == ER_PB_VARINT) a->type = (int64_t)f.value;
    if (f.number == ATTR_REF_ATTR_NAME)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "attribute references (functions) are not supported");
  }
  if (got < 0) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "%s", n->sc->im->pb.message);
  if (a->type == 0) {
    /* IR version 1 files may omit the type: infer it from the field present */
    static const struct {
      uint32_t field;
      int wire;
      int64_t type;
    } infer[] = {{ATTR_F, ER_PB_I32, AT_FLOAT},       {ATTR_I, ER_PB_VARINT, AT_INT},
                 {ATTR_S, ER_PB_LEN, AT_STRING},      {ATTR_T, ER_PB_LEN, AT_TENSOR},
                 {ATTR_G, ER_PB_LEN, AT_GRAPH},       {ATTR_FLOATS, ER_PB_LEN, AT_FLOATS},
                 {ATTR_FLOATS, ER_PB_I32, AT_FLOATS}, {ATTR_INTS, ER_PB_LEN, AT_INTS},
                 {ATTR_INTS, ER_PB_VARINT, AT_INTS}};
    er_pb_field g;
    for (size_t k = 0; k < sizeof infer / sizeof infer[0] && a->type == 0; k++)
      if (er_onnx_attr_field(a, infer[k].field, infer[k].wire, &g)) a->type = infer[k].type;
  }
  return EDGERT_OK;
}

/* Reads inputs, outputs and attributes; creates output tensors with their dtypes. */
static edgert_status load_node(er_onnx_node *n, er_pb_reader r, const node_header *h) {
  scope *sc = n->sc;
  n->in_ids = malloc(sizeof(int32_t) * (size_t)(h->n_in + 1));
  n->out_ids = malloc(sizeof(int32_t) * (size_t)(h->n_out + 1));
  n->out_declared = calloc((size_t)h->n_out + 1, sizeof(bool));
  n->out_forwarded = calloc((size_t)h->n_out + 1, sizeof(bool));
  n->attrs = calloc((size_t)h->n_attrs + 1, sizeof(attribute));
  if (!n->in_ids || !n->out_ids || !n->out_declared || !n->out_forwarded || !n->attrs)
    return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
  er_pb_field f;
  while (er_pb_next(&r, &f) == 1) {
    if (f.wire != ER_PB_LEN) continue;
    span s = {(const char *)f.bytes, f.len};
    if (f.number == NODE_INPUT) {
      int32_t id = s.len ? resolve(sc, s) : -1;
      if (id == -2) return n->failed = true, n->status = EDGERT_ERR_NO_MEMORY;
      if (id < 0 && s.len)
        return er_onnx_fail(n, EDGERT_ERR_MALFORMED,
                            "input '%.*s' is not an initializer, a graph input or an earlier node's output",
                            (int)(s.len > 100 ? 100 : s.len), s.s);
      n->in_ids[n->n_in++] = id;
    } else if (f.number == NODE_ATTRIBUTE) {
      er_pb_reader ar;
      er_pb_sub(&r, &f, &ar);
      edgert_status st = read_attribute(n, &ar, &n->attrs[n->n_attrs]);
      if (st != EDGERT_OK) return st;
      n->n_attrs++;
    } else if (f.number == NODE_OUTPUT) {
      name_entry *e = s.len ? table_find(&sc->names, s) : NULL;
      if (e && e->id >= 0)
        return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "output '%.*s' is already defined",
                            (int)(s.len > 100 ? 100 : s.len), s.s);
      int32_t id = er_onnx_new_tensor(sc, s);
      if (id < 0) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
      n->out_ids[n->n_out++] = id;
    }
  }
  if (sc->im->pb.failed) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "%s", sc->im->pb.message);
  /* dtypes: declared, else that of the first present input */
  edgert_dtype fallback = EDGERT_FLOAT32;
  for (int i = 0; i < n->n_in; i++)
    if (n->in_ids[i] >= 0) {
      fallback = er_onnx_tensor_at(sc, n->in_ids[i])->dtype;
      break;
    }
  for (int i = 0; i < n->n_out; i++) {
    er_tensor *t = er_onnx_tensor_at(sc, n->out_ids[i]);
    t->kind = ER_TENSOR_ACTIVATION;
    t->dtype = fallback;
    span name = {t->name, strlen(t->name)};
    name_entry *d = name.len ? table_find(&sc->declared, name) : NULL;
    if (!d) continue;
    er_pb_reader type = {d->type, d->type_offset, d->type_offset + d->type_len, &sc->im->pb};
    char msg[300] = {0};
    er_onnx_decode_ctx c = {sc->im->root, sc->im->model_dir, msg, sizeof msg, false};
    int32_t ndim;
    int64_t dims[ER_MAX_DIMS];
    uint32_t dynamic;
    bool has_shape;
    if (er_onnx_decode_type(&c, &type, &t->dtype, &ndim, dims, &dynamic, &has_shape) != EDGERT_OK) {
      if (sc->im->pb.failed) return er_onnx_fail(n, EDGERT_ERR_MALFORMED, "%s", msg);
      t->dtype = fallback; /* a type edgert cannot hold: let the mapper decide */
      continue;
    }
    n->out_declared[i] = true;
  }
  return EDGERT_OK;
}

static edgert_status finish_node(er_onnx_node *n) {
  scope *sc = n->sc;
  for (int i = 0; i < n->n_attrs; i++)
    if (!n->attrs[i].read)
      return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "attribute '%.*s' is not supported",
                          (int)(n->attrs[i].name.len > 60 ? 60 : n->attrs[i].name.len), n->attrs[i].name.s);
  if (!n->op_set) {
    for (int i = 0; i < n->n_out; i++)
      if (!n->out_forwarded[i])
        return er_onnx_fail(n, EDGERT_ERR_UNSUPPORTED, "output %d is never produced", i);
  } else {
    for (int i = 0; i < n->n_out; i++)
      if (n->out_forwarded[i])
        return er_onnx_fail(n, EDGERT_ERR_ARGUMENT, "output %d is both computed and forwarded", i);
    /* inputs: the mapper's, or the ONNX ones; then the captured values of the node's subgraphs */
    int32_t n_inputs = n->ir_inputs ? n->n_ir_inputs : n->n_in;
    int32_t n_captured = 0;
    for (int32_t s = n->first_subgraph; s < sc->n_subgraphs; s++)
      n_captured += sc->subgraphs[s].n_captures;
    int32_t *inputs =
        er_graph_alloc_array(sc->im->root, (size_t)(n_inputs + n_captured + 1), sizeof(int32_t));
    int32_t *outputs = er_graph_alloc_array(sc->im->root, (size_t)n->n_out + 1, sizeof(int32_t));
    if (!inputs || !outputs) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
    memcpy(inputs, n->ir_inputs ? n->ir_inputs : n->in_ids, sizeof(int32_t) * (size_t)n_inputs);
    int32_t k = n_inputs;
    for (int32_t s = n->first_subgraph; s < sc->n_subgraphs; s++)
      for (int32_t c = 0; c < sc->subgraphs[s].n_captures; c++)
        inputs[k++] = sc->subgraphs[s].captures[c];
    memcpy(outputs, n->out_ids, sizeof(int32_t) * (size_t)n->n_out);
    if (++sc->im->nodes > sc->im->limits.max_nodes)
      return er_onnx_fail(n, EDGERT_ERR_LIMIT, "more than %d operators (edgert_limits)",
                          (int)sc->im->limits.max_nodes);
    if (!er_onnx_grow((void **)&sc->nodes, &sc->cap_nodes, sc->n_nodes + 1, sizeof(er_node)))
      return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
    er_node *node = &sc->nodes[sc->n_nodes];
    memset(node, 0, sizeof *node);
    node->op = n->op;
    node->index = sc->n_nodes++;
    node->n_inputs = k;
    node->inputs = inputs;
    node->n_outputs = n->n_out;
    node->outputs = outputs;
    node->attrs = n->op_attrs;
  }
  return EDGERT_OK;
}

static edgert_status register_outputs(er_onnx_node *n, er_pb_reader r) {
  scope *sc = n->sc;
  er_pb_field f;
  int i = 0;
  while (er_pb_next(&r, &f) == 1) {
    if (f.number != NODE_OUTPUT || f.wire != ER_PB_LEN) continue;
    span s = {(const char *)f.bytes, f.len};
    int32_t id = n->out_ids[i++];
    if (!s.len) continue;
    name_entry *e = table_put(&sc->names, s);
    if (!e) return er_onnx_fail(n, EDGERT_ERR_NO_MEMORY, "out of memory");
    e->id = id;
  }
  return EDGERT_OK;
}

static void node_free(er_onnx_node *n) {
  free(n->in_ids);
  free(n->out_ids);
  free(n->out_declared);
  free(n->out_forwarded);
  free(n->attrs);
  free(n->ir_inputs);
}

static edgert_status import_node(scope *sc, er_pb_reader r, int32_t index) {
  importer *im = sc->im;
  node_header h;
  edgert_status st = scan_node(im, r, &h);
  if (st != EDGERT_OK) return st;
  er_onnx_node n;
  memset(&n, 0, sizeof n);
  n.sc = sc;
  n.index = index;
  n.first_subgraph = sc->n_subgraphs;
  copy_text(n.op_type, sizeof n.op_type, h.op_type);
  copy_text(n.name, sizeof n.name, h.name);
  copy_text(n.domain, sizeof n.domain, h.domain);
  int64_t version = opset_of(im, h.domain);
  n.opset = version > INT32_MAX ? INT32_MAX : (int)version;
  const er_onnx_op_mapping *m =
      version < 0 ? NULL
                  : er_onnx_find_mapping(h.domain.s ? h.domain.s : "", h.domain.len,
                                         h.op_type.s ? h.op_type.s : "", h.op_type.len, n.opset);
  if (!m) {
    return er_onnx_import_fail(im, EDGERT_ERR_UNSUPPORTED, "unsupported op %s::%s (opset %d) at node %d '%s'",
                               n.domain[0] ? n.domain : "ai.onnx", n.op_type, version < 0 ? 0 : n.opset,
                               (int)index, n.name);
  }
  st = load_node(&n, r, &h);
  if (st == EDGERT_OK) st = m->map(&n);
  if (st == EDGERT_OK && n.failed) st = n.status;
  if (st != EDGERT_OK && !n.failed) er_onnx_fail(&n, st, "mapping failed");
  if (st == EDGERT_OK) st = finish_node(&n);
  if (st == EDGERT_OK) st = register_outputs(&n, r);
  node_free(&n);
  return st;
}

/* Spans of a GraphProto's repeated fields, in file order. */
typedef struct {
  er_pb_reader *items;
  int32_t count, cap;
} field_list;

static edgert_status collect(importer *im, er_pb_reader graph, uint32_t number, field_list *list) {
  er_pb_field f;
  int got;
  while ((got = er_pb_next(&graph, &f)) == 1) {
    if (f.number != number) continue;
    if (f.wire != ER_PB_LEN)
      return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "graph field %u at byte %zu is not a message",
                                 number, f.offset);
    if (!er_onnx_grow((void **)&list->items, &list->cap, list->count + 1, sizeof(er_pb_reader)))
      return er_onnx_no_memory(im);
    er_pb_sub(&graph, &f, &list->items[list->count++]);
  }
  return got < 0 ? pb_failure(im) : EDGERT_OK;
}

static edgert_status resolve_outputs(scope *sc, const field_list *outputs, int32_t *ids) {
  importer *im = sc->im;
  for (int32_t i = 0; i < outputs->count; i++) {
    span name;
    er_pb_reader type, r = outputs->items[i];
    bool has_type;
    edgert_status st = read_value_info(im, &r, &name, &type, &has_type);
    if (st != EDGERT_OK) return st;
    int32_t id = name.len ? resolve(sc, name) : -1;
    if (id == -2) return EDGERT_ERR_NO_MEMORY;
    if (id < 0)
      return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "graph output '%.*s' is never produced",
                                 (int)(name.len > 100 ? 100 : name.len), name.s);
    er_tensor *t = er_onnx_tensor_at(sc, id);
    /* the declared shape of a computed output is checked by the interpreter against the kernel's */
    if (has_type && t->kind == ER_TENSOR_ACTIVATION) {
      bool produced = true;
      for (int32_t k = 0; k < sc->n_inputs; k++)
        if (sc->inputs[k] == id) produced = false;
      if (produced && (st = apply_type(sc, &type, t, true, name)) != EDGERT_OK) return st;
    }
    ids[i] = id;
  }
  return EDGERT_OK;
}

static edgert_status import_graph(scope *sc, er_pb_reader *graph_bytes, er_graph *out) {
  importer *im = sc->im;
  field_list lists[5];
  static const uint32_t numbers[5] = {GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_VALUE_INFO,
                                      GRAPH_NODE};
  memset(lists, 0, sizeof lists);
  edgert_status st = EDGERT_OK;
  field_list sparse = {0};
  st = collect(im, *graph_bytes, GRAPH_SPARSE_INITIALIZER, &sparse);
  if (st == EDGERT_OK && sparse.count)
    st = er_onnx_import_fail(im, EDGERT_ERR_UNSUPPORTED, "sparse initializers are not supported");
  free(sparse.items);
  for (int k = 0; k < 5 && st == EDGERT_OK; k++)
    st = collect(im, *graph_bytes, numbers[k], &lists[k]);
  for (int32_t i = 0; st == EDGERT_OK && i < lists[0].count; i++)
    st = add_initializer(sc, &lists[0].items[i]);
  for (int32_t i = 0; st == EDGERT_OK && i < lists[1].count; i++)
    st = add_graph_input(sc, &lists[1].items[i]);
  sc->n_formal_inputs = sc->n_inputs;
  for (int32_t i = 0; st == EDGERT_OK && i < lists[2].count; i++) {
    er_pb_reader r = lists[2].items[i];
    st = add_declared(sc, &r);
  }
  for (int32_t i = 0; st == EDGERT_OK && i < lists[3].count; i++)
    st = add_declared(sc, &lists[3].items[i]);
  for (int32_t i = 0; st == EDGERT_OK && i < lists[4].count; i++)
    st = import_node(sc, lists[4].items[i], i);
  int32_t *outputs = NULL;
  if (st == EDGERT_OK) {
    outputs = malloc(sizeof(int32_t) * ((size_t)lists[2].count + 1));
    st = outputs ? resolve_outputs(sc, &lists[2], outputs) : er_onnx_no_memory(im);
  }
  if (st == EDGERT_OK) st = scope_to_graph(sc, out, outputs, lists[2].count);
  free(outputs);
  for (int k = 0; k < 5; k++)
    free(lists[k].items);
  return st;
}

/* Imports a GraphProto attribute as subgraph *index of sc (see graph.h); the message is recorded on failure.
 */
edgert_status er_onnx_build_subgraph(scope *sc, er_pb_reader *body, const char *attr_name, int32_t *index) {
  if (sc->depth + 1 >= MAX_GRAPH_DEPTH)
    return er_onnx_import_fail(sc->im, EDGERT_ERR_LIMIT, "subgraph '%s': subgraphs nest deeper than %d",
                               attr_name, MAX_GRAPH_DEPTH);
  er_graph g;
  memset(&g, 0, sizeof g);
  scope inner;
  memset(&inner, 0, sizeof inner);
  inner.im = sc->im;
  inner.parent = sc;
  inner.depth = sc->depth + 1;
  edgert_status st = import_graph(&inner, body, &g);
  scope_free(&inner);
  if (st != EDGERT_OK && sc->im->err && sc->im->err_len) {
    char inner_msg[ER_ERROR_LEN];
    snprintf(inner_msg, sizeof inner_msg, "%s", sc->im->err);
    return er_onnx_import_fail(sc->im, st, "in subgraph '%s': %s", attr_name, inner_msg);
  }
  if (st == EDGERT_OK) {
    char msg[300];
    st = er_graph_finish(&g, &sc->im->limits, msg, sizeof msg);
    if (st != EDGERT_OK) return er_onnx_import_fail(sc->im, st, "subgraph '%s': %s", attr_name, msg);
  }
  if (st == EDGERT_OK &&
      !er_onnx_grow((void **)&sc->subgraphs, &sc->cap_subgraphs, sc->n_subgraphs + 1, sizeof(er_graph)))
    st = er_onnx_no_memory(sc->im);
  if (st != EDGERT_OK) return st;
  sc->subgraphs[sc->n_subgraphs] = g;
  *index = sc->n_subgraphs++;
  return EDGERT_OK;
}

/* ---- the model ---- */

static edgert_status read_opset(importer *im, er_pb_reader *r) {
  er_pb_field f;
  int got;
  opset o = {{"", 0}, 1};
  while ((got = er_pb_next(r, &f)) == 1) {
    if (f.number == 1 && f.wire == ER_PB_LEN) o.domain = (span){(const char *)f.bytes, f.len};
    if (f.number == 2 && f.wire == ER_PB_VARINT) o.version = (int64_t)f.value;
  }
  if (got < 0) return pb_failure(im);
  if (o.version < 1 || o.version > 100000)
    return er_onnx_import_fail(im, EDGERT_ERR_MALFORMED, "opset version %lld is invalid",
                               (long long)o.version);
  for (int i = 0; i < im->n_opsets; i++)
    if (same_domain(im->opsets[i].domain, o.domain)) {
      im->opsets[i].version = o.version;
      return EDGERT_OK;
    }
  if (im->n_opsets == MAX_OPSETS)
    return er_onnx_import_fail(im, EDGERT_ERR_LIMIT, "more than %d opset imports", MAX_OPSETS);
  im->opsets[im->n_opsets++] = o;
  return EDGERT_OK;
}

bool er_onnx_is_model(const uint8_t *data, size_t size) {
  if (!data || size < 2) return false;
  er_pb_error e = {0};
  er_pb_reader r;
  er_pb_init(&r, data, size, &e);
  er_pb_field f;
  int got;
  bool graph = false;
  while ((got = er_pb_next(&r, &f)) == 1) {
    if (f.number == MODEL_GRAPH) {
      if (f.wire != ER_PB_LEN) return false;
      graph = true;
    } else if ((f.number == MODEL_IR_VERSION && f.wire != ER_PB_VARINT) ||
               (f.number == MODEL_OPSET_IMPORT && f.wire != ER_PB_LEN)) {
      return false;
    }
  }
  return got == 0 && graph;
}

edgert_status er_onnx_import(const uint8_t *data, size_t size, const char *model_dir,
                             const edgert_limits *limits, er_graph *graph, char *err, size_t err_len) {
  if (err && err_len) err[0] = '\0';
  memset(graph, 0, sizeof *graph);
  importer im;
  memset(&im, 0, sizeof im);
  im.limits = er_limits_resolve(limits);
  im.model_dir = model_dir;
  im.root = graph;
  im.err = err;
  im.err_len = err_len;
  er_pb_reader r;
  er_pb_init(&r, data, size, &im.pb);
  er_pb_field f;
  er_pb_reader graph_bytes;
  bool has_graph = false;
  int got;
  edgert_status st = EDGERT_OK;
  while (st == EDGERT_OK && (got = er_pb_next(&r, &f)) == 1) {
    if (f.number == MODEL_OPSET_IMPORT && f.wire == ER_PB_LEN) {
      er_pb_reader o;
      er_pb_sub(&r, &f, &o);
      st = read_opset(&im, &o);
    } else if (f.number == MODEL_GRAPH && f.wire == ER_PB_LEN) {
      er_pb_sub(&r, &f, &graph_bytes);
      has_graph = true;
    }
  }
  if (st == EDGERT_OK && got < 0) st = pb_failure(&im);
  if (st == EDGERT_OK && !has_graph)
    st = er_onnx_import_fail(&im, EDGERT_ERR_MALFORMED, "ONNX model has no graph");
  if (st == EDGERT_OK && opset_of(&im, (span){"", 0}) < 0 && im.n_opsets == 0) {
    /* IR version 2 files without opset_import mean opset 1 of the default domain */
    im.opsets[im.n_opsets++] = (opset){{"", 0}, 1};
  }
  if (st == EDGERT_OK) {
    scope sc;
    memset(&sc, 0, sizeof sc);
    sc.im = &im;
    er_graph built;
    memset(&built, 0, sizeof built);
    st = import_graph(&sc, &graph_bytes, &built);
    scope_free(&sc);
    if (st == EDGERT_OK) {
      er_pool_block *pool = graph->pool;
      *graph = built;
      graph->pool = pool;
    }
  }
  if (st != EDGERT_OK) {
    if (err && err_len && !err[0]) snprintf(err, err_len, "ONNX import failed");
    er_graph_free(graph);
  }
  return st;
}

edgert_status er_onnx_read_tensor(const uint8_t *data, size_t size, er_graph *owner, er_tensor *t, char *err,
                                  size_t err_len) {
  er_pb_error e = {0};
  er_pb_reader r;
  er_pb_init(&r, data, size, &e);
  er_onnx_decode_ctx c = {owner, NULL, err, err_len, false};
  return er_onnx_decode_tensor(&c, &r, t, NULL, NULL);
}
