/* SELECT kernel (SELECT_V2 broadcasting). Vectors from TensorFlow Lite Micro's
 * tensorflow/lite/micro/kernels/select_test.cc. */
#include "binary_test.h"

static edgert_status run_select(bt_tensor cond, const bool *c, bt_tensor x, const void *xs, bt_tensor y,
                                const void *ys, void *out, size_t bytes, bool quiet) {
  bt_tensor o = {.dtype = x.dtype, .ndim = -1, .scale = x.scale, .zero_point = x.zero_point};
  return bt_run_ex(ER_OP_SELECT, NULL, 0, 3, (bt_tensor[]){cond, x, y}, (const void *[]){c, xs, ys}, o, out,
                   bytes, quiet);
}

static void float_and_small_integers(void) {
  bt_tensor c = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 1, 1, 4)};
  bt_tensor f = {.dtype = EDGERT_FLOAT32, BT_SHAPE(1, 1, 1, 4)};
  float fout[4];
  CHECK_OK(run_select(c, (const bool[]){true, false, true, false}, f, (const float[]){0.1f, 0.2f, 0.3f, 0.4f},
                      f, (const float[]){0.5f, 0.6f, 0.7f, 0.8f}, fout, sizeof fout, false));
  const float fwant[] = {0.1f, 0.6f, 0.3f, 0.8f};
  for (int i = 0; i < 4; i++)
    CHECK_NEAR(fout[i], fwant[i], 0);

  const bool pick[] = {false, true, false, false};
  bt_tensor u8 = {.dtype = EDGERT_UINT8, BT_SHAPE(1, 1, 1, 4)};
  uint8_t uout[4];
  CHECK_OK(run_select(c, pick, u8, (const uint8_t[]){1, 2, 3, 4}, u8, (const uint8_t[]){5, 6, 7, 8}, uout, 4,
                      false));
  const uint8_t uwant[] = {5, 2, 7, 8};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(uout[i], uwant[i]);

  bt_tensor i8 = {.dtype = EDGERT_INT8, BT_SHAPE(1, 1, 1, 4), .scale = 0.5f, .zero_point = 1};
  int8_t iout[4];
  CHECK_OK(run_select(c, pick, i8, (const int8_t[]){1, -2, 3, 4}, i8, (const int8_t[]){5, 6, 7, -8}, iout, 4,
                      false));
  const int8_t iwant[] = {5, -2, 7, -8};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(iout[i], iwant[i]);

  bt_tensor i16 = {.dtype = EDGERT_INT16, BT_SHAPE(1, 1, 1, 4)};
  int16_t hout[4];
  CHECK_OK(run_select(c, pick, i16, (const int16_t[]){1, 2, 3, 4}, i16, (const int16_t[]){5, 6, 7, 8}, hout,
                      sizeof hout, false));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(hout[i], uwant[i]);

  bt_tensor i32 = {.dtype = EDGERT_INT32, BT_SHAPE(1, 1, 1, 4)};
  int32_t wout[4];
  CHECK_OK(run_select(c, pick, i32, (const int32_t[]){1, 2, 3, 4}, i32, (const int32_t[]){5, 6, 7, 8}, wout,
                      sizeof wout, false));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(wout[i], uwant[i]);
}

