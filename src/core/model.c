/* Loading models: map or borrow the bytes, pick the importer from the file's identifier, validate the
 * resulting graph, run the graph optimizer (src/opt/) on it, and answer questions about its inputs and
 * outputs. */
#include "core/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file_map.h"
#include "formats/onnx/onnx_import.h"
#include "formats/tflite/tflite_import.h"

static edgert_model *model_new(const edgert_limits *limits) {
  edgert_model *m = calloc(1, sizeof(edgert_model));
  if (m) m->limits = er_limits_resolve(limits);
  return m;
}

static edgert_status model_fail(edgert_model *m, edgert_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->error, sizeof m->error, fmt, ap);
  va_end(ap);
  m->status = st;
  return st;
}

/* EDGERT_OPTIMIZE=0 loads graphs as imported (to compare against, or to rule the optimizer out). */
static bool optimizer_enabled(void) {
  const char *v = getenv("EDGERT_OPTIMIZE");
  return !(v && v[0] == '0' && v[1] == '\0');
}

/* Runs the passes, then the structural checks again so a pass's mistake is a load error, not a crash. */
static edgert_status optimize(edgert_model *m, char *err, size_t err_len) {
  edgert_status st = er_opt_run(&m->graph, &m->opt_stats, err, err_len);
  if (st == EDGERT_OK) st = er_graph_finish(&m->graph, &m->limits, err, err_len);
  m->optimized = st == EDGERT_OK;
  return st;
}

/* Byte ranges of constant data still in use, sorted by start, with the running maximum of their ends so
 * one binary search answers "does [b, e) overlap any of them". */
typedef struct {
  uintptr_t begin, end, max_end;
} live_range;

static int live_range_cmp(const void *a, const void *b) {
  uintptr_t x = ((const live_range *)a)->begin, y = ((const live_range *)b)->begin;
  return x < y ? -1 : x > y;
}

static size_t count_consts(const er_graph *g) {
  size_t n = (size_t)g->n_tensors;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    n += count_consts(&g->subgraphs[s]);
  return n;
}

/* Adds the data of constants g reads: node inputs and graph outputs of g, and every constant of its
 * subgraphs (they share data with outer constants). */
static void collect_live(const er_graph *g, bool all, const unsigned char *used, live_range *r, size_t *n) {
  for (int32_t t = 0; t < g->n_tensors; t++) {
    const er_tensor *v = &g->tensors[t];
    if (v->kind != ER_TENSOR_CONST || !v->data || !v->bytes || !(all || used[t])) continue;
    r[(*n)++] = (live_range){(uintptr_t)v->data, (uintptr_t)v->data + v->bytes, 0};
  }
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    collect_live(&g->subgraphs[s], true, NULL, r, n);
}

static bool overlaps_live(const live_range *r, size_t n, uintptr_t begin, uintptr_t end) {
  size_t lo = 0, hi = n; /* first range starting at or after end */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r[mid].begin < end)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo > 0 && r[lo - 1].max_end > begin;
}

typedef struct {
  const void *data;
  int32_t tensor;
} dead_const;

static int dead_const_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const dead_const *)a)->data, y = (uintptr_t)((const dead_const *)b)->data;
  return x < y ? -1 : x > y;
}

/* Frees the graph-owned buffers of dead constants (copies the importer made of unaligned weights that
 * BatchNorm folding then replaced). Their data pointers become NULL: nothing reads them. */
static void free_dead_buffers(er_graph *g, const unsigned char *used, const live_range *live, size_t n_live) {
  dead_const *dead = malloc(sizeof(dead_const) * (size_t)g->n_tensors);
  const void **ptrs = malloc(sizeof(void *) * (size_t)g->n_tensors);
  unsigned char *freed = calloc((size_t)g->n_tensors, 1);
  size_t n = 0;
  for (int32_t t = 0; dead && ptrs && freed && t < g->n_tensors; t++) {
    const er_tensor *v = &g->tensors[t];
    if (used[t] || v->kind != ER_TENSOR_CONST || !v->data || !v->bytes) continue;
    uintptr_t begin = (uintptr_t)v->data;
    if (!overlaps_live(live, n_live, begin, begin + v->bytes)) dead[n++] = (dead_const){v->data, t};
  }
  if (n > 0) {
    qsort(dead, n, sizeof *dead, dead_const_cmp);
    for (size_t i = 0; i < n; i++)
      ptrs[i] = dead[i].data;
    er_pool_release_sorted(&g->pool, ptrs, n, freed);
    for (size_t i = 0; i < n; i++)
      if (freed[i]) g->tensors[dead[i].tensor].data = NULL;
  }
  free(dead);
  free(ptrs);
  free(freed);
}

