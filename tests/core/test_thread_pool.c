/* The thread pool behind er_parallel_for: every index of [0, n) is visited exactly once, in chunks that
 * respect the grain, for many sizes, grains and thread counts (n = 0, n below the thread count, n not a
 * multiple of the grain); thread indices stay below the thread count; thousands of runs in a row (with
 * pauses that let workers fall asleep) all complete; an interpreter on two threads allocates nothing
 * during invoke; and every shipped model (TFLite Micro fixtures, the ONNX models in models/) gives the same
 * bytes on one and on two threads. num_threads 0 means one thread; above 64 or negative is refused. */
#include <dirent.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/interp.h"
#include "core/thread_pool.h"
#include "edgert.h"
#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
#define COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef COUNT_ALLOCATIONS
#define COUNT_ALLOCATIONS 1
#endif

static _Atomic long allocations;

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

/* What one run saw: visits per index, and any chunk or thread index that broke the contract. */
typedef struct {
  int64_t n, grain;
  int32_t threads;
  unsigned char *visits;
  int64_t *partial; /* per thread: sum of the indices it visited */
  _Atomic int bad_chunks, bad_threads;
} coverage;

static void visit(void *arg, int32_t thread, int64_t begin, int64_t end) {
  coverage *c = arg;
  if (thread < 0 || thread >= c->threads) {
    c->bad_threads++;
    return;
  }
  bool whole_grains = begin % c->grain == 0 && (end - begin >= c->grain || end == c->n);
  if (begin < 0 || end > c->n || begin >= end || !whole_grains) c->bad_chunks++;
  for (int64_t i = begin; i < end && i < c->n; i++) {
    c->visits[i]++;
    c->partial[thread] += i;
  }
}

/* Runs a coverage task of n items through `run` and checks it. */
static void check_coverage(int32_t threads, int64_t n, int64_t grain,
                           void (*run)(void *ctx, int64_t n, int64_t grain, er_task_fn fn, void *arg),
                           void *ctx) {
  coverage c = {.n = n, .grain = grain, .threads = threads};
  c.visits = calloc((size_t)n + 1, 1);
  c.partial = calloc((size_t)threads, sizeof(int64_t));
  run(ctx, n, grain, visit, &c);
  int64_t once = 0, sum = 0;
  for (int64_t i = 0; i < n; i++)
    once += c.visits[i] == 1;
  for (int32_t t = 0; t < threads; t++)
    sum += c.partial[t];
  CHECK_MSG(once == n && sum == n * (n - 1) / 2, "%d threads, n %lld, grain %lld: %lld of %lld visited once",
            (int)threads, (long long)n, (long long)grain, (long long)once, (long long)n);
  CHECK_MSG(c.bad_chunks == 0 && c.bad_threads == 0,
            "%d threads, n %lld, grain %lld: %d bad chunks, %d bad threads", (int)threads, (long long)n,
            (long long)grain, c.bad_chunks, c.bad_threads);
  free(c.visits);
  free(c.partial);
}

static void run_on_pool(void *pool, int64_t n, int64_t grain, er_task_fn fn, void *arg) {
  er_thread_pool_run(pool, n, grain, fn, arg);
}

static void run_on_ctx(void *ctx, int64_t n, int64_t grain, er_task_fn fn, void *arg) {
  er_parallel_for(ctx, n, grain, fn, arg);
}

static const int64_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 9, 16, 63, 64, 65, 1000, 4097, 100003};
static const int64_t grains[] = {1, 2, 3, 7, 16, 64, 1000, 1 << 20};

static void pool_covers_every_index_once(void) {
  static const int32_t counts[] = {2, 3, 4, 8, 64};
  for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
    er_thread_pool *pool = NULL;
    edgert_status st = er_thread_pool_create(counts[k], &pool);
    if (st == EDGERT_ERR_UNSUPPORTED) return; /* built without EDGERT_THREADS */
    CHECK_OK(st);
    if (!pool) continue;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
      for (size_t g = 0; g < sizeof grains / sizeof *grains; g++)
        check_coverage(counts[k], sizes[i], grains[g], run_on_pool, pool);
    er_thread_pool_free(pool);
  }
}

