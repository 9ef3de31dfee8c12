/* Maps a model file read-only so weights are used in place (zero-copy). Where mmap is missing the file
 * is read into one heap block instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#endif
