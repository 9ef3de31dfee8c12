/* The fast path of ONNX_RNN, ONNX_GRU and ONNX_LSTM (constant weights: packed, padded to lanes of 8,
 * vectorizable sigmoid and tanh) against the reference path (the same node with W, R, B and P fed as
 * graph inputs, which keeps them out of packing) on odd shapes: hidden sizes around the lane width,
 * inputs wider than one, every direction, both layouts, per-batch sequence lengths, initial states,
 * peepholes, clip, input_forget and linear_before_reset, and sequences long enough to be projected in
 * blocks of steps. All outputs (Y, Y_h, Y_c) must agree to
 * |d| <= 1e-5 (1 + |reference|); the gate functions differ from the C library's by about 2e-7. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
  er_op op;
  er_onnx_rnn_attrs attrs;
  int64_t seq, batch, input, hidden;
  bool bias, lens, initial, peep;
} fast_case;

static float *random_floats(int64_t n, uint32_t *seed, float scale) {
  float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; i++) {
    *seed = *seed * 1664525u + 1013904223u;
    v[i] = scale * ((float)(*seed >> 8) / 8388608.0f - 1.0f);
  }
  return v;
}

/* Runs the node with the weights either as constants (fast) or as graph inputs (reference); copies
 * the outputs Y, Y_h (and Y_c) into out[0..2]. */
