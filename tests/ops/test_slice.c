/* SLICE and STRIDED_SLICE against TFLite's kernel tests:
 *   tensorflow/lite/kernels/strided_slice_test.cc (1-D..3-D, negative indices and strides, all masks,
 *     ellipsis with new axes, the offset flag)
 *   tensorflow/lite/kernels/slice_test.cc (begin/size, size -1, int64 indices)
 * Each case runs in every dtype (data movement keeps values, so results compare exactly). The seanet
 * strided_slice models (int16, real TFLite goldens) are run end to end in tests/models. */
#include "movement_test.h"

typedef struct {
  const char *name;
  int ndim;
  int64_t dims[5];
  int n; /* entries in begin/end/strides */
  int64_t begin[5], end[5], strides[5];
  int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask;
  bool offset;
  int out_ndim;
  int64_t out_dims[5];
  int n_out;
  double want[12];
} ss_case;

static const ss_case kStridedCases[] = {
    {"In1D", 1, {4}, 1, {1}, {3}, {1}, 0, 0, 0, 0, 0, false, 1, {2}, 2, {2, 3}},
    {"In1D_NegativeBegin", 1, {4}, 1, {-3}, {3}, {1}, 0, 0, 0, 0, 0, false, 1, {2}, 2, {2, 3}},
    {"In1D_OutOfRangeBegin", 1, {4}, 1, {-5}, {3}, {1}, 0, 0, 0, 0, 0, false, 1, {3}, 3, {1, 2, 3}},
    {"In1D_NegativeEnd", 1, {4}, 1, {1}, {-2}, {1}, 0, 0, 0, 0, 0, false, 1, {1}, 1, {2}},
    {"In1D_OutOfRangeEnd", 1, {4}, 1, {-3}, {5}, {1}, 0, 0, 0, 0, 0, false, 1, {3}, 3, {2, 3, 4}},
    {"In1D_BeginMask", 1, {4}, 1, {1}, {3}, {1}, 1, 0, 0, 0, 0, false, 1, {3}, 3, {1, 2, 3}},
    {"In1D_NegativeBeginNegativeStride", 1, {4}, 1, {-2}, {-3}, {-1}, 0, 0, 0, 0, 0, false, 1, {1}, 1, {3}},
    {"In1D_OutOfRangeBeginNegativeStride", 1, {4}, 1, {5}, {2}, {-1}, 0, 0, 0, 0, 0, false, 1, {1}, 1, {4}},
    {"In1D_NegativeEndNegativeStride", 1, {4}, 1, {2}, {-4}, {-1}, 0, 0, 0, 0, 0, false, 1, {2}, 2, {3, 2}},
    {"In1D_OutOfRangeEndNegativeStride",
     1,
     {4},
     1,
     {-3},
     {-5},
     {-1},
     0,
     0,
     0,
     0,
     0,
     false,
     1,
     {2},
     2,
     {2, 1}},
    {"In1D_EndMask", 1, {4}, 1, {1}, {3}, {1}, 0, 1, 0, 0, 0, false, 1, {3}, 3, {2, 3, 4}},
    {"In1D_NegStride", 1, {3}, 1, {-1}, {-4}, {-1}, 0, 0, 0, 0, 0, false, 1, {3}, 3, {3, 2, 1}},
    {"In1D_EvenLenStride2", 1, {2}, 1, {0}, {2}, {2}, 0, 0, 0, 0, 0, false, 1, {1}, 1, {1}},
    {"In1D_OddLenStride2", 1, {3}, 1, {0}, {3}, {2}, 0, 0, 0, 0, 0, false, 1, {2}, 2, {1, 3}},
    {"In1D_EmptyOutput", 1, {4}, 1, {10}, {3}, {1}, 0, 0, 0, 0, 0, false, 1, {0}, 0, {0}},
    {"In2D", 2, {2, 3}, 2, {1, 0}, {2, 2}, {1, 1}, 0, 0, 0, 0, 0, false, 2, {1, 2}, 2, {4, 5}},
    {"In2D_Stride2", 2, {2, 3}, 2, {0, 0}, {2, 3}, {2, 2}, 0, 0, 0, 0, 0, false, 2, {1, 2}, 2, {1, 3}},
    {"In2D_NegStride",
     2,
     {2, 3},
     2,
     {1, -1},
     {2, -4},
     {2, -1},
     0,
     0,
     0,
     0,
     0,
     false,
     2,
     {1, 3},
     3,
     {6, 5, 4}},
    {"In2D_BeginMask",
     2,
     {2, 3},
     2,
     {1, 0},
     {2, 2},
     {1, 1},
     1,
     0,
     0,
     0,
     0,
     false,
     2,
     {2, 2},
     4,
     {1, 2, 4, 5}},
    {"In2D_EndMask", 2, {2, 3}, 2, {1, 0}, {2, 2}, {1, 1}, 0, 2, 0, 0, 0, false, 2, {1, 3}, 3, {4, 5, 6}},
    {"In2D_NegStrideBeginMask",
     2,
     {2, 3},
     2,
     {1, -2},
     {2, -4},
     {1, -1},
     2,
     0,
     0,
     0,
     0,
     false,
     2,
     {1, 3},
     3,
     {6, 5, 4}},
    {"In2D_NegStrideEndMask",
     2,
     {2, 3},
     2,
     {1, -2},
     {2, -3},
     {1, -1},
     0,
     2,
     0,
     0,
     0,
     false,
     2,
     {1, 2},
     2,
     {5, 4}},
    {"In3D_NegStride",
     3,
     {2, 3, 2},
     3,
     {-1, -1, -1},
     {-3, -4, -3},
     {-1, -1, -1},
     0,
     0,
     0,
     0,
     0,
     false,
     3,
     {2, 3, 2},
     12,
     {12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
    {"In3D_Strided2",
     3,
     {2, 3, 2},
     3,
     {0, 0, 0},
     {2, 3, 2},
     {2, 2, 2},
     0,
     0,
     0,
     0,
     0,
     false,
     3,
     {1, 2, 1},
     2,
     {1, 5}},
    {"In1D_ShrinkAxisMask1", 1, {4}, 1, {1}, {2}, {1}, 0, 0, 0, 0, 1, false, 0, {0}, 1, {2}},
    {"In1D_ShrinkAxisMask1_NegativeSlice", 1, {4}, 1, {-1}, {0}, {1}, 0, 0, 0, 0, 1, false, 0, {0}, 1, {4}},
    {"In2D_ShrinkAxis3_NegativeSlice",
     2,
     {4, 1},
     2,
     {-2, -1},
     {-1, 0},
     {1, 1},
     0,
     0,
     0,
     0,
     3,
     false,
     0,
     {0},
     1,
     {3}},
    {"In2D_ShrinkAxis2_BeginEndAxis1_NegativeSlice",
     2,
     {4, 1},
     2,
     {0, -1},
     {0, 0},
     {1, 1},
     1,
     1,
     0,
     0,
     2,
     false,
     1,
     {4},
     4,
     {1, 2, 3, 4}},
    {"In1D_BeginMaskShrinkAxisMask1", 1, {4}, 1, {1}, {1}, {1}, 1, 0, 0, 0, 1, false, 0, {0}, 1, {1}},
    {"In2D_ShrinkAxisMask2", 2, {2, 3}, 2, {0, 0}, {2, 1}, {1, 1}, 0, 0, 0, 0, 2, false, 1, {2}, 2, {1, 4}},
    {"In3D_IdentityShrinkAxis4",
     3,
     {2, 3, 2},
     3,
     {0, 0, 0},
     {2, 3, 1},
     {1, 1, 1},
     0,
     0,
     0,
     0,
     4,
     false,
     2,
     {2, 3},
     6,
     {1, 3, 5, 7, 9, 11}},
    {"In3D_IdentityShrinkAxis6",
     3,
     {2, 3, 2},
     3,
     {0, 0, 0},
     {2, 1, 1},
     {1, 1, 1},
     0,
     0,
     0,
     0,
     6,
     false,
     1,
     {2},
     2,
     {1, 7}},
    {"In2D_ShrinkAxis_Endmask_AtSameAxis",
     2,
     {2, 2},
     2,
     {0, -1},
     {0, 0},
     {1, -1},
     1,
     1,
     0,
     0,
     1,
     false,
     1,
     {1},
     1,
     {2}},
    {"EllipsisMask1_NewAxisMask2",
     3,
     {2, 3, 2},
     3,
     {0, 0, 0},
     {1, 2, 1},
     {1, 1, 1},
     0,
     0,
     1,
     2,
     0,
     false,
     4,
     {2, 3, 1, 1},
     6,
     {1, 3, 5, 7, 9, 11}},
    {"EllipsisMask2_NewAxisMask1",
     3,
     {2, 3, 2},
     3,
     {0, 0, 0},
     {1, 2, 1},
     {1, 1, 1},
     0,
     0,
     2,
     1,
     0,
     false,
     4,
     {1, 2, 3, 1},
     6,
     {1, 3, 5, 7, 9, 11}},
    {"Offset", 1, {10}, 1, {1}, {3}, {1}, 0, 0, 0, 0, 0, true, 1, {3}, 3, {2, 3, 4}},
    {"OffsetArray", 2, {3, 4}, 2, {0, 1}, {2, 2}, {1, 1}, 0, 0, 0, 0, 0, true, 2, {2, 2}, 4, {2, 3, 6, 7}},
    {"OffsetConstantStride",
     2,
     {5, 6},
     2,
     {0, 1},
     {4, 3},
     {2, 2},
     0,
     0,
     0,
     0,
     0,
     true,
     2,
     {2, 2},
     4,
     {2, 4, 14, 16}},
    {"OffsetConstantNegativeStride",
     2,
     {5, 6},
     2,
     {4, 4},
     {-4, -3},
     {-2, -2},
     0,
     0,
     0,
     0,
     0,
     true,
     2,
     {2, 2},
     4,
     {29, 27, 17, 15}},
};

/* TFLite's tests fill inputs with 1..N (or 0..N-1 where noted); we always use 1..N and shifted the
 * expectations of the 0-based tests (ShrinkAxis negative slices, Offset*) by one. */
static void run_strided_case(const ss_case *c, edgert_dtype dtype) {
  double in[64];
  int64_t count = mt_count(c->ndim, c->dims);
  for (int64_t i = 0; i < count; i++)
    in[i] = (double)(i + 1);
  er_strided_slice_attrs a = {c->begin_mask,    c->end_mask,    c->ellipsis_mask,
                              c->new_axis_mask, c->shrink_mask, c->offset};
  mt_case mc = {.op = ER_OP_STRIDED_SLICE,
                .attrs = &a,
                .attrs_size = sizeof a,
                .dtype = dtype,
                .ndim = c->ndim,
                .values = in,
                .data_pos = 0,
                .n_consts = 3};
  memcpy(mc.dims, c->dims, sizeof c->dims);
  const int64_t *vecs[3] = {c->begin, c->end, c->strides};
  for (int k = 0; k < 3; k++)
    mc.consts[k] = (mt_const){dtype == EDGERT_INT64 ? EDGERT_INT64 : EDGERT_INT32, 1, {c->n}, vecs[k]};
  int before = test_failures;
  mt_run(&mc, c->out_ndim, c->out_dims, c->want, 0);
  if (test_failures != before) fprintf(stderr, "  in case %s (%s)\n", c->name, edgert_dtype_name(dtype));
}

static void strided_slice_matches_tflite_cases(void) {
  for (size_t i = 0; i < sizeof kStridedCases / sizeof kStridedCases[0]; i++)
    for (int d = 0; d < MT_N_DTYPES; d++)
      run_strided_case(&kStridedCases[i], mt_all_dtypes[d]);
}

/* strided_slice_test.cc In1D_Int32End: a long 1-D copy, int16 as in the seanet models. */
static void strided_slice_long_int16_row(void) {
  enum { N = 32768 };
  double *in = malloc(sizeof(double) * N);
  for (int i = 0; i < N; i++)
    in[i] = i - 16384;
  er_strided_slice_attrs a = {0};
  mt_case mc = {.op = ER_OP_STRIDED_SLICE,
                .attrs = &a,
                .attrs_size = sizeof a,
                .dtype = EDGERT_INT16,
                .ndim = 1,
                .dims = {N},
                .values = in,
                .n_consts = 3};
  mc.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){0}};
  mc.consts[1] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){N}};
  mc.consts[2] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){1}};
  mt_run(&mc, 1, (const int64_t[]){N}, in, 0);
  free(in);
}

