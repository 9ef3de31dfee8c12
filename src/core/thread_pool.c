/* The worker pool behind er_parallel_for (see thread_pool.h).
 *
 * A run: the caller writes the job (fn, arg, chunking), publishes one 64-bit claim word holding a tag of
 * the job number, the chunk count and a bit per chunk that is taken, and posts the job number to the
 * mailboxes of the workers it wants. Every thread, the caller included, claims chunks by compare-and-swap
 * on the claim word, which fails once the word names another job or no chunk is left, and counts each
 * finished chunk in `done`; the caller returns when all chunks are done. So the caller never waits for a
 * worker that has not started (it takes that worker's chunks itself, which matters on a busy machine),
 * and a worker that wakes late finds the job over without reading it: the job's fields are read only
 * while holding an unfinished chunk, and the caller rewrites them only after every chunk is done.
 *
 * Each taking part has a home: an equal, contiguous share of the chunks (thread 0 the first). A thread
 * claims the first free chunk of its home, and only then takes the last free chunk of anyone's. So when
 * nobody is late, consecutive kernels that split the same axis (a conv over channels, then a Mul over
 * the same channels) hand each thread the data it wrote itself, still in its own core's cache; with
 * one shared counter the split was random, and a small op after a split conv read half its input from
 * the other core.
 *
 * Waiting (workers for a job, the caller for `done`) spins for a short while, then sleeps on a condition
 * variable. The sleeper stores its flag then reads the word it waits on; the poster stores the word then
 * reads the flag; a full fence sits between each store and load, so one of the two always sees the other
 * and no wake-up is lost. (Sequentially consistent accesses alone should do, but qemu-user's Arm emulation
 * let the load pass the store, and a worker slept through its stop in about one test run of ten.) */
#include "core/thread_pool.h"

#include <stdlib.h>

/* Chunks per thread when the work allows: a few per thread lets a thread that started late (or was
 * descheduled) take less, while keeping the claim traffic small. */
#define ER_CHUNKS_PER_THREAD 4
/* The most chunks of one run: the claim word has a bit per chunk. */
#define CLAIM_MAX_CHUNKS 48

/* How a run of n items cuts into chunks: *chunk items each (whole grains, as even as that allows; rounding
 * may leave fewer chunks than asked) and *count chunks; *count <= 1 runs on the caller alone. */
static void plan_chunks(int64_t n, int64_t grain, int32_t threads, int64_t *chunk, uint32_t *count) {
  if (grain < 1) grain = 1;
  int64_t grains = n / grain + (n % grain != 0);
  int64_t chunks = (int64_t)threads * ER_CHUNKS_PER_THREAD;
  if (chunks > CLAIM_MAX_CHUNKS) chunks = CLAIM_MAX_CHUNKS;
  if (grains < chunks) chunks = grains;
  if (threads <= 1 || chunks <= 1) {
    *chunk = n, *count = 1;
    return;
  }
  int64_t grains_per_chunk = grains / chunks + (grains % chunks != 0);
  *chunk = grains_per_chunk * grain;
  *count = (uint32_t)(n / *chunk + (n % *chunk != 0));
}

/* The chunks [first, end) that are thread's home when `count` chunks are shared by `threads`. */
static void home_chunks(uint32_t count, int32_t threads, int32_t thread, uint32_t *first, uint32_t *end) {
  uint32_t sharing = count < (uint32_t)threads ? count : (uint32_t)threads;
  if ((uint32_t)thread >= sharing) {
    *first = *end = 0;
    return;
  }
  *first = (uint32_t)thread * count / sharing;
  *end = ((uint32_t)thread + 1) * count / sharing;
}

void er_parallel_home(int64_t n, int64_t grain, int32_t threads, int32_t thread, int64_t *begin,
                      int64_t *end) {
  *begin = *end = 0;
  if (n <= 0) return;
  int64_t chunk;
  uint32_t count, first, last;
  plan_chunks(n, grain, threads, &chunk, &count);
  if (count <= 1) {
    if (thread == 0) *end = n;
    return;
  }
  home_chunks(count, threads, thread, &first, &last);
  *begin = (int64_t)first * chunk;
  *end = (int64_t)last * chunk < n ? (int64_t)last * chunk : n;
}

