/* Maps a model file read-only so weights are used in place (zero-copy). Where mmap is missing the file
 * is read into one heap block instead. Pages of the mapping whose data was packed elsewhere can be
 * dropped from resident memory (er_release_mapped_pages). */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise and MADV_DONTNEED under -std=c11 */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file_map.h"
#include "core/model.h"

#if defined(__unix__) || defined(__APPLE__)
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

edgert_status er_map_file(const char *path, void **mapping, size_t *size, char *err, size_t len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(err, len, "%s: cannot open: %s", path, strerror(errno));
    return EDGERT_ERR_IO;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, len, "%s: not a regular file", path);
    close(fd);
    return EDGERT_ERR_IO;
  }
  if (st.st_size <= 0) {
    snprintf(err, len, "%s: file is empty", path);
    close(fd);
    return EDGERT_ERR_MALFORMED;
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    snprintf(err, len, "%s: cannot map: %s", path, strerror(errno));
    return EDGERT_ERR_IO;
  }
  *mapping = p;
  *size = (size_t)st.st_size;
  return EDGERT_OK;
}

void er_unmap_file(void *mapping, size_t size) { munmap(mapping, size); }

void er_release_mapped_pages(const void *mapping, size_t mapping_size, const void *data, size_t bytes) {
  uintptr_t map_begin = (uintptr_t)mapping, begin = (uintptr_t)data;
  if (!mapping || !data || begin < map_begin || begin - map_begin > mapping_size ||
      bytes > mapping_size - (begin - map_begin))
    return;
  er_release_whole_pages(data, bytes);
}

/* madvise(advice) on the whole pages inside [data, data + bytes): only those, as neighbours may be live. */
static void advise_whole_pages(const void *data, size_t bytes, int advice) {
  long page_size = sysconf(_SC_PAGESIZE);
  if (page_size <= 0) return;
  uintptr_t page = (uintptr_t)page_size, begin = (uintptr_t)data;
  uintptr_t first = (begin + page - 1) / page * page;
  uintptr_t last = (begin + bytes) / page * page;
  if (last > first) (void)madvise((void *)first, last - first, advice);
}

/* MADV_DONTNEED on private memory gives back the pages; a file mapping never written refills them from the
 * file. */
void er_release_whole_pages(const void *data, size_t bytes) {
  advise_whole_pages(data, bytes, MADV_DONTNEED);
}

#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it, which changes nothing */
#endif

void er_populate_whole_pages(void *data, size_t bytes) {
#if defined(MADV_POPULATE_WRITE)
  advise_whole_pages(data, bytes, MADV_POPULATE_WRITE);
#else
  (void)data;
  (void)bytes;
#endif
}

#else

edgert_status er_map_file(const char *path, void **mapping, size_t *size, char *err, size_t len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, len, "%s: cannot open", path);
    return EDGERT_ERR_IO;
  }
  long n = (fseek(f, 0, SEEK_END) == 0) ? ftell(f) : -1;
  if (n <= 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    snprintf(err, len, "%s: empty or unreadable", path);
    return EDGERT_ERR_IO;
  }
  void *p = malloc((size_t)n);
  if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
    free(p);
    fclose(f);
    snprintf(err, len, "%s: cannot read", path);
    return EDGERT_ERR_IO;
  }
  fclose(f);
  *mapping = p;
  *size = (size_t)n;
  return EDGERT_OK;
}

void er_unmap_file(void *mapping, size_t size) {
  (void)size;
  free(mapping);
}

/* The "mapping" is a heap copy here: freeing part of it is not possible, so the memory stays. */
void er_release_mapped_pages(const void *mapping, size_t mapping_size, const void *data, size_t bytes) {
  (void)mapping;
  (void)mapping_size;
  (void)data;
  (void)bytes;
}

void er_release_whole_pages(const void *data, size_t bytes) {
  (void)data;
  (void)bytes;
}

void er_populate_whole_pages(void *data, size_t bytes) {
  (void)data;
  (void)bytes;
}
#endif
