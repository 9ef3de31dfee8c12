/* ROI_ALIGN (ONNX RoiAlign) against the ONNX 1.12 backend test data (onnx/backend/test/case/node/
 * roialign.py): test_roialign_aligned_true (half_pixel) and test_roialign_aligned_false
 * (output_half_pixel), both with a 10x10 image, three rois, 5x5 output and sampling_ratio 2. */
#include <string.h>

#include "op_harness.h"

static const float kX[100] = {
    0.2764,       0.714999974,  0.195800006,  0.341600001,  0.463800013,  0.0259000007, 0.296299994,
    0.651799977,  0.485599995,  0.725000024,  0.963699996,  0.0895000026, 0.291900009,  0.675300002,
    0.0233999994, 0.613200009,  0.808499992,  0.532400012,  0.899200022,  0.446700007,  0.326499999,
    0.847899973,  0.969799995,  0.247099996,  0.933600008,  0.187800005,  0.476599991,  0.430799991,
    0.340000004,  0.216199994,  0.0206000004, 0.172000006,  0.215499997,  0.439399987,  0.0653000027,
    0.340600014,  0.772400022,  0.392100006,  0.254099995,  0.579900026,  0.406199992,  0.219400004,
    0.447299987,  0.468699992,  0.710900009,  0.932699978,  0.98150003,   0.632000029,  0.172800004,
    0.611899972,  0.309700012,  0.128299996,  0.498400003,  0.506799996,  0.427899987,  0.0173000004,
    0.438800007,  0.0430000015, 0.467099994,  0.711899996,  0.101099998,  0.8477,       0.472600013,
    0.177699998,  0.992299974,  0.404199988,  0.186900005,  0.779500008,  0.994599998,  0.968900025,
    0.136600003,  0.3671,       0.701099992,  0.623399973,  0.986699998,  0.558499992,  0.698499978,
    0.560899973,  0.878799975,  0.992799997,  0.569700003,  0.851100028,  0.67110002,   0.940599978,
    0.875100017,  0.749599993,  0.165000007,  0.104900002,  0.155900002,  0.251399994,  0.701200008,
    0.405600011,  0.787899971,  0.346100003,  0.0414999984, 0.299800009,  0.50940001,   0.372700006,
    0.548200011,  0.0502000004};
static const float kRois[12] = {0, 0, 9, 9, 0, 5, 4, 9, 5, 5, 9, 9};
static const int64_t kBatch[3] = {0, 0, 0};
static const float kAlignedTrue[75] = {
    0.517799973, 0.343400002, 0.322899997, 0.447400004, 0.63440001,  0.403100014, 0.536599994, 0.442799985,
    0.486099988, 0.4023,      0.251199991, 0.400200009, 0.515500009, 0.6954,      0.346500009, 0.335000008,
    0.460099995, 0.588100016, 0.343899995, 0.684899986, 0.493200004, 0.714100003, 0.821699977, 0.471899986,
    0.403899997, 0.307000011, 0.218700007, 0.333700001, 0.488000005, 0.486999989, 0.187099993, 0.491400003,
    0.556100011, 0.419200003, 0.368600011, 0.143299997, 0.460799992, 0.597100019, 0.531000018, 0.498199999,
    0.278800011, 0.438600004, 0.602199972, 0.699999988, 0.752399981, 0.577400029, 0.702400029, 0.725099981,
    0.733799994, 0.816299975, 0.239299998, 0.407499999, 0.337900013, 0.252499998, 0.474299997, 0.3671,
    0.270200014, 0.41049999,  0.641900003, 0.830799997, 0.555599988, 0.454299986, 0.556400001, 0.750199974,
    0.930000007, 0.662599981, 0.561699986, 0.481299996, 0.495400012, 0.666299999, 0.663600028, 0.372099996,
    0.205599993, 0.1928,      0.247799993};
static const float kAlignedFalse[75] = {
    0.466399997, 0.44659999,  0.340499997, 0.568799973, 0.60680002,  0.371399999, 0.4296,      0.38350001,
    0.556200027, 0.351000011, 0.276800007, 0.488299996, 0.522199988, 0.5528,      0.417100012, 0.471300006,
    0.484400004, 0.690400004, 0.492000014, 0.877399981, 0.623899996, 0.712499976, 0.628899992, 0.335500002,
    0.3495,      0.30219999,  0.430500001, 0.469599992, 0.397799999, 0.542299986, 0.36559999,  0.704999983,
    0.516499996, 0.317200005, 0.701499999, 0.291200012, 0.505900025, 0.647599995, 0.62349999,  0.829900026,
    0.591600001, 0.738900006, 0.70480001,  0.837199986, 0.889299989, 0.622699976, 0.6153,      0.709699988,
    0.615400016, 0.458499998, 0.238399997, 0.337900013, 0.371699989, 0.610000014, 0.760100007, 0.376700014,
    0.378500015, 0.714699984, 0.924300015, 0.9727,      0.574899971, 0.582599998, 0.570900023, 0.761900008,
    0.876999974, 0.53549999,  0.256599993, 0.214100003, 0.279599994, 0.360000014, 0.436500013, 0.350400001,
    0.288700014, 0.366100013, 0.234899998};

static edgert_status run_roi_align(bool half_pixel, const int64_t *batch, float *out) {
  er_roi_align_attrs a;
  memset(&a, 0, sizeof a);
  a.half_pixel = half_pixel;
  a.output_height = a.output_width = 5;
  a.sampling_ratio = 2;
  a.spatial_scale = 1.0f;
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 4, (int64_t[]){1, 1, 10, 10}, NULL);
  int rois = th_tensor(g, EDGERT_FLOAT32, 2, (int64_t[]){3, 4}, NULL);
  int b = th_tensor(g, EDGERT_INT64, 1, (int64_t[]){3}, NULL);
  int y = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  th_node(g, ER_OP_ROI_ALIGN, &a, sizeof a, 3, (int[]){x, rois, b}, 1, (int[]){y});
  th_io(g, 3, (int[]){x, rois, b}, 1, (int[]){y});
  edgert_status st = th_run(g, (const void *[]){kX, kRois, batch});
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    CHECK_EQ_INT(info.bytes, 75 * sizeof(float));
    if (info.bytes == 75 * sizeof(float)) memcpy(out, th_output(g, 0), info.bytes);
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

/* The expected values are printed to 4 decimals in roialign.py, so ONNX's own tolerance applies. */
static void check_close(const float *got, const float *want, int n) {
  for (int i = 0; i < n; i++)
    CHECK_NEAR(got[i], want[i], 1e-3 * fabs(want[i]) + 1e-7);
}

static void test_roialign_aligned_true(void) {
  float y[75];
  CHECK_OK(run_roi_align(true, kBatch, y));
  check_close(y, kAlignedTrue, 75);
}

static void test_roialign_aligned_false(void) {
  float y[75];
  CHECK_OK(run_roi_align(false, kBatch, y));
  check_close(y, kAlignedFalse, 75);
}

/* A batch index beyond the input fails the invoke rather than reading outside it. */
static void test_roialign_rejects_bad_batch_index(void) {
  static const int64_t bad[3] = {0, 1, 0};
  float y[75];
  CHECK(run_roi_align(true, bad, y) == EDGERT_ERR_RUNTIME);
}

void run_tests(void) {
  RUN(test_roialign_aligned_true);
  RUN(test_roialign_aligned_false);
  RUN(test_roialign_rejects_bad_batch_index);
}
