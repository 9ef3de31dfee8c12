/* The sequence ops of src/formats/onnx/onnx_ops_control.c, resolved at import. Expected values: ONNX's
 * backend test models simple/test_sequence_model1..8 (SequenceEmpty/Construct/Insert/Erase/At/Length,
 * ConcatFromSequence with and without new_axis, SplitToSequence) and the semantics of Operators.md
 * (SequenceInsert at a position, SequenceAt with a negative position counts from the back). */
#include "../ops/onnx_backend_case.h"
#include "pb_builder.h"

static void test_backend_sequence_models(void) {
  char name[64];
  for (int i = 1; i <= 8; i++) {
    snprintf(name, sizeof name, "simple/test_sequence_model%d", i);
    if (!onnx_case_run(name)) return;
  }
}

/* X, Y: float [2]; seq = SequenceConstruct(X, Y); seq2 = SequenceInsert(seq, X, pos = 0); out =
 * SequenceAt(seq2 or X, at). */
static edgert_status load_sequence_model(int64_t at, bool at_on_tensor, edgert_model **model, pbw *m) {
  static pbw graph, construct, insert, seq_at, pos0, pos_at, in_x, in_y, out;
  int64_t d2[1] = {2};
  const char *xy[] = {"X", "Y"}, *seq[] = {"seq"}, *ins_in[] = {"seq", "X", "pos0"}, *seq2[] = {"seq2"};
  const char *at_in[] = {at_on_tensor ? "X" : "seq2", "pos_at"}, *res[] = {"out"};
  onnx_node(&construct, "SequenceConstruct", "construct", 2, xy, 1, seq, 0, NULL);
  onnx_node(&insert, "SequenceInsert", "insert", 3, ins_in, 1, seq2, 0, NULL);
  onnx_node(&seq_at, "SequenceAt", "at", 2, at_in, 1, res, 0, NULL);
  int64_t zero = 0;
  onnx_tensor_header(&pos0, "pos0", ONNX_INT64, 0, NULL);
  pbw_bytes(&pos0, 9, &zero, sizeof zero);
  onnx_tensor_header(&pos_at, "pos_at", ONNX_INT64, 0, NULL);
  pbw_bytes(&pos_at, 9, &at, sizeof at);
  onnx_value_info(&in_x, "X", ONNX_FLOAT, 1, d2);
  onnx_value_info(&in_y, "Y", ONNX_FLOAT, 1, d2);
  onnx_value_info(&out, "out", ONNX_FLOAT, 1, d2);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &construct);
  pbw_msg(&graph, 1, &insert);
  pbw_msg(&graph, 1, &seq_at);
  pbw_str(&graph, 2, "seq");
  pbw_msg(&graph, 5, &pos0);
  pbw_msg(&graph, 5, &pos_at);
  pbw_msg(&graph, 11, &in_x);
  pbw_msg(&graph, 11, &in_y);
  pbw_msg(&graph, 12, &out);
  onnx_model(m, &graph, 12);
  return edgert_model_load_buffer(m->buf, m->len, model);
}

/* [X, Y] with X inserted at 0 is [X, X, Y]: position -1 is Y, 1 is X. */
static void test_insert_and_at_pick_elements(void) {
  static pbw m;
  const float x[2] = {1, 2}, y[2] = {3, 4};
  for (int c = 0; c < 2; c++) {
    edgert_model *model = NULL;
    edgert_interpreter *it = NULL;
    CHECK_MSG(load_sequence_model(c == 0 ? -1 : 1, false, &model, &m) == EDGERT_OK, "%s",
              edgert_model_error(model));
    CHECK_MSG(edgert_interpreter_create(model, NULL, &it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
    CHECK_OK(edgert_interpreter_set_input(it, 0, x, sizeof x));
    CHECK_OK(edgert_interpreter_set_input(it, 1, y, sizeof y));
    CHECK_MSG(edgert_interpreter_invoke(it) == EDGERT_OK, "%s", edgert_interpreter_error(it));
    const float *out = edgert_interpreter_output_data(it, 0);
    CHECK(out != NULL);
    if (out) CHECK(out[0] == (c == 0 ? 3 : 1) && out[1] == (c == 0 ? 4 : 2));
    edgert_interpreter_free(it);
    edgert_model_free(model);
  }
}

/* Out-of-range positions and tensors used as sequences are refused at load with a message. */
static void test_bad_positions_and_non_sequences_are_refused(void) {
  static pbw m;
  edgert_model *model = NULL;
  CHECK(load_sequence_model(3, false, &model, &m) != EDGERT_OK);
  CHECK(strstr(edgert_model_error(model), "out of range") != NULL);
  edgert_model_free(model);
  model = NULL;
  CHECK(load_sequence_model(0, true, &model, &m) != EDGERT_OK);
  CHECK(strstr(edgert_model_error(model), "not a sequence") != NULL);
  edgert_model_free(model);
}

void run_tests(void) {
  RUN(test_backend_sequence_models);
  RUN(test_insert_and_at_pick_elements);
  RUN(test_bad_positions_and_non_sequences_are_refused);
}
