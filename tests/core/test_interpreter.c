/* Interpreter contract on real models: zero heap allocations during invoke (counted by wrapping
 * malloc), a caller-supplied arena of exactly the reported size works and a smaller one is refused with
 * the size needed, loading from a buffer equals loading from a file, state reset is repeatable, and an
 * input set once serves every later invoke. */
#include <stdlib.h>
#include <string.h>

#include "edgert.h"
#include "test.h"

/* Allocation counting by interposing malloc; sanitizers interpose it themselves, so skip there. */
#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef COUNT_ALLOCATIONS
#define COUNT_ALLOCATIONS 1
#endif

static long allocations;

#if COUNT_ALLOCATIONS
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n) {
  allocations++;
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  allocations++;
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  allocations++;
  return __libc_realloc(p, n);
}
#endif

static edgert_model *load(const char *name) {
  edgert_model *m = NULL;
  if (edgert_model_load_file(test_fixture(name), &m) != EDGERT_OK) {
    fprintf(stderr, "load %s: %s\n", name, edgert_model_error(m));
    edgert_model_free(m);
    return NULL;
  }
  return m;
}

static void invoke_allocates_nothing(const char *name) {
  edgert_model *m = load(name);
  CHECK(m != NULL);
  if (!m) return;
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &it));
  if (edgert_interpreter_error(it)[0]) fprintf(stderr, "%s\n", edgert_interpreter_error(it));
  edgert_tensor_info in;
  if (edgert_interpreter_input_info(it, 0, &in) == EDGERT_OK)
    memset(edgert_interpreter_input_data(it, 0), 1, in.bytes);
  long before = allocations;
  for (int i = 0; i < 5; i++)
    CHECK_OK(edgert_interpreter_invoke(it));
  long during = allocations - before;
  CHECK_MSG(during == 0, "%s: %ld allocations during 5 invokes", name, during);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

static void no_allocation_during_invoke(void) {
  if (!COUNT_ALLOCATIONS) return;
  invoke_allocates_nothing("models/hello_world_int8.tflite");
  invoke_allocates_nothing("models/person_detect.tflite");
  invoke_allocates_nothing("models/trained_lstm_int8.tflite");
  invoke_allocates_nothing("models/keyword_scrambled.tflite");
}

static void caller_arena_exact_and_too_small(void) {
  edgert_model *m = load("models/person_detect.tflite");
  CHECK(m != NULL);
  if (!m) return;
  edgert_interpreter *probe = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &probe));
  size_t need = edgert_interpreter_arena_bytes(probe);
  CHECK(need > 96 * 96);
  edgert_interpreter_free(probe);

  /* 16-byte aligned buffer of exactly the reported size */
  void *arena = aligned_alloc(16, (need + 15) & ~(size_t)15);
  edgert_options opts = {.arena = arena, .arena_bytes = need, .num_threads = 1};
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(m, &opts, &it));
  CHECK_OK(edgert_interpreter_invoke(it));
  edgert_interpreter_free(it);

  opts.arena_bytes = need - 16;
  CHECK(edgert_interpreter_create(m, &opts, &it) == EDGERT_ERR_NO_MEMORY);
  char want[32];
  snprintf(want, sizeof want, "%zu", need);
  CHECK_MSG(strstr(edgert_interpreter_error(it), want) != NULL, "message '%s' lacks %s",
            edgert_interpreter_error(it), want);
  edgert_interpreter_free(it);
  free(arena);
  edgert_model_free(m);
}

static void buffer_load_matches_file_load(void) {
  size_t size = 0;
  unsigned char *bytes = test_read_file(test_fixture("models/hello_world_float.tflite"), &size);
  CHECK(bytes != NULL);
  if (!bytes) return;
  edgert_model *a = NULL, *b = NULL;
  CHECK_OK(edgert_model_load_buffer(bytes, size, &a));
  CHECK_OK(edgert_model_load_file(test_fixture("models/hello_world_float.tflite"), &b));
  float x = 1.25f, ya = 0, yb = 0;
  edgert_interpreter *ia = NULL, *ib = NULL;
  CHECK_OK(edgert_interpreter_create(a, NULL, &ia));
  CHECK_OK(edgert_interpreter_create(b, NULL, &ib));
  CHECK_OK(edgert_interpreter_set_input(ia, 0, &x, sizeof x));
  CHECK_OK(edgert_interpreter_set_input(ib, 0, &x, sizeof x));
  CHECK_OK(edgert_interpreter_invoke(ia));
  CHECK_OK(edgert_interpreter_invoke(ib));
  memcpy(&ya, edgert_interpreter_output_data(ia, 0), sizeof ya);
  memcpy(&yb, edgert_interpreter_output_data(ib, 0), sizeof yb);
  CHECK(ya == yb);
  CHECK(edgert_interpreter_set_input(ia, 0, &x, 2) == EDGERT_ERR_SHAPE);
  CHECK(edgert_interpreter_set_input(ia, 3, &x, sizeof x) != EDGERT_OK);
  edgert_interpreter_free(ia);
  edgert_interpreter_free(ib);
  edgert_model_free(a);
  edgert_model_free(b);
  free(bytes);
}

