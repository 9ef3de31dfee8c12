/* Resource limits (edgert_limits): hostile shapes and counts are refused with EDGERT_ERR_LIMIT and a
 * message naming the limit before anything large is allocated; the caller can tighten every limit at load
 * or per interpreter; zero fields take the defaults; a cycle is refused; a graph thousands of operators
 * deep loads and runs (nothing recurses per operator) unless max_nodes says no. Loops: tests/ops/test_loop.c.
 */
#include <stdlib.h>
#include <string.h>

#include "../formats/pb_builder.h"
#include "edgert.h"
#include "test.h"

static const char *const person_detect = "models/person_detect.tflite";

static edgert_status load_fixture(const char *relative, const edgert_limits *limits, edgert_model **m) {
  return edgert_model_load_file_limited(test_fixture(relative), limits, m);
}

static void defaults_are_set_and_zero_fields_take_them(void) {
  edgert_limits d = edgert_limits_default();
  CHECK(d.max_tensor_elements == (int64_t)1 << 28);
  CHECK(d.max_arena_bytes >= (size_t)1 << 28);
  CHECK(d.max_nodes == 1 << 20);
  CHECK(d.max_loop_iterations == 1000000);
  edgert_limits zero = {0};
  edgert_model *m = NULL;
  CHECK_MSG(load_fixture(person_detect, &zero, &m) == EDGERT_OK, "%s", edgert_model_error(m));
  edgert_interpreter *it = NULL;
  edgert_options opts = {.limits = &zero};
  CHECK_MSG(edgert_interpreter_create(m, &opts, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  CHECK_OK(edgert_interpreter_invoke(it));
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

static void expect_load_limit(const char *relative, const edgert_limits *limits, const char *words) {
  edgert_model *m = NULL;
  edgert_status st = load_fixture(relative, limits, &m);
  CHECK_MSG(st == EDGERT_ERR_LIMIT, "%s: status %s: %s", relative, edgert_status_name(st),
            edgert_model_error(m));
  CHECK_MSG(strstr(edgert_model_error(m), words) != NULL, "%s: message '%s' lacks '%s'", relative,
            edgert_model_error(m), words);
  edgert_model_free(m);
}

static void load_refuses_more_operators_than_allowed(void) {
  edgert_limits l = {.max_nodes = 5}; /* person_detect has 31 */
  expect_load_limit(person_detect, &l, "operators, beyond the limit of 5");
}

static void load_refuses_a_tensor_beyond_the_element_limit(void) {
  edgert_limits l = {.max_tensor_elements = 96 * 96 - 1}; /* the 96x96 input image */
  expect_load_limit(person_detect, &l, "beyond the limit of 9215");
}

static void interpreter_refuses_an_arena_beyond_the_limit(void) {
  edgert_model *m = NULL;
  CHECK_MSG(load_fixture(person_detect, NULL, &m) == EDGERT_OK, "%s", edgert_model_error(m));
  edgert_interpreter *it = NULL;
  edgert_limits small = {.max_arena_bytes = 4096};
  edgert_options opts = {.limits = &small};
  CHECK(edgert_interpreter_create(m, &opts, &it) == EDGERT_ERR_LIMIT);
  CHECK_MSG(strstr(edgert_interpreter_error(it), "beyond the limit of 4096") != NULL, "%s",
            edgert_interpreter_error(it));
  edgert_interpreter_free(it);
  /* the model's own (default) limits apply when the options name none */
  it = NULL;
  CHECK_MSG(edgert_interpreter_create(m, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  edgert_interpreter_free(it);
  edgert_model_free(m);
  /* limits given at load carry to the model's interpreters */
  CHECK_MSG(load_fixture(person_detect, &small, &m) == EDGERT_OK, "%s", edgert_model_error(m));
  it = NULL;
  CHECK(edgert_interpreter_create(m, NULL, &it) == EDGERT_ERR_LIMIT);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

/* One-input model: x (float, dims) -> op -> y, with the op's inputs and outputs given. */
static void build_model(pbw *model, const pbw *node, int ndim, const int64_t *dims, const pbw *initializer) {
  static pbw graph, in, out;
  onnx_value_info(&in, "x", ONNX_FLOAT, ndim, dims);
  onnx_value_info(&out, "y", ONNX_FLOAT, 0, NULL);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, node);
  pbw_str(&graph, 2, "g");
  if (initializer) pbw_msg(&graph, 5, initializer);
  pbw_msg(&graph, 11, &in);
  pbw_msg(&graph, 12, &out);
  onnx_model(model, &graph, 13);
}

static void expect_buffer_limit(const pbw *model, const char *words) {
  edgert_model *m = NULL;
  edgert_status st = edgert_model_load_buffer(model->buf, model->len, &m);
  CHECK_MSG(st == EDGERT_ERR_LIMIT, "status %s: %s", edgert_status_name(st), edgert_model_error(m));
  CHECK_MSG(strstr(edgert_model_error(m), words) != NULL, "message '%s' lacks '%s'", edgert_model_error(m),
            words);
  edgert_model_free(m);
}

/* Declared shapes alone: 2^32 elements (no overflow, just huge) and 2^96 (overflows int64). */
static void load_refuses_huge_declared_shapes(void) {
  static pbw node, model;
  const char *in[] = {"x"}, *out[] = {"y"};
  onnx_node(&node, "Relu", "relu", 1, in, 1, out, 0, NULL);
  const int64_t big[2] = {65536, 65536};
  build_model(&model, &node, 2, big, NULL);
  expect_buffer_limit(&model, "beyond the limit");
  const int64_t absurd[3] = {(int64_t)1 << 32, (int64_t)1 << 32, (int64_t)1 << 32};
  build_model(&model, &node, 3, absurd, NULL);
  expect_buffer_limit(&model, "too large");
}

/* A shape computed at prepare: ConstantOfShape of a constant [100000, 100000] would be 40 GB. The
 * interpreter refuses it when shaping the output, before any allocation. */
static void prepare_refuses_a_huge_computed_shape(void) {
  static pbw node, model, shape;
  const int64_t dims1[1] = {2};
  onnx_tensor_header(&shape, "shape", ONNX_INT64, 1, dims1);
  pbw_int(&shape, 7, 100000);
  pbw_int(&shape, 7, 100000);
  const char *in[] = {"shape"}, *out[] = {"y"};
  onnx_node(&node, "ConstantOfShape", "fill", 1, in, 1, out, 0, NULL);
  const int64_t one[1] = {1};
  build_model(&model, &node, 1, one, &shape);
  edgert_model *m = NULL;
  CHECK_MSG(edgert_model_load_buffer(model.buf, model.len, &m) == EDGERT_OK, "%s", edgert_model_error(m));
  edgert_interpreter *it = NULL;
  CHECK(edgert_interpreter_create(m, NULL, &it) == EDGERT_ERR_LIMIT);
  CHECK_MSG(strstr(edgert_interpreter_error(it), "10000000000 elements") != NULL, "%s",
            edgert_interpreter_error(it));
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

/* y = Relu(Add(x, y)): the node reads its own output. */
static void load_refuses_a_cycle(void) {
  static pbw add, relu, graph, in, out, model;
  const char *add_in[] = {"x", "y"}, *add_out[] = {"s"}, *relu_in[] = {"s"}, *relu_out[] = {"y"};
  onnx_node(&add, "Add", "add", 2, add_in, 1, add_out, 0, NULL);
  onnx_node(&relu, "Relu", "relu", 1, relu_in, 1, relu_out, 0, NULL);
  const int64_t dims[1] = {4};
  onnx_value_info(&in, "x", ONNX_FLOAT, 1, dims);
  onnx_value_info(&out, "y", ONNX_FLOAT, 1, dims);
  pbw_msg(&graph, 1, &add);
  pbw_msg(&graph, 1, &relu);
  pbw_str(&graph, 2, "cycle");
  pbw_msg(&graph, 11, &in);
  pbw_msg(&graph, 12, &out);
  onnx_model(&model, &graph, 13);
  edgert_model *m = NULL;
  CHECK(edgert_model_load_buffer(model.buf, model.len, &m) == EDGERT_ERR_MALFORMED);
  CHECK_MSG(strstr(edgert_model_error(m), "'y'") != NULL, "%s", edgert_model_error(m));
  edgert_model_free(m);
}

/* A growing byte buffer for a model too big for pbw's fixed one. */
typedef struct {
  uint8_t *buf;
  size_t len, cap;
} bytes;

static void bytes_put(bytes *b, const void *data, size_t len) {
  if (b->len + len > b->cap) {
    b->cap = (b->len + len) * 2;
    b->buf = realloc(b->buf, b->cap);
  }
  memcpy(b->buf + b->len, data, len);
  b->len += len;
}

static void bytes_field(bytes *b, uint32_t field, const void *data, size_t len) {
  pbw head = {0};
  pbw_key(&head, field, 2);
  pbw_varint(&head, len);
  bytes_put(b, head.buf, head.len);
  bytes_put(b, data, len);
}

/* x -> Relu -> Neg -> Relu -> Neg ... `depth` operators in one chain. */
static bytes deep_chain(int depth) {
  bytes graph = {0}, model = {0};
  char names[2][32];
  for (int i = 0; i < depth; i++) {
    snprintf(names[0], sizeof names[0], i ? "t%d" : "x", i);
    snprintf(names[1], sizeof names[1], i == depth - 1 ? "y" : "t%d", i + 1);
    const char *in[] = {names[0]}, *out[] = {names[1]};
    pbw node;
    onnx_node(&node, i % 2 ? "Neg" : "Relu", "", 1, in, 1, out, 0, NULL);
    bytes_field(&graph, 1, node.buf, node.len);
  }
  pbw io = {0};
  const int64_t dims[1] = {3};
  onnx_value_info(&io, "x", ONNX_FLOAT, 1, dims);
  bytes_field(&graph, 11, io.buf, io.len);
  onnx_value_info(&io, "y", ONNX_FLOAT, 1, dims);
  bytes_field(&graph, 12, io.buf, io.len);
  pbw head = {0}, imp = {0};
  pbw_int(&head, 1, 8);
  bytes_put(&model, head.buf, head.len);
  bytes_field(&model, 7, graph.buf, graph.len);
  pbw_str(&imp, 1, "");
  pbw_int(&imp, 2, 13);
  bytes_field(&model, 8, imp.buf, imp.len);
  free(graph.buf);
  return model;
}

static void deep_graph_runs_and_max_nodes_refuses_it(void) {
  const int depth = 100000;
  bytes model = deep_chain(depth);
  edgert_model *m = NULL;
  CHECK_MSG(edgert_model_load_buffer(model.buf, model.len, &m) == EDGERT_OK, "%s", edgert_model_error(m));
  edgert_interpreter *it = NULL;
  CHECK_MSG(edgert_interpreter_create(m, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
  const float x[3] = {-1.5f, 0.0f, 2.0f};
  CHECK_OK(edgert_interpreter_set_input(it, 0, x, sizeof x));
  CHECK_OK(edgert_interpreter_invoke(it));
  const float *y = edgert_interpreter_output_data(it, 0);
  /* an even number of Relu, Neg pairs: relu(x) negated, then relu gives 0 */
  CHECK(y && y[0] == 0.0f && y[1] == 0.0f && y[2] == 0.0f);
  edgert_interpreter_free(it);
  edgert_model_free(m);
  edgert_limits l = {.max_nodes = 1000};
  m = NULL;
  CHECK(edgert_model_load_buffer_limited(model.buf, model.len, &l, &m) == EDGERT_ERR_LIMIT);
  CHECK_MSG(strstr(edgert_model_error(m), "more than 1000 operators") != NULL, "%s", edgert_model_error(m));
  edgert_model_free(m);
  free(model.buf);
}

void run_tests(void) {
  RUN(defaults_are_set_and_zero_fields_take_them);
  RUN(load_refuses_more_operators_than_allowed);
  RUN(load_refuses_a_tensor_beyond_the_element_limit);
  RUN(interpreter_refuses_an_arena_beyond_the_limit);
  RUN(load_refuses_huge_declared_shapes);
  RUN(prepare_refuses_a_huge_computed_shape);
  RUN(load_refuses_a_cycle);
  RUN(deep_graph_runs_and_max_nodes_refuses_it);
}
