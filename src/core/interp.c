/* Interpreter life cycle: create (copy tensors, prepare every node in order, plan the arena, bind
 * tensors to it), invoke (run each kernel's eval; no allocation), and the input/output accessors. */
#include <stdlib.h>
#include <string.h>

#include "core/file_map.h"
#include "core/interp.h"
#include "core/plan.h"

/* Counts, per tensor, the reads this plan will make: one per node input slot (subgraph captures are
 * inputs of their node too) and one for being a graph output, which is never released. */
static void count_reads(er_interp *it) {
  const er_graph *g = it->graph;
  for (int32_t n = 0; n < g->n_nodes; n++)
    for (int32_t k = 0; k < g->nodes[n].n_inputs; k++)
      if (g->nodes[n].inputs[k] >= 0) it->pending_reads[g->nodes[n].inputs[k]]++;
  for (int32_t i = 0; i < g->n_outputs; i++)
    it->pending_reads[g->outputs[i]]++;
}

/* Input slot k of a node will not be read again in this plan; the last such read of a constant that
 * lies in the model file gives its pages back (they fault in again from the file if anyone reads them,
 * e.g. another interpreter of the same model, or this one preparing again after a resize). Graph-owned
 * constants (optimizer output, folded values) stay: another interpreter may need them. */
static void done_reading(er_interp *it, int32_t t) {
  if (t < 0 || it->pending_reads[t] <= 0 || --it->pending_reads[t] > 0) return;
  const er_tensor *v = &it->tensors[t];
  if (v->kind != ER_TENSOR_CONST) return;
  er_release_mapped_pages(it->model->mapping, it->model->mapping_size, er_const_bytes(v), v->bytes);
}

/* After a node's prepare (and its folding): the inputs its kernel packed, or all of them when the node
 * was folded (it never runs again in this plan). */
static void release_read_inputs(er_interp *it, const er_op_ctx *ctx, bool folded) {
  const er_node *node = ctx->node;
  for (int32_t k = 0; k < node->n_inputs; k++)
    if (folded || (k < 32 && (ctx->packed_inputs & ((uint32_t)1 << k)))) done_reading(it, node->inputs[k]);
}

/* ---- constants left in the model file (tensor.h: file_bytes) ----
 * A kernel that can reads such a constant where it lies (er_kernel.reads_file_inputs: the convolutions
 * and GEMMs that pack weights or read them as a GEMM's A, er_const_bytes). Others read it from a copy
 * made just before their node's prepare (or when the kernel asks, er_copy_input), in the copy area: one
 * block of the pool, as large as the most such bytes one node reads, that the next node reuses once
 * every reader has packed the copies in it (or made them last, er_keep_input). So a model's copies touch
 * the pages of one area, where a copy of each weight at load touched fresh pages for all of them. A copy
 * still to be read at invoke keeps the area it is in until the plan is released (its pages past the
 * copies go back) and later nodes get a new one. The file's pages go back once copied. */

#define COPY_ALIGNMENT 64

static size_t copy_slot(size_t bytes) {
  return (bytes + COPY_ALIGNMENT - 1) / COPY_ALIGNMENT * COPY_ALIGNMENT;
}

static bool in_file_only(const er_tensor *v) {
  return v->kind == ER_TENSOR_CONST && !v->data && v->file_bytes;
}

static bool in_copy_area(const er_interp *it, const er_tensor *v) {
  uintptr_t p = (uintptr_t)v->data, begin = (uintptr_t)it->copy_area;
  return it->copy_area && v->data && p >= begin && p - begin < it->copy_area_bytes;
}

/* The copy area's size: the most bytes of constants in the file only that one node reads, each slot
 * aligned and each tensor once (a node may list one many times; it is copied once). false on overflow or
 * out of memory. */
static bool size_copy_area(er_interp *it) {
  const er_graph *g = it->graph;
  it->copy_area_bytes = 0;
  int32_t *counted_for = NULL; /* per tensor: 1 + the last node whose sum has it */
  for (int32_t n = 0; n < g->n_nodes; n++) {
    size_t sum = 0;
    for (int32_t k = 0; k < g->nodes[n].n_inputs; k++) {
      int32_t t = g->nodes[n].inputs[k];
      if (t < 0 || !in_file_only(&it->tensors[t])) continue;
      if (!counted_for && !(counted_for = calloc((size_t)g->n_tensors, sizeof *counted_for))) return false;
      if (counted_for[t] == n + 1) continue;
      counted_for[t] = n + 1;
      size_t bytes = it->tensors[t].bytes;
      if (bytes > SIZE_MAX - sum - COPY_ALIGNMENT) {
        free(counted_for);
        return false;
      }
      sum += copy_slot(bytes);
    }
    if (sum > it->copy_area_bytes) it->copy_area_bytes = sum;
  }
  free(counted_for);
  return true;
}

/* Copies constant v (in the file only) into the copy area; false when out of memory. The area is sized
 * for every such input of a node but faulted in only where copies land: nodes whose kernels read the
 * file in place (er_kernel.reads_file_inputs) may copy nothing. */
static bool copy_file_input(er_interp *it, er_tensor *v) {
  if (!it->copy_area && !(it->copy_area = er_pool_alloc_lazy(&it->pool, it->copy_area_bytes))) return false;
  v->data = it->copy_area + it->copy_area_used;
  memcpy(v->data, v->file_bytes, v->bytes);
  er_release_mapped_pages(it->model->mapping, it->model->mapping_size, v->file_bytes, v->bytes);
  it->copy_area_used += copy_slot(v->bytes);
  return true;
}

