/* A fixed pool of worker threads for er_parallel_for. An interpreter asking for T threads owns one pool
 * with T - 1 workers, started when the interpreter is created and joined when it is freed; the thread that
 * invokes is thread 0 and runs chunks too. A run hands out contiguous chunks of [0, n) (at most 48, about
 * four per thread) through one atomic claim word, each thread first from its own equal share, so that
 * kernels splitting the same axis one after another find their data in the same core's cache; workers
 * spin briefly for the next run before sleeping on a condition variable, and a run allocates nothing. Without ER_HAVE_PTHREADS (MCU builds) creation refuses more than one thread. */
#ifndef EDGERT_CORE_THREAD_POOL_H
#define EDGERT_CORE_THREAD_POOL_H

#include <stdint.h>

#include "core/kernel.h"
#include "edgert.h"

/* The most threads an interpreter may ask for. */
#define ER_MAX_THREADS 64

typedef struct er_thread_pool er_thread_pool;

/* Starts threads - 1 workers (threads in 2 .. ER_MAX_THREADS). On success *out is the pool, which the
 * caller frees with er_thread_pool_free; on failure *out is NULL and the status says why:
 * EDGERT_ERR_UNSUPPORTED in a build without pthreads, EDGERT_ERR_LIMIT for a count out of range,
 * EDGERT_ERR_NO_MEMORY or EDGERT_ERR_RUNTIME when memory or a thread could not be had. */
edgert_status er_thread_pool_create(int32_t threads, er_thread_pool **out);

/* Stops and joins the workers and frees the pool; NULL is ignored. */
void er_thread_pool_free(er_thread_pool *pool);

/* Calls fn(arg, thread, begin, end) over contiguous chunks covering [0, n), each a multiple of grain
 * items (but the last), on the calling thread (thread 0) and up to threads - 1 workers, and returns when
 * all are done. Not reentrant: fn must not run the same pool. */
void er_thread_pool_run(er_thread_pool *pool, int64_t n, int64_t grain, er_task_fn fn, void *arg);

#endif
