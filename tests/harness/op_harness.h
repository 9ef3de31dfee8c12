/* Builds a one-op (or few-op) graph in memory and runs it through the real interpreter, so kernel tests
 * exercise the same prepare/plan/invoke path as a model file. Usage:
 *
 *   th_graph *g = th_new();
 *   int in = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){1, 4}, NULL);      // NULL data: an activation
 *   int w = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){3, 4}, weights);    // data: a constant (copied)
 *   int out = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){1, 3}, NULL);     // declared output shape
 *   th_quant(g, in, 0.5f, -1);
 *   th_node(g, ER_OP_FULLY_CONNECTED, &attrs, sizeof attrs, 3, (int[]){in, w, -1}, 1, (int[]){out});
 *   th_io(g, 1, (int[]){in}, 1, (int[]){out});
 *   if (th_run(g, (const void *[]){input}) == EDGERT_OK) { const int8_t *y = th_output(g, 0); ... }
 *   else puts(th_error(g));
 *   th_free(g);
 *
 * A tensor declared with ndim == -1 has its shape left for prepare to compute. */
#ifndef EDGERT_OP_HARNESS_H
#define EDGERT_OP_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "core/graph.h"
#include "edgert.h"
#include "test.h"

typedef struct th_graph th_graph;

th_graph *th_new(void);
int th_tensor(th_graph *g, edgert_dtype dtype, int ndim, const int64_t *dims, const void *const_data);
/* Marks tensor as recurrent state (TFLite variable tensor). */
void th_variable(th_graph *g, int tensor);
void th_quant(th_graph *g, int tensor, float scale, int32_t zero_point);
void th_quant_channels(th_graph *g, int tensor, int axis, int channels, const float *scales,
                       const int32_t *zero_points);
void th_node(th_graph *g, er_op op, const void *attrs, size_t attrs_size, int n_inputs, const int *inputs,
             int n_outputs, const int *outputs);
/* Intermediates of the last node added (TFLite LSTM). */
void th_intermediates(th_graph *g, int count, const int *tensors);
void th_io(th_graph *g, int n_inputs, const int *inputs, int n_outputs, const int *outputs);
/* Creates model and interpreter (first call), copies the inputs in and invokes. May be called again
 * with new inputs on the same interpreter (state persists). */
edgert_status th_run(th_graph *g, const void *const *inputs);
const void *th_output(th_graph *g, int index);
/* Interpreter output info (shape after prepare). */
edgert_tensor_info th_output_info(th_graph *g, int index);
const char *th_error(th_graph *g);
/* The interpreter th_run made (NULL before the first run), for tests that look inside it. */
edgert_interpreter *th_interpreter(th_graph *g);
void th_free(th_graph *g);

#endif