/* Before a node's prepare: copies of its inputs in the file only, but those its kernel reads there. */
static edgert_status copy_file_inputs(er_interp *it, const er_node *node, int32_t n, uint32_t read_in_file) {
  it->copy_area_used = 0;
  for (int32_t k = 0; k < node->n_inputs; k++) {
    er_tensor *v = node->inputs[k] >= 0 ? &it->tensors[node->inputs[k]] : NULL;
    if (!v || !in_file_only(v) || (k < 32 && (read_in_file & ((uint32_t)1 << k)))) continue;
    if (!copy_file_input(it, v))
      return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "%s node %d: out of memory copying its weights",
                            er_op_name(node->op), (int)n);
  }
  return EDGERT_OK;
}

edgert_status er_interp_copy_file_input(er_op_ctx *ctx, er_tensor *t) {
  if (!in_file_only(t) || copy_file_input(ctx->interp, t)) return EDGERT_OK;
  return er_fail(ctx, EDGERT_ERR_NO_MEMORY, "out of memory copying its weights");
}

/* The current node's copies stay where they are until the plan is released: the area's pages past them
 * go back, and the next node takes a new area. */
static void keep_copy_area(er_interp *it) {
  er_release_whole_pages(it->copy_area + it->copy_area_used, it->copy_area_bytes - it->copy_area_used);
  it->copy_area = NULL;
}

/* Copies from this size up keep their area when a kernel keeps them: copied again, they would cost as
 * much as the fresh pages of a new area; smaller ones are copied into the kernel's memory, as a new area
 * for each (a huge page cleared, then split) would cost more. */
#define KEEP_AREA_MIN_BYTES ((size_t)256 << 10)

edgert_status er_interp_keep_copy(er_op_ctx *ctx, er_tensor *t) {
  er_interp *it = ctx->interp;
  if (!in_copy_area(it, t)) return EDGERT_OK;
  if (t->bytes >= KEEP_AREA_MIN_BYTES) {
    keep_copy_area(it);
    return EDGERT_OK;
  }
  void *kept = er_persist_alloc(ctx, t->bytes ? t->bytes : 1);
  if (!kept) return EDGERT_ERR_NO_MEMORY;
  memcpy(kept, t->data, t->bytes);
  t->data = kept;
  return EDGERT_OK;
}

/* After a node's prepare and its releases: when a copy in the area will be read again, the area stays
 * with it; otherwise the copies are done with and the area is free for the next node. */
static void end_file_copies(er_interp *it, const er_node *node) {
  for (int32_t k = 0; k < node->n_inputs; k++) {
    int32_t t = node->inputs[k];
    if (t >= 0 && in_copy_area(it, &it->tensors[t]) && it->pending_reads[t] > 0) {
      keep_copy_area(it);
      return;
    }
  }
  for (int32_t k = 0; k < node->n_inputs; k++) {
    int32_t t = node->inputs[k];
    if (t >= 0 && in_copy_area(it, &it->tensors[t])) it->tensors[t].data = NULL;
  }
}

/* After the last prepare: the area no copy kept goes back. */
static void free_copy_area(er_interp *it) {
  if (!it->copy_area) return;
  const void *area = it->copy_area;
  unsigned char freed = 0;
  er_pool_release_sorted(&it->pool, &area, 1, &freed);
  it->copy_area = NULL;
}

/* A graph output that is a constant in the file only gets its copy at once: no kernel may read it. */
static edgert_status copy_const_outputs(er_interp *it) {
  for (int32_t i = 0; i < it->graph->n_outputs; i++) {
    er_tensor *v = &it->tensors[it->graph->outputs[i]];
    if (!in_file_only(v)) continue;
    if (!(v->data = er_pool_alloc(&it->pool, v->bytes ? v->bytes : 1)))
      return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory copying constant output %d", (int)i);
    memcpy(v->data, v->file_bytes, v->bytes);
  }
  return EDGERT_OK;
}

static edgert_status copy_tensors(er_interp *it) {
  const er_graph *g = it->graph;
  size_t n = (size_t)g->n_tensors;
  it->tensors = er_pool_alloc(&it->pool, n * sizeof(er_tensor));
  it->shaped = er_pool_alloc(&it->pool, n ? n : 1);
  it->ctxs = er_pool_alloc(&it->pool, (size_t)g->n_nodes * sizeof(er_op_ctx));
  it->kernels = er_pool_alloc(&it->pool, (size_t)g->n_nodes * sizeof(er_kernel *));
  it->scratch_offsets = er_pool_alloc(&it->pool, (size_t)g->n_nodes * sizeof(size_t));
  it->run_order = er_pool_alloc(&it->pool, (size_t)g->n_nodes * sizeof(int32_t));
  it->pending_reads = er_pool_alloc(&it->pool, (n ? n : 1) * sizeof(int32_t));
  it->n_run = 0;
  if (!it->tensors || !it->shaped || !it->ctxs || !it->kernels || !it->scratch_offsets || !it->run_order ||
      !it->pending_reads)
    return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory creating interpreter");
  count_reads(it);
  if (n) memcpy(it->tensors, g->tensors, n * sizeof(er_tensor));
  for (size_t i = 0; i < n; i++) {
    er_tensor *t = &it->tensors[i];
    if (t->kind != ER_TENSOR_CONST) t->data = NULL;
    it->shaped[i] = t->kind != ER_TENSOR_ACTIVATION;
  }
  for (int32_t i = 0; i < g->n_inputs; i++) {
    er_tensor *t = &it->tensors[g->inputs[i]];
    const er_tensor *shape = &it->input_shapes[i];
    t->ndim = shape->ndim;
    memcpy(t->dims, shape->dims, sizeof t->dims);
    t->bytes = shape->bytes;
    it->shaped[g->inputs[i]] = 1;
    if (it->value_mode && it->value_input[i]) { /* its value decides shapes: a constant for this plan */
      t->kind = ER_TENSOR_CONST;
      t->data = it->prepared_values[i];
    }
  }
  if (!size_copy_area(it))
    return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory sizing the weights' copies");
  return copy_const_outputs(it);
}

