/* Giving back the memory behind model bytes the process has read and will not read again (weights a
 * kernel has packed, weights the optimizer has replaced), and the page-range advice the pools share. */
#ifndef EDGERT_CORE_FILE_MAP_H
#define EDGERT_CORE_FILE_MAP_H

#include <stddef.h>

/* When [data, data + bytes) lies inside `mapping` (from er_map_file), drops the whole pages inside that
 * range from the process's resident memory. The bytes stay readable: the mapping is private and never
 * written, so a later read faults the page back in from the file (the page cache). A no-op where the
 * mapping is a heap copy (builds without mmap) or for ranges outside the mapping. */
void er_release_mapped_pages(const void *mapping, size_t mapping_size, const void *data, size_t bytes);

/* Drops the whole pages inside [data, data + bytes), which must lie in private mapped memory, from the
 * process's resident memory: a file mapping refills them from the file when read, anonymous memory with
 * zeros. A failure only means the memory stays; a no-op in builds without mmap. */
void er_release_whole_pages(const void *data, size_t bytes);

/* Faults in the whole pages inside [data, data + bytes) of private writable memory in one call
 * (MADV_POPULATE_WRITE, Linux 5.14), for memory about to be filled. A failure (an older kernel) only means
 * the pages fault as they are written; a no-op elsewhere. */
void er_populate_whole_pages(void *data, size_t bytes);

#endif
