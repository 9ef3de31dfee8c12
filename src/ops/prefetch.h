/* A hint to start reading memory that a loop will need soon: weight packing at prepare reads many rows
 * at once, each a miss in turn, and the hardware prefetchers do not follow so many streams; the GEMM's
 * packed weight panels each start a new stream. */
#ifndef EDGERT_OPS_PREFETCH_H
#define EDGERT_OPS_PREFETCH_H

/* The line a prefetch fetches (x86-64 and the Arm cores edgert targets). */
#define ER_CACHE_LINE_BYTES 64

#if defined(__GNUC__) || defined(__clang__)
static inline void er_prefetch(const void *p) { __builtin_prefetch(p); }
#else
static inline void er_prefetch(const void *p) { (void)p; }
#endif

#endif
