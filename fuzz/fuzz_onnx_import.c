/* libFuzzer harness: the ONNX importer (protobuf wire reader, TensorProto decoding, op mappers, subgraphs)
 * and what loading does after it (graph checks, optimizer), through the public loader under tight limits;
 * and the TensorProto reader the conformance runner uses for test_data_set_*.pb, on the same bytes. Any
 * status is fine; a crash, sanitizer report or leak is a bug. */
#include <stdint.h>
#include <string.h>

#include "core/graph.h"
#include "edgert.h"
#include "formats/onnx/onnx_import.h"
#include "formats/tflite/tflite_import.h"
#include "fuzz_common.h"

static void load_through_public_api(const uint8_t *data, size_t size) {
  edgert_limits limits = fuzz_limits();
  edgert_model *model = NULL;
  edgert_status loaded = edgert_model_load_buffer_limited(data, size, &limits, &model);
  fuzz_walk_model(model, loaded);
  edgert_model_free(model);
}

/* Bytes the loader would not take for ONNX still go to the protobuf reader, directly. */
static void import_directly(const uint8_t *data, size_t size) {
  edgert_limits limits = fuzz_limits();
  er_graph graph;
  char err[256];
  if (er_onnx_import(data, size, NULL, &limits, &graph, err, sizeof err) == EDGERT_OK) er_graph_free(&graph);
}

static void read_tensor_proto(const uint8_t *data, size_t size) {
  er_graph owner;
  memset(&owner, 0, sizeof owner);
  er_tensor tensor;
  memset(&tensor, 0, sizeof tensor);
  char err[256];
  er_onnx_read_tensor(data, size, &owner, &tensor, err, sizeof err);
  er_graph_free(&owner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The TFLite identifier sends bytes to the other importer: that is fuzz_tflite_import's input. */
  if (er_tflite_is_model(data, size)) return 0;
  /* The loader reads as ONNX what parses as a ModelProto or starts with ir_version's tag (model.c). */
  if (er_onnx_is_model(data, size) || (size > 0 && data[0] == 0x08))
    load_through_public_api(data, size);
  else
    import_directly(data, size);
  read_tensor_proto(data, size);
  return 0;
}
