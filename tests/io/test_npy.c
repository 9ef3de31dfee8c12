/* The .npy reader: round trips through the writer, and refuses broken or unsupported files with a
 * message instead of reading out of bounds (every truncation of a valid file, odd headers). Files made
 * by numpy itself are covered by the CLI tests. */
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"
#include "test.h"

static unsigned char *file_bytes(const char *path, size_t *size) { return test_read_file(path, size); }

static void round_trip_every_dtype(void) {
  const edgert_dtype dtypes[] = {EDGERT_FLOAT32, EDGERT_FLOAT16, EDGERT_INT8,  EDGERT_UINT8,
                                 EDGERT_INT16,   EDGERT_INT32,   EDGERT_INT64, EDGERT_BOOL};
  unsigned char data[2 * 3 * 8];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)(i * 7 + 1);
  for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++) {
    const char *path = "npy_round_trip.npy";
    char err[256];
    int64_t dims[2] = {2, 3};
    CHECK_OK(er_npy_write_file(path, dtypes[d], 2, dims, data, err, sizeof err));
    er_npy x;
    void *owned = NULL;
    CHECK_OK(er_npy_read_file(path, &x, &owned, err, sizeof err));
    CHECK(x.dtype == dtypes[d]);
    CHECK_EQ_INT(x.ndim, 2);
    CHECK_EQ_INT(x.dims[1], 3);
    CHECK_EQ_INT(x.bytes, 6 * edgert_dtype_size(dtypes[d]));
    CHECK(owned && memcmp(x.data, data, x.bytes) == 0);
    size_t size = 0;
    unsigned char *bytes = file_bytes(path, &size);
    CHECK(size % 64 == x.bytes % 64); /* header padded to 64 bytes */
    for (size_t n = 0; bytes && n < size; n++) {
      er_npy t;
      CHECK(er_npy_parse(bytes, n, &t, err, sizeof err) != EDGERT_OK);
      CHECK(err[0] != '\0');
    }
    free(bytes);
    free(owned);
    remove(path);
  }
}

static edgert_status parse_header(const char *header, size_t data_bytes, char *err, size_t len) {
  unsigned char buf[512] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  size_t h = strlen(header);
  buf[8] = (unsigned char)h;
  buf[9] = 0;
  memcpy(buf + 10, header, h);
  er_npy x;
  return er_npy_parse(buf, 10 + h + data_bytes, &x, err, len);
}

static void refuses_bad_headers(void) {
  char err[256];
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, err, sizeof err) ==
        EDGERT_OK);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4, err, sizeof err) ==
        EDGERT_OK);
  CHECK(parse_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, err, sizeof err) ==
        EDGERT_ERR_UNSUPPORTED);
  CHECK(strstr(err, ">f4") != NULL);
  CHECK(parse_header("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, err, sizeof err) ==
        EDGERT_ERR_UNSUPPORTED);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8, err, sizeof err) ==
        EDGERT_ERR_UNSUPPORTED);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, err, sizeof err) ==
        EDGERT_ERR_MALFORMED);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, "
                     "99999999999), }",
                     8, err, sizeof err) == EDGERT_ERR_MALFORMED);
  CHECK(parse_header("{'descr': '<f4', 'shape': (2,), }", 8, err, sizeof err) == EDGERT_ERR_MALFORMED);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8, err, sizeof err) !=
        EDGERT_OK);
  CHECK(parse_header("not a dict", 0, err, sizeof err) == EDGERT_ERR_MALFORMED);
  CHECK(parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,), }", 4, err,
                     sizeof err) == EDGERT_ERR_UNSUPPORTED);
}

static void missing_file_names_path(void) {
  er_npy x;
  void *owned = NULL;
  char err[256];
  CHECK(er_npy_read_file("/nonexistent/dir/x.npy", &x, &owned, err, sizeof err) == EDGERT_ERR_IO);
  CHECK(strstr(err, "/nonexistent/dir/x.npy") != NULL);
  CHECK(owned == NULL);
}

void run_tests(void) {
  RUN(round_trip_every_dtype);
  RUN(refuses_bad_headers);
  RUN(missing_file_names_path);
}
