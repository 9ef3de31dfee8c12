/* Tests of the protocol buffers wire-format reader (src/formats/onnx/protobuf.c): the encoding examples
 * of protobuf.dev/programming-guides/encoding (150 as 96 01, "testing", packed 3, 270, 86942), varint
 * limits, every truncation and malformed key refused with a byte offset, and every byte flip of a small
 * ONNX model loading or failing cleanly (run under ASan by make test-asan). */
#include <stdlib.h>
#include <string.h>

#include "edgert.h"
#include "formats/onnx/protobuf.h"
#include "pb_builder.h"
#include "test.h"

static void test_varints_decode_and_limits(void) {
  const uint8_t v150[] = {0x96, 0x01};
  size_t pos = 0;
  uint64_t v = 0;
  CHECK(er_pb_varint(v150, sizeof v150, &pos, &v));
  CHECK_EQ_INT(v, 150);
  CHECK_EQ_INT(pos, 2);
  const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  pos = 0;
  CHECK(er_pb_varint(max, sizeof max, &pos, &v));
  CHECK(v == UINT64_MAX);
  const uint8_t overflow[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  pos = 0;
  CHECK(!er_pb_varint(overflow, sizeof overflow, &pos, &v));
  const uint8_t too_long[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  pos = 0;
  CHECK(!er_pb_varint(too_long, sizeof too_long, &pos, &v));
  pos = 0;
  CHECK(!er_pb_varint(v150, 1, &pos, &v)); /* truncated */
}

static void test_reads_fields_of_every_wire_type(void) {
  pbw w = {0};
  pbw_int(&w, 1, 150);
  pbw_str(&w, 2, "testing");
  pbw_fixed32(&w, 3, 0x3f800000u);
  pbw_key(&w, 4, ER_PB_I64);
  for (int i = 0; i < 8; i++)
    pbw_byte(&w, i == 7 ? 0x40 : 0); /* 2.0 as a double */
  const uint8_t packed[] = {0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05};
  pbw_bytes(&w, 5, packed, sizeof packed);
  CHECK_EQ_INT(w.buf[0], 0x08);
  CHECK_EQ_INT(w.buf[1], 0x96);
  er_pb_error e = {0};
  er_pb_reader r;
  er_pb_init(&r, w.buf, w.len, &e);
  er_pb_field f;
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK(f.number == 1 && f.wire == ER_PB_VARINT && f.value == 150);
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK(f.number == 2 && f.wire == ER_PB_LEN && f.len == 7 && memcmp(f.bytes, "testing", 7) == 0);
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK(f.number == 3 && er_pb_float(f.value) == 1.0f);
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK(f.number == 4 && er_pb_double(f.value) == 2.0);
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK_EQ_INT(er_pb_count(&f, ER_PB_VARINT, &e), 3);
  size_t cur = 0;
  uint64_t v[3] = {0};
  for (int i = 0; i < 3; i++)
    CHECK(er_pb_value(&f, ER_PB_VARINT, &cur, &v[i]));
  CHECK(!er_pb_value(&f, ER_PB_VARINT, &cur, &v[0]));
  CHECK(v[0] == 3 && v[1] == 270 && v[2] == 86942);
  CHECK_EQ_INT(er_pb_next(&r, &f), 0);
  CHECK(!e.failed);
}

static void test_unpacked_repeated_value_counts_once(void) {
  pbw w = {0};
  pbw_int(&w, 8, 7);
  er_pb_error e = {0};
  er_pb_reader r;
  er_pb_init(&r, w.buf, w.len, &e);
  er_pb_field f;
  CHECK_EQ_INT(er_pb_next(&r, &f), 1);
  CHECK_EQ_INT(er_pb_count(&f, ER_PB_VARINT, &e), 1);
  CHECK_EQ_INT(er_pb_count(&f, ER_PB_I32, &e), -1); /* wrong wire type */
  CHECK(e.failed);
}

static int walk_all(const uint8_t *data, size_t len, er_pb_error *e) {
  er_pb_reader r;
  er_pb_init(&r, data, len, e);
  er_pb_field f;
  int got;
  while ((got = er_pb_next(&r, &f)) == 1) {
  }
  return got;
}

static void test_every_truncation_is_refused_with_an_offset(void) {
  pbw w = {0};
  pbw_int(&w, 1, 300);
  pbw_str(&w, 2, "abc");
  pbw_fixed32(&w, 3, 7);
  for (size_t cut = 1; cut < w.len; cut++) {
    er_pb_error e = {0};
    int got = walk_all(w.buf, cut, &e);
    bool at_field_end = cut == 3 || cut == 8; /* after field 1 or 2: a shorter valid message */
    if (at_field_end) {
      CHECK_EQ_INT(got, 0);
    } else {
      CHECK_MSG(got == -1, "cut at %zu", cut);
      CHECK(strstr(e.message, "at byte") != NULL);
    }
  }
}

static void test_bad_keys_and_groups_are_refused(void) {
  const uint8_t field_zero[] = {0x00, 0x01};
  const uint8_t group[] = {0x0b, 0x0c};
  const uint8_t wire_six[] = {0x0e, 0x00};
  const uint8_t huge_len[] = {0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  const struct {
    const uint8_t *bytes;
    size_t len;
    const char *says;
  } cases[] = {{field_zero, sizeof field_zero, "field number 0"},
               {group, sizeof group, "group"},
               {wire_six, sizeof wire_six, "wire type 6"},
               {huge_len, sizeof huge_len, "claims"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    er_pb_error e = {0};
    CHECK_EQ_INT(walk_all(cases[i].bytes, cases[i].len, &e), -1);
    CHECK_MSG(strstr(e.message, cases[i].says) != NULL, "%s", e.message);
    CHECK(strstr(e.message, i < 3 ? "at byte 0" : "at byte 1") != NULL); /* the key, or the length */
  }
}

/* A two-node model: Constant (an int64 vector) and Identity of a float input with a symbolic dim. */
static size_t small_model(pbw *model) {
  static pbw graph, attr, tensor, node1, node2, in, out1, out2;
  int64_t dims[2] = {-1, 3}, cdims[1] = {2};
  onnx_tensor_header(&tensor, NULL, ONNX_INT64, 1, cdims);
  pbw_int(&tensor, 7, 5);
  pbw_int(&tensor, 7, -6);
  memset(&attr, 0, sizeof attr);
  pbw_str(&attr, 1, "value");
  pbw_msg(&attr, 5, &tensor);
  pbw_int(&attr, 20, 4);
  const char *x[] = {"x"}, *y[] = {"y"}, *c[] = {"c"};
  onnx_node(&node1, "Constant", "const", 0, NULL, 1, c, 1, &attr);
  onnx_node(&node2, "Identity", "id", 1, x, 1, y, 0, NULL);
  onnx_value_info(&in, "x", ONNX_FLOAT, 2, dims);
  onnx_value_info(&out1, "y", ONNX_FLOAT, 2, dims);
  onnx_value_info(&out2, "c", ONNX_INT64, 1, cdims);
  memset(&graph, 0, sizeof graph);
  pbw_msg(&graph, 1, &node1);
  pbw_msg(&graph, 1, &node2);
  pbw_str(&graph, 2, "g");
  pbw_msg(&graph, 11, &in);
  pbw_msg(&graph, 12, &out1);
  pbw_msg(&graph, 12, &out2);
  onnx_model(model, &graph, 13);
  return model->len;
}

static void test_small_model_loads(void) {
  static pbw m;
  size_t len = small_model(&m);
  edgert_model *model = NULL;
  CHECK_OK(edgert_model_load_buffer(m.buf, len, &model));
  if (model && !edgert_model_error(model)[0]) {
    CHECK_EQ_INT(edgert_model_input_count(model), 1);
    CHECK_EQ_INT(edgert_model_output_count(model), 2);
  } else {
    fprintf(stderr, "%s\n", edgert_model_error(model));
  }
  edgert_model_free(model);
}

/* Every byte of the model xor-ed with several masks: a model or an error, never a crash. */
static void test_every_byte_flip_loads_or_fails_cleanly(void) {
  static pbw m;
  size_t len = small_model(&m);
  uint8_t *copy = malloc(len);
  const uint8_t masks[] = {0x01, 0x08, 0x80, 0xff};
  int loaded = 0, refused = 0;
  for (size_t i = 0; i < len; i++) {
    for (size_t k = 0; k < sizeof masks; k++) {
      memcpy(copy, m.buf, len);
      copy[i] ^= masks[k];
      edgert_model *model = NULL;
      if (edgert_model_load_buffer(copy, len, &model) == EDGERT_OK) {
        loaded++;
        edgert_interpreter *it = NULL;
        if (edgert_interpreter_create(model, NULL, &it) == EDGERT_OK) edgert_interpreter_invoke(it);
        edgert_interpreter_free(it);
      } else {
        refused++;
        CHECK(edgert_model_error(model)[0] != '\0');
      }
      edgert_model_free(model);
    }
  }
  CHECK(loaded > 0 && refused > 0);
  free(copy);
}

void run_tests(void) {
  RUN(test_varints_decode_and_limits);
  RUN(test_reads_fields_of_every_wire_type);
  RUN(test_unpacked_repeated_value_counts_once);
  RUN(test_every_truncation_is_refused_with_an_offset);
  RUN(test_bad_keys_and_groups_are_refused);
  RUN(test_small_model_loads);
  RUN(test_every_byte_flip_loads_or_fails_cleanly);
}
