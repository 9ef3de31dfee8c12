/* .npy reading and writing. The header is a Python dict literal; we accept exactly the keys numpy writes
 * ('descr', 'fortran_order', 'shape') in any order and refuse everything we cannot represent. */
#include "io/npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *descr;
  edgert_dtype dtype;
} npy_dtypes[] = {
    {"<f4", EDGERT_FLOAT32}, {"<f2", EDGERT_FLOAT16}, {"|i1", EDGERT_INT8},  {"<i1", EDGERT_INT8},
    {"|u1", EDGERT_UINT8},   {"<u1", EDGERT_UINT8},   {"<i2", EDGERT_INT16}, {"<i4", EDGERT_INT32},
    {"<i8", EDGERT_INT64},   {"|b1", EDGERT_BOOL},   {"<f8", EDGERT_FLOAT64}, {"<u2", EDGERT_UINT16},
    {"<u4", EDGERT_UINT32},  {"<u8", EDGERT_UINT64},
};

static const char *descr_for(edgert_dtype dtype) {
  for (size_t i = 0; i < sizeof npy_dtypes / sizeof npy_dtypes[0]; i++)
    if (npy_dtypes[i].dtype == dtype) return npy_dtypes[i].descr;
  return NULL;
}

typedef struct {
  const char *p, *end;
} cursor;

static void skip_space(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n'))
    c->p++;
}