/* Items of a thread's share costed one by one before the rest is taken to cost alike. */
#define MAKESPAN_SAMPLED_ITEMS 4096

double er_parallel_makespan(int64_t items, int32_t threads, er_item_cost_fn item_cost, const void *arg) {
  double slowest = 0;
  const int64_t sampled = MAKESPAN_SAMPLED_ITEMS / (threads > 1 ? threads : 1);
  for (int32_t t = 0; t < (threads > 1 ? threads : 1); t++) {
    int64_t first, end;
    double mine = 0;
    er_parallel_home(items, 1, threads, t, &first, &end);
    for (int64_t item = first; item < end; item++) {
      if (item - first == sampled) {
        mine *= (double)(end - first) / (double)sampled;
        break;
      }
      mine += item_cost(arg, item, item > first ? item - 1 : -1);
    }
    if (mine > slowest) slowest = mine;
  }
  return slowest;
}

#if defined(ER_HAVE_PTHREADS)

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

/* Polls before sleeping (each with a pause hint: some tens of microseconds in all), long enough to catch
 * the next kernel of an invoke without a futex round trip, short enough not to burn a shared core
 * between invokes. */
#define ER_SPIN_POLLS 4000

typedef struct {
  alignas(64) _Atomic uint32_t job; /* mailbox: the number of the last job posted to this worker */
  _Atomic bool sleeping;
  pthread_cond_t wake;
  pthread_t thread;
  er_thread_pool *pool;
  int32_t index; /* 1 .. threads - 1 */
} er_worker;

/* The claim word: job tag (10 bits: the job number's low bits), chunk count (6), taken chunks (48, one
 * bit each; bits at and above the count start taken). A tag that repeats is harmless: a stale worker that
 * matches it claims a real chunk of the current job, after the caller published it. */
#define CLAIM_TAG(job) ((uint64_t)(job) & 0x3ffu)
#define CLAIM_TAKEN_ALL ((((uint64_t)1) << CLAIM_MAX_CHUNKS) - 1)
#define CLAIM_WORD(job, count) \
  ((CLAIM_TAG(job) << 54) | ((uint64_t)(count) << 48) | (CLAIM_TAKEN_ALL & ~((((uint64_t)1) << (count)) - 1)))
#define CLAIM_JOB_TAG(w) ((w) >> 54)
#define CLAIM_COUNT(w) ((uint32_t)((w) >> 48) & 0x3fu)
#define CLAIM_TAKEN(w) ((w) & CLAIM_TAKEN_ALL)

struct er_thread_pool {
  int32_t threads;
  int32_t started; /* workers whose thread exists */
  uint32_t job_number;
  /* The current job: written by the caller between runs, read by a worker only while it holds a chunk. */
  er_task_fn fn;
  void *arg;
  int64_t n, chunk;
  _Atomic bool stop;
  alignas(64) _Atomic uint64_t claim;
  alignas(64) _Atomic uint32_t done; /* chunks finished by workers in the current job */
  _Atomic bool caller_sleeping;
  pthread_mutex_t lock;
  pthread_cond_t finished;
  er_worker *workers; /* threads - 1 of them */
};

/* A hint to the core that this is a spin-wait (frees resources for a sibling hyperthread). */
static inline void spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __asm__ __volatile__("pause");
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* The bits of chunks [lo, hi). */
static uint64_t chunk_bits(uint32_t lo, uint32_t hi) {
  return ((((uint64_t)1) << hi) - 1) & ~((((uint64_t)1) << lo) - 1);
}

/* The highest set bit's index of a non-zero word. */
static uint32_t highest_bit(uint64_t x) {
  uint32_t i = 0;
  while (x >>= 1)
    i++;
  return i;
}