/* Folding: a node whose inputs are all constant is evaluated once at prepare and its outputs become
 * constants, so shape computations (Shape -> Gather -> Concat -> Reshape in exported graphs) are known
 * to the kernels after them, and invoke skips the node. Outputs beyond this size stay computed at invoke. */
#define ER_FOLD_LIMIT_BYTES ((size_t)16 << 20)

static bool foldable(const er_interp *it, const er_node *node) {
  if (node->n_inputs == 0) return false;
  for (int32_t i = 0; i < node->n_inputs && !er_op_reads_only_shapes(node->op); i++) {
    int32_t t = node->inputs[i];
    if (t >= 0 && it->tensors[t].kind != ER_TENSOR_CONST) return false;
  }
  size_t total = 0;
  for (int32_t o = 0; o < node->n_outputs; o++) {
    size_t b = it->tensors[node->outputs[o]].bytes;
    if (b > ER_FOLD_LIMIT_BYTES - total) return false;
    total += b;
  }
  return true;
}

static edgert_status fold_node(er_interp *it, er_op_ctx *ctx, const er_kernel *k) {
  const er_node *node = ctx->node;
  for (int32_t i = 0; i < node->n_outputs; i++) {
    er_tensor *t = &it->tensors[node->outputs[i]];
    edgert_status st = er_kernel_data_reserve(ctx, t->bytes); /* folded constants count as kernel data */
    if (st != EDGERT_OK) return st;
    t->data = er_pool_alloc(&it->pool, t->bytes);
    if (!t->data) return er_fail(ctx, EDGERT_ERR_NO_MEMORY, "out of memory folding a constant");
  }
  if (ctx->scratch_bytes > it->limits.max_arena_bytes)
    return er_fail(ctx, EDGERT_ERR_LIMIT,
                   "folding a constant needs %zu bytes of scratch, beyond the limit of %zu",
                   ctx->scratch_bytes, it->limits.max_arena_bytes);
  void *scratch = ctx->scratch_bytes ? malloc(ctx->scratch_bytes) : NULL;
  if (ctx->scratch_bytes && !scratch)
    return er_fail(ctx, EDGERT_ERR_NO_MEMORY, "out of memory folding a constant");
  ctx->scratch = scratch;
  edgert_status st = k->eval(ctx);
  free(scratch);
  ctx->scratch = NULL;
  ctx->scratch_bytes = 0;
  if (st != EDGERT_OK) return it->status == EDGERT_OK ? er_fail(ctx, st, "evaluating a constant failed") : st;
  for (int32_t i = 0; i < node->n_outputs; i++)
    it->tensors[node->outputs[i]].kind = ER_TENSOR_CONST;
  return EDGERT_OK;
}

static edgert_status prepare_nodes(er_interp *it) {
  const er_graph *g = it->graph;
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    const er_kernel *k = er_kernel_for(node->op);
    if (!k)
      return er_interp_fail(it, EDGERT_ERR_UNSUPPORTED, "%s node %d: no kernel for this op",
                            er_op_name(node->op), (int)n);
    it->kernels[n] = k;
    er_op_ctx *ctx = &it->ctxs[n];
    ctx->interp = it;
    ctx->node = node;
    ctx->tensors = it->tensors;
    edgert_status st = copy_file_inputs(it, node, n, k->reads_file_inputs);
    if (st != EDGERT_OK) return st;
    st = k->prepare(ctx);
    if (st != EDGERT_OK) { /* the first error recorded says what (a limit, not the NULL it caused) */
      if (it->status == EDGERT_OK) er_fail(ctx, st, "prepare failed");
      return it->status;
    }
    for (int32_t k2 = 0; k2 < node->n_outputs; k2++)
      if (!it->shaped[node->outputs[k2]])
        return er_fail(ctx, EDGERT_ERR_RUNTIME, "kernel left output %d without a shape", (int)k2);
    bool folded = foldable(it, node);
    if (folded) {
      if ((st = fold_node(it, ctx, k)) != EDGERT_OK) return st;
    } else {
      it->run_order[it->n_run++] = n;
    }
    release_read_inputs(it, ctx, folded);
    end_file_copies(it, node);
  }
  free_copy_area(it);
  return EDGERT_OK;
}

/* The index of tensor t in a list of n tensor ids (the graph's inputs or outputs), or -1. */
static int32_t index_in(const int32_t *list, int32_t n, int32_t t) {
  for (int32_t i = 0; i < n; i++)
    if (list[i] == t) return i;
  return -1;
}

/* Input k of node n may live inside the node's output: an activation that a node of this plan writes,
 * read by this node once, neither a graph input nor output, in no other output already, holding no
 * other inputs itself, and at an aligned place. */
static bool may_place_in_output(const er_interp *it, const er_node *node, int32_t k, const int32_t *host_of,
                                const bool *is_host, size_t offset) {
  const er_graph *g = it->graph;
  int32_t t = node->inputs[k];
  if (t < 0 || it->tensors[t].kind != ER_TENSOR_ACTIVATION || !it->tensors[t].bytes) return false;
  if (host_of[t] >= 0 || is_host[t] || offset % ER_ARENA_ALIGNMENT) return false;
  for (int32_t j = 0; j < node->n_inputs; j++)
    if (j != k && node->inputs[j] == t) return false;
  return index_in(g->inputs, g->n_inputs, t) < 0 && index_in(g->outputs, g->n_outputs, t) < 0;
}

/* The in-place concatenations: host_of[t] is the output tensor that input t lives in (-1: none), at
 * byte offset place[t]; is_host marks those outputs. */