/* A cost of 1 per item, and 10 more for the first item a thread runs (nothing before it to share). */
static double unit_cost(const void *arg, int64_t item, int64_t prev) {
  (void)arg;
  (void)item;
  return prev < 0 ? 11.0 : 1.0;
}

/* Each thread's home share is a contiguous run, thread 0's first, and the shares cover [0, n) once;
 * er_parallel_makespan is the largest share's cost under that schedule, sampled shares included. */
static void home_shares_and_makespan(void) {
  const int64_t counts[] = {0, 1, 3, 7, 100, 4095, 5000, 9001};
  for (int32_t threads = 1; threads <= 4; threads++) {
    for (size_t s = 0; s < sizeof counts / sizeof *counts; s++) {
      int64_t n = counts[s], next = 0, largest = 0;
      for (int32_t t = 0; t < threads; t++) {
        int64_t begin, end;
        er_parallel_home(n, 1, threads, t, &begin, &end);
        if (end > begin) {
          CHECK_MSG(begin == next, "threads %d, n %lld: thread %d starts at %lld, not %lld", (int)threads,
                    (long long)n, (int)t, (long long)begin, (long long)next);
          next = end;
          if (end - begin > largest) largest = end - begin;
        }
      }
      CHECK_MSG(next == n, "threads %d, n %lld: shares end at %lld", (int)threads, (long long)n,
                (long long)next);
      double want = largest > 0 ? (double)largest + 10.0 : 0.0;
      double got = er_parallel_makespan(n, threads, unit_cost, NULL);
      /* a sampled share scales its first items' cost up: exact but for the first item's extra */
      double slack = largest > 4096 / threads ? 10.0 * (double)largest / (4096.0 / threads) : 0.0;
      CHECK_MSG(got >= want - 1e-9 && got <= want + slack + 1e-9, "threads %d, n %lld: makespan %g, want %g",
                (int)threads, (long long)n, got, want);
    }
  }
}

static void pool_refuses_bad_counts(void) {
  er_thread_pool *pool = NULL;
  CHECK(er_thread_pool_create(1, &pool) != EDGERT_OK && pool == NULL);
  CHECK(er_thread_pool_create(ER_MAX_THREADS + 1, &pool) != EDGERT_OK && pool == NULL);
}