/* Drops every page of the file mapping that holds no live constant: the protobuf or flatbuffer structure
 * the importer has read, weights it copied (unaligned), weights BatchNorm folding replaced. Anything that
 * still points there reads correctly: the pages fault back in from the file. */
static void release_mapping_gaps(const edgert_model *m, const live_range *live, size_t n_live) {
  uintptr_t begin = (uintptr_t)m->mapping, end = begin + m->mapping_size, cursor = begin;
  for (size_t i = 0; i < n_live && cursor < end; i++) {
    if (live[i].end <= begin || live[i].begin >= end) continue;
    if (live[i].begin > cursor)
      er_release_mapped_pages(m->mapping, m->mapping_size, (const void *)cursor, live[i].begin - cursor);
    if (live[i].end > cursor) cursor = live[i].end;
  }
  if (cursor < end) er_release_mapped_pages(m->mapping, m->mapping_size, (const void *)cursor, end - cursor);
}

/* After import and optimization, gives back the memory of what no node reads any more, so the original
 * weights and the optimizer's folded copies are not both resident. Best effort: out of memory here only
 * means nothing is released. */
static void release_unused_constants(edgert_model *m) {
  er_graph *g = &m->graph;
  if (g->n_tensors <= 0) return;
  unsigned char *used = calloc((size_t)g->n_tensors, 1);
  live_range *live = malloc(count_consts(g) * sizeof(live_range) + sizeof(live_range));
  if (used && live) {
    for (int32_t n = 0; n < g->n_nodes; n++)
      for (int32_t k = 0; k < g->nodes[n].n_inputs; k++)
        if (g->nodes[n].inputs[k] >= 0) used[g->nodes[n].inputs[k]] = 1;
    for (int32_t i = 0; i < g->n_outputs; i++)
      used[g->outputs[i]] = 1;
    size_t n_live = 0;
    collect_live(g, false, used, live, &n_live);
    qsort(live, n_live, sizeof *live, live_range_cmp);
    for (size_t i = 0; i < n_live; i++)
      live[i].max_end = i > 0 && live[i - 1].max_end > live[i].end ? live[i - 1].max_end : live[i].end;
    free_dead_buffers(g, used, live, n_live);
    if (m->mapping) release_mapping_gaps(m, live, n_live);
  }
  free(used);
  free(live);
}

/* model_dir: the folder of the model file, where ONNX external data lives; NULL for buffers. */
static edgert_status import_bytes(edgert_model *m, const char *model_dir) {
  char err[ER_ERROR_LEN - 32] = {0};
  edgert_status st;
  if (er_tflite_is_model(m->bytes, m->size)) {
    st = er_tflite_import(m->bytes, m->size, &m->limits, &m->graph, err, sizeof err);
  } else if (er_onnx_is_model(m->bytes, m->size) || (m->size > 0 && m->bytes[0] == 0x08)) {
    /* Exporters write ModelProto's ir_version (tag byte 0x08) first: a broken file that starts so is read
     * as ONNX, so the message says where it breaks. */
    st = er_onnx_import(m->bytes, m->size, model_dir, &m->limits, &m->graph, err, sizeof err);
  } else {
    return model_fail(m, EDGERT_ERR_UNSUPPORTED,
                      "not a TFLite or ONNX model (%zu bytes; expected a .tflite file with identifier TFL3 "
                      "or an ONNX ModelProto with a graph)",
                      m->size);
  }
  if (st != EDGERT_OK) {
    er_graph_free(&m->graph);
    return model_fail(m, st, "%s", err[0] ? err : "import failed");
  }
  st = er_graph_finish(&m->graph, &m->limits, err, sizeof err);
  if (st == EDGERT_OK && optimizer_enabled()) st = optimize(m, err, sizeof err);
  if (st != EDGERT_OK) {
    er_graph_free(&m->graph);
    return model_fail(m, st, "%s", err);
  }
  release_unused_constants(m);
  return EDGERT_OK;
}

edgert_status edgert_model_load_buffer_limited(const void *data, size_t bytes, const edgert_limits *limits,
                                               edgert_model **out) {
  if (!out) return EDGERT_ERR_ARGUMENT;
  edgert_model *m = *out = model_new(limits);
  if (!m) return EDGERT_ERR_NO_MEMORY;
  if (!data) return model_fail(m, EDGERT_ERR_ARGUMENT, "model buffer is NULL");
  m->bytes = data;
  m->size = bytes;
  return import_bytes(m, NULL);
}

edgert_status edgert_model_load_buffer(const void *data, size_t bytes, edgert_model **out) {
  return edgert_model_load_buffer_limited(data, bytes, NULL, out);
}

