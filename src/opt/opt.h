/* The graph optimizer run once at load: passes that rewrite the IR graph into an equivalent one that runs
 * faster. Each pass takes a finished graph (er_graph_finish has checked it) and leaves one that passes
 * the same checks; each reports how many nodes it changed and can be run and tested alone. Only the
 * top-level graph is rewritten (subgraph bodies are left as imported). */
#ifndef EDGERT_OPT_OPT_H
#define EDGERT_OPT_OPT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/graph.h"
#include "edgert.h"

typedef struct {
  int32_t noops_removed;      /* nodes that copied their input, dropped */
  int32_t batch_norms_folded; /* BATCH_NORM nodes folded into the CONV_ND or GEMM before them */
  int32_t activations_fused;  /* activations (a SiLU counts once) fused into a CONV_ND or GEMM */
} er_opt_stats;

/* Removes nodes that provably copy their input (RESHAPE, ONNX_RESHAPE, FLATTEN to the shape the input has
 * whatever size the graph inputs are given, squeezes with nothing to squeeze, casts to the same type),
 * rewiring their readers to the input. A node whose output is a graph output or captured by a subgraph
 * stays. */
edgert_status er_opt_remove_noops(er_graph *g, int32_t *changed);

/* Folds an inference BATCH_NORM with constant float32 parameters into the CONV_ND or GEMM (constant
 * float32 weights) producing its input, when nothing else reads that output: new weights and bias are
 * computed in double; the BATCH_NORM node goes. */
edgert_status er_opt_fold_batch_norm(er_graph *g, int32_t *changed);

/* Which fusions er_opt_run makes, as far as the kernels make them a gain:
 * - into_gemm: GEMM's kernel applies er_gemm_attrs.activation (src/ops/gemm.c); 0 turns it off.
 * - smooth (HARD_SWISH, SiLU): the CONV_ND and GEMM epilogues apply these with the vector kernels of
 *   src/ops/elementwise_f32.h over each finished tile (er_fused_act_apply_n), cheaper than a separate
 *   pass over the tensor; 0 turns it off.
 * RELU and CLIP (ReLU6) into CONV_ND are always fused: the fast paths clamp in registers. */
#ifndef ER_OPT_FUSE_INTO_GEMM
#define ER_OPT_FUSE_INTO_GEMM 1
#endif
#ifndef ER_OPT_FUSE_SMOOTH
#define ER_OPT_FUSE_SMOOTH 1
#endif

typedef struct {
  bool into_gemm; /* GEMM takes activations, not only CONV_ND */
  bool smooth;    /* HARD_SWISH and SiLU, not only RELU and CLIP */
} er_fusion_choice;

/* The choice er_opt_run makes (the macros above). */
er_fusion_choice er_opt_default_fusions(void);

/* Fuses RELU, CLIP with constant bounds (ReLU6 is Clip(0, 6)) and, as `choice` allows, HARD_SWISH and SiLU
 * (MUL(x, LOGISTIC(x)), and hard swish as MUL(x, HARD_SIGMOID(x))) into the float32 CONV_ND (or GEMM)
 * producing x, through the activation/act_min/act_max attrs, when x has no other reader and is not a
 * graph output. The activation's output becomes the op's output. choice NULL: er_opt_default_fusions(). */
edgert_status er_opt_fuse_activations(er_graph *g, const er_fusion_choice *choice, int32_t *changed);

/* All passes in order (no-ops first, so patterns behind them show, then BatchNorm folding, then
 * activations). Adds each pass's count to *stats. err gets a message on failure (out of memory). */
edgert_status er_opt_run(er_graph *g, er_opt_stats *stats, char *err, size_t err_len);

#endif
