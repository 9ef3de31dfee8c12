/* The planner puts an elementwise op's output over an input that dies at that op
 * (er_output_may_overwrite): the values stay right, and an input read later, a graph input or a graph
 * output is never written over. */
#include <math.h>

#include "core/interp.h"
#include "op_harness.h"
#include "test.h"

static float relu(float v) { return v > 0 ? v : 0.0f; }
static float hard_swish(float v) { return v * fminf(fmaxf(v + 3.0f, 0.0f), 6.0f) / 6.0f; }

/* x -> a = Relu(x) -> b = Sigmoid(a) -> c = HardSwish(b) -> d = Mul(c, c) -> e = Add(d, a) (output)
 *   -> f = Mul(s, e) (output, s broadcast per channel) */
static void chain_of_elementwise_ops(void) {
  const int64_t dims[4] = {1, 4, 2, 2}, per_channel[4] = {1, 4, 1, 1};
  const float scale[4] = {0.5f, -1.0f, 2.0f, 3.0f};
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), a = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL);
  int b = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), c = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL);
  int d = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL), e = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL);
  int s = th_tensor(g, EDGERT_FLOAT32, 4, per_channel, scale),
      f = th_tensor(g, EDGERT_FLOAT32, 4, dims, NULL);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){x}, 1, (int[]){a});
  th_node(g, ER_OP_LOGISTIC, NULL, 0, 1, (int[]){a}, 1, (int[]){b});
  th_node(g, ER_OP_HARD_SWISH, NULL, 0, 1, (int[]){b}, 1, (int[]){c});
  th_node(g, ER_OP_MUL, NULL, 0, 2, (int[]){c, c}, 1, (int[]){d});
  th_node(g, ER_OP_ADD, NULL, 0, 2, (int[]){d, a}, 1, (int[]){e});
  th_node(g, ER_OP_MUL, NULL, 0, 2, (int[]){s, e}, 1, (int[]){f});
  th_io(g, 1, (int[]){x}, 2, (int[]){e, f});
  float in[16];
  for (int i = 0; i < 16; i++)
    in[i] = (float)(i - 7) * 0.75f;
  edgert_status st = th_run(g, (const void *[]){in});
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    const float *ev = th_output(g, 0), *fv = th_output(g, 1);
    for (int i = 0; i < 16; i++) {
      float av = relu(in[i]), cv = hard_swish(1.0f / (1.0f + expf(-av))), want = cv * cv + av;
      CHECK_NEAR(ev[i], want, 1e-6);
      CHECK_NEAR(fv[i], scale[i / 4] * want, 1e-5);
    }
    const er_tensor *t = th_interpreter(g)->tensors;
    CHECK(t[a].data != t[x].data); /* a graph input is the caller's */
    CHECK(t[b].data != t[a].data); /* a is read again by the Add */
    CHECK(t[c].data == t[b].data);
    CHECK(t[d].data == t[c].data); /* one tensor read twice, dying at the Mul */
    CHECK(t[e].data == t[d].data || t[e].data == t[a].data);
    CHECK(t[f].data != t[e].data); /* e is a graph output */
    /* a second run on the same plan */
    for (int i = 0; i < 16; i++)
      in[i] = -in[i];
    CHECK_OK(th_run(g, (const void *[]){in}));
    ev = th_output(g, 0);
    for (int i = 0; i < 16; i++) {
      float av = relu(in[i]), cv = hard_swish(1.0f / (1.0f + expf(-av)));
      CHECK_NEAR(ev[i], cv * cv + av, 1e-6);
    }
  }
  th_free(g);
}

/* An input that the op broadcasts (smaller than the output) is never written over. */
static void broadcast_input_is_not_overwritten(void) {
  const int64_t small[2] = {1, 4}, big[2] = {3, 4};
  th_graph *g = th_new();
  int x = th_tensor(g, EDGERT_FLOAT32, 2, small, NULL), y = th_tensor(g, EDGERT_FLOAT32, 2, big, NULL);
  int a = th_tensor(g, EDGERT_FLOAT32, 2, small, NULL), b = th_tensor(g, EDGERT_FLOAT32, 2, big, NULL);
  int z = th_tensor(g, EDGERT_FLOAT32, 2, big, NULL);
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){x}, 1, (int[]){a});
  th_node(g, ER_OP_RELU, NULL, 0, 1, (int[]){y}, 1, (int[]){b});
  th_node(g, ER_OP_SUB, NULL, 0, 2, (int[]){a, b}, 1, (int[]){z});
  th_io(g, 2, (int[]){x, y}, 1, (int[]){z});
  const float xv[4] = {1, 2, 3, 4};
  float yv[12];
  for (int i = 0; i < 12; i++)
    yv[i] = (float)i;
  edgert_status st = th_run(g, (const void *[]){xv, yv});
  CHECK_OK(st);
  if (st == EDGERT_OK) {
    const float *zv = th_output(g, 0);
    for (int i = 0; i < 12; i++)
      CHECK_NEAR(zv[i], xv[i % 4] - yv[i], 0);
    const er_tensor *t = th_interpreter(g)->tensors;
    CHECK(t[z].data == t[b].data);
  }
  th_free(g);
}

void run_tests(void) {
  RUN(chain_of_elementwise_ops);
  RUN(broadcast_input_is_not_overwritten);
}