static void place_inputs_in_outputs(const er_interp *it, int32_t *host_of, bool *is_host, size_t *place) {
  const er_graph *g = it->graph;
  for (int32_t t = 0; t < g->n_tensors; t++)
    host_of[t] = -1, is_host[t] = false, place[t] = 0;
  for (int32_t r = 0; r < it->n_run; r++) {
    const er_op_ctx *ctx = &it->ctxs[it->run_order[r]];
    const er_node *node = ctx->node;
    if (!ctx->inputs_in_output || node->n_outputs < 1 || node->outputs[0] < 0) continue;
    int32_t out = node->outputs[0];
    if (host_of[out] >= 0 || index_in(g->inputs, g->n_inputs, out) >= 0) continue;
    size_t offset = 0;
    for (int32_t k = 0; k < node->n_inputs; k++) {
      if (may_place_in_output(it, node, k, host_of, is_host, offset)) {
        host_of[node->inputs[k]] = out, place[node->inputs[k]] = offset;
        is_host[out] = true;
      }
      if (node->inputs[k] >= 0) offset += it->tensors[node->inputs[k]].bytes;
    }
  }
}

/* last_read[t]: the last node that reads tensor t, -1 for none; a graph output counts as read after every
 * node (the caller reads it). */
static void find_last_reads(const er_graph *g, int32_t *last_read) {
  for (int32_t t = 0; t < g->n_tensors; t++)
    last_read[t] = -1;
  for (int32_t n = 0; n < g->n_nodes; n++)
    for (int32_t k = 0; k < g->nodes[n].n_inputs; k++)
      if (g->nodes[n].inputs[k] >= 0) last_read[g->nodes[n].inputs[k]] = n;
  for (int32_t i = 0; i < g->n_outputs; i++)
    last_read[g->outputs[i]] = g->n_nodes;
}

/* The arena plan's working state: buffers and, per tensor, its buffer and concatenation host. */
typedef struct {
  er_plan_buffer *bufs;
  int32_t *buffer_of, *host_of, *last_read;
  int32_t *buffer_end; /* per buffer: the last node that reads any tensor in it */
  bool *is_host;
  size_t *place;
} arena_plan;

static void free_arena_plan(arena_plan *p) {
  free(p->bufs);
  free(p->buffer_of);
  free(p->host_of);
  free(p->last_read);
  free(p->buffer_end);
  free(p->is_host);
  free(p->place);
}

/* The buffer of an input of node n that its output 0 may take (er_output_may_overwrite): an activation's
 * own buffer (not a graph input's, not shared with a concatenation) that nothing reads after node n and
 * that is large enough; -1 for none. */
static int32_t buffer_to_overwrite(const er_interp *it, const arena_plan *p, int32_t n) {
  const er_graph *g = it->graph;
  const er_node *node = &g->nodes[n];
  uint32_t bits = it->ctxs[n].overwritable_inputs;
  int32_t out = node->n_outputs > 0 ? node->outputs[0] : -1;
  if (!bits || out < 0 || p->host_of[out] >= 0 || p->is_host[out]) return -1;
  for (int32_t k = 0; k < node->n_inputs && k < 32; k++) {
    int32_t t = node->inputs[k];
    if (!(bits & ((uint32_t)1 << k)) || t < 0 || it->tensors[t].kind != ER_TENSOR_ACTIVATION) continue;
    int32_t b = p->buffer_of[t];
    if (b < 0 || p->host_of[t] >= 0 || p->is_host[t] || index_in(g->inputs, g->n_inputs, t) >= 0) continue;
    if (p->buffer_end[b] <= n && p->bufs[b].size >= it->tensors[out].bytes) return b;
  }
  return -1;
}

/* Buffers: one per activation/variable tensor that is used (graph inputs and outputs for the whole
 * invoke; an input placed in a concatenation's output
 * shares that output's, which lives from the first such input's node on; an output that may overwrite an
 * input that dies at its node takes that input's), then one per node with scratch. Fills offsets[t] for
 * each planned tensor (SIZE_MAX for the rest) and it->scratch_offsets. */