static edgert_status run(const fast_case *c, bool constant_weights, float *const *values, const int32_t *lens,
                         float *out[3]) {
  const er_onnx_rnn_attrs *a = &c->attrs;
  int64_t gates = c->op == ER_OP_ONNX_RNN ? 1 : (c->op == ER_OP_ONNX_GRU ? 3 : 4);
  int64_t dirs = a->direction == ER_RNN_BIDIRECTIONAL ? 2 : 1, n = c->hidden;
  int64_t x_dims[3] = {a->batch_major ? c->batch : c->seq, a->batch_major ? c->seq : c->batch, c->input};
  int64_t state[3] = {a->batch_major ? c->batch : dirs, a->batch_major ? dirs : c->batch, n};
  int64_t dims[8][3] = {{0}, {dirs, gates * n, c->input}, {dirs, gates * n, n}, {dirs, 2 * gates * n},
                        {c->batch}, {0}, {0}, {dirs, 3 * n}};
  memcpy(dims[0], x_dims, sizeof x_dims);
  memcpy(dims[5], state, sizeof state);
  memcpy(dims[6], state, sizeof state);
  static const int ranks[8] = {3, 3, 3, 2, 1, 3, 3, 2};
  bool present[8] = {true, true, true, c->bias, c->lens, c->initial, c->initial && c->op == ER_OP_ONNX_LSTM,
                     c->peep && c->op == ER_OP_ONNX_LSTM};
  th_graph *g = th_new();
  int in[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, graph_inputs[8], n_graph_inputs = 0;
  const void *feeds[8];
  for (int i = 0; i < 8; i++) {
    if (!present[i]) continue;
    bool weight = i == 1 || i == 2 || i == 3 || i == 7;
    bool fed = i == 0 || i == 5 || i == 6 || (weight && !constant_weights);
    const void *data = i == 4 ? (const void *)lens : (const void *)values[i];
    in[i] = th_tensor(g, i == 4 ? EDGERT_INT32 : EDGERT_FLOAT32, ranks[i], dims[i], fed ? NULL : data);
    if (fed) {
      graph_inputs[n_graph_inputs] = in[i];
      feeds[n_graph_inputs++] = data;
    }
  }
  int outs[3];
  for (int k = 0; k < 3; k++) outs[k] = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  int n_outputs = c->op == ER_OP_ONNX_LSTM ? 3 : 2;
  th_node(g, c->op, a, sizeof *a, c->op == ER_OP_ONNX_LSTM ? 8 : 6, in, n_outputs, outs);
  th_io(g, n_graph_inputs, graph_inputs, n_outputs, outs);
  edgert_status st = th_run(g, feeds);
  if (st == EDGERT_OK) {
    for (int k = 0; k < n_outputs; k++) {
      edgert_tensor_info info = th_output_info(g, k);
      out[k] = malloc(info.bytes + 1);
      memcpy(out[k], th_output(g, k), info.bytes);
    }
  } else {
    printf("  %s\n", th_error(g));
  }
  th_free(g);
  return st;
}

static void check_case(const fast_case *c, const char *what) {
  const er_onnx_rnn_attrs *a = &c->attrs;
  int64_t gates = c->op == ER_OP_ONNX_RNN ? 1 : (c->op == ER_OP_ONNX_GRU ? 3 : 4);
  int64_t dirs = a->direction == ER_RNN_BIDIRECTIONAL ? 2 : 1, n = c->hidden;
  uint32_t seed = (uint32_t)(c->hidden * 131 + c->input * 17 + c->seq);
  int64_t sizes[8] = {c->seq * c->batch * c->input, dirs * gates * n * c->input, dirs * gates * n * n,
                      dirs * 2 * gates * n, 0, dirs * c->batch * n, dirs * c->batch * n, dirs * 3 * n};
  float *values[8];
  /* weights shrink with the hidden size so that big layers stay out of saturation and chaos, where
   * rounding differences would grow step by step */
  float weight_scale = c->hidden > 64 ? 0.05f : 0.6f;
  for (int i = 0; i < 8; i++) values[i] = random_floats(sizes[i], &seed, i == 0 ? 2.0f : weight_scale);
  int32_t lens[8];
  for (int64_t b = 0; b < c->batch; b++) lens[b] = (int32_t)((c->seq * (b + 1)) / c->batch);
  float *fast[3] = {NULL, NULL, NULL}, *ref[3] = {NULL, NULL, NULL};
  CHECK_OK(run(c, true, values, lens, fast));
  CHECK_OK(run(c, false, values, lens, ref));
  int64_t counts[3] = {c->seq * dirs * c->batch * n, dirs * c->batch * n, dirs * c->batch * n};
  for (int k = 0; k < 3; k++) {
    if (!fast[k] || !ref[k]) continue;
    int bad = 0;
    for (int64_t i = 0; i < counts[k] && bad < 3; i++)
      if (!(fabsf(fast[k][i] - ref[k][i]) <= 1e-5f * (1.0f + fabsf(ref[k][i])))) {
        CHECK_MSG(false, "%s: output %d element %lld: fast %.9g, reference %.9g", what, k, (long long)i,
                  (double)fast[k][i], (double)ref[k][i]);
        bad++;
      }
  }
  for (int k = 0; k < 3; k++) free(fast[k]), free(ref[k]);
  for (int i = 0; i < 8; i++) free(values[i]);
}

static er_onnx_rnn_attrs attrs_for(er_op op, int64_t hidden, er_rnn_direction direction, bool batch_major) {
  er_onnx_rnn_attrs a = {.hidden_size = (int32_t)hidden, .direction = direction, .batch_major = batch_major};
  for (int d = 0; d < 2; d++) {
    a.acts[d][0].kind = op == ER_OP_ONNX_RNN ? ER_RNN_ACT_TANH : ER_RNN_ACT_SIGMOID;
    a.acts[d][1].kind = ER_RNN_ACT_TANH;
    a.acts[d][2].kind = ER_RNN_ACT_TANH;
  }
  return a;
}

static void sweep(er_op op, const char *name) {
  static const int64_t hiddens[] = {1, 3, 8, 13, 16, 33};
  static const int64_t inputs[] = {1, 5};
  static const er_rnn_direction directions[] = {ER_RNN_FORWARD, ER_RNN_REVERSE, ER_RNN_BIDIRECTIONAL};
  char what[160];
  for (size_t h = 0; h < sizeof hiddens / sizeof *hiddens; h++)
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
      for (size_t d = 0; d < 3; d++)
        for (int variant = 0; variant < 4; variant++) {
          fast_case c = {.op = op,
                         .attrs = attrs_for(op, hiddens[h], directions[d], variant & 1),
                         .seq = 1 + (int64_t)(h + 2 * i + variant) % 7,
                         .batch = 1 + variant / 2,
                         .input = inputs[i],
                         .hidden = hiddens[h],
                         .bias = variant != 1,
                         .lens = variant >= 2,
                         .initial = variant != 0,
                         .peep = variant == 3};
          if (variant >= 2) { /* with and without peepholes */
            c.attrs.has_clip = true;
            c.attrs.clip = variant == 2 ? 0.75f : 0.3f;
          }
          c.attrs.linear_before_reset = variant == 1 || variant == 3;
          c.attrs.input_forget = op == ER_OP_ONNX_LSTM && variant == 1;
          snprintf(what, sizeof what, "%s hidden %lld input %lld direction %d variant %d", name,
                   (long long)c.hidden, (long long)c.input, (int)directions[d], variant);
          check_case(&c, what);
        }
}

static void rnn_fast_matches_reference(void) { sweep(ER_OP_ONNX_RNN, "RNN"); }
static void gru_fast_matches_reference(void) { sweep(ER_OP_ONNX_GRU, "GRU"); }
static void lstm_fast_matches_reference(void) { sweep(ER_OP_ONNX_LSTM, "LSTM"); }

/* Rows of more than 256 KB of projections: the steps run in blocks (here 2400-float rows: 27 steps a
 * block, so 40 steps take two blocks, in both directions and with a shorter second batch entry). */
static void long_sequences_run_in_blocks(void) {
  fast_case c = {.op = ER_OP_ONNX_LSTM,
                 .attrs = attrs_for(ER_OP_ONNX_LSTM, 600, ER_RNN_BIDIRECTIONAL, false),
                 .seq = 40,
                 .batch = 2,
                 .input = 3,
                 .hidden = 600,
                 .bias = true,
                 .lens = true,
                 .initial = true};
  check_case(&c, "LSTM hidden 600, 40 steps");
  c.op = ER_OP_ONNX_GRU;
  c.attrs = attrs_for(ER_OP_ONNX_GRU, 900, ER_RNN_REVERSE, true);
  c.hidden = 900;
  check_case(&c, "GRU hidden 900, 40 steps");
}

/* Every lane-kernel variant this CPU runs: the ISA cap picks it at prepare. */
void run_tests(void) {
  static const char *const isa_caps[] = {"scalar", "avx2", "neon", NULL};
  for (size_t k = 0; k < sizeof isa_caps / sizeof *isa_caps; k++) {
    if (isa_caps[k])
      setenv("EDGERT_ISA", isa_caps[k], 1);
    else
      unsetenv("EDGERT_ISA");
    printf("EDGERT_ISA=%s\n", isa_caps[k] ? isa_caps[k] : "(unset)");
    RUN(rnn_fast_matches_reference);
    RUN(gru_fast_matches_reference);
    RUN(lstm_fast_matches_reference);
    RUN(long_sequences_run_in_blocks);
  }
  unsetenv("EDGERT_ISA");
}