static void strided_slice_rejects_zero_stride_and_runtime_begin(void) {
  double in[4] = {1, 2, 3, 4};
  er_strided_slice_attrs a = {0};
  mt_case mc = {.op = ER_OP_STRIDED_SLICE,
                .attrs = &a,
                .attrs_size = sizeof a,
                .dtype = EDGERT_FLOAT32,
                .ndim = 1,
                .dims = {4},
                .values = in,
                .n_consts = 3};
  mc.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){0}};
  mc.consts[1] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){4}};
  mc.consts[2] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){0}};
  CHECK(mt_run(&mc, 0, NULL, NULL, 0) != EDGERT_OK);
  /* begin as float: wrong dtype */
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){4}, NULL);
  int b = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){1}, (float[]){0});
  int e = th_tensor(g, EDGERT_INT32, 1, (int64_t[]){1}, (int32_t[]){4});
  int s = th_tensor(g, EDGERT_INT32, 1, (int64_t[]){1}, (int32_t[]){1});
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_STRIDED_SLICE, &a, sizeof a, 4, (int[]){x, b, e, s}, 1, (int[]){y});
  th_io(g, 1, (int[]){x}, 1, (int[]){y});
  CHECK(th_run(g, (const void *[]){in}) != EDGERT_OK);
  th_free(g);
}

