/* LOOP kernel (src/ops/loop.c) through the ONNX importer. Expected values: ONNX's backend tests
 * (onnx/backend/test/case/node/loop.py test_loop11: y = -2 plus x[0..i] for 5 iterations, res_y [13],
 * res_scan [-1, 1, 4, 8, 13]; range.py's function expansion of Range, a Loop with a computed trip count,
 * float [1, 3] and int32 [10, 7]). */
#include "../formats/pb_builder.h"
#include "onnx_backend_case.h"

static void test_backend_loop11_carries_and_scans(void) { onnx_case_run("node/test_loop11"); }
static void test_backend_range_float_expanded(void) {
  onnx_case_run("node/test_range_float_type_positive_delta_expanded");
}
static void test_backend_range_int32_expanded(void) {
  onnx_case_run("node/test_range_int32_type_negative_delta_expanded");
}

/* Loop(M absent, cond) whose body passes cond and y through: with cond true it never ends by itself. */
static void build_endless_loop(pbw *m) {
  static pbw graph, body, loop, id_cond, id_y, attr, b_iter, b_cond, b_y, b_cond_out, b_y_out, in_cond, in_y,
      out;
  int64_t d1[1] = {1};
  const char *ci[] = {"cond_in"}, *co[] = {"cond_out"}, *yi[] = {"y_in"}, *yo[] = {"y_out"};
  onnx_node(&id_cond, "Identity", "id_cond", 1, ci, 1, co, 0, NULL);
  onnx_node(&id_y, "Identity", "id_y", 1, yi, 1, yo, 0, NULL);
  onnx_value_info(&b_iter, "iter", ONNX_INT64, 0, NULL);
  onnx_value_info(&b_cond, "cond_in", ONNX_BOOL, 0, NULL);
  onnx_value_info(&b_y, "y_in", ONNX_FLOAT, 1, d1);
  onnx_value_info(&b_cond_out, "cond_out", ONNX_BOOL, 0, NULL);
  onnx_value_info(&b_y_out, "y_out", ONNX_FLOAT, 1, d1);
  memset(&body, 0, sizeof body);
  pbw_msg(&body, 1, &id_cond);
  pbw_msg(&body, 1, &id_y);
  pbw_str(&body, 2, "body");
  pbw_msg(&body, 11, &b_iter);
  pbw_msg(&body, 11, &b_cond);
  pbw_msg(&body, 11, &b_y);
  pbw_msg(&body, 12, &b_cond_out);
  pbw_msg(&body, 12, &b_y_out);
  onnx_graph_attr(&attr, "body", &body);
  const char *loop_in[] = {"", "cond", "y"}, *loop_out[] = {"res_y"};
  onnx_node(&loop, "Loop", "loop", 3, loop_in, 1, loop_out, 1, &attr);
  onnx_value_info(&in_cond, "cond", ONNX_BOOL, 0, NULL);
  onnx_value_info(&in_y, "y", ONNX_FLOAT, 1, d1);
  onnx_value_info(&out, "res_y", ONNX_FLOAT, 1, d1);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &loop);
  pbw_str(&graph, 2, "endless");
  pbw_msg(&graph, 11, &in_cond);
  pbw_msg(&graph, 11, &in_y);
  pbw_msg(&graph, 12, &out);
  onnx_model(m, &graph, 11);
}

/* A hostile model must not hang: the loop stops with an error at the iteration limit; with cond false it
 * runs no iteration and gives y back. */