static void sleep_ms(long ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

/* Many short runs back to back, and some after pauses long enough that the workers go to sleep; 20000
 * runs also wrap the claim word's 10-bit job tag many times. */
static void many_runs_in_a_row(void) {
  er_thread_pool *pool = NULL;
  if (er_thread_pool_create(3, &pool) != EDGERT_OK) return;
  for (int r = 0; r < 20000; r++) {
    if (r % 2000 == 1999) sleep_ms(5);
    check_coverage(3, 1 + r % 37, 1 + r % 5, run_on_pool, pool);
    if (test_failures) break;
  }
  er_thread_pool_free(pool);
}

static edgert_model *load(const char *path) {
  edgert_model *m = NULL;
  if (edgert_model_load_file(path, &m) != EDGERT_OK) {
    printf("  skipped: %s\n", edgert_model_error(m));
    edgert_model_free(m);
    return NULL;
  }
  return m;
}

static void parallel_for_through_an_interpreter(void) {
  edgert_model *m = load(test_fixture("models/hello_world_float.tflite"));
  CHECK(m != NULL);
  if (!m) return;
  edgert_options opts = {.num_threads = 2};
  edgert_interpreter *it = NULL;
  edgert_status st = edgert_interpreter_create(m, &opts, &it);
  if (st == EDGERT_ERR_UNSUPPORTED) {
    CHECK_MSG(strstr(edgert_interpreter_error(it), "EDGERT_THREADS") != NULL, "%s",
              edgert_interpreter_error(it));
  } else {
    CHECK_OK(st);
    er_op_ctx ctx = {.interp = it};
    CHECK_EQ_INT(er_num_threads(&ctx), 2);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
      for (size_t g = 0; g < sizeof grains / sizeof *grains; g++)
        check_coverage(2, sizes[i], grains[g], run_on_ctx, &ctx);
  }
  edgert_interpreter_free(it);
  /* one thread: a single direct call on thread 0 */
  it = NULL;
  opts.num_threads = 0;
  CHECK_OK(edgert_interpreter_create(m, &opts, &it));
  er_op_ctx one = {.interp = it};
  CHECK_EQ_INT(er_num_threads(&one), 1);
  check_coverage(1, 1000, 1, run_on_ctx, &one);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

static void thread_counts_out_of_range_are_refused(void) {
  edgert_model *m = load(test_fixture("models/hello_world_float.tflite"));
  CHECK(m != NULL);
  if (!m) return;
  edgert_interpreter *it = NULL;
  edgert_options opts = {.num_threads = ER_MAX_THREADS + 1};
  CHECK(edgert_interpreter_create(m, &opts, &it) == EDGERT_ERR_LIMIT);
  CHECK_MSG(strstr(edgert_interpreter_error(it), "64") != NULL, "%s", edgert_interpreter_error(it));
  edgert_interpreter_free(it);
  opts.num_threads = -1;
  CHECK(edgert_interpreter_create(m, &opts, &it) == EDGERT_ERR_ARGUMENT);
  edgert_interpreter_free(it);
  edgert_model_free(m);
}

/* Deterministic inputs: uniform [-1, 1) for floats, random bytes otherwise (bool as 0/1). */
static void fill_inputs(edgert_interpreter *it, int count) {
  uint32_t seed = 99;
  for (int k = 0; k < count; k++) {
    edgert_tensor_info t;
    if (edgert_interpreter_input_info(it, k, &t) != EDGERT_OK) continue;
    unsigned char *data = edgert_interpreter_input_data(it, k);
    size_t n = t.bytes / edgert_dtype_size(t.dtype);
    for (size_t i = 0; i < n; i++) {
      seed = seed * 1664525u + 1013904223u;
      if (t.dtype == EDGERT_FLOAT32) {
        float v = (float)(seed >> 8) / 8388608.0f - 1.0f;
        memcpy(data + 4 * i, &v, 4);
      } else if (t.dtype == EDGERT_BOOL) {
        data[i] = (unsigned char)(seed >> 31);
      } else {
        for (size_t b = 0; b < edgert_dtype_size(t.dtype); b++)
          data[i * edgert_dtype_size(t.dtype) + b] = (unsigned char)(seed >> (8 + 4 * b));
      }
    }
  }
}

/* Two invokes (the second sees any recurrent state) on `threads` threads; outputs copied to *out. */
static bool run_model(const edgert_model *m, int threads, unsigned char **out, size_t *bytes, long *allocs) {
  edgert_options opts = {.num_threads = threads};
  edgert_interpreter *it = NULL;
  *out = NULL;
  *bytes = 0;
  if (edgert_interpreter_create(m, &opts, &it) != EDGERT_OK) {
    edgert_interpreter_free(it);
    return false;
  }
  /* inputs are set before each invoke: the arena may reuse an input's memory once it has been read */
  bool ok = true;
  *allocs = 0;
  for (int r = 0; r < 2 && ok; r++) {
    fill_inputs(it, edgert_model_input_count(m));
    long before = allocations;
    ok = edgert_interpreter_invoke(it) == EDGERT_OK;
    *allocs += allocations - before;
  }
  for (int k = 0; ok && k < edgert_model_output_count(m); k++) {
    edgert_tensor_info t;
    edgert_interpreter_output_info(it, k, &t);
    unsigned char *grown = realloc(*out, *bytes + t.bytes + 1);
    if (!grown) break;
    *out = grown;
    if (t.bytes) memcpy(*out + *bytes, edgert_interpreter_output_data(it, k), t.bytes);
    *bytes += t.bytes;
  }
  edgert_interpreter_free(it);
  return ok;
}

static void same_results_on_one_and_two_threads(const char *path) {
  edgert_model *m = load(path);
  if (!m) return;
  unsigned char *one = NULL, *two = NULL;
  size_t one_bytes = 0, two_bytes = 0;
  long one_allocs = 0, two_allocs = 0;
  bool ran = run_model(m, 1, &one, &one_bytes, &one_allocs);
  if (ran) {
    bool threaded = run_model(m, 2, &two, &two_bytes, &two_allocs);
    edgert_options opts = {.num_threads = 2};
    edgert_interpreter *probe = NULL;
    bool supported = edgert_interpreter_create(m, &opts, &probe) != EDGERT_ERR_UNSUPPORTED;
    edgert_interpreter_free(probe);
    if (supported) {
      CHECK_MSG(threaded, "%s: fails on two threads", path);
      CHECK_MSG(one_bytes == two_bytes && (one_bytes == 0 || memcmp(one, two, one_bytes) == 0),
                "%s: outputs differ between one and two threads", path);
      if (COUNT_ALLOCATIONS)
        CHECK_MSG(two_allocs == 0 || two_allocs == one_allocs,
                  "%s: %ld allocations during invoke on two threads", path, two_allocs);
    }
    printf("  %s: %zu output bytes equal\n", path, one_bytes);
  } else {
    printf("  %s: skipped (does not run with random inputs)\n", path);
  }
  free(one);
  free(two);
  edgert_model_free(m);
}

static void each_model_in(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("  %s: not found, skipped\n", dir);
    return;
  }
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name), slen = strlen(suffix);
    if (len <= slen || strcmp(e->d_name + len - slen, suffix) != 0) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    same_results_on_one_and_two_threads(path);
  }
  closedir(d);
}

