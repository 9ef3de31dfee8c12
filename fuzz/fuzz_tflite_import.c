/* libFuzzer harness: the TensorFlow Lite importer (flatbuffer reader, builtin options, FlexBuffers) and what
 * loading does after it (graph checks, optimizer), through the public loader under tight limits. Any
 * status is fine; a crash, sanitizer report or leak is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edgert.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The loader picks the importer by the file identifier at bytes 4..8. It means nothing else to the
   * reader, so it is forced to "TFL3" and every input reaches the flatbuffer reader. */
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  if (size >= 8) memcpy(copy + 4, "TFL3", 4);
  edgert_limits limits = fuzz_limits();
  edgert_model *model = NULL;
  edgert_status loaded = edgert_model_load_buffer_limited(copy, size, &limits, &model);
  fuzz_walk_model(model, loaded);
  edgert_model_free(model);
  free(copy);
  return 0;
}
