/* The float32 fast paths of MAX_POOL_ND and AVERAGE_POOL_ND (pool_nd.c: global pools, and padded row
 * bands for 1-D and 2-D windows) agree with the reference kernel on odd shapes: channels 1..19, sizes
 * 1..17 and rows wide enough to cross every vector tail, kernels 1..7, strides 1..3, dilations,
 * asymmetric and automatic pads, ceil_mode, count_include_pad, batch 2; max windows up to 17 rows tall. Each
 * case runs under EDGERT_ISA=scalar, avx2 and the CPU's best.
 *
 * The truth is the reference kernel in float64 (every float64 pool runs it). Max pools must match
 * exactly; averages within 1e-6 * (1 + max |x|) (float sums against double ones). */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test_random.h"

typedef struct {
  er_op op;
  int rank;
  int64_t batch, channels;
  int64_t in[2], kernel[2], stride[2], dilation[2], pads[4];
  er_padding auto_pad;
  bool ceil_mode, count_include_pad, global;
} pool_case;

static uint32_t rng_state = 777u;

static int64_t rand_in(int64_t lo, int64_t hi) { return test_random_in(&rng_state, lo, hi); }

static er_conv_nd_attrs case_attrs(const pool_case *c) {
  er_conv_nd_attrs a;
  memset(&a, 0, sizeof a);
  a.group = 1;
  a.auto_pad = c->auto_pad;
  a.ceil_mode = c->ceil_mode;
  a.count_include_pad = c->count_include_pad;
  a.global = c->global;
  if (c->global) return a;
  a.n_kernel = a.n_strides = a.n_dilations = c->rank;
  a.n_pads = c->auto_pad == ER_PAD_EXPLICIT ? 2 * c->rank : 0;
  for (int i = 0; i < c->rank; i++) {
    a.kernel[i] = c->kernel[i];
    a.strides[i] = c->stride[i];
    a.dilations[i] = c->dilation[i];
    a.pads[i] = c->pads[i];
    a.pads[c->rank + i] = c->pads[2 + i];
  }
  return a;
}

/* Runs the pool in dtype; *y receives a malloc'ed copy of the output (caller frees), *n its elements. */
static edgert_status run_pool(const pool_case *c, edgert_dtype dt, const void *x, void **y, int64_t *n) {
  er_conv_nd_attrs a = case_attrs(c);
  int64_t dims[4] = {c->batch, c->channels, c->in[0], c->in[1]};
  th_graph *g = th_new();
  int xi = th_tensor(g, dt, c->rank + 2, dims, NULL);
  int yi = th_tensor(g, dt, -1, NULL, NULL);
  th_node(g, c->op, &a, sizeof a, 1, (int[]){xi}, 1, (int[]){yi});
  th_io(g, 1, (int[]){xi}, 1, (int[]){yi});
  edgert_status st = th_run(g, (const void *[]){x});
  *y = NULL;
  if (st == EDGERT_OK) {
    edgert_tensor_info info = th_output_info(g, 0);
    *y = malloc(info.bytes ? info.bytes : 1);
    memcpy(*y, th_output(g, 0), info.bytes);
    *n = (int64_t)(info.bytes / (dt == EDGERT_FLOAT64 ? 8 : 4));
  } else {
    puts(th_error(g));
  }
  th_free(g);
  return st;
}

static void set_isa(const char *isa) {
  if (isa)
    setenv("EDGERT_ISA", isa, 1);
  else
    unsetenv("EDGERT_ISA");
}

static void describe(const pool_case *c) {
  fprintf(
      stderr,
      "  case: %s rank %d N %lld C %lld in %lldx%lld k %lldx%lld s %lldx%lld d %lldx%lld pads %lld,%lld,%lld,"
      "%lld auto_pad %d ceil %d include_pad %d global %d\n",
      c->op == ER_OP_MAX_POOL_ND ? "max" : "average", c->rank, (long long)c->batch, (long long)c->channels,
      (long long)c->in[0], (long long)c->in[1], (long long)c->kernel[0], (long long)c->kernel[1],
      (long long)c->stride[0], (long long)c->stride[1], (long long)c->dilation[0], (long long)c->dilation[1],
      (long long)c->pads[0], (long long)c->pads[1], (long long)c->pads[2], (long long)c->pads[3],
      (int)c->auto_pad, (int)c->ceil_mode, (int)c->count_include_pad, (int)c->global);
}