typedef struct {
  int ndim;
  int64_t dims[4];
  double in[18];
  int64_t begin[4], size[4];
  int64_t out_dims[4];
  int n_out;
  double want[12];
} slice_case;

static const slice_case kSliceCases[] = {
    /* In1D, In2D, In3D, InputFloat */
    {1, {4}, {1, 2, 3, 4}, {1}, {2}, {2}, 2, {2, 3}},
    {2, {2, 3}, {1, 2, 3, 4, 5, 6}, {1, 0}, {1, 2}, {1, 2}, 2, {4, 5}},
    {3,
     {2, 3, 2},
     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
     {0, 0, 0},
     {2, 3, 2},
     {2, 3, 2},
     12,
     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
    {4, {4, 1, 1, 1}, {1, 2, 3, 4}, {1, 0, 0, 0}, {3, 1, 1, 1}, {3, 1, 1, 1}, 3, {2, 3, 4}},
    /* InputInteger1..3, SizeMinus1, BeginNonZeroSizeMinus1Axis1..3 */
    {4,
     {3, 2, 3, 1},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 0, 0},
     {1, 1, 3, 1},
     {1, 1, 3, 1},
     3,
     {3, 3, 3}},
    {4,
     {3, 2, 3, 1},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 0, 0},
     {1, 2, 3, 1},
     {1, 2, 3, 1},
     6,
     {3, 3, 3, 4, 4, 4}},
    {4,
     {3, 2, 3, 1},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 0, 0},
     {2, 1, 3, 1},
     {2, 1, 3, 1},
     6,
     {3, 3, 3, 5, 5, 5}},
    {4,
     {3, 2, 3, 1},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 0, 0},
     {2, 1, -1, 1},
     {2, 1, 3, 1},
     6,
     {3, 3, 3, 5, 5, 5}},
    {4,
     {3, 3, 2, 1},
     {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9},
     {1, 1, 0, 0},
     {2, -1, 1, 1},
     {2, 2, 1, 1},
     4,
     {5, 6, 8, 9}},
    {4,
     {3, 2, 3, 1},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 1, 0},
     {2, 1, -1, 1},
     {2, 1, 2, 1},
     4,
     {3, 3, 5, 5}},
    {4,
     {3, 1, 2, 3},
     {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6},
     {1, 0, 0, 1},
     {2, 1, 1, -1},
     {2, 1, 1, 2},
     4,
     {3, 3, 5, 5}},
};

