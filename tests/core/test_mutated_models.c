/* Hostile models end to end: random byte and bit mutations of every fixture model go through load,
 * interpreter creation (prepare + plan) and invoke on random inputs. Each step must either succeed or
 * fail with a message; never crash, hang or read out of bounds (this test also runs under ASan/UBSan).
 * EDGERT_MUTATIONS sets the number of mutants per model (default 150). */
#include <stdlib.h>
#include <string.h>

#include "edgert.h"
#include "test.h"

static const char *const models[] = {
    "models/hello_world_float.tflite",
    "models/hello_world_int8.tflite",
    "models/person_detect.tflite",
    "models/micro_speech_quantized.tflite",
    "models/keyword_scrambled.tflite",
    "models/keyword_scrambled_8bit.tflite",
    "models/trained_lstm.tflite",
    "models/trained_lstm_int8.tflite",
    "seanet/conv/conv0.tflite",
    "seanet/transpose_conv/transpose_conv0.tflite",
    "seanet/strided_slice/strided_slice0.tflite",
    "seanet/add/add0.tflite",
    "seanet/pad/pad0.tflite",
    "seanet/leaky_relu/leaky_relu0.tflite",
};

static uint32_t rng_state = 2463534242u;
static uint32_t next_random(void) { /* xorshift32: reproducible across runs */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static void mutate(unsigned char *bytes, size_t size) {
  int edits = 1 + (int)(next_random() % 4);
  for (int e = 0; e < edits; e++) {
    size_t at = next_random() % size;
    switch (next_random() % 4) {
    case 0: bytes[at] ^= (unsigned char)(1u << (next_random() % 8)); break;
    case 1: bytes[at] = (unsigned char)next_random(); break;
    case 2: bytes[at] = 0xff; break;
    default: bytes[at] = 0; break;
    }
  }
}

/* Returns 1 when the mutant ran to the end of invoke. */
static int exercise(const unsigned char *bytes, size_t size) {
  edgert_model *m = NULL;
  int ran = 0;
  if (edgert_model_load_buffer(bytes, size, &m) != EDGERT_OK) {
    CHECK(edgert_model_error(m)[0] != '\0');
    edgert_model_free(m);
    return 0;
  }
  edgert_interpreter *it = NULL;
  if (edgert_interpreter_create(m, NULL, &it) != EDGERT_OK) {
    CHECK(edgert_interpreter_error(it)[0] != '\0');
  } else {
    for (int k = 0; k < edgert_model_input_count(m); k++) {
      edgert_tensor_info info;
      edgert_interpreter_input_info(it, k, &info);
      unsigned char *data = edgert_interpreter_input_data(it, k);
      for (size_t i = 0; i < info.bytes; i++)
        data[i] = (unsigned char)next_random();
    }
    if (edgert_interpreter_invoke(it) == EDGERT_OK)
      ran = 1;
    else
      CHECK(edgert_interpreter_error(it)[0] != '\0');
  }
  edgert_interpreter_free(it);
  edgert_model_free(m);
  return ran;
}

static void mutated_models_never_crash(void) {
  const char *env = getenv("EDGERT_MUTATIONS");
  int per_model = env ? atoi(env) : 150;
  for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
    size_t size = 0;
    unsigned char *original = test_read_file(test_fixture(models[k]), &size);
    CHECK(original != NULL);
    if (!original) continue;
    unsigned char *mutant = malloc(size);
    int ran = 0;
    for (int i = 0; i < per_model; i++) {
      memcpy(mutant, original, size);
      mutate(mutant, size);
      ran += exercise(mutant, size);
    }
    printf("  %-48s %d of %d mutants ran to the end\n", models[k], ran, per_model);
    free(mutant);
    free(original);
  }
}

void run_tests(void) { RUN(mutated_models_never_crash); }