static void shipped_models_match_across_thread_counts(void) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", test_fixture("models"));
  each_model_in(dir, ".tflite");
  const char *source = getenv("EDGERT_SOURCE");
  if (source) {
    snprintf(dir, sizeof dir, "%s/models", source);
    each_model_in(dir, ".onnx");
  }
}

/* Invokes allocate nothing on two threads (value-mode models, which plan at invoke, are not among these). */
static void two_threads_allocate_nothing_during_invoke(void) {
  if (!COUNT_ALLOCATIONS) return;
  static const char *const names[] = {"models/person_detect.tflite", "models/hello_world_int8.tflite",
                                      "models/trained_lstm_int8.tflite", "models/keyword_scrambled.tflite"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    edgert_model *m = load(test_fixture(names[k]));
    CHECK(m != NULL);
    if (!m) continue;
    edgert_options opts = {.num_threads = 2};
    edgert_interpreter *it = NULL;
    edgert_status st = edgert_interpreter_create(m, &opts, &it);
    if (st != EDGERT_ERR_UNSUPPORTED) {
      CHECK_OK(st);
      fill_inputs(it, edgert_model_input_count(m));
      long before = allocations;
      for (int i = 0; i < 5 && st == EDGERT_OK; i++)
        CHECK_OK(edgert_interpreter_invoke(it));
      long during = allocations - before;
      CHECK_MSG(during == 0, "%s: %ld allocations during 5 invokes on two threads", names[k], during);
    }
    edgert_interpreter_free(it);
    edgert_model_free(m);
  }
}

void run_tests(void) {
  RUN(pool_refuses_bad_counts);
  RUN(home_shares_and_makespan);
  RUN(pool_covers_every_index_once);
  RUN(many_runs_in_a_row);
  RUN(parallel_for_through_an_interpreter);
  RUN(thread_counts_out_of_range_are_refused);
  RUN(two_threads_allocate_nothing_during_invoke);
  RUN(shipped_models_match_across_thread_counts);
}