static edgert_status plan_arena(er_interp *it, size_t *offsets) {
  const er_graph *g = it->graph;
  int32_t last_node = g->n_nodes > 0 ? g->n_nodes - 1 : 0;
  size_t nt = (size_t)g->n_tensors + 1, n_bufs = (size_t)g->n_tensors + (size_t)g->n_nodes + 1;
  arena_plan p = {calloc(n_bufs, sizeof(er_plan_buffer)),
                  malloc(sizeof(int32_t) * nt),
                  malloc(sizeof(int32_t) * nt),
                  malloc(sizeof(int32_t) * nt),
                  malloc(sizeof(int32_t) * n_bufs),
                  malloc(nt),
                  malloc(sizeof(size_t) * nt)};
  if (!p.bufs || !p.buffer_of || !p.host_of || !p.last_read || !p.buffer_end || !p.is_host || !p.place) {
    free_arena_plan(&p);
    return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory planning arena");
  }
  er_plan_buffer *bufs = p.bufs;
  int32_t *buffer_of = p.buffer_of, *host_of = p.host_of;
  place_inputs_in_outputs(it, host_of, p.is_host, p.place);
  find_last_reads(g, p.last_read);
  int32_t nb = 0;
  for (int32_t t = 0; t < g->n_tensors; t++) {
    buffer_of[t] = -1;
    if (it->tensors[t].kind == ER_TENSOR_VARIABLE) {
      p.buffer_end[nb] = last_node;
      buffer_of[t] = nb;
      bufs[nb++] = (er_plan_buffer){it->tensors[t].bytes, 0, last_node, 0};
    }
  }
  /* A graph input lives through the whole invoke, as an output does: its values are the caller's, set once
   * for any number of invokes. (Reused after its last reader, its buffer held a later layer's activations
   * at the next invoke, which then computed on those; and at 2 threads the stem of mobilenet_v2 read lines
   * that both cores had written, 3x slower per chunk.) */
  for (int32_t i = 0; i < g->n_inputs; i++) {
    int32_t t = g->inputs[i];
    if (buffer_of[t] >= 0) continue;
    p.buffer_end[nb] = last_node;
    buffer_of[t] = nb;
    bufs[nb++] = (er_plan_buffer){it->tensors[t].bytes, 0, last_node, 0};
  }
  for (int32_t n = 0; n < g->n_nodes; n++) {
    const er_node *node = &g->nodes[n];
    for (int32_t k = 0; k < node->n_inputs; k++) {
      int32_t t = node->inputs[k];
      if (t >= 0 && buffer_of[t] >= 0 && bufs[buffer_of[t]].last < n) bufs[buffer_of[t]].last = n;
    }
    for (int32_t k = 0; k < node->n_outputs; k++) {
      int32_t t = node->outputs[k];
      if (it->tensors[t].kind == ER_TENSOR_CONST) continue; /* folded at prepare */
      int32_t owner = host_of[t] >= 0 ? host_of[t] : t;
      int32_t taken = k == 0 && buffer_of[owner] < 0 ? buffer_to_overwrite(it, &p, n) : -1;
      if (taken >= 0) {
        buffer_of[owner] = taken;
      } else if (buffer_of[owner] < 0) {
        p.buffer_end[nb] = -1;
        buffer_of[owner] = nb;
        bufs[nb++] = (er_plan_buffer){it->tensors[owner].bytes, n, n, 0};
      }
      buffer_of[t] = buffer_of[owner];
      if (p.last_read[t] > p.buffer_end[buffer_of[t]]) p.buffer_end[buffer_of[t]] = p.last_read[t];
    }
  }
  for (int32_t i = 0; i < g->n_outputs; i++) /* a constant output has no buffer: it reads the model */
    if (buffer_of[g->outputs[i]] >= 0) bufs[buffer_of[g->outputs[i]]].last = last_node;
  int32_t first_scratch = nb;
  for (int32_t n = 0; n < g->n_nodes; n++)
    if (it->ctxs[n].scratch_bytes) bufs[nb++] = (er_plan_buffer){it->ctxs[n].scratch_bytes, n, n, 0};

  size_t total = 0;
  edgert_status st = er_plan_greedy(bufs, nb, ER_ARENA_ALIGNMENT, &total);
  if (st == EDGERT_OK) {
    for (int32_t t = 0; t < g->n_tensors; t++)
      offsets[t] = buffer_of[t] >= 0 ? bufs[buffer_of[t]].offset + p.place[t] : SIZE_MAX;
    int32_t b = first_scratch;
    for (int32_t n = 0; n < g->n_nodes; n++)
      it->scratch_offsets[n] = it->ctxs[n].scratch_bytes ? bufs[b++].offset : 0;
    it->arena_bytes = total;
  }
  free_arena_plan(&p);
  if (st != EDGERT_OK) return er_interp_fail(it, st, "arena planning failed: sizes too large");
  return EDGERT_OK;
}

/* Bytes from p to the next ER_ARENA_ALIGNMENT boundary. */
static size_t arena_skew(const void *p) {
  return (ER_ARENA_ALIGNMENT - (uintptr_t)p % ER_ARENA_ALIGNMENT) % ER_ARENA_ALIGNMENT;
}

static edgert_status bind_arena(er_interp *it, const edgert_options *opts, const size_t *offsets) {
  size_t need = it->arena_bytes;
  if (need > it->limits.max_arena_bytes)
    return er_interp_fail(it, EDGERT_ERR_LIMIT,
                          "model needs an arena of %zu bytes, beyond the limit of %zu (edgert_limits)", need,
                          it->limits.max_arena_bytes);
  if (opts && opts->arena) {
    size_t skew = arena_skew(opts->arena);
    if (opts->arena_bytes < skew || opts->arena_bytes - skew < need)
      return er_interp_fail(it, EDGERT_ERR_NO_MEMORY,
                            "arena of %zu bytes is too small: this model needs %zu (+%d for alignment)",
                            opts->arena_bytes, need, ER_ARENA_ALIGNMENT - 1);
    it->arena = (unsigned char *)opts->arena + skew;
  } else {
    /* alone in its own pool, so that a large arena is mapped with huge pages (small ones when preparing
     * found huge ones slow) */
    if (er_pool_small_pages(it->pool)) er_pool_use_small_pages(&it->arena_pool);
    unsigned char *owned = er_pool_alloc_lazy(&it->arena_pool, need + ER_ARENA_ALIGNMENT);
    if (!owned)
      return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "cannot allocate an arena of %zu bytes", need);
    it->arena = owned + arena_skew(owned);
  }
  for (int32_t t = 0; t < it->graph->n_tensors; t++)
    if (offsets[t] != SIZE_MAX) it->tensors[t].data = it->arena + offsets[t];
  for (int32_t n = 0; n < it->graph->n_nodes; n++)
    it->ctxs[n].scratch = it->ctxs[n].scratch_bytes ? it->arena + it->scratch_offsets[n] : NULL;
  return EDGERT_OK;
}

void edgert_interpreter_reset_state(edgert_interpreter *it) {
  if (!it || !it->arena) return;
  for (int32_t t = 0; t < it->graph->n_tensors; t++) {
    er_tensor *v = &it->tensors[t];
    if (v->kind != ER_TENSOR_VARIABLE || !v->data) continue;
    /* TFLite and TFLM start int8 state at its zero point (real 0), other dtypes at 0 */
    int fill = v->dtype == EDGERT_INT8 ? (int)(int8_t)v->q.zero_point : 0;
    memset(v->data, fill, v->bytes);
  }
}

/* Releases everything prepare and planning made, keeping the input shapes and options. */
static void release_plan(er_interp *it) {
  while (it->children) { /* subgraph interpreters (core/subgraph.c) made by this plan's kernels */
    er_interp *child = it->children;
    it->children = child->next_child;
    edgert_interpreter_free(child);
  }
  er_pool_free(&it->arena_pool);
  it->arena = NULL;
  it->arena_bytes = 0;
  it->kernel_bytes = 0;
  er_pool_free(&it->pool);
  it->tensors = NULL;
  it->ctxs = NULL;
  it->kernels = NULL;
  it->shaped = NULL;
  it->scratch_offsets = NULL;
  it->pending_reads = NULL;
  it->copy_area = NULL;
  it->copy_area_bytes = 0;
  it->run_order = NULL;
  it->steps = NULL;
  it->n_run = 0;
}

