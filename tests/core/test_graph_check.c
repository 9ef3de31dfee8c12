/* Structural checks every graph passes at load (er_graph_finish), whatever its format: tensors used
 * before any node makes them, tensors made twice, constants written by a node, and forged quantization
 * are refused with a message; a constant graph output is legal and reads the model's bytes. */
#include <string.h>

#include "core/attrs.h"
#include "op_harness.h"

static const int64_t four[] = {4};

static void constant_graph_output_reads_model(void) {
  th_graph *g = th_new();
  const float k[4] = {1, 2, 3, 4};
  int in = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int out = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int c = th_tensor(g, EDGERT_FLOAT32, 1, four, k);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){in}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 2, (int[]){out, c});
  const float x[4] = {-1, 1, -2, 2};
  CHECK_OK(th_run(g, (const void *[]){x}));
  const float *y = th_output(g, 1);
  CHECK(y && memcmp(y, k, sizeof k) == 0);
  th_free(g);
}

static void expect_refused(th_graph *g, const char *mention) {
  const float x[4] = {0};
  CHECK(th_run(g, (const void *[]){x}) != EDGERT_OK);
  CHECK_MSG(strstr(th_error(g), mention) != NULL, "message '%s' lacks '%s'", th_error(g), mention);
  th_free(g);
}

static void use_before_produce_is_refused(void) {
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int mid = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int out = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){mid}, 1, (int[]){out}); /* reads mid before it exists */
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){in}, 1, (int[]){mid});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  expect_refused(g, "used before");
}

static void produced_twice_is_refused(void) {
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int out = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){in}, 1, (int[]){out});
  th_node(g, ER_OP_RELU6, NULL, 0, 1, (int[]){in}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  expect_refused(g, "already produced");
}

static void node_writing_constant_is_refused(void) {
  th_graph *g = th_new();
  const float k[4] = {0};
  int in = th_tensor(g, EDGERT_FLOAT32, 1, four, NULL);
  int c = th_tensor(g, EDGERT_FLOAT32, 1, four, k);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){in}, 1, (int[]){c});
  th_io(g, 1, (int[]){in}, 1, (int[]){c});
  expect_refused(g, "constant");
}

static void forged_zero_point_is_refused(void) {
  th_graph *g = th_new();
  int in = th_tensor(g, EDGERT_INT8, 1, four, NULL);
  int out = th_tensor(g, EDGERT_INT8, 1, four, NULL);
  th_quant(g, in, 0.5f, -16777216);
  th_quant(g, out, 0.5f, 0);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){in}, 1, (int[]){out});
  th_io(g, 1, (int[]){in}, 1, (int[]){out});
  expect_refused(g, "zero point");
}

void run_tests(void) {
  RUN(constant_graph_output_reads_model);
  RUN(use_before_produce_is_refused);
  RUN(produced_twice_is_refused);
  RUN(node_writing_constant_is_refused);
  RUN(forged_zero_point_is_refused);
}
