/* libFuzzer harness: the .npy reader (src/io/npy.c) the CLI uses for its inputs. Every byte it says is
 * data is read, so a length it got wrong shows up under ASan. */
#include <stdint.h>

#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  er_npy npy;
  char err[256];
  if (er_npy_parse(data, size, &npy, err, sizeof err) != EDGERT_OK) return 0;
  const uint8_t *bytes = npy.data;
  volatile uint8_t sink = 0;
  for (size_t i = 0; i < npy.bytes; i++)
    sink ^= bytes[i];
  (void)sink;
  return 0;
}