/* Resolves the run order to eval pointers and contexts, so invoke does no lookups. */
static edgert_status resolve_steps(er_interp *it) {
  it->steps = er_pool_alloc(&it->pool, sizeof(er_run_step) * ((size_t)it->n_run + 1));
  if (!it->steps) return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory creating interpreter");
  for (int32_t r = 0; r < it->n_run; r++) {
    int32_t n = it->run_order[r];
    it->steps[r] = (er_run_step){it->kernels[n]->eval, &it->ctxs[n]};
  }
  return EDGERT_OK;
}

static edgert_status create(er_interp *it, const edgert_options *opts) {
  it->needed_value = -1;
  /* when loading the model found huge pages slow, so would packing its weights: no second timing */
  if (er_pool_small_pages(it->graph->pool)) er_pool_use_small_pages(&it->pool);
  edgert_status st = copy_tensors(it);
  if (st == EDGERT_OK) st = prepare_nodes(it);
  if (st == EDGERT_OK) st = resolve_steps(it);
  if (st != EDGERT_OK) return st;
  size_t *offsets = malloc(sizeof(size_t) * ((size_t)it->graph->n_tensors + 1));
  if (!offsets) return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory planning arena");
  st = plan_arena(it, offsets);
  if (st == EDGERT_OK) st = bind_arena(it, opts, offsets);
  free(offsets);
  if (st == EDGERT_OK) edgert_interpreter_reset_state(it);
  return st;
}

/* The node that produces tensor t, or -1. */
static int32_t producer_of(const er_graph *g, int32_t t) {
  for (int32_t n = 0; n < g->n_nodes; n++)
    for (int32_t k = 0; k < g->nodes[n].n_outputs; k++)
      if (g->nodes[n].outputs[k] == t) return n;
  return -1;
}

/* Marks the graph inputs tensor `root` is computed from (through any nodes); false when it also depends
 * on something whose value is unknown at prepare (recurrent state). Walks with an explicit stack, so a
 * hostile, very deep graph cannot exhaust the C stack. seen and stack hold n_tensors entries. */
static bool mark_value_inputs(er_interp *it, int32_t root, unsigned char *seen, int32_t *stack) {
  const er_graph *g = it->graph;
  int32_t depth = 0;
  stack[depth++] = root;
  seen[root] = 1;
  while (depth > 0) {
    int32_t t = stack[--depth];
    if (g->tensors[t].kind == ER_TENSOR_CONST) continue;
    if (g->tensors[t].kind == ER_TENSOR_VARIABLE) return false;
    int32_t input = index_in(it->graph->inputs, it->graph->n_inputs, t);
    if (input >= 0) {
      it->value_input[input] = 1;
      continue;
    }
    int32_t n = producer_of(g, t);
    if (n < 0) return false;
    for (int32_t i = 0; i < g->nodes[n].n_inputs; i++) {
      int32_t u = g->nodes[n].inputs[i];
      if (u < 0 || seen[u]) continue;
      seen[u] = 1;
      stack[depth++] = u; /* each tensor enters once, so depth < n_tensors */
    }
  }
  return true;
}

static bool alloc_value_buffers(er_interp *it) {
  size_t n = (size_t)it->graph->n_inputs + 1;
  if (!it->value_input) it->value_input = calloc(n, 1);
  if (!it->staged) it->staged = calloc(n, sizeof(void *));
  if (!it->prepared_values) it->prepared_values = calloc(n, sizeof(void *));
  if (!it->value_input || !it->staged || !it->prepared_values) return false;
  for (int32_t i = 0; i < it->graph->n_inputs; i++)
    if (!it->staged[i] && !(it->staged[i] = calloc(1, it->input_shapes[i].bytes + 1))) return false;
  return true;
}

/* After a prepare that failed for want of a value: when that value comes from graph inputs, switches to
 * value mode (or adds the inputs) and returns true. */
static bool learn_value_inputs(er_interp *it) {
  if (it->needed_value < 0) return false;
  if (!alloc_value_buffers(it)) return false;
  unsigned char *before = malloc((size_t)it->graph->n_inputs + 1);
  unsigned char *seen = calloc((size_t)it->graph->n_tensors + 1, 1);
  int32_t *stack = malloc(sizeof(int32_t) * ((size_t)it->graph->n_tensors + 1));
  bool ok = before && seen && stack;
  if (ok) memcpy(before, it->value_input, (size_t)it->graph->n_inputs);
  ok = ok && mark_value_inputs(it, it->needed_value, seen, stack);
  bool added = false;
  for (int32_t i = 0; ok && i < it->graph->n_inputs; i++)
    added |= it->value_input[i] && !before[i];
  if (!added && before) memcpy(it->value_input, before, (size_t)it->graph->n_inputs);
  free(before);
  free(seen);
  free(stack);
  if (ok && added) it->value_mode = true;
  return ok && added;
}

static void free_value_buffers(er_interp *it) {
  for (int32_t i = 0; it->staged && i < it->graph->n_inputs; i++) {
    free(it->staged[i]);
    if (it->prepared_values) free(it->prepared_values[i]);
  }
  free(it->staged);
  free(it->prepared_values);
  free(it->value_input);
  it->staged = it->prepared_values = NULL;
  it->value_input = NULL;
}

/* Value mode, at invoke: prepares and plans again when the staged values of the deciding inputs differ
 * from those the plan assumed (or there is no plan), learning further deciding inputs as kernels ask. */