static bool check_case(const pool_case *c) {
  int64_t x_n = c->batch * c->channels * c->in[0] * (c->rank == 2 ? c->in[1] : 1);
  float *xf = malloc((size_t)x_n * sizeof *xf + 4);
  double *xd = malloc((size_t)x_n * sizeof *xd + 8);
  for (int64_t i = 0; i < x_n; i++) {
    xf[i] = (float)((double)test_random_next(&rng_state) / (double)(1u << 24) * 8.0 - 4.0);
    xd[i] = xf[i];
  }
  void *want = NULL, *got = NULL;
  int64_t want_n = 0, got_n = 0;
  bool ok = run_pool(c, EDGERT_FLOAT64, xd, &want, &want_n) == EDGERT_OK;
  CHECK(ok);
  const char *isas[] = {"scalar", "avx2", NULL};
  for (int k = 0; k < 3 && ok; k++) {
    set_isa(isas[k]);
    ok = run_pool(c, EDGERT_FLOAT32, xf, &got, &got_n) == EDGERT_OK && got_n == want_n;
    CHECK_MSG(ok, "float32 run failed or gave %lld values, want %lld", (long long)got_n, (long long)want_n);
    for (int64_t i = 0; i < got_n && ok; i++) {
      double g = ((float *)got)[i], w = ((double *)want)[i];
      if (w == -DBL_MAX) w = -FLT_MAX; /* a max over an empty window is the dtype's lowest value */
      double tol = c->op == ER_OP_MAX_POOL_ND ? 0.0 : 1e-6 * (1.0 + 4.0);
      if (!(fabs(g - (double)(float)w) <= tol)) {
        CHECK_MSG(false, "%s: y[%lld] = %.9g, want %.9g", isas[k] ? isas[k] : "best ISA", (long long)i, g, w);
        describe(c);
        ok = false;
      }
    }
    free(got);
    got = NULL;
  }
  set_isa(NULL);
  free(want);
  free(xf);
  free(xd);
  return ok;
}

/* Shrinks dilation, then kernel, until the window fits the padded input. */
static void fit_window(pool_case *c) {
  for (int i = 0; i < c->rank; i++) {
    int64_t padded = c->in[i] + (c->auto_pad == ER_PAD_EXPLICIT ? c->pads[i] + c->pads[2 + i] : 0);
    if ((c->kernel[i] - 1) * c->dilation[i] + 1 > padded) c->dilation[i] = 1;
    if (c->kernel[i] > padded) c->kernel[i] = padded;
  }
}

static pool_case random_case(int index) {
  pool_case c;
  memset(&c, 0, sizeof c);
  c.op = index % 2 ? ER_OP_MAX_POOL_ND : ER_OP_AVERAGE_POOL_ND;
  c.rank = index % 5 == 4 ? 1 : 2;
  c.batch = index % 3 == 0 ? 2 : 1;
  c.channels = rand_in(1, 19);
  for (int i = 0; i < 2; i++) {
    bool used = i < c.rank;
    c.in[i] = used ? rand_in(1, 17) : 1;
    c.kernel[i] = used ? rand_in(1, 7) : 1;
    c.stride[i] = used ? rand_in(1, 3) : 1;
    c.dilation[i] = used && test_random_next(&rng_state) % 4 == 0 ? 2 : 1;
    c.pads[i] = used ? rand_in(0, 3) : 0;
    c.pads[2 + i] = used ? rand_in(0, 3) : 0;
  }
  c.auto_pad = index % 11 == 5 ? ER_PAD_SAME : (index % 11 == 7 ? ER_PAD_SAME_LOWER : ER_PAD_EXPLICIT);
  c.ceil_mode = test_random_next(&rng_state) % 2;
  c.count_include_pad = test_random_next(&rng_state) % 2;
  c.global = index % 13 == 3;
  fit_window(&c);
  return c;
}

static void test_random_shapes_match_reference(void) {
  for (int i = 0; i < 400; i++) {
    pool_case c = random_case(i);
    if (!check_case(&c)) break;
  }
}

/* The nets' pools (3x3 stride 2 with ceil_mode, 2x2, global average) on rows around every vector tail. */
static void test_wide_rows_match_reference(void) {
  static const int64_t widths[] = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 64, 65, 111};
  for (size_t i = 0; i < sizeof widths / sizeof *widths; i++) {
    pool_case max3 = {
        ER_OP_MAX_POOL_ND, 2,    1,     3,    {9, widths[i]}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0},
        ER_PAD_EXPLICIT,   true, false, false};
    pool_case avg3 = {
        ER_OP_AVERAGE_POOL_ND, 2,     2,          2,    {6, widths[i]}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1},
        ER_PAD_EXPLICIT,       false, i % 2 == 0, false};
    pool_case global = {
        ER_OP_AVERAGE_POOL_ND, 2,     2,     5,   {widths[i], 7}, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0},
        ER_PAD_EXPLICIT,       false, false, true};
    pool_case global_max = global;
    global_max.op = ER_OP_MAX_POOL_ND;
    fit_window(&max3);
    fit_window(&avg3);
    if (!check_case(&max3) || !check_case(&avg3) || !check_case(&global) || !check_case(&global_max)) return;
  }
}

/* Windows taller than the direct max pool's 8 rows per pass, padded and dilated, at both strides. */
static void test_tall_max_windows_match_reference(void) {
  for (int64_t stride = 1; stride <= 2; stride++) {
    pool_case tall = {
        ER_OP_MAX_POOL_ND, 2,     1,     3,    {23, 37}, {11, 3}, {2, stride}, {1, 1}, {4, 1, 5, 1},
        ER_PAD_EXPLICIT,   false, false, false};
    pool_case dilated = tall;
    dilated.kernel[0] = 9;
    dilated.dilation[0] = 2;
    dilated.pads[0] = dilated.pads[2] = 0;
    if (!check_case(&tall) || !check_case(&dilated)) return;
  }
}

void run_tests(void) {
  RUN(test_random_shapes_match_reference);
  RUN(test_wide_rows_match_reference);
  RUN(test_tall_max_windows_match_reference);
}