static void broadcast_cases(void) {
  int32_t out[8];
  /* BroadcastSelectInt32OneDimensionConditionWithSingleValue: all three shapes differ */
  CHECK_OK(run_select((bt_tensor){.dtype = EDGERT_BOOL, BT_SHAPE(1)}, (const bool[]){false},
                      (bt_tensor){.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 2, 1)},
                      (const int32_t[]){1, 2, 3, 4, 5, 6, 7, 8},
                      (bt_tensor){.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2, 1)},
                      (const int32_t[]){9, 10, 11, 12}, out, 8 * sizeof(int32_t), false));
  const int32_t want1[] = {9, 10, 11, 12, 9, 10, 11, 12};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want1[i]);

  /* BroadcastSelectInt32LesserThan4D and BroadcastSelectInt32 */
  bt_tensor x = {.dtype = EDGERT_INT32, BT_SHAPE(1, 2, 2)};
  bt_tensor c2 = {.dtype = EDGERT_BOOL, BT_SHAPE(1, 2)};
  CHECK_OK(run_select(c2, (const bool[]){false, true}, x, (const int32_t[]){1, 2, 3, 4}, x,
                      (const int32_t[]){5, 6, 7, 8}, out, 4 * sizeof(int32_t), false));
  const int32_t want2[] = {5, 2, 7, 4};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want2[i]);
  CHECK_OK(run_select(c2, (const bool[]){false, true}, x, (const int32_t[]){1, 2, 3, 4}, x,
                      (const int32_t[]){5, 6, 7, 7}, out, 4 * sizeof(int32_t), false));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want2[i]);

  /* BroadcastSelectInt32OnFalseValue */
  CHECK_OK(run_select((bt_tensor){.dtype = EDGERT_BOOL, BT_SHAPE(1)}, (const bool[]){false}, x,
                      (const int32_t[]){1, 2, 3, 4}, x, (const int32_t[]){5, 6, 7, 8}, out,
                      4 * sizeof(int32_t), false));
  const int32_t want3[] = {5, 6, 7, 8};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want3[i]);

  /* BroadcastSelectInt32OneDimensionConditionWithTwoValues: condition [2] against x, y [2, 1, 2, 1] */
  bt_tensor xy = {.dtype = EDGERT_INT32, BT_SHAPE(2, 1, 2, 1)};
  CHECK_OK(run_select((bt_tensor){.dtype = EDGERT_BOOL, BT_SHAPE(2)}, (const bool[]){false, true}, xy,
                      (const int32_t[]){1, 2, 3, 4}, xy, (const int32_t[]){5, 6, 7, 8}, out,
                      8 * sizeof(int32_t), false));
  const int32_t want4[] = {5, 1, 6, 2, 7, 3, 8, 4};
  for (int i = 0; i < 8; i++)
    CHECK_EQ_INT(out[i], want4[i]);
}

static void rejects_non_bool_condition_and_mixed_dtypes(void) {
  bt_tensor c = {.dtype = EDGERT_INT8, BT_SHAPE(2)}, x = {.dtype = EDGERT_INT32, BT_SHAPE(2)};
  int32_t out[2];
  edgert_status st = run_select(c, (const bool[]){true, false}, x, (const int32_t[]){1, 2}, x,
                                (const int32_t[]){3, 4}, out, sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
  bt_tensor cb = {.dtype = EDGERT_BOOL, BT_SHAPE(2)}, y = {.dtype = EDGERT_FLOAT32, BT_SHAPE(2)};
  st = run_select(cb, (const bool[]){true, false}, x, (const int32_t[]){1, 2}, y, (const float[]){3, 4}, out,
                  sizeof out, true);
  CHECK_EQ_INT(st, EDGERT_ERR_UNSUPPORTED);
}

/* TFLite's SELECT (v1) RankOneSelectInt32 (tensorflow/lite/kernels/select_test.cc): a rank-1 condition
 * picks whole rows of [2, 1, 2, 1] inputs. */
static void select_v1_rank1_condition_picks_rows(void) {
  const er_select_attrs rows = {.rank1_selects_rows = true};
  bt_tensor c = {.dtype = EDGERT_BOOL, BT_SHAPE(2)};
  bt_tensor x = {.dtype = EDGERT_INT32, BT_SHAPE(2, 1, 2, 1)};
  bt_tensor o = {.dtype = EDGERT_INT32, .ndim = -1};
  int32_t out[4];
  CHECK_OK(bt_run_ex(ER_OP_SELECT, &rows, sizeof rows, 3, (bt_tensor[]){c, x, x},
                     (const void *[]){(const bool[]){false, true}, (const int32_t[]){1, 2, 3, 4},
                                      (const int32_t[]){5, 6, 7, 8}},
                     o, out, sizeof out, false));
  const int32_t want[] = {5, 6, 3, 4};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(out[i], want[i]);
}

void run_tests(void) {
  RUN(select_v1_rank1_condition_picks_rows);
  RUN(float_and_small_integers);
  RUN(broadcast_cases);
  RUN(rejects_non_bool_condition_and_mixed_dtypes);
}
