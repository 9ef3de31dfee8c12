/* PAD, PADV2 and MIRROR_PAD against TFLite's kernel tests:
 *   tensorflow/lite/kernels/pad_test.cc (SimpleConstTest, AdvancedConstTest, PadV2 with a constant,
 *     quantized padding with the zero point)
 *   tensorflow/lite/kernels/mirror_pad_test.cc (PadOneSide/PadBothSides, REFLECT and SYMMETRIC)
 * The seanet int16 PAD models are checked against their goldens in tests/models. */
#include "movement_test.h"

static mt_case pad_case(er_op op, edgert_dtype t, int ndim, const int64_t *dims, const double *in,
                        const int64_t *paddings) {
  mt_case c = {.op = op, .dtype = t, .ndim = ndim, .values = in, .n_consts = 1};
  memcpy(c.dims, dims, sizeof(int64_t) * (size_t)ndim);
  c.consts[0] = (mt_const){EDGERT_INT32, 2, {ndim, 2}, paddings};
  return c;
}

static void pad_simple_and_advanced(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    mt_case c = pad_case(ER_OP_PAD, mt_all_dtypes[d], 4, (int64_t[]){1, 2, 2, 1}, (double[]){1, 2, 3, 4},
                         (int64_t[]){0, 0, 1, 1, 1, 1, 0, 0});
    mt_run(&c, 4, (int64_t[]){1, 4, 4, 1}, (double[]){0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}, 0);
    mt_case a = pad_case(ER_OP_PAD, mt_all_dtypes[d], 4, (int64_t[]){1, 2, 3, 1},
                         (double[]){1, 2, 3, 4, 5, 6}, (int64_t[]){0, 0, 0, 2, 1, 3, 0, 0});
    mt_run(&a, 4, (int64_t[]){1, 4, 7, 1},
           (double[]){0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
  }
}

/* Quantized PAD fills with the output zero point: 0.0 dequantized. */
static void pad_quantized_uses_zero_point(void) {
  mt_case c = pad_case(ER_OP_PAD, EDGERT_INT8, 4, (int64_t[]){1, 2, 2, 1}, (double[]){1, 2, 3, 4},
                       (int64_t[]){0, 0, 1, 1, 1, 1, 0, 0});
  c.scale = 0.5f;
  c.zero_point = -3;
  mt_run(&c, 4, (int64_t[]){1, 4, 4, 1},
         (double[]){-3, -3, -3, -3, -3, 1, 2, -3, -3, 3, 4, -3, -3, -3, -3, -3}, 0);
}

static void padv2_uses_constant_value(void) {
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    th_graph *g = th_new();
    int x = th_tensor(g, t, 4, (int64_t[]){1, 2, 2, 1}, NULL);
    int p = th_tensor(g, EDGERT_INT32, 2, (int64_t[]){4, 2}, (int32_t[]){0, 0, 1, 1, 1, 1, 0, 0});
    unsigned char five[8];
    mt_store(five, 0, t, 5);
    int v = th_tensor(g, t, 0, NULL, five);
    int y = th_tensor(g, t, -1, NULL, NULL);
    th_node(g, ER_OP_PADV2, NULL, 0, 3, (int[]){x, p, v}, 1, (int[]){y});
    th_io(g, 1, (int[]){x}, 1, (int[]){y});
    unsigned char in[32];
    for (int i = 0; i < 4; i++)
      mt_store(in, i, t, i + 1);
    CHECK_OK(th_run(g, (const void *[]){in}));
    const double want[16] = {5, 5, 5, 5, 5, 1, 2, 5, 5, 3, 4, 5, 5, 5, 5, 5};
    for (int i = 0; i < 16 && th_output(g, 0); i++)
      CHECK_NEAR(mt_load(th_output(g, 0), i, t), want[i], 0);
    th_free(g);
  }
}

static void mirror_pad_reflect_and_symmetric(void) {
  const double in[6] = {1, 2, 3, 4, 5, 6};
  er_mirror_pad_attrs reflect = {false}, symmetric = {true};
  for (int d = 0; d < MT_N_DTYPES; d++) {
    edgert_dtype t = mt_all_dtypes[d];
    mt_case c = pad_case(ER_OP_MIRROR_PAD, t, 2, (int64_t[]){2, 3}, in, (int64_t[]){0, 1, 0, 1});
    c.attrs = &reflect;
    c.attrs_size = sizeof reflect;
    mt_run(&c, 2, (int64_t[]){3, 4}, (double[]){1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2}, 0);
    c.consts[0].values = (const int64_t[]){1, 0, 1, 0};
    mt_run(&c, 2, (int64_t[]){3, 4}, (double[]){5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6}, 0);
    c.consts[0].values = (const int64_t[]){1, 1, 1, 1};
    mt_run(&c, 2, (int64_t[]){4, 5}, (double[]){5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2},
           0);
    c.attrs = &symmetric;
    c.consts[0].values = (const int64_t[]){0, 1, 0, 1};
    mt_run(&c, 2, (int64_t[]){3, 4}, (double[]){1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6}, 0);
    c.consts[0].values = (const int64_t[]){1, 1, 1, 1};
    mt_run(&c, 2, (int64_t[]){4, 5}, (double[]){1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6},
           0);
  }
}

static void pad_rejects_negative_and_oversized_mirror(void) {
  mt_case c = pad_case(ER_OP_PAD, EDGERT_FLOAT32, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6},
                       (int64_t[]){0, -1, 0, 0});
  CHECK(mt_run(&c, 0, NULL, NULL, 0) != EDGERT_OK);
  er_mirror_pad_attrs reflect = {false};
  mt_case m = pad_case(ER_OP_MIRROR_PAD, EDGERT_FLOAT32, 2, (int64_t[]){2, 3}, (double[]){1, 2, 3, 4, 5, 6},
                       (int64_t[]){2, 0, 0, 0});
  m.attrs = &reflect;
  m.attrs_size = sizeof reflect;
  CHECK(mt_run(&m, 0, NULL, NULL, 0) != EDGERT_OK);
}

void run_tests(void) {
  RUN(pad_simple_and_advanced);
  RUN(pad_quantized_uses_zero_point);
  RUN(padv2_uses_constant_value);
  RUN(mirror_pad_reflect_and_symmetric);
  RUN(pad_rejects_negative_and_oversized_mirror);
}
