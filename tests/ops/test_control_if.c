/* IF kernel (src/ops/control_if.c) through the ONNX importer. Expected values: ONNX's backend test If
 * (onnx/backend/test/case/node/if.py: then gives [1, 2, 3, 4, 5], else [5, 4, 3, 2, 1]). */
#include "../formats/pb_builder.h"
#include "onnx_backend_case.h"

static void test_backend_if_takes_then_branch(void) { onnx_case_run("node/test_if"); }

/* The same model as if.py, built here, run with both conditions on one interpreter: the branch is chosen
 * at every invoke. Branch outputs are Constant nodes. */
static void build_if_model(pbw *m, int cond_type) {
  static pbw graph, then_g, else_g, if_node, then_c, else_c, attrs[2], c_attr[2], tensors[2], in_cond, out,
      vi[2];
  int64_t d5[1] = {5};
  const float x[5] = {1, 2, 3, 4, 5}, y[5] = {5, 4, 3, 2, 1};
  const char *names[2] = {"then_out", "else_out"};
  pbw *branch[2] = {&then_g, &else_g}, *constant[2] = {&then_c, &else_c};
  for (int b = 0; b < 2; b++) {
    onnx_tensor_header(&tensors[b], NULL, ONNX_FLOAT, 1, d5);
    pbw_bytes(&tensors[b], 9, b == 0 ? x : y, sizeof x);
    memset(&c_attr[b], 0, sizeof c_attr[b]);
    pbw_str(&c_attr[b], 1, "value");
    pbw_msg(&c_attr[b], 5, &tensors[b]);
    pbw_int(&c_attr[b], 20, 4);
    onnx_node(constant[b], "Constant", names[b], 0, NULL, 1, &names[b], 1, &c_attr[b]);
    onnx_value_info(&vi[b], names[b], ONNX_FLOAT, 1, d5);
    memset(branch[b], 0, sizeof *branch[b]);
    pbw_msg(branch[b], 1, constant[b]);
    pbw_str(branch[b], 2, names[b]);
    pbw_msg(branch[b], 12, &vi[b]);
    onnx_graph_attr(&attrs[b], b == 0 ? "then_branch" : "else_branch", branch[b]);
  }
  const char *cond[] = {"cond"}, *res[] = {"res"};
  onnx_node(&if_node, "If", "if", 1, cond, 1, res, 2, attrs);
  onnx_value_info(&in_cond, "cond", cond_type, 0, NULL);
  onnx_value_info(&out, "res", ONNX_FLOAT, 1, d5);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &if_node);
  pbw_str(&graph, 2, "if");
  pbw_msg(&graph, 11, &in_cond);
  pbw_msg(&graph, 12, &out);
  onnx_model(m, &graph, 11);
}

static void test_if_follows_condition_at_each_invoke(void) {
  static pbw m;
  build_if_model(&m, ONNX_BOOL);
  edgert_model *model = NULL;
  edgert_interpreter *it = NULL;
  CHECK_MSG(edgert_model_load_buffer(m.buf, m.len, &model) == EDGERT_OK, "%s", edgert_model_error(model));
  CHECK_MSG(edgert_interpreter_create(model, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  for (int c = 1; c >= 0; c--) {
    uint8_t cond = (uint8_t)c;
    CHECK_OK(edgert_interpreter_set_input(it, 0, &cond, 1));
    CHECK_MSG(edgert_interpreter_invoke(it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
    const float *res = edgert_interpreter_output_data(it, 0);
    CHECK(res != NULL);
    for (int i = 0; res && i < 5; i++)
      CHECK_NEAR(res[i], c ? i + 1 : 5 - i, 0);
  }
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

/* A float condition is refused at prepare with a message, not run. */
static void test_if_refuses_non_bool_condition(void) {
  static pbw m;
  build_if_model(&m, ONNX_FLOAT);
  edgert_model *model = NULL;
  edgert_interpreter *it = NULL;
  edgert_status st = edgert_model_load_buffer(m.buf, m.len, &model);
  if (st == EDGERT_OK) st = edgert_interpreter_create(model, NULL, &it);
  CHECK(st != EDGERT_OK);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

void run_tests(void) {
  RUN(test_backend_if_takes_then_branch);
  RUN(test_if_follows_condition_at_each_invoke);
  RUN(test_if_refuses_non_bool_condition);
}
