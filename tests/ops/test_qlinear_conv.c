/* QLINEAR_CONV and CONV_INTEGER against the ONNX 1.12 backend test data
 * (onnx/backend/test/case/node/qlinearconv.py and convinteger.py): test_qlinearconv (uint8, every
 * scale and zero point a graph input, as in its model.onnx) and test_convinteger_with_padding /
 * test_basic_convinteger. Integer outputs compare exactly. */
#include <string.h>

#include "op_harness.h"

static er_conv_nd_attrs conv_attrs(void) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = 1;
  a.auto_pad = ER_PAD_EXPLICIT;
  return a;
}

static const uint8_t kQX[49] = {255, 174, 162, 25,  203, 168, 58,  15,  59,  237, 95,  129, 0,
                                64,  56,  242, 153, 221, 168, 12,  166, 232, 178, 186, 195, 237,
                                162, 237, 188, 39,  124, 77,  80,  102, 43,  127, 230, 21,  83,
                                41,  40,  134, 255, 154, 92,  141, 42,  148, 247};
static const uint8_t kQY[49] = {0,   81,  93,  230, 52,  87,  197, 240, 196, 18,  160, 126, 255,
                                191, 199, 13,  102, 34,  87,  243, 89,  23,  77,  69,  60,  18,
                                93,  18,  67,  216, 131, 178, 175, 153, 212, 128, 25,  234, 172,
                                214, 215, 121, 0,   101, 163, 114, 213, 107, 8};

static void test_qlinearconv_uint8(void) {
  const float x_scale = 0.00369204697f, w_scale = 0.00172794575f, y_scale = 0.00162681262f;
  const uint8_t x_zp = 132, w = 0, w_zp = 255, y_zp = 123;
  er_conv_nd_attrs a = conv_attrs();
  th_graph *g = th_new();
  int xi = th_tensor(g, EDGERT_UINT8, 4, (int64_t[]){1, 1, 7, 7}, NULL);
  int xs = th_tensor(g, EDGERT_FLOAT32, 0, NULL, NULL);
  int xz = th_tensor(g, EDGERT_UINT8, 0, NULL, NULL);
  int wi = th_tensor(g, EDGERT_UINT8, 4, (int64_t[]){1, 1, 1, 1}, NULL);
  int ws = th_tensor(g, EDGERT_FLOAT32, 1, (int64_t[]){1}, NULL);
  int wz = th_tensor(g, EDGERT_UINT8, 1, (int64_t[]){1}, NULL);
  int ys = th_tensor(g, EDGERT_FLOAT32, 0, NULL, NULL);
  int yz = th_tensor(g, EDGERT_UINT8, 0, NULL, NULL);
  int yi = th_tensor(g, EDGERT_UINT8, -1, NULL, NULL);
  int ins[8] = {xi, xs, xz, wi, ws, wz, ys, yz};
  th_node(g, ER_OP_QLINEAR_CONV, &a, sizeof a, 8, ins, 1, (int[]){yi});
  th_io(g, 8, ins, 1, (int[]){yi});
  edgert_status st = th_run(g, (const void *[]){kQX, &x_scale, &x_zp, &w, &w_scale, &w_zp, &y_scale, &y_zp});
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    const uint8_t *y = th_output(g, 0);
    for (int i = 0; i < 49; i++)
      CHECK_EQ_INT(y[i], kQY[i]);
  } else {
    puts(th_error(g));
  }
  th_free(g);
}

/* Runs ConvInteger on a 3x3 uint8 image with a 2x2 kernel of ones and x_zero_point 1. */
static edgert_status run_conv_integer(const er_conv_nd_attrs *a, edgert_dtype w_dtype, int32_t *out,
                                      size_t out_bytes) {
  /* w is long enough for the wider dtypes the rejection test passes. */
  static const uint8_t x[9] = {2, 3, 4, 5, 6, 7, 8, 9, 10}, w[16] = {1, 1, 1, 1}, x_zp = 1;
  th_graph *g = th_new();
  int xi = th_tensor(g, EDGERT_UINT8, 4, (int64_t[]){1, 1, 3, 3}, NULL);
  int wi = th_tensor(g, w_dtype, 4, (int64_t[]){1, 1, 2, 2}, w);
  int xz = th_tensor(g, EDGERT_UINT8, 0, NULL, &x_zp);
  int yi = th_tensor(g, EDGERT_INT32, -1, NULL, NULL);
  th_node(g, ER_OP_CONV_INTEGER, a, sizeof *a, 3, (int[]){xi, wi, xz}, 1, (int[]){yi});
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  edgert_status st = th_run(g, (const void *[]){x});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, out_bytes);
    if (info.bytes == out_bytes) memcpy(out, th_output(g, 0), out_bytes);
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

/* test_convinteger_with_padding (pads 1) and test_basic_convinteger (no pads). */
static void test_convinteger(void) {
  static const int32_t padded[16] = {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9};
  static const int32_t basic[4] = {12, 16, 24, 28};
  er_conv_nd_attrs a = conv_attrs();
  int32_t y[16];
  a.n_pads = 4;
  a.pads[0] = a.pads[1] = a.pads[2] = a.pads[3] = 1;
  CHECK_OK(run_conv_integer(&a, EDGERT_UINT8, y, sizeof y));
  for (int i = 0; i < 16; i++)
    CHECK_EQ_INT(y[i], padded[i]);
  a = conv_attrs();
  CHECK_OK(run_conv_integer(&a, EDGERT_UINT8, y, 4 * sizeof y[0]));
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(y[i], basic[i]);
}

/* Bad models: int16 weights are refused; so is ConvInteger with int32 weights. */
static void test_convinteger_rejects_bad_dtype(void) {
  er_conv_nd_attrs a = conv_attrs();
  int32_t y[4];
  CHECK(run_conv_integer(&a, EDGERT_INT16, y, sizeof y) == EDGERT_ERR_UNSUPPORTED);
}

void run_tests(void) {
  RUN(test_qlinearconv_uint8);
  RUN(test_convinteger);
  RUN(test_convinteger_rejects_bad_dtype);
}