static edgert_status prepare_for_values(er_interp *it) {
  const er_graph *g = it->graph;
  bool same = it->arena != NULL;
  for (int32_t i = 0; same && i < g->n_inputs; i++)
    same =
        !it->value_input[i] || memcmp(it->staged[i], it->prepared_values[i], it->input_shapes[i].bytes) == 0;
  if (same) return EDGERT_OK;
  for (int32_t round = 0; round <= g->n_inputs; round++) {
    release_plan(it);
    it->status = EDGERT_OK;
    it->error[0] = '\0';
    for (int32_t i = 0; i < g->n_inputs; i++) {
      if (!it->value_input[i]) continue;
      free(it->prepared_values[i]);
      it->prepared_values[i] = malloc(it->input_shapes[i].bytes + 1);
      if (!it->prepared_values[i])
        return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory for input values");
      memcpy(it->prepared_values[i], it->staged[i], it->input_shapes[i].bytes);
    }
    edgert_status st = create(it, it->opts.arena ? &it->opts : NULL);
    if (st == EDGERT_OK) return EDGERT_OK;
    if (!learn_value_inputs(it)) {
      release_plan(it);
      return st;
    }
  }
  return er_interp_fail(it, EDGERT_ERR_RUNTIME, "input values that decide shapes did not settle");
}

/* The pool lives as long as the interpreter: started here, joined by edgert_interpreter_free, never
 * touched by prepare or invoke. 0 and 1 both mean the calling thread alone. */
static edgert_status start_threads(er_interp *it) {
  int threads = it->opts.num_threads;
  it->n_threads = 1;
  if (threads < 0)
    return er_interp_fail(it, EDGERT_ERR_ARGUMENT,
                          "num_threads is %d; use 0 or 1 for one thread, more for a pool", threads);
  if (threads > ER_MAX_THREADS)
    return er_interp_fail(it, EDGERT_ERR_LIMIT, "%d threads requested; at most %d are supported", threads,
                          ER_MAX_THREADS);
  if (threads <= 1) return EDGERT_OK;
  edgert_status st = er_thread_pool_create(threads, &it->thread_pool);
  if (st == EDGERT_ERR_UNSUPPORTED)
    return er_interp_fail(it, st,
                          "%d threads requested; this build runs on one thread (built without "
                          "EDGERT_THREADS)",
                          threads);
  if (st != EDGERT_OK)
    return er_interp_fail(it, st, "%d threads requested; starting %d worker threads failed", threads,
                          threads - 1);
  it->n_threads = threads;
  return EDGERT_OK;
}

edgert_status edgert_interpreter_create(const edgert_model *model, const edgert_options *opts,
                                        edgert_interpreter **out) {
  if (!out) return EDGERT_ERR_ARGUMENT;
  er_interp *it = *out = calloc(1, sizeof(er_interp));
  if (!it) return EDGERT_ERR_NO_MEMORY;
  if (!model || model->status != EDGERT_OK)
    return er_interp_fail(it, EDGERT_ERR_ARGUMENT, "interpreter needs a successfully loaded model");
  it->model = model;
  it->graph = &model->graph;
  if (opts) it->opts = *opts;
  it->limits = opts && opts->limits ? er_limits_resolve(opts->limits) : model->limits;
  it->opts.limits = NULL; /* resolved above; the caller's struct need not outlive this call */
  it->root = it;
  it->loop_iterations_left = it->limits.max_loop_iterations;
  edgert_status st = start_threads(it);
  if (st != EDGERT_OK) return st;
  it->input_shapes = calloc((size_t)it->graph->n_inputs + 1, sizeof(er_tensor));
  if (!it->input_shapes)
    return er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory creating interpreter");
  for (int32_t i = 0; i < it->graph->n_inputs; i++)
    it->input_shapes[i] = it->graph->tensors[it->graph->inputs[i]];
  st = create(it, opts);
  if (st != EDGERT_OK && learn_value_inputs(it)) { /* plans at the first invoke, from the input values */
    release_plan(it);
    it->status = EDGERT_OK;
    it->error[0] = '\0';
    return EDGERT_OK;
  }
  if (st != EDGERT_OK && it->status == EDGERT_OK) er_interp_fail(it, st, "interpreter creation failed");
  return st;
}

void edgert_interpreter_free(edgert_interpreter *it) {
  if (!it) return;
  release_plan(it);
  free_value_buffers(it);
  free(it->input_shapes);
  er_thread_pool_free(it->thread_pool);
  free(it);
}

edgert_status edgert_interpreter_resize_input(edgert_interpreter *it, int index, int ndim,
                                              const int64_t *dims) {
  if (!it || !it->input_shapes) return EDGERT_ERR_ARGUMENT;
  if (index < 0 || index >= it->graph->n_inputs)
    return er_interp_fail(it, EDGERT_ERR_ARGUMENT, "input %d does not exist (model has %d)", index,
                          (int)it->graph->n_inputs);
  if (ndim < 0 || ndim > ER_MAX_DIMS || (ndim > 0 && !dims))
    return er_interp_fail(it, EDGERT_ERR_ARGUMENT, "input %d: rank %d is not supported", index, ndim);
  er_tensor *shape = &it->input_shapes[index];
  size_t bytes;
  if (!er_bytes_for(shape->dtype, er_shape_elements(ndim, dims), &bytes))
    return er_interp_fail(it, EDGERT_ERR_LIMIT, "input %d: shape is negative or too large", index);
  bool same =
      shape->ndim == ndim && (ndim == 0 || memcmp(shape->dims, dims, sizeof(int64_t) * (size_t)ndim) == 0);
  if (same && it->arena) return EDGERT_OK;
  shape->ndim = ndim;
  memset(shape->dims, 0, sizeof shape->dims);
  if (ndim) memcpy(shape->dims, dims, sizeof(int64_t) * (size_t)ndim);
  shape->bytes = bytes;
  release_plan(it);
  it->status = EDGERT_OK;
  it->error[0] = '\0';
  if (it->value_mode) { /* plans again at the next invoke, with the new values */
    free(it->staged[index]);
    it->staged[index] = calloc(1, bytes + 1);
    free(it->prepared_values[index]);
    it->prepared_values[index] = NULL;
    return it->staged[index] ? EDGERT_OK
                             : er_interp_fail(it, EDGERT_ERR_NO_MEMORY, "out of memory for input %d", index);
  }
  edgert_status st = create(it, it->opts.arena ? &it->opts : NULL);
  if (st != EDGERT_OK) release_plan(it); /* unusable until a resize that works */
  return st;
}

