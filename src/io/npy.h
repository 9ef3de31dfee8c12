/* NumPy .npy files (format versions 1-3, C order, little-endian numeric dtypes): parse from memory with
 * every length checked, read from and write to files. Anything else is a clear error. */
#ifndef EDGERT_IO_NPY_H
#define EDGERT_IO_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "edgert.h"

typedef struct {
  edgert_dtype dtype;
  int ndim;
  int64_t dims[EDGERT_MAX_DIMS];
  const void *data; /* points into the parsed buffer */
  size_t bytes;
} er_npy;

/* Parses buf; on success out->data points into buf. err names the problem and its byte offset. */
edgert_status er_npy_parse(const uint8_t *buf, size_t size, er_npy *out, char *err, size_t err_len);
/* Reads and parses a file. *owned receives the file contents (out->data points into it); free() it. */
edgert_status er_npy_read_file(const char *path, er_npy *out, void **owned, char *err, size_t err_len);
edgert_status er_npy_write_file(const char *path, edgert_dtype dtype, int ndim, const int64_t *dims,
                                const void *data, char *err, size_t err_len);

#endif