edgert_status edgert_model_load_file_limited(const char *path, const edgert_limits *limits, edgert_model **out) {
  if (!out) return EDGERT_ERR_ARGUMENT;
  edgert_model *m = *out = model_new(limits);
  if (!m) return EDGERT_ERR_NO_MEMORY;
  if (!path) return model_fail(m, EDGERT_ERR_ARGUMENT, "model path is NULL");
  char err[ER_ERROR_LEN - 32] = {0};
  edgert_status st = er_map_file(path, &m->mapping, &m->mapping_size, err, sizeof err);
  if (st != EDGERT_OK) return model_fail(m, st, "%s", err);
  m->bytes = m->mapping;
  m->size = m->mapping_size;
  char dir[1024];
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
  st = import_bytes(m, dir);
  if (st != EDGERT_OK) {
    /* prefix the file name so the one-line message says where */
    char msg[ER_ERROR_LEN];
    memcpy(msg, m->error, sizeof msg);
    int n = snprintf(m->error, sizeof m->error, "%.200s: ", path);
    if (n > 0 && (size_t)n < sizeof m->error)
      snprintf(m->error + n, sizeof m->error - (size_t)n, "%.300s", msg);
  }
  return st;
}

edgert_status edgert_model_load_file(const char *path, edgert_model **out) {
  return edgert_model_load_file_limited(path, NULL, out);
}

edgert_status er_model_from_graph(er_graph *graph, edgert_model **out) {
  edgert_model *m = *out = model_new(NULL);
  if (!m) {
    er_graph_free(graph);
    return EDGERT_ERR_NO_MEMORY;
  }
  m->graph = *graph;
  memset(graph, 0, sizeof *graph);
  char err[ER_ERROR_LEN] = {0};
  edgert_status st = er_graph_finish(&m->graph, &m->limits, err, sizeof err);
  if (st != EDGERT_OK) {
    er_graph_free(&m->graph);
    return model_fail(m, st, "%s", err);
  }
  return EDGERT_OK;
}

void edgert_model_free(edgert_model *m) {
  if (!m) return;
  er_graph_free(&m->graph);
  if (m->mapping) er_unmap_file(m->mapping, m->mapping_size);
  free(m);
}

const char *edgert_model_error(const edgert_model *m) {
  if (!m) return "out of memory";
  return m->status == EDGERT_OK ? "" : m->error;
}

static bool model_usable(const edgert_model *m) { return m && m->status == EDGERT_OK; }

int edgert_model_input_count(const edgert_model *m) { return model_usable(m) ? m->graph.n_inputs : 0; }
int edgert_model_output_count(const edgert_model *m) { return model_usable(m) ? m->graph.n_outputs : 0; }
size_t edgert_model_bytes(const edgert_model *m) { return m ? m->size : 0; }
int edgert_model_op_count(const edgert_model *m) { return model_usable(m) ? m->graph.n_nodes : 0; }

const char *edgert_model_op_name(const edgert_model *m, int index) {
  if (!model_usable(m) || index < 0 || index >= m->graph.n_nodes) return NULL;
  return er_op_name(m->graph.nodes[index].op);
}

const er_opt_stats *er_model_opt_stats(const edgert_model *m) {
  return model_usable(m) && m->optimized ? &m->opt_stats : NULL;
}

void er_tensor_info_fill(const er_tensor *t, edgert_tensor_info *info) {
  memset(info, 0, sizeof *info);
  info->name = t->name ? t->name : "";
  info->dtype = t->dtype;
  info->ndim = t->ndim;
  for (int i = 0; i < t->ndim && i < EDGERT_MAX_DIMS; i++)
    info->dims[i] = t->dims[i];
  info->dynamic_dims = t->dynamic_dims;
  info->bytes = t->bytes;
  info->scale = t->q.scale;
  info->zero_point = t->q.zero_point;
  info->channel_count = t->q.channels;
  info->quant_axis = t->q.axis;
  info->channel_scales = t->q.scales;
  info->channel_zero_points = t->q.zero_points;
}

static edgert_status graph_io_info(const edgert_model *m, bool input, int index, edgert_tensor_info *info) {
  if (!model_usable(m) || !info) return EDGERT_ERR_ARGUMENT;
  int count = input ? m->graph.n_inputs : m->graph.n_outputs;
  if (index < 0 || index >= count) return EDGERT_ERR_ARGUMENT;
  int32_t id = input ? m->graph.inputs[index] : m->graph.outputs[index];
  er_tensor_info_fill(&m->graph.tensors[id], info);
  return EDGERT_OK;
}

edgert_status edgert_model_input_info(const edgert_model *m, int index, edgert_tensor_info *info) {
  return graph_io_info(m, true, index, info);
}

edgert_status edgert_model_output_info(const edgert_model *m, int index, edgert_tensor_info *info) {
  return graph_io_info(m, false, index, info);
}
