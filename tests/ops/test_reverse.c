/* REVERSE_V2 against tensorflow/lite/kernels/reverse_test.cc (one and several dims, one and two axes, in
 * float32, int32, int64, uint8, int16), int8 and bool by the same moves, a negative axis, and refused
 * axes (out of range, listed twice). */
#include "extra_test.h"

static const int64_t seq24[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
static const int64_t rev_axis1[] = {5,  6,  3,  4,  1,  2,  11, 12, 9,  10, 7,  8,
                                    17, 18, 15, 16, 13, 14, 23, 24, 21, 22, 19, 20};
static const int64_t rev_axes12[] = {6,  5,  4,  3,  2,  1,  12, 11, 10, 9,  8,  7,
                                     18, 17, 16, 15, 14, 13, 24, 23, 22, 21, 20, 19};

static void store(void *p, edgert_dtype t, int64_t i, int64_t v) {
  switch (t) {
  case EDGERT_FLOAT32: ((float *)p)[i] = (float)v; break;
  case EDGERT_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
  case EDGERT_UINT8:
  case EDGERT_BOOL: ((uint8_t *)p)[i] = (uint8_t)v; break;
  case EDGERT_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
  case EDGERT_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
  default: ((int64_t *)p)[i] = v; break;
  }
}

static edgert_status run_reverse(edgert_dtype t, int ndim, const int64_t *dims, const int64_t *values,
                                 int n_axes, const int32_t *axes, const int64_t *want, bool quiet) {
  unsigned char buf[24 * 8];
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  for (int64_t i = 0; i < n; i++)
    store(buf, t, i, t == EDGERT_BOOL ? values[i] % 2 : values[i]);
  xt_tensor ins[2] = {{t, ndim, {0}, buf, XT_INPUT, 0, 0}, {EDGERT_INT32, 1, {n_axes}, axes, XT_CONST, 0, 0}};
  for (int i = 0; i < ndim; i++)
    ins[0].dims[i] = dims[i];
  th_graph *g;
  edgert_status st = xt_run(&g, ER_OP_REVERSE_V2, NULL, 0, 2, ins, 1, &(xt_out){t, 0, 0}, quiet);
  if (st == EDGERT_OK && want) {
    xt_check_shape(g, 0, ndim, dims);
    const void *y = th_output(g, 0);
    for (int64_t i = 0; i < n; i++) {
      unsigned char expect[8];
      store(expect, t, 0, t == EDGERT_BOOL ? want[i] % 2 : want[i]);
      size_t size = edgert_dtype_size(t);
      CHECK(memcmp((const unsigned char *)y + i * (int64_t)size, expect, size) == 0);
    }
  }
  th_free(g);
  return st;
}

static void reverse_matches_tflite(void) {
  const edgert_dtype types[] = {EDGERT_FLOAT32, EDGERT_INT32, EDGERT_INT64, EDGERT_UINT8,
                                EDGERT_INT16,   EDGERT_INT8,  EDGERT_BOOL};
  for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
    edgert_dtype t = types[k];
    CHECK_OK(run_reverse(t, 1, (int64_t[]){4}, seq24, 1, (int32_t[]){0}, (int64_t[]){4, 3, 2, 1}, false));
    CHECK_OK(run_reverse(t, 3, (int64_t[]){4, 3, 2}, seq24, 1, (int32_t[]){1}, rev_axis1, false));
    CHECK_OK(run_reverse(t, 3, (int64_t[]){4, 3, 2}, seq24, 2, (int32_t[]){1, 2}, rev_axes12, false));
    CHECK_OK(run_reverse(t, 3, (int64_t[]){4, 3, 2}, seq24, 2, (int32_t[]){2, 1}, rev_axes12, false));
    CHECK_OK(run_reverse(t, 3, (int64_t[]){4, 3, 2}, seq24, 1, (int32_t[]){-2}, rev_axis1, false));
  }
}

static void reverse_rejects_bad_axes(void) {
  CHECK(run_reverse(EDGERT_FLOAT32, 1, (int64_t[]){4}, seq24, 1, (int32_t[]){1}, NULL, true) != EDGERT_OK);
  CHECK(run_reverse(EDGERT_FLOAT32, 3, (int64_t[]){4, 3, 2}, seq24, 2, (int32_t[]){1, -2}, NULL, true) !=
        EDGERT_OK);
  CHECK(run_reverse(EDGERT_FLOAT32, 1, (int64_t[]){4}, seq24, 2, (int32_t[]){0, 0}, NULL, true) != EDGERT_OK);
}

void run_tests(void) {
  RUN(reverse_matches_tflite);
  RUN(reverse_rejects_bad_axes);
}