const char *edgert_interpreter_error(const edgert_interpreter *it) {
  if (!it) return "out of memory";
  return it->error;
}

size_t edgert_interpreter_arena_bytes(const edgert_interpreter *it) { return it ? it->arena_bytes : 0; }

size_t edgert_interpreter_kernel_bytes(const edgert_interpreter *it) {
  if (!it) return 0;
  size_t total = it->kernel_bytes;
  for (const er_interp *child = it->children; child; child = child->next_child)
    total += edgert_interpreter_kernel_bytes(child);
  return total;
}

static bool ready(const er_interp *it) { return it && (it->arena || it->value_mode); }

/* In value mode inputs are described by their staged shapes (the plan may not exist yet). */
static er_tensor *io_tensor(const er_interp *it, bool input, int index) {
  if (!it) return NULL;
  int count = input ? it->graph->n_inputs : it->graph->n_outputs;
  if (index < 0 || index >= count) return NULL;
  if (input && it->value_mode) return &it->input_shapes[index];
  if (!it->arena) return NULL;
  return &it->tensors[input ? it->graph->inputs[index] : it->graph->outputs[index]];
}

edgert_status edgert_interpreter_input_info(const edgert_interpreter *it, int index,
                                            edgert_tensor_info *info) {
  const er_tensor *t = io_tensor(it, true, index);
  if (!t || !info) return EDGERT_ERR_ARGUMENT;
  er_tensor_info_fill(t, info);
  return EDGERT_OK;
}

edgert_status edgert_interpreter_output_info(const edgert_interpreter *it, int index,
                                             edgert_tensor_info *info) {
  const er_tensor *t = io_tensor(it, false, index);
  if (!t || !info) return EDGERT_ERR_ARGUMENT;
  er_tensor_info_fill(t, info);
  return EDGERT_OK;
}

edgert_status edgert_interpreter_set_input(edgert_interpreter *it, int index, const void *data,
                                           size_t bytes) {
  if (!ready(it)) return EDGERT_ERR_ARGUMENT;
  er_tensor *t = io_tensor(it, true, index);
  if (!t)
    return er_interp_fail(it, EDGERT_ERR_ARGUMENT, "input %d does not exist (model has %d)", index,
                          (int)it->graph->n_inputs);
  if (!data || bytes != t->bytes) {
    edgert_status st = er_interp_fail(it, EDGERT_ERR_SHAPE, "input %d '%s': got %zu bytes, expected %zu",
                                      index, t->name ? t->name : "", bytes, t->bytes);
    it->status = EDGERT_OK; /* a refused input leaves the interpreter usable */
    return st;
  }
  memcpy(edgert_interpreter_input_data(it, index), data, bytes);
  return EDGERT_OK;
}

void *edgert_interpreter_input_data(edgert_interpreter *it, int index) {
  er_tensor *t = io_tensor(it, true, index);
  if (!t) return NULL;
  return it->value_mode ? it->staged[index] : t->data;
}

const void *edgert_interpreter_output_data(const edgert_interpreter *it, int index) {
  const er_tensor *t = io_tensor(it, false, index);
  return t ? t->data : NULL;
}

/* Value mode: plan for the staged values if needed, then bring the other inputs into the arena. */
static edgert_status stage_inputs(er_interp *it) {
  edgert_status st = prepare_for_values(it);
  if (st != EDGERT_OK) return st;
  for (int32_t i = 0; i < it->graph->n_inputs; i++) {
    er_tensor *t = &it->tensors[it->graph->inputs[i]];
    if (!it->value_input[i] && t->data) memcpy(t->data, it->staged[i], t->bytes);
  }
  return EDGERT_OK;
}

/* A kernel's eval failed: make sure the message names the node, and leave the interpreter usable. */
static edgert_status eval_failed(er_interp *it, er_op_ctx *ctx, edgert_status st) {
  if (it->status == EDGERT_OK) er_fail(ctx, st, "eval failed");
  it->status = EDGERT_OK; /* the message stays readable; the next invoke may succeed */
  return st;
}

/* The profiling loop, apart so that the plain loop below tests nothing per node. */
static edgert_status invoke_with_hook(er_interp *it) {
  edgert_node_hook hook = it->opts.node_hook;
  for (int32_t r = 0; r < it->n_run; r++) {
    int32_t n = it->run_order[r];
    hook(it->opts.hook_user, n, 0);
    edgert_status st = it->steps[r].eval(it->steps[r].ctx);
    hook(it->opts.hook_user, n, 1);
    if (st != EDGERT_OK) return eval_failed(it, it->steps[r].ctx, st);
  }
  return EDGERT_OK;
}

edgert_status edgert_interpreter_invoke(edgert_interpreter *it) {
  if (!ready(it)) return EDGERT_ERR_ARGUMENT;
  if (it->value_mode) {
    edgert_status st = stage_inputs(it);
    if (st != EDGERT_OK) return st;
  }
  if (it->root == it) it->loop_iterations_left = it->limits.max_loop_iterations;
  if (it->opts.node_hook) return invoke_with_hook(it);
  for (const er_run_step *step = it->steps, *end = step + it->n_run; step < end; step++) {
    edgert_status st = step->eval(step->ctx);
    if (st != EDGERT_OK) return eval_failed(it, step->ctx, st);
  }
  return EDGERT_OK;
}
