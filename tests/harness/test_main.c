/* main() for every test program: runs the file's run_tests() and exits non-zero on any failed check. */
#include <stdlib.h>
#include <string.h>

#include "test.h"

int test_failures = 0;
const char *test_current = "";

const char *test_fixture(const char *relative) {
  static char path[4096];
  const char *root = getenv("EDGERT_FIXTURES");
  if (!root) root = EDGERT_DEFAULT_FIXTURES; /* the path CMake saw, so test programs also run by hand */
  snprintf(path, sizeof path, "%s/%s", root, relative);
  return path;
}

unsigned char *test_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) {
    fclose(f);
    return NULL;
  }
  long n = ftell(f);
  rewind(f);
  unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) *size = (size_t)n;
  return buf;
}

int main(void) {
  run_tests();
  if (test_failures) {
    fprintf(stderr, "%d check(s) failed\n", test_failures);
    return 1;
  }
  return 0;
}