/* The lowest set bit's index of a non-zero word. */
static uint32_t lowest_bit(uint64_t x) {
  uint32_t i = 0;
  while (!(x & 1)) {
    x >>= 1;
    i++;
  }
  return i;
}

/* Claims a chunk of job `job` for `thread`: the first free one of its home, else the last free one of
 * all; false when that job is over or has no chunk left. */
static bool claim_chunk(er_thread_pool *pool, uint32_t job, int32_t thread, uint32_t *chunk) {
  uint64_t word = atomic_load_explicit(&pool->claim, memory_order_relaxed);
  for (;;) {
    uint64_t free_chunks = ~CLAIM_TAKEN(word) & CLAIM_TAKEN_ALL;
    if (CLAIM_JOB_TAG(word) != CLAIM_TAG(job) || !free_chunks) return false;
    uint32_t first, end;
    home_chunks(CLAIM_COUNT(word), pool->threads, thread, &first, &end);
    uint64_t home = chunk_bits(first, end);
    uint32_t pick = (free_chunks & home) ? lowest_bit(free_chunks & home) : highest_bit(free_chunks);
    if (atomic_compare_exchange_weak_explicit(&pool->claim, &word, word | ((uint64_t)1 << pick),
                                              memory_order_acquire, memory_order_relaxed)) {
      *chunk = pick;
      return true;
    }
  }
}

static void run_chunk(const er_thread_pool *pool, int32_t thread, uint32_t c) {
  int64_t begin = (int64_t)c * pool->chunk;
  int64_t end = pool->n - begin < pool->chunk ? pool->n : begin + pool->chunk;
  pool->fn(pool->arg, thread, begin, end);
}

/* Waits until the worker's mailbox differs from `seen`; returns the new job number. */
static uint32_t wait_for_job(er_worker *w, uint32_t seen) {
  for (int i = 0; i < ER_SPIN_POLLS; i++) {
    uint32_t job = atomic_load_explicit(&w->job, memory_order_acquire);
    if (job != seen) return job;
    spin_pause();
  }
  er_thread_pool *pool = w->pool;
  pthread_mutex_lock(&pool->lock);
  atomic_store(&w->sleeping, true);
  atomic_thread_fence(memory_order_seq_cst);
  uint32_t job;
  while ((job = atomic_load(&w->job)) == seen)
    pthread_cond_wait(&w->wake, &pool->lock);
  atomic_store(&w->sleeping, false);
  pthread_mutex_unlock(&pool->lock);
  return job;
}

static void worker_runs(er_thread_pool *pool, er_worker *w, uint32_t job) {
  uint32_t c;
  while (claim_chunk(pool, job, w->index, &c)) {
    run_chunk(pool, w->index, c);
    atomic_fetch_add(&pool->done, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(&pool->caller_sleeping)) {
      pthread_mutex_lock(&pool->lock);
      pthread_cond_signal(&pool->finished);
      pthread_mutex_unlock(&pool->lock);
    }
  }
}

static void *worker_main(void *p) {
  er_worker *w = p;
  er_thread_pool *pool = w->pool;
  uint32_t seen = 0;
  for (;;) {
    seen = wait_for_job(w, seen);
    if (atomic_load(&pool->stop)) return NULL;
    worker_runs(pool, w, seen);
  }
}

static void post_job(er_worker *w, uint32_t job) {
  atomic_store(&w->job, job);
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load(&w->sleeping)) {
    pthread_mutex_lock(&w->pool->lock);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->pool->lock);
  }
}

/* Waits until workers have finished `count` chunks. */
static void wait_for_workers(er_thread_pool *pool, uint32_t count) {
  for (int i = 0; i < ER_SPIN_POLLS; i++) {
    if (atomic_load_explicit(&pool->done, memory_order_acquire) == count) return;
    spin_pause();
  }
  pthread_mutex_lock(&pool->lock);
  atomic_store(&pool->caller_sleeping, true);
  atomic_thread_fence(memory_order_seq_cst);
  while (atomic_load(&pool->done) != count)
    pthread_cond_wait(&pool->finished, &pool->lock);
  atomic_store(&pool->caller_sleeping, false);
  pthread_mutex_unlock(&pool->lock);
}

