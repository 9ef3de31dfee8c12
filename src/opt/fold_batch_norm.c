/* BatchNorm folding: an inference BATCH_NORM y = (x - mean) * scale / sqrt(var + epsilon) + b right after
 * a CONV_ND or GEMM is a per-output-channel affine map, so it moves into that op's weights (each output
 * channel's weights times its factor) and bias (the old bias mapped the same way). The new constants are
 * computed in double and owned by the graph; the model's own weights are left alone (others may share
 * them). A conv's weights the importer already copied into the graph (unaligned in the file) and that
 * nothing else reads are folded in place instead: no second copy to allocate, fault in and free. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt/graph_edit.h"
#include "opt/opt.h"

/* The per-channel map of one BATCH_NORM: y = x * factor[c] + shift[c]. */
typedef struct {
  int64_t channels;
  double *factor, *shift; /* malloc'ed together */
} bn_affine;

static bool is_f32(const er_graph *g, int32_t t) { return t >= 0 && g->tensors[t].dtype == EDGERT_FLOAT32; }

/* Reads the constant parameters of BATCH_NORM node bn for `channels` channels; false when they are not
 * constant float32 vectors of that length, the node trains, or a factor is not finite. */
static bool bn_affine_read(er_graph *g, const er_node *bn, int64_t channels, bn_affine *out) {
  const er_norm_attrs *a = bn->attrs;
  if (!a || a->training || bn->n_inputs != 5 || bn->n_outputs < 1 || !is_f32(g, bn->outputs[0])) return false;
  for (int32_t k = 1; k < bn->n_outputs; k++)
    if (bn->outputs[k] >= 0) return false;
  const float *scale = er_graph_load_const_f32(g, bn->inputs[1], channels);
  const float *bias = er_graph_load_const_f32(g, bn->inputs[2], channels);
  const float *mean = er_graph_load_const_f32(g, bn->inputs[3], channels);
  const float *var = er_graph_load_const_f32(g, bn->inputs[4], channels);
  if (!scale || !bias || !mean || !var || channels <= 0) return false;
  out->channels = channels;
  out->factor = malloc(2 * (size_t)channels * sizeof(double));
  if (!out->factor) return false;
  out->shift = out->factor + channels;
  for (int64_t c = 0; c < channels; c++) {
    double f = (double)scale[c] / sqrt((double)var[c] + (double)a->epsilon);
    out->factor[c] = f;
    out->shift[c] = (double)bias[c] - (double)mean[c] * f;
    if (!isfinite(f) || !isfinite(out->shift[c])) {
      free(out->factor);
      return false;
    }
  }
  return true;
}

static void name_of(const er_graph *g, int32_t t, const char *suffix, char *buf, size_t len) {
  const char *base = g->tensors[t].name ? g->tensors[t].name : "";
  snprintf(buf, len, "%.200s%s", base, suffix);
}

/* Whether another tensor of g or of its subgraphs (which share outer constants' data) points at data. */
static bool data_shared(const er_graph *g, int32_t except, const void *data) {
  for (int32_t t = 0; t < g->n_tensors; t++)
    if (t != except && g->tensors[t].data == data) return true;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    if (data_shared(&g->subgraphs[s], -1, data)) return true;
  return false;
}

/* The weights of tensor t as writable memory when folding may overwrite them: the graph owns them and
 * one input slot of one node is their only reader. NULL otherwise. */
static float *foldable_in_place(const er_graph *g, const er_graph_uses *u, int32_t t) {
  void *data = g->tensors[t].data;
  if (!g->pool || u->use_count[t] != 1 || u->pinned[t] || !er_pool_owns(g->pool, data) ||
      data_shared(g, t, data))
    return NULL;
  return data;
}

/* The fold_into_* functions answer FOLDED, or NOT_FOLDED with the graph untouched, or OUT_OF_MEMORY
 * when an edit was cut short (the load then fails). */
typedef enum { NOT_FOLDED = 0, FOLDED, OUT_OF_MEMORY } fold_result;

/* CONV_ND: W [M, C/group, k...] with M = channels; optional bias B [M]. */
static fold_result fold_into_conv(er_graph *g, const er_graph_uses *u, er_new_tensors *nt, er_node *conv,
                                  const er_node *bn) {
  const er_conv_nd_attrs *a = conv->attrs;
  if (!a || a->activation != ER_ACT_NONE || conv->n_inputs < 2 || !is_f32(g, conv->inputs[0]))
    return NOT_FOLDED;
  int32_t wid = conv->inputs[1], bid = conv->n_inputs > 2 ? conv->inputs[2] : -1;
  if (wid < 0) return NOT_FOLDED; /* a malformed model's absent weight: the kernel's prepare says so */
  const er_tensor *w = &g->tensors[wid];
  if (w->ndim < 3 || w->dims[0] <= 0) return NOT_FOLDED;
  int64_t channels = w->dims[0], count = er_tensor_elements(w);
  const float *wv = er_graph_load_const_f32(g, wid, count), *bv = NULL;
  if (!wv || (bid >= 0 && !(bv = er_graph_load_const_f32(g, bid, channels)))) return NOT_FOLDED;
  bn_affine map;
  if (!bn_affine_read(g, bn, channels, &map)) return NOT_FOLDED;
  char name[256];
  float *new_w, *new_b;
  int64_t w_dims[ER_MAX_DIMS];
  memcpy(w_dims, w->dims, sizeof w_dims);
  int32_t w_ndim = w->ndim;
  name_of(g, wid, ".bn_folded", name, sizeof name);
  int32_t new_wid = wid;
  if (!(new_w = foldable_in_place(g, u, wid)))
    new_wid = er_new_const_f32(g, nt, name, w_ndim, w_dims, &new_w);
  name_of(g, bn->outputs[0], ".bias", name, sizeof name);
  int32_t new_bid = new_wid < 0 ? -1 : er_new_const_f32(g, nt, name, 1, &channels, &new_b);
  bool ok =
      new_bid >= 0 && er_graph_set_input(g, conv, 1, new_wid) && er_graph_set_input(g, conv, 2, new_bid);
  if (ok) {
    int64_t per_channel = count / channels;
    for (int64_t m = 0; m < channels; m++) {
      for (int64_t i = 0; i < per_channel; i++)
        new_w[m * per_channel + i] = (float)((double)wv[m * per_channel + i] * map.factor[m]);
      new_b[m] = (float)((bv ? (double)bv[m] : 0.0) * map.factor[m] + map.shift[m]);
    }
  }
  free(map.factor);
  return ok ? FOLDED : OUT_OF_MEMORY;
}