static void slice_matches_tflite_cases(void) {
  for (size_t i = 0; i < sizeof kSliceCases / sizeof kSliceCases[0]; i++) {
    const slice_case *c = &kSliceCases[i];
    for (int d = 0; d < MT_N_DTYPES; d++) {
      /* IndexInt64: the int64 dtype run also uses int64 begin/size. */
      edgert_dtype idx = mt_all_dtypes[d] == EDGERT_INT64 ? EDGERT_INT64 : EDGERT_INT32;
      mt_case mc = {
          .op = ER_OP_SLICE, .dtype = mt_all_dtypes[d], .ndim = c->ndim, .values = c->in, .n_consts = 2};
      memcpy(mc.dims, c->dims, sizeof c->dims);
      mc.consts[0] = (mt_const){idx, 1, {c->ndim}, c->begin};
      mc.consts[1] = (mt_const){idx, 1, {c->ndim}, c->size};
      int before = test_failures;
      mt_run(&mc, c->ndim, c->out_dims, c->want, 0);
      if (test_failures != before)
        fprintf(stderr, "  in slice case %zu (%s)\n", i, edgert_dtype_name(mt_all_dtypes[d]));
    }
  }
}

static void slice_rejects_out_of_range_size(void) {
  double in[4] = {1, 2, 3, 4};
  mt_case mc = {.op = ER_OP_SLICE, .dtype = EDGERT_INT8, .ndim = 1, .dims = {4}, .values = in, .n_consts = 2};
  mc.consts[0] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){2}};
  mc.consts[1] = (mt_const){EDGERT_INT32, 1, {1}, (const int64_t[]){3}};
  CHECK(mt_run(&mc, 0, NULL, NULL, 0) != EDGERT_OK);
}

void run_tests(void) {
  RUN(strided_slice_matches_tflite_cases);
  RUN(strided_slice_long_int16_row);
  RUN(strided_slice_rejects_zero_stride_and_runtime_begin);
  RUN(slice_matches_tflite_cases);
  RUN(slice_rejects_out_of_range_size);
}
