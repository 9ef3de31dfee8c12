/* A small test framework: each test file defines run_tests(), which calls RUN(test_fn) for each test;
 * CHECK* macros record failures with file and line and keep going. main() lives in test_main.c. */
#ifndef EDGERT_TEST_H
#define EDGERT_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

extern int test_failures;
extern const char *test_current;

void run_tests(void);

#define RUN(fn)                                                                                              \
  do {                                                                                                       \
    int before_ = test_failures;                                                                             \
    test_current = #fn;                                                                                      \
    fn();                                                                                                    \
    printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);                                      \
  } while (0)

#define CHECK(cond)                                                                                          \
  do {                                                                                                       \
    if (!(cond)) {                                                                                           \
      fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__, test_current, #cond);             \
      test_failures++;                                                                                       \
    }                                                                                                        \
  } while (0)

#define CHECK_MSG(cond, ...)                                                                                 \
  do {                                                                                                       \
    if (!(cond)) {                                                                                           \
      fprintf(stderr, "%s:%d: %s: CHECK failed: %s: ", __FILE__, __LINE__, test_current, #cond);             \
      fprintf(stderr, __VA_ARGS__);                                                                          \
      fputc('\n', stderr);                                                                                   \
      test_failures++;                                                                                       \
    }                                                                                                        \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                                                   \
  do {                                                                                                       \
    long long a_ = (long long)(a), b_ = (long long)(b);                                                      \
    if (a_ != b_) {                                                                                          \
      fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, test_current, #a,  \
              a_, #b, b_);                                                                                   \
      test_failures++;                                                                                       \
    }                                                                                                        \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                \
  do {                                                                                                       \
    double a_ = (double)(a), b_ = (double)(b);                                                               \
    if (!(fabs(a_ - b_) <= (tol))) {                                                                         \
      fprintf(stderr, "%s:%d: %s: %s == %.9g, expected %.9g within %g\n", __FILE__, __LINE__, test_current,  \
              #a, a_, b_, (double)(tol));                                                                    \
      test_failures++;                                                                                       \
    }                                                                                                        \
  } while (0)

#define CHECK_OK(expr)                                                                                       \
  do {                                                                                                       \
    int st_ = (int)(expr);                                                                                   \
    if (st_ != 0) {                                                                                          \
      fprintf(stderr, "%s:%d: %s: %s returned status %d\n", __FILE__, __LINE__, test_current, #expr, st_);   \
      test_failures++;                                                                                       \
    }                                                                                                        \
  } while (0)

/* Path of a file under ../shared/fixtures/tflite-micro (from $EDGERT_FIXTURES), in a static buffer
 * that the next call overwrites. */
const char *test_fixture(const char *relative);
/* Whole file into malloc'ed memory (caller frees); NULL if unreadable. */
unsigned char *test_read_file(const char *path, size_t *size);

#endif