/* GEMM: Y [rows, N] = alpha * A' B' + beta * C with B constant; folds when C is absent or one value per
 * column ([], [1], [N], [1, N]). The new C holds beta * C mapped, so beta becomes 1. */
static fold_result fold_into_gemm(er_graph *g, er_new_tensors *nt, er_node *gemm, const er_node *bn) {
  const er_gemm_attrs *a = gemm->attrs;
  if (!a || a->activation != ER_ACT_NONE || gemm->n_inputs < 2 || !is_f32(g, gemm->inputs[0]))
    return NOT_FOLDED;
  int32_t bid = gemm->inputs[1], cid = gemm->n_inputs > 2 ? gemm->inputs[2] : -1;
  if (bid < 0) return NOT_FOLDED;
  const er_tensor *b = &g->tensors[bid];
  if (b->ndim != 2) return NOT_FOLDED;
  int64_t n = a->trans_b ? b->dims[0] : b->dims[1], k = a->trans_b ? b->dims[1] : b->dims[0];
  const float *bv = er_graph_load_const_f32(g, bid, n * k), *cv = NULL;
  if (!bv || n <= 0) return NOT_FOLDED;
  int64_t c_count = 0;
  if (cid >= 0) {
    const er_tensor *c = &g->tensors[cid];
    c_count = er_tensor_elements(c);
    if ((c_count != 1 && c_count != n) || c->ndim > 2 || (c->ndim == 2 && c->dims[0] != 1) ||
        !(cv = er_graph_load_const_f32(g, cid, c_count)))
      return NOT_FOLDED;
  }
  bn_affine map;
  if (!bn_affine_read(g, bn, n, &map)) return NOT_FOLDED;
  char name[256];
  float *new_b, *new_c;
  int64_t b_dims[2] = {b->dims[0], b->dims[1]};
  name_of(g, bid, ".bn_folded", name, sizeof name);
  int32_t new_bid = er_new_const_f32(g, nt, name, 2, b_dims, &new_b);
  name_of(g, bn->outputs[0], ".bias", name, sizeof name);
  int32_t new_cid = new_bid < 0 ? -1 : er_new_const_f32(g, nt, name, 1, &n, &new_c);
  er_gemm_attrs *attrs = NULL;
  bool ok = new_cid >= 0 && er_graph_set_input(g, gemm, 1, new_bid) &&
            er_graph_set_input(g, gemm, 2, new_cid) &&
            (attrs = er_graph_own_attrs(g, gemm, sizeof *attrs)) != NULL;
  if (ok) {
    double beta = attrs->beta;
    attrs->beta = 1.0f;
    for (int64_t col = 0; col < n; col++) {
      for (int64_t row = 0; row < k; row++) {
        int64_t at = attrs->trans_b ? col * k + row : row * n + col;
        new_b[at] = (float)((double)bv[at] * map.factor[col]);
      }
      double c = cv ? beta * (double)cv[c_count == 1 ? 0 : col] : 0.0;
      new_c[col] = (float)(c * map.factor[col] + map.shift[col]);
    }
  }
  free(map.factor);
  return ok ? FOLDED : OUT_OF_MEMORY;
}

edgert_status er_opt_fold_batch_norm(er_graph *g, int32_t *changed) {
  *changed = 0;
  er_graph_uses u;
  if (!er_graph_uses_build(g, &u)) return EDGERT_ERR_NO_MEMORY;
  er_new_tensors nt;
  er_new_tensors_begin(g, &nt);
  edgert_status st = EDGERT_OK;
  for (int32_t n = 0; n < g->n_nodes && st == EDGERT_OK; n++) {
    er_node *bn = &g->nodes[n];
    if (bn->op != ER_OP_BATCH_NORM || bn->n_inputs < 1) continue;
    int32_t x = bn->inputs[0];
    int32_t p = u.producer[x];
    if (p < 0 || er_graph_sole_user(&u, x) != n) continue;
    er_node *anchor = &g->nodes[p];
    if (anchor->n_outputs != 1 || !is_f32(g, x)) continue;
    fold_result r = NOT_FOLDED;
    if (anchor->op == ER_OP_CONV_ND)
      r = fold_into_conv(g, &u, &nt, anchor, bn);
    else if (anchor->op == ER_OP_GEMM)
      r = fold_into_gemm(g, &nt, anchor, bn);
    if (r == NOT_FOLDED) continue;
    if (r == OUT_OF_MEMORY || !er_graph_set_output(g, anchor, 0, bn->outputs[0])) {
      st = EDGERT_ERR_NO_MEMORY;
      break;
    }
    u.removed[n] = 1;
    u.producer[bn->outputs[0]] = p;
    (*changed)++;
  }
  if (!er_new_tensors_commit(g, &nt) && st == EDGERT_OK) st = EDGERT_ERR_NO_MEMORY;
  er_graph_compact(g, &u);
  er_graph_uses_free(&u);
  return st;
}
