/* The int8 UNIDIRECTIONAL_SEQUENCE_LSTM's fast form (constant weights: packed, zero points folded into
 * per-row constants, int32 matrix-vector products, VNNI where the CPU has it) against its reference (the
 * same node with every weight and bias fed as a graph input, which keeps it out of packing), bit for
 * bit, on odd shapes: input and state sizes that are not multiples of 4 or 16, batch rows in both
 * layouts, nonzero input, hidden and weight zero points, tanh and sigmoid cell gates, cell clip, and
 * large weights and biases whose sums saturate int16 - under every ISA cap. */
#include <stdlib.h>
#include <string.h>

#include "core/attrs.h"
#include "op_harness.h"
#include "test_random.h"

typedef struct {
  int32_t batch, steps, n_in, n_cell;
  bool time_major, zero_points, clip, sigmoid_cell;
  int32_t bias_range;
} lstm_case;

static uint32_t rng_state = 2024u;

static int32_t rand_in(int32_t lo, int32_t hi) { return (int32_t)test_random_in(&rng_state, lo, hi); }

typedef struct {
  int8_t *x, *wx[4], *wh[4];
  int32_t *b[4];
  float w_scale[2][4];
  int32_t w_zp[2][4];
} lstm_values;

static lstm_values random_values(const lstm_case *c) {
  lstm_values v;
  const int32_t n_x = c->batch * c->steps * c->n_in;
  v.x = malloc((size_t)n_x);
  for (int32_t i = 0; i < n_x; i++)
    v.x[i] = (int8_t)rand_in(-128, 127);
  for (int g = 0; g < 4; g++) {
    v.wx[g] = malloc((size_t)(c->n_cell * c->n_in));
    v.wh[g] = malloc((size_t)(c->n_cell * c->n_cell));
    v.b[g] = malloc(sizeof(int32_t) * (size_t)c->n_cell);
    for (int32_t i = 0; i < c->n_cell * c->n_in; i++)
      v.wx[g][i] = (int8_t)rand_in(-128, 127);
    for (int32_t i = 0; i < c->n_cell * c->n_cell; i++)
      v.wh[g][i] = (int8_t)rand_in(-128, 127);
    for (int32_t i = 0; i < c->n_cell; i++)
      v.b[g][i] = rand_in(-c->bias_range, c->bias_range);
    for (int p = 0; p < 2; p++) {
      v.w_scale[p][g] = 0.002f * (float)rand_in(1, 20);
      v.w_zp[p][g] = c->zero_points ? rand_in(-5, 5) : 0;
    }
  }
  return v;
}

static void free_values(lstm_values *v) {
  free(v->x);
  for (int g = 0; g < 4; g++) {
    free(v->wx[g]);
    free(v->wh[g]);
    free(v->b[g]);
  }
}

/* Runs the node with constant weights (fast) or weights fed as inputs (reference); returns the output,
 * then the cell and hidden states, in one buffer. */