static void reset_state_repeats_results(void) {
  edgert_model *m = load("models/keyword_scrambled.tflite");
  CHECK(m != NULL);
  if (!m) return;
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &it));
  edgert_tensor_info in, out;
  edgert_interpreter_input_info(it, 0, &in);
  edgert_interpreter_output_info(it, 0, &out);
  int16_t *x = edgert_interpreter_input_data(it, 0);
  for (size_t i = 0; i < in.bytes / 2; i++)
    x[i] = (int16_t)(i * 37 % 2000 - 1000);
  unsigned char first[64], again[64];
  CHECK_OK(edgert_interpreter_invoke(it));
  memcpy(first, edgert_interpreter_output_data(it, 0), out.bytes < 64 ? out.bytes : 64);
  CHECK_OK(edgert_interpreter_invoke(it)); /* state moves on */
  edgert_interpreter_reset_state(it);
  CHECK_OK(edgert_interpreter_invoke(it));
  memcpy(again, edgert_interpreter_output_data(it, 0), out.bytes < 64 ? out.bytes : 64);
  CHECK(memcmp(first, again, out.bytes < 64 ? out.bytes : 64) == 0);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

/* An input set once holds its values through any number of invokes, and so each invoke gives the same
 * output (its buffer was once reused by later layers, so the second invoke computed on their
 * activations). */
static void input_set_once_serves_every_invoke(const char *name) {
  edgert_model *m = load(name);
  CHECK(m != NULL);
  if (!m) return;
  edgert_interpreter *it = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &it));
  edgert_tensor_info in, out;
  CHECK_OK(edgert_interpreter_input_info(it, 0, &in));
  CHECK_OK(edgert_interpreter_output_info(it, 0, &out));
  unsigned char *x = malloc(in.bytes), *first = malloc(out.bytes);
  for (size_t i = 0; i < in.bytes; i++)
    x[i] = (unsigned char)(i * 37u + 11u);
  CHECK_OK(edgert_interpreter_set_input(it, 0, x, in.bytes));
  CHECK_OK(edgert_interpreter_invoke(it));
  memcpy(first, edgert_interpreter_output_data(it, 0), out.bytes);
  for (int i = 0; i < 2; i++) {
    CHECK_OK(edgert_interpreter_invoke(it));
    CHECK_MSG(memcmp(edgert_interpreter_input_data(it, 0), x, in.bytes) == 0,
              "%s: invoke %d changed the input", name, i + 2);
    CHECK_MSG(memcmp(edgert_interpreter_output_data(it, 0), first, out.bytes) == 0,
              "%s: invoke %d gave another output", name, i + 2);
  }
  free(x);
  free(first);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

static void inputs_survive_invokes(void) {
  input_set_once_serves_every_invoke("models/person_detect.tflite");
  input_set_once_serves_every_invoke("models/keyword_scrambled.tflite");
}

/* hello_world leaves its batch dim open: a resized interpreter computes each row as a batch of one does;
 * a resize that breaks a fixed shape fails clearly and a later good resize recovers. */
static void resize_input_replans(void) {
  edgert_model *m = load("models/hello_world_float.tflite");
  CHECK(m != NULL);
  if (!m) return;
  edgert_tensor_info in;
  CHECK_OK(edgert_model_input_info(m, 0, &in));
  CHECK(in.dynamic_dims & 1u);
  edgert_interpreter *one = NULL, *many = NULL;
  CHECK_OK(edgert_interpreter_create(m, NULL, &one));
  CHECK_OK(edgert_interpreter_create(m, NULL, &many));
  CHECK_OK(edgert_interpreter_resize_input(many, 0, 2, (const int64_t[]){5, 1}));
  edgert_tensor_info out;
  CHECK_OK(edgert_interpreter_output_info(many, 0, &out));
  CHECK_EQ_INT(out.dims[0], 5);
  const float xs[5] = {0.0f, 0.5f, 1.5f, 3.0f, 6.0f};
  CHECK_OK(edgert_interpreter_set_input(many, 0, xs, sizeof xs));
  CHECK_OK(edgert_interpreter_invoke(many));
  const float *ys = edgert_interpreter_output_data(many, 0);
  for (int i = 0; i < 5; i++) {
    CHECK_OK(edgert_interpreter_set_input(one, 0, &xs[i], sizeof xs[i]));
    CHECK_OK(edgert_interpreter_invoke(one));
    CHECK(*(const float *)edgert_interpreter_output_data(one, 0) == ys[i]);
  }
  CHECK_OK(edgert_interpreter_resize_input(many, 0, 2, (const int64_t[]){2, 1}));
  CHECK_OK(edgert_interpreter_set_input(many, 0, xs, 2 * sizeof(float)));
  CHECK_OK(edgert_interpreter_invoke(many));
  edgert_interpreter_free(one);
  edgert_interpreter_free(many);
  edgert_model_free(m);

  /* person_detect's shapes are fixed: a smaller image cannot reach its [1, 2] output */
  m = load("models/person_detect.tflite");
  CHECK(m != NULL);
  if (!m) return;
  CHECK_OK(edgert_interpreter_create(m, NULL, &many));
  CHECK(edgert_interpreter_resize_input(many, 0, 4, (const int64_t[]){1, 48, 48, 1}) != EDGERT_OK);
  CHECK(edgert_interpreter_error(many)[0] != '\0');
  CHECK(edgert_interpreter_invoke(many) != EDGERT_OK);
  CHECK_OK(edgert_interpreter_resize_input(many, 0, 4, (const int64_t[]){1, 96, 96, 1}));
  CHECK_OK(edgert_interpreter_invoke(many));
  edgert_interpreter_free(many);
  edgert_model_free(m);
}

void run_tests(void) {
  RUN(resize_input_replans);
  RUN(no_allocation_during_invoke);
  RUN(caller_arena_exact_and_too_small);
  RUN(buffer_load_matches_file_load);
  RUN(reset_state_repeats_results);
  RUN(inputs_survive_invokes);
}
