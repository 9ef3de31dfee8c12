/* The ONNX RNN/GRU/LSTM fast path's lane primitives (ops/onnx_recurrent_lanes.h) built with AVX2: the
 * same portable loops, which the compiler vectorizes 8 wide here. Results equal the baseline build's
 * bit for bit (no FMA contraction in ISO C mode). */
#include "ops/onnx_recurrent_lanes.h"

static void add_vec_mat_avx2(float *out, const float *m, int64_t stride, const float *v, int64_t rows,
                             int64_t lanes) {
  er_rnn_add_vec_mat(out, m, stride, v, rows, lanes);
}

static void sigmoid_avx2(float *v, int64_t lanes) { er_rnn_sigmoid_lanes(v, lanes); }

static void tanh_avx2(float *v, int64_t lanes) { er_rnn_tanh_lanes(v, lanes); }

const er_rnn_lane_kernels er_rnn_lane_kernels_avx2 = {add_vec_mat_avx2, sigmoid_avx2, tanh_avx2};
