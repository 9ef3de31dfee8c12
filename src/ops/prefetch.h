/* A hint to start reading memory that a loop will need soon: weight packing at prepare reads many rows
 * at once, each a miss in turn, and the hardware prefetchers do not follow so many streams. */
#ifndef EDGERT_OPS_PREFETCH_H
#define EDGERT_OPS_PREFETCH_H

#if defined(__GNUC__) || defined(__clang__)
static inline void er_prefetch(const void *p) { __builtin_prefetch(p); }
#else
static inline void er_prefetch(const void *p) { (void)p; }
#endif

#endif
