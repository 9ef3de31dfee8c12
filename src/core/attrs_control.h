/* Attrs of the IR ops of the control family (added for ONNX models). Included by attrs.h.
 * Subgraph fields are indices into the owning graph's `subgraphs` (graph.h). The node's inputs are the
 * ONNX inputs followed by the captured outer values of each subgraph, in the order the fields list them. */
#ifndef EDGERT_CORE_ATTRS_CONTROL_H
#define EDGERT_CORE_ATTRS_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

/* IF: input 0 is the boolean condition; captures of then_branch, then of else_branch follow. */
typedef struct {
  int32_t then_branch, else_branch;
} er_if_attrs;

/* LOOP: inputs M (int64 trip count, may be absent), cond (bool, may be absent), the loop-carried initial
 * values, then the body's captures. Outputs: the final carried values, then the scan outputs stacked
 * along a new first axis. */
typedef struct {
  int32_t body;
  int32_t n_onnx_inputs; /* inputs before the captures */
} er_loop_attrs;

#define ER_SCAN_MAX_VALUES 16

/* SCAN: inputs (opset 8: sequence_lens first, which must be absent), the initial states, the scan inputs,
 * then the body's captures. batched (opset 8): axis 0 of every input and output is a batch axis the body
 * never sees; the scan axes are then 1 (inputs) and 1 (outputs), forward only. */
typedef struct {
  int32_t body;
  int32_t n_onnx_inputs;
  int32_t num_scan_inputs;
  bool batched;
  int32_t input_axes[ER_SCAN_MAX_VALUES]; /* may be negative: counts from the back */
  bool input_reverse[ER_SCAN_MAX_VALUES];
  int32_t output_axes[ER_SCAN_MAX_VALUES];
  bool output_reverse[ER_SCAN_MAX_VALUES];
} er_scan_attrs;

#endif