static void test_endless_loop_stops_at_limit(void) {
  static pbw m;
  build_endless_loop(&m);
  edgert_model *model = NULL;
  edgert_interpreter *it = NULL;
  CHECK_MSG(edgert_model_load_buffer(m.buf, m.len, &model) == EDGERT_OK, "%s", edgert_model_error(model));
  CHECK_MSG(edgert_interpreter_create(model, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  uint8_t cond = 1;
  float y = 2.5f;
  CHECK_OK(edgert_interpreter_set_input(it, 0, &cond, 1));
  CHECK_OK(edgert_interpreter_set_input(it, 1, &y, sizeof y));
  CHECK(edgert_interpreter_invoke(it) == EDGERT_ERR_LIMIT);
  CHECK(strstr(edgert_interpreter_error(it), "iterations") != NULL);
  cond = 0;
  CHECK_OK(edgert_interpreter_set_input(it, 0, &cond, 1));
  CHECK_MSG(edgert_interpreter_invoke(it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  const float *res = edgert_interpreter_output_data(it, 0);
  CHECK(res && res[0] == 2.5f);
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

/* The caller's limit, at load or per interpreter, replaces the default of 10^6 iterations. */
static void test_endless_loop_stops_at_the_callers_limit(void) {
  static pbw m;
  build_endless_loop(&m);
  edgert_limits at_load = {.max_loop_iterations = 1000}, per_interpreter = {.max_loop_iterations = 10};
  edgert_model *model = NULL;
  CHECK_MSG(edgert_model_load_buffer_limited(m.buf, m.len, &at_load, &model) == EDGERT_OK, "%s",
            edgert_model_error(model));
  const edgert_options opts[2] = {{0}, {.limits = &per_interpreter}};
  const char *expect[2] = {"more than 1000 iterations", "more than 10 iterations"};
  for (int k = 0; k < 2; k++) {
    edgert_interpreter *it = NULL;
    CHECK_MSG(edgert_interpreter_create(model, &opts[k], &it) == EDGERT_OK, "%s",
              edgert_interpreter_error(it));
    uint8_t cond = 1;
    float y = 2.5f;
    CHECK_OK(edgert_interpreter_set_input(it, 0, &cond, 1));
    CHECK_OK(edgert_interpreter_set_input(it, 1, &y, sizeof y));
    for (int run = 0; run < 2; run++) { /* and again on the next invoke */
      CHECK(edgert_interpreter_invoke(it) == EDGERT_ERR_LIMIT);
      CHECK_MSG(strstr(edgert_interpreter_error(it), expect[k]) != NULL, "%s", edgert_interpreter_error(it));
    }
    edgert_interpreter_free(it);
  }
  edgert_model_free(model);
}

/* A Loop body graph: carries cond (passed through) and y, with y_out = y_in + one, or, when `inner` is
 * given, y_out = the inner Loop (trip count `m_inner`, a body constant) run on y_in. */
static void build_body(pbw *body, const pbw *inner, const char *name) {
  static pbw step, id_cond, attr, m_inner, one, b_iter, b_cond, b_y, b_cond_out, b_y_out;
  int64_t d1[1] = {1};
  const char *ci[] = {"cond_in"}, *co[] = {"cond_out"}, *yo[] = {"y_out"};
  onnx_node(&id_cond, "Identity", "id_cond", 1, ci, 1, co, 0, NULL);
  memset(&one, 0, sizeof one);
  memset(&m_inner, 0, sizeof m_inner);
  if (inner) {
    onnx_graph_attr(&attr, "body", inner);
    onnx_tensor_header(&m_inner, "m_inner", ONNX_INT64, 0, NULL);
    pbw_int(&m_inner, 7, 100);
    const char *in[] = {"m_inner", "cond_in", "y_in"};
    onnx_node(&step, "Loop", "inner", 3, in, 1, yo, 1, &attr);
  } else {
    const float value = 1.0f;
    onnx_tensor_header(&one, "one", ONNX_FLOAT, 1, d1);
    pbw_bytes(&one, 9, &value, sizeof value);
    const char *in[] = {"y_in", "one"};
    onnx_node(&step, "Add", "add", 2, in, 1, yo, 0, NULL);
  }
  onnx_value_info(&b_iter, "iter", ONNX_INT64, 0, NULL);
  onnx_value_info(&b_cond, "cond_in", ONNX_BOOL, 0, NULL);
  onnx_value_info(&b_y, "y_in", ONNX_FLOAT, 1, d1);
  onnx_value_info(&b_cond_out, "cond_out", ONNX_BOOL, 0, NULL);
  onnx_value_info(&b_y_out, "y_out", ONNX_FLOAT, 1, d1);
  memset(body, 0, sizeof *body);
  pbw_msg(body, 1, &id_cond);
  pbw_msg(body, 1, &step);
  pbw_str(body, 2, name);
  pbw_msg(body, 5, inner ? &m_inner : &one);
  pbw_msg(body, 11, &b_iter);
  pbw_msg(body, 11, &b_cond);
  pbw_msg(body, 11, &b_y);
  pbw_msg(body, 12, &b_cond_out);
  pbw_msg(body, 12, &b_y_out);
}

/* Loop(M, cond, y) whose body runs Loop(100, cond, y) of y + 1: y + 100 M in 101 M iterations. */
static void build_nested_loops(pbw *m) {
  static pbw inner_body, outer_body, graph, loop, attr, in_m, in_cond, in_y, out;
  int64_t d1[1] = {1};
  build_body(&inner_body, NULL, "inner_body");
  build_body(&outer_body, &inner_body, "outer_body");
  onnx_graph_attr(&attr, "body", &outer_body);
  const char *loop_in[] = {"m", "cond", "y"}, *loop_out[] = {"res_y"};
  onnx_node(&loop, "Loop", "outer", 3, loop_in, 1, loop_out, 1, &attr);
  onnx_value_info(&in_m, "m", ONNX_INT64, 0, NULL);
  onnx_value_info(&in_cond, "cond", ONNX_BOOL, 0, NULL);
  onnx_value_info(&in_y, "y", ONNX_FLOAT, 1, d1);
  onnx_value_info(&out, "res_y", ONNX_FLOAT, 1, d1);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &loop);
  pbw_str(&graph, 2, "nested");
  pbw_msg(&graph, 11, &in_m);
  pbw_msg(&graph, 11, &in_cond);
  pbw_msg(&graph, 11, &in_y);
  pbw_msg(&graph, 12, &out);
  onnx_model(m, &graph, 11);
}

/* Nested loops draw on one budget per invoke: 10 x 100 inner iterations fit 2000, 30 x 100 do not, though
 * no single loop comes near the limit. */
static void test_nested_loops_share_the_iteration_budget(void) {
  static pbw m;
  build_nested_loops(&m);
  edgert_limits limits = {.max_loop_iterations = 2000};
  edgert_model *model = NULL;
  CHECK_MSG(edgert_model_load_buffer_limited(m.buf, m.len, &limits, &model) == EDGERT_OK, "%s",
            edgert_model_error(model));
  edgert_interpreter *it = NULL;
  CHECK_MSG(edgert_interpreter_create(model, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  uint8_t cond = 1;
  float y = 0.5f;
  const int64_t trips[3] = {10, 30, 10};
  for (int k = 0; k < 3; k++) {
    CHECK_OK(edgert_interpreter_set_input(it, 0, &trips[k], sizeof trips[k]));
    CHECK_OK(edgert_interpreter_set_input(it, 1, &cond, 1));
    CHECK_OK(edgert_interpreter_set_input(it, 2, &y, sizeof y));
    edgert_status st = edgert_interpreter_invoke(it);
    if (trips[k] * 101 <= 2000) {
      CHECK_MSG(st == EDGERT_OK, "%s", edgert_interpreter_error(it));
      const float *res = edgert_interpreter_output_data(it, 0);
      CHECK(res && res[0] == 0.5f + 100.0f * (float)trips[k]);
    } else {
      CHECK(st == EDGERT_ERR_LIMIT);
      CHECK_MSG(strstr(edgert_interpreter_error(it), "more than 2000 iterations") != NULL, "%s",
                edgert_interpreter_error(it));
    }
  }
  edgert_interpreter_free(it);
  edgert_model_free(model);
}

void run_tests(void) {
  RUN(test_backend_loop11_carries_and_scans);
  RUN(test_backend_range_float_expanded);
  RUN(test_backend_range_int32_expanded);
  RUN(test_endless_loop_stops_at_limit);
  RUN(test_endless_loop_stops_at_the_callers_limit);
  RUN(test_nested_loops_share_the_iteration_budget);
}