static bool take(cursor *c, char ch) {
  skip_space(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* A quoted string 'like this' into buf. */
static bool take_string(cursor *c, char *buf, size_t len) {
  skip_space(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return false;
  char quote = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != quote) {
    if (n + 1 >= len) return false;
    buf[n++] = *c->p++;
  }
  if (c->p >= c->end) return false;
  c->p++;
  buf[n] = '\0';
  return true;
}

static bool take_word(cursor *c, const char *word) {
  skip_space(c);
  size_t n = strlen(word);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return false;
  c->p += n;
  return true;
}

static bool take_dim(cursor *c, int64_t *v) {
  skip_space(c);
  int64_t x = 0;
  const char *start = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    if (x > (INT64_MAX - 9) / 10) return false;
    x = x * 10 + (*c->p - '0');
    c->p++;
  }
  if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
  *v = x;
  return c->p > start;
}

static edgert_status fail(char *err, size_t len, edgert_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static edgert_status fail(char *err, size_t len, edgert_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
  return st;
}

static edgert_status parse_shape(cursor *c, er_npy *out, char *err, size_t len) {
  if (!take(c, '(')) return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: 'shape' is not a tuple");
  out->ndim = 0;
  while (!take(c, ')')) {
    if (out->ndim >= EDGERT_MAX_DIMS)
      return fail(err, len, EDGERT_ERR_UNSUPPORTED, "npy shape has more than %d dims", EDGERT_MAX_DIMS);
    if (!take_dim(c, &out->dims[out->ndim]))
      return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: bad number in 'shape'");
    out->ndim++;
    if (!take(c, ',')) {
      if (!take(c, ')'))
        return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: 'shape' tuple is not closed");
      break;
    }
  }
  return EDGERT_OK;
}

static edgert_status parse_header(cursor *c, er_npy *out, char *err, size_t len) {
  bool have_descr = false, have_order = false, have_shape = false;
  if (!take(c, '{')) return fail(err, len, EDGERT_ERR_MALFORMED, "npy header is not a dict");
  while (!take(c, '}')) {
    char key[32], descr[32];
    if (!take_string(c, key, sizeof key) || !take(c, ':'))
      return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: expected 'key':");
    if (strcmp(key, "descr") == 0) {
      if (!take_string(c, descr, sizeof descr))
        return fail(err, len, EDGERT_ERR_UNSUPPORTED,
                    "npy dtype is not a simple type (structured arrays are not supported)");
      size_t i, n = sizeof npy_dtypes / sizeof npy_dtypes[0];
      for (i = 0; i < n && strcmp(npy_dtypes[i].descr, descr) != 0; i++) {
      }
      if (i == n) return fail(err, len, EDGERT_ERR_UNSUPPORTED, "npy dtype '%s' is not supported", descr);
      out->dtype = npy_dtypes[i].dtype;
      have_descr = true;
    } else if (strcmp(key, "fortran_order") == 0) {
      if (take_word(c, "True"))
        return fail(err, len, EDGERT_ERR_UNSUPPORTED, "npy array is in Fortran order; save it in C order");
      if (!take_word(c, "False"))
        return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: bad 'fortran_order'");
      have_order = true;
    } else if (strcmp(key, "shape") == 0) {
      edgert_status st = parse_shape(c, out, err, len);
      if (st != EDGERT_OK) return st;
      have_shape = true;
    } else {
      return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: unknown key '%s'", key);
    }
    if (!take(c, ',')) {
      if (!take(c, '}')) return fail(err, len, EDGERT_ERR_MALFORMED, "npy header: dict is not closed");
      break;
    }
  }
  if (!have_descr || !have_order || !have_shape)
    return fail(err, len, EDGERT_ERR_MALFORMED, "npy header lacks 'descr', 'fortran_order' or 'shape'");
  return EDGERT_OK;
}

edgert_status er_npy_parse(const uint8_t *buf, size_t size, er_npy *out, char *err, size_t len) {
  memset(out, 0, sizeof *out);
  if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
    return fail(err, len, EDGERT_ERR_MALFORMED, "not a .npy file (no \\x93NUMPY magic)");
  uint8_t major = buf[6];
  size_t header_len, start;
  if (major == 1) {
    header_len = (size_t)buf[8] | ((size_t)buf[9] << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return fail(err, len, EDGERT_ERR_MALFORMED, "npy file truncated in its preamble");
    header_len = (size_t)buf[8] | ((size_t)buf[9] << 8) | ((size_t)buf[10] << 16) | ((size_t)buf[11] << 24);
    start = 12;
  } else {
    return fail(err, len, EDGERT_ERR_UNSUPPORTED, "npy format version %u is not supported", major);
  }
  if (header_len > size - start)
    return fail(err, len, EDGERT_ERR_MALFORMED,
                "npy header of %zu bytes runs past the end of the %zu-byte file", header_len, size);
  cursor c = {(const char *)buf + start, (const char *)buf + start + header_len};
  edgert_status st = parse_header(&c, out, err, len);
  if (st != EDGERT_OK) return st;
  int64_t elements = 1;
  for (int i = 0; i < out->ndim; i++) {
    if (out->dims[i] != 0 && elements > INT64_MAX / out->dims[i])
      return fail(err, len, EDGERT_ERR_MALFORMED, "npy shape is too large");
    elements *= out->dims[i];
  }
  size_t esize = edgert_dtype_size(out->dtype);
  size_t data_start = start + header_len;
  if ((uint64_t)elements > (SIZE_MAX / esize))
    return fail(err, len, EDGERT_ERR_MALFORMED, "npy shape is too large");
  out->bytes = (size_t)elements * esize;
  if (out->bytes != size - data_start)
    return fail(err, len, EDGERT_ERR_MALFORMED, "npy data is %zu bytes at offset %zu but its shape needs %zu",
                size - data_start, data_start, out->bytes);
  out->data = buf + data_start;
  return EDGERT_OK;
}

edgert_status er_npy_read_file(const char *path, er_npy *out, void **owned, char *err, size_t len) {
  *owned = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, len, EDGERT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return fail(err, len, EDGERT_ERR_IO, "%s: cannot read", path);
  }
  uint8_t *buf = malloc((size_t)n + 1);
  if (!buf) {
    fclose(f);
    return fail(err, len, EDGERT_ERR_NO_MEMORY, "%s: out of memory for %ld bytes", path, n);
  }
  size_t got = fread(buf, 1, (size_t)n, f);
  fclose(f);
  if (got != (size_t)n) {
    free(buf);
    return fail(err, len, EDGERT_ERR_IO, "%s: short read", path);
  }
  char inner[256];
  edgert_status st = er_npy_parse(buf, (size_t)n, out, inner, sizeof inner);
  if (st != EDGERT_OK) {
    free(buf);
    return fail(err, len, st, "%s: %s", path, inner);
  }
  *owned = buf;
  return EDGERT_OK;
}

edgert_status er_npy_write_file(const char *path, edgert_dtype dtype, int ndim, const int64_t *dims,
                                const void *data, char *err, size_t len) {
  const char *descr = descr_for(dtype);
  if (!descr)
    return fail(err, len, EDGERT_ERR_UNSUPPORTED, "%s: dtype %s cannot be written", path,
                edgert_dtype_name(dtype));
  char header[512];
  int h = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  int64_t elements = 1;
  for (int i = 0; i < ndim; i++) {
    h += snprintf(header + h, sizeof header - (size_t)h, "%lld,%s", (long long)dims[i],
                  i + 1 < ndim ? " " : "");
    elements *= dims[i];
  }
  h += snprintf(header + h, sizeof header - (size_t)h, "), }");
  /* pad with spaces so the data starts at a multiple of 64, newline last */
  size_t total = 10 + (size_t)h + 1;
  size_t pad = (64 - total % 64) % 64;
  uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
  size_t header_len = (size_t)h + pad + 1;
  pre[8] = (uint8_t)(header_len & 0xff);
  pre[9] = (uint8_t)(header_len >> 8);
  FILE *f = fopen(path, "wb");
  if (!f) return fail(err, len, EDGERT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
  size_t bytes = (size_t)elements * edgert_dtype_size(dtype);
  bool ok = fwrite(pre, 1, 10, f) == 10 && fwrite(header, 1, (size_t)h, f) == (size_t)h;
  for (size_t i = 0; ok && i < pad; i++)
    ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF && (bytes == 0 || fwrite(data, 1, bytes, f) == bytes);
  ok = (fclose(f) == 0) && ok;
  if (!ok) return fail(err, len, EDGERT_ERR_IO, "%s: write failed", path);
  return EDGERT_OK;
}