void er_thread_pool_run(er_thread_pool *pool, int64_t n, int64_t grain, er_task_fn fn, void *arg) {
  if (n <= 0) return;
  uint32_t count;
  plan_chunks(n, grain, pool->threads, &pool->chunk, &count);
  if (count <= 1) {
    fn(arg, 0, 0, n);
    return;
  }
  pool->n = n;
  pool->fn = fn;
  pool->arg = arg;
  atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
  uint32_t job = ++pool->job_number;
  atomic_store_explicit(&pool->claim, CLAIM_WORD(job, count), memory_order_release);
  int32_t helpers = count < (uint32_t)pool->threads ? (int32_t)count - 1 : pool->threads - 1;
  for (int32_t i = 0; i < helpers; i++)
    post_job(&pool->workers[i], job);
  uint32_t c, mine = 0;
  while (claim_chunk(pool, job, 0, &c)) {
    run_chunk(pool, 0, c);
    mine++;
  }
  wait_for_workers(pool, count - mine);
}

static void stop_workers(er_thread_pool *pool) {
  atomic_store(&pool->stop, true);
  pool->job_number++;
  for (int32_t i = 0; i < pool->started; i++)
    post_job(&pool->workers[i], pool->job_number);
  for (int32_t i = 0; i < pool->started; i++)
    pthread_join(pool->workers[i].thread, NULL);
  pool->started = 0;
}

void er_thread_pool_free(er_thread_pool *pool) {
  if (!pool) return;
  stop_workers(pool);
  for (int32_t i = 0; i < pool->threads - 1; i++)
    pthread_cond_destroy(&pool->workers[i].wake);
  pthread_cond_destroy(&pool->finished);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

edgert_status er_thread_pool_create(int32_t threads, er_thread_pool **out) {
  *out = NULL;
  if (threads < 2 || threads > ER_MAX_THREADS) return EDGERT_ERR_LIMIT;
  er_thread_pool *pool = aligned_alloc(64, (sizeof *pool + 63) & ~(size_t)63);
  er_worker *workers = aligned_alloc(64, ((sizeof *workers * (size_t)(threads - 1)) + 63) & ~(size_t)63);
  if (!pool || !workers) {
    free(pool);
    free(workers);
    return EDGERT_ERR_NO_MEMORY;
  }
  memset(pool, 0, sizeof *pool);
  memset(workers, 0, sizeof *workers * (size_t)(threads - 1));
  pool->threads = threads;
  pool->workers = workers;
  atomic_init(&pool->stop, false);
  atomic_init(&pool->claim, 0);
  atomic_init(&pool->done, 0);
  atomic_init(&pool->caller_sleeping, false);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->finished, NULL);
  for (int32_t i = 0; i < threads - 1; i++) {
    er_worker *w = &workers[i];
    atomic_init(&w->job, 0);
    atomic_init(&w->sleeping, false);
    pthread_cond_init(&w->wake, NULL);
    w->pool = pool;
    w->index = i + 1;
  }
  for (int32_t i = 0; i < threads - 1; i++) {
    if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
      er_thread_pool_free(pool);
      return EDGERT_ERR_RUNTIME;
    }
    pool->started++;
  }
  *out = pool;
  return EDGERT_OK;
}

#else /* no pthreads: one thread only */

edgert_status er_thread_pool_create(int32_t threads, er_thread_pool **out) {
  (void)threads;
  *out = NULL;
  return EDGERT_ERR_UNSUPPORTED;
}

void er_thread_pool_free(er_thread_pool *pool) { (void)pool; }

void er_thread_pool_run(er_thread_pool *pool, int64_t n, int64_t grain, er_task_fn fn, void *arg) {
  (void)pool;
  (void)grain;
  if (n > 0) fn(arg, 0, 0, n);
}

#endif