static void *run(const lstm_case *c, const lstm_values *v, bool constant) {
  th_graph *g = th_new();
  int in[24];
  for (int i = 0; i < 24; i++)
    in[i] = -1;
  const int64_t d0 = c->time_major ? c->steps : c->batch, d1 = c->time_major ? c->batch : c->steps;
  in[0] = th_tensor(g, EDGERT_INT8, 3, (int64_t[]){d0, d1, c->n_in}, NULL);
  th_quant(g, in[0], 0.0078f, c->zero_points ? 7 : 0);
  int graph_inputs[13] = {in[0]}, n_fed = 1;
  const void *feeds[13] = {v->x};
  for (int gate = 0; gate < 4; gate++) {
    const void *data[3] = {v->wx[gate], v->wh[gate], v->b[gate]};
    const int64_t dims[3][2] = {{c->n_cell, c->n_in}, {c->n_cell, c->n_cell}, {c->n_cell, 0}};
    const int first[3] = {1, 5, 12};
    for (int p = 0; p < 3; p++) {
      const int id = th_tensor(g, p == 2 ? EDGERT_INT32 : EDGERT_INT8, p == 2 ? 1 : 2, dims[p],
                               constant ? data[p] : NULL);
      if (p < 2) th_quant(g, id, v->w_scale[p][gate], v->w_zp[p][gate]);
      in[first[p] + gate] = id;
      if (!constant) {
        graph_inputs[n_fed] = id;
        feeds[n_fed++] = data[p];
      }
    }
  }
  in[18] = th_tensor(g, EDGERT_INT8, 2, (int64_t[]){c->batch, c->n_cell}, NULL);
  th_quant(g, in[18], 0.0047f, c->zero_points ? -21 : 0);
  in[19] = th_tensor(g, EDGERT_INT16, 2, (int64_t[]){c->batch, c->n_cell}, NULL);
  /* two cell scales: tanh(cell) shifts left (2^-11) or rounds right (2^-14) into table units */
  th_quant(g, in[19], c->sigmoid_cell ? 1.0f / 16384.0f : 1.0f / 2048.0f, 0);
  th_variable(g, in[18]);
  th_variable(g, in[19]);
  const int out = th_tensor(g, EDGERT_INT8, 3, (int64_t[]){d0, d1, c->n_cell}, NULL);
  th_quant(g, out, 0.0047f, c->zero_points ? -21 : 0);
  er_lstm_attrs attrs = {.activation = c->sigmoid_cell ? ER_ACT_SIGMOID : ER_ACT_TANH,
                         .cell_clip = c->clip ? 3.0f : 0.0f,
                         .time_major = c->time_major};
  th_node(g, ER_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, &attrs, sizeof attrs, 24, in, 1, (int[]){out});
  th_io(g, n_fed, graph_inputs, 3, (int[]){out, in[19], in[18]});
  const size_t n_out = (size_t)(c->batch * c->steps * c->n_cell), n_state = (size_t)(c->batch * c->n_cell);
  unsigned char *result = NULL;
  /* Two invokes: the second starts from the states the first left. */
  for (int pass = 0; pass < 2; pass++) {
    edgert_status st = th_run(g, feeds);
    CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
    if (st != EDGERT_OK) break;
    if (pass == 1) {
      result = malloc(n_out + 3 * n_state);
      memcpy(result, th_output(g, 0), n_out);
      memcpy(result + n_out, th_output(g, 1), 2 * n_state);
      memcpy(result + n_out + 2 * n_state, th_output(g, 2), n_state);
    }
  }
  th_free(g);
  return result;
}

static const lstm_case cases[] = {
    {1, 28, 28, 20, false, false, false, false, 2000}, {1, 5, 3, 1, false, true, false, false, 500},
    {2, 4, 17, 13, false, true, true, false, 40000},   {3, 3, 5, 16, true, true, false, true, 3000},
    {2, 6, 33, 37, true, false, true, false, 100000},  {1, 3, 64, 65, false, true, false, false, 2000000},
    {4, 2, 1, 7, true, true, true, true, 300},
};

static const char *const isa_caps[] = {"scalar", "avx2", "avx512", "neon", NULL};

static void fast_matches_reference(void) {
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const lstm_case *c = &cases[ci];
    lstm_values v = random_values(c);
    unsetenv("EDGERT_ISA");
    unsigned char *want = run(c, &v, false);
    const size_t bytes = (size_t)(c->batch * c->steps * c->n_cell + 3 * c->batch * c->n_cell);
    for (size_t k = 0; k < sizeof isa_caps / sizeof isa_caps[0]; k++) {
      if (isa_caps[k])
        setenv("EDGERT_ISA", isa_caps[k], 1);
      else
        unsetenv("EDGERT_ISA");
      unsigned char *got = run(c, &v, true);
      if (want && got) {
        size_t first = bytes;
        for (size_t i = 0; i < bytes && first == bytes; i++)
          if (want[i] != got[i]) first = i;
        CHECK_MSG(first == bytes, "case %zu (ISA %s): byte %zu of outputs and states differs", ci,
                  isa_caps[k] ? isa_caps[k] : "any", first);
      }
      free(got);
    }
    unsetenv("EDGERT_ISA");
    free(want);
    free_values(&v);
  }
}

void run_tests(void) { RUN(fast_matches_reference); }
