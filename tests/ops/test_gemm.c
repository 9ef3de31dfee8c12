/* GEMM against the ONNX 1.12 backend test data (node/test_gemm_all_attributes, test_gemm_default_vector_bias,
 * test_gemm_transposeA, test_data_set_0); a C that does not broadcast is refused. */
#include <stdlib.h>

#include "linalg_test.h"
#include "ops/fused_activation.h"

/* node/test_gemm_all_attributes */
/* gall_in0: EDGERT_FLOAT32 [4, 3] */
#define GALL_IN0_SHAPE                                                                                       \
  2, { 4, 3 }
static const float gall_in0[12] = {0.54881352186203f,   0.7151893377304077f,  0.6027633547782898f,
                                   0.5448831915855408f, 0.42365479469299316f, 0.6458941102027893f,
                                   0.4375872015953064f, 0.891772985458374f,   0.9636627435684204f,
                                   0.3834415078163147f, 0.7917250394821167f,  0.5288949012756348f};
/* gall_in1: EDGERT_FLOAT32 [5, 4] */
#define GALL_IN1_SHAPE                                                                                       \
  2, { 5, 4 }
static const float gall_in1[20] = {
    0.5680445432662964f,   0.9255966544151306f, 0.07103605568408966f, 0.08712930232286453f,
    0.020218396559357643f, 0.832619845867157f,  0.7781567573547363f,  0.8700121641159058f,
    0.978618323802948f,    0.7991585731506348f, 0.4614793658256531f,  0.7805292010307312f,
    0.11827442795038223f,  0.6399210095405579f, 0.14335328340530396f, 0.9446688890457153f,
    0.5218483209609985f,   0.4146619439125061f, 0.26455560326576233f, 0.7742336988449097f};
/* gall_in2: EDGERT_FLOAT32 [1, 5] */
#define GALL_IN2_SHAPE                                                                                       \
  2, { 1, 5 }
static const float gall_in2[5] = {0.4561503231525421f, 0.568433940410614f, 0.018789799883961678f,
                                  0.6176354885101318f, 0.6120957136154175f};
/* gall_out0: EDGERT_FLOAT32 [3, 5] */
#define GALL_OUT0_SHAPE                                                                                      \
  2, { 3, 5 }
static const float gall_out0[15] = {0.37979912757873535f, 0.4836736023426056f,  0.37501436471939087f,
                                    0.4258093237876892f,  0.44547832012176514f, 0.392333447933197f,
                                    0.6364401578903198f,  0.5235674381256104f,  0.5240350961685181f,
                                    0.5636829137802124f,  0.42334532737731934f, 0.6389510631561279f,
                                    0.49747031927108765f, 0.4967692494392395f,  0.5259358286857605f};
/* node/test_gemm_default_vector_bias */
/* gvec_in0: EDGERT_FLOAT32 [2, 7] */
#define GVEC_IN0_SHAPE                                                                                       \
  2, { 2, 7 }
static const float gvec_in0[14] = {
    0.54881352186203f,   0.7151893377304077f, 0.6027633547782898f, 0.5448831915855408f, 0.42365479469299316f,
    0.6458941102027893f, 0.4375872015953064f, 0.891772985458374f,  0.9636627435684204f, 0.3834415078163147f,
    0.7917250394821167f, 0.5288949012756348f, 0.5680445432662964f, 0.9255966544151306f};
/* gvec_in1: EDGERT_FLOAT32 [7, 4] */
#define GVEC_IN1_SHAPE                                                                                       \
  2, { 7, 4 }
static const float gvec_in1[28] = {
    0.07103605568408966f,  0.08712930232286453f, 0.020218396559357643f, 0.832619845867157f,
    0.7781567573547363f,   0.8700121641159058f,  0.978618323802948f,    0.7991585731506348f,
    0.4614793658256531f,   0.7805292010307312f,  0.11827442795038223f,  0.6399210095405579f,
    0.14335328340530396f,  0.9446688890457153f,  0.5218483209609985f,   0.4146619439125061f,
    0.26455560326576233f,  0.7742336988449097f,  0.4561503231525421f,   0.568433940410614f,
    0.018789799883961678f, 0.6176354885101318f,  0.6120957136154175f,   0.6169340014457703f,
    0.9437480568885803f,   0.681820273399353f,   0.35950788855552673f,  0.43703195452690125f};
/* gvec_in2: EDGERT_FLOAT32 [1, 4] */
#define GVEC_IN2_SHAPE                                                                                       \
  2, { 1, 4 }
static const float gvec_in2[4] = {0.6976311802864075f, 0.0602254718542099f, 0.6667667031288147f,
                                  0.670637845993042f};
/* gvec_out0: EDGERT_FLOAT32 [2, 4] */
#define GVEC_OUT0_SHAPE                                                                                      \
  2, { 2, 4 }
static const float gvec_out0[8] = {2.18660831451416f,   2.7407660484313965f, 2.479313611984253f,
                                   3.1413373947143555f, 2.825432300567627f,  3.414952039718628f,
                                   3.0080790519714355f, 3.8125386238098145f};
/* node/test_gemm_transposeA */
/* gta_in0: EDGERT_FLOAT32 [6, 3] */
#define GTA_IN0_SHAPE                                                                                        \
  2, { 6, 3 }
static const float gta_in0[18] = {0.54881352186203f,    0.7151893377304077f,   0.6027633547782898f,
                                  0.5448831915855408f,  0.42365479469299316f,  0.6458941102027893f,
                                  0.4375872015953064f,  0.891772985458374f,    0.9636627435684204f,
                                  0.3834415078163147f,  0.7917250394821167f,   0.5288949012756348f,
                                  0.5680445432662964f,  0.9255966544151306f,   0.07103605568408966f,
                                  0.08712930232286453f, 0.020218396559357643f, 0.832619845867157f};
/* gta_in1: EDGERT_FLOAT32 [6, 4] */
#define GTA_IN1_SHAPE                                                                                        \
  2, { 6, 4 }
static const float gta_in1[24] = {
    0.7781567573547363f,   0.8700121641159058f, 0.978618323802948f,   0.7991585731506348f,
    0.4614793658256531f,   0.7805292010307312f, 0.11827442795038223f, 0.6399210095405579f,
    0.14335328340530396f,  0.9446688890457153f, 0.5218483209609985f,  0.4146619439125061f,
    0.26455560326576233f,  0.7742336988449097f, 0.4561503231525421f,  0.568433940410614f,
    0.018789799883961678f, 0.6176354885101318f, 0.6120957136154175f,  0.6169340014457703f,
    0.9437480568885803f,   0.681820273399353f,  0.35950788855552673f, 0.43703195452690125f};
/* gta_in2: EDGERT_FLOAT32 [1, 4] */
#define GTA_IN2_SHAPE                                                                                        \
  2, { 1, 4 }
static const float gta_in2[4] = {0.0f, 0.0f, 0.0f, 0.0f};
/* gta_out0: EDGERT_FLOAT32 [3, 4] */
#define GTA_OUT0_SHAPE                                                                                       \
  2, { 3, 4 }
static const float gta_out0[12] = {0.9355880618095398f, 2.023271083831787f,  1.3838070631027222f,
                                   1.5752074718475342f, 1.1258041858673096f, 2.9937753677368164f,
                                   2.150343179702759f,  2.2423512935638428f, 1.8322956562042236f,
                                   2.9599525928497314f, 1.7532236576080322f, 2.00296688079834f};

static void run_gemm(float alpha, float beta, bool ta, bool tb, const lt_tensor *in, lt_tensor want) {
  er_gemm_attrs a = {.alpha = alpha, .beta = beta, .trans_a = ta, .trans_b = tb};
  CHECK_EQ_INT(lt_run(ER_OP_GEMM, &a, sizeof a, 3, in, 1, &want, false), EDGERT_OK);
}

static void test_all_attributes(void) {
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT32, GALL_IN0_SHAPE, gall_in0),
                     LT_CONST(EDGERT_FLOAT32, GALL_IN1_SHAPE, gall_in1),
                     LT_CONST(EDGERT_FLOAT32, GALL_IN2_SHAPE, gall_in2)};
  run_gemm(0.25f, 0.35f, true, true, in, LT_IN(EDGERT_FLOAT32, GALL_OUT0_SHAPE, gall_out0));
}

static void test_vector_bias(void) {
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT32, GVEC_IN0_SHAPE, gvec_in0),
                     LT_IN(EDGERT_FLOAT32, GVEC_IN1_SHAPE, gvec_in1),
                     LT_IN(EDGERT_FLOAT32, GVEC_IN2_SHAPE, gvec_in2)};
  run_gemm(1, 1, false, false, in, LT_IN(EDGERT_FLOAT32, GVEC_OUT0_SHAPE, gvec_out0));
}

static void test_transpose_a(void) {
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT32, GTA_IN0_SHAPE, gta_in0),
                     LT_IN(EDGERT_FLOAT32, GTA_IN1_SHAPE, gta_in1),
                     LT_IN(EDGERT_FLOAT32, GTA_IN2_SHAPE, gta_in2)};
  run_gemm(1, 1, true, false, in, LT_IN(EDGERT_FLOAT32, GTA_OUT0_SHAPE, gta_out0));
}

static void test_bad_bias(void) {
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT32, GVEC_IN0_SHAPE, gvec_in0),
                     LT_IN(EDGERT_FLOAT32, GVEC_IN1_SHAPE, gvec_in1),
                     LT_IN(EDGERT_FLOAT32, 2, {1, 3}, gvec_in2)};
  er_gemm_attrs a = {.alpha = 1, .beta = 1};
  lt_tensor want = LT_IN(EDGERT_FLOAT32, GVEC_OUT0_SHAPE, gvec_out0);
  CHECK(lt_run(ER_OP_GEMM, &a, sizeof a, 3, in, 1, &want, false) != EDGERT_OK);
}

/* Gemm with a fused activation (attrs set by the optimizer) against a double reference plus the same
 * activation, over the paths the kernel takes: B' constant (packed, alpha folded in), A' constant, both
 * graph inputs with alpha 1 (B packed per run) and with alpha 2 (the reference loop), B' constant with
 * alpha 1 (one row and B transposed: dot products with B's rows in place); C as a scalar, per column, per
 * row, full, or absent; all transposes; sizes with tile tails and several K blocks. */
typedef struct {
  int64_t m, n, k;
  bool trans_a, trans_b, a_const, b_const;
  int c_kind; /* 0 none, 1 scalar, 2 [N], 3 [M, 1], 4 [M, N] */
  float alpha, beta;
  er_fused_act act;
} fused_case;

static float test_value(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
}

static void run_fused_case(const fused_case *fc) {
  const int64_t m = fc->m, n = fc->n, k = fc->k;
  uint32_t seed = (uint32_t)(m * 131 + n * 17 + k + fc->c_kind);
  float *a = malloc((size_t)(m * k) * sizeof *a), *b = malloc((size_t)(k * n) * sizeof *b);
  float *c = malloc((size_t)(m * n) * sizeof *c);
  for (int64_t i = 0; i < m * k; i++)
    a[i] = test_value(&seed);
  for (int64_t i = 0; i < k * n; i++)
    b[i] = test_value(&seed);
  for (int64_t i = 0; i < m * n; i++)
    c[i] = test_value(&seed);
  static const int c_ndim[] = {0, 0, 1, 2, 2};
  int64_t c_dims[4][2] = {{0, 0}, {0, 0}, {n, 0}, {m, 1}};
  const int64_t *cd = fc->c_kind == 4 ? (const int64_t[]){m, n} : c_dims[fc->c_kind < 4 ? fc->c_kind : 0];
  th_graph *g = th_new();
  int ta = th_tensor(g, EDGERT_FLOAT32, 2, fc->trans_a ? (const int64_t[]){k, m} : (const int64_t[]){m, k},
                     fc->a_const ? a : NULL);
  int tb = th_tensor(g, EDGERT_FLOAT32, 2, fc->trans_b ? (const int64_t[]){n, k} : (const int64_t[]){k, n},
                     fc->b_const ? b : NULL);
  int tc = fc->c_kind ? th_tensor(g, EDGERT_FLOAT32, c_ndim[fc->c_kind], cd, NULL) : -1;
  int out = th_tensor(g, EDGERT_FLOAT32, -1, NULL, NULL);
  er_gemm_attrs at = {.alpha = fc->alpha,
                      .beta = fc->beta,
                      .trans_a = fc->trans_a,
                      .trans_b = fc->trans_b,
                      .activation = fc->act.kind,
                      .act_min = fc->act.min,
                      .act_max = fc->act.max};
  th_node(g, ER_OP_GEMM, &at, sizeof at, 3, (int[]){ta, tb, tc}, 1, (int[]){out});
  int ins[3], n_ins = 0;
  const void *feeds[3];
  if (!fc->a_const) ins[n_ins] = ta, feeds[n_ins++] = a;
  if (!fc->b_const) ins[n_ins] = tb, feeds[n_ins++] = b;
  if (fc->c_kind) ins[n_ins] = tc, feeds[n_ins++] = c;
  th_io(g, n_ins, ins, 1, (int[]){out});
  edgert_status st = th_run(g, feeds);
  CHECK_MSG(st == EDGERT_OK, "%s", th_error(g));
  const float *y = st == EDGERT_OK ? th_output(g, 0) : NULL;
  int bad = 0;
  for (int64_t i = 0; y && i < m && bad < 3; i++)
    for (int64_t j = 0; j < n && bad < 3; j++) {
      double sum = 0, mag = 0;
      for (int64_t p = 0; p < k; p++) {
        double t = (double)a[fc->trans_a ? p * m + i : i * k + p] * b[fc->trans_b ? j * k + p : p * n + j];
        sum += t, mag += fabs(t);
      }
      sum *= fc->alpha, mag *= fabs(fc->alpha);
      static const int c_row[] = {0, 0, 0, 1, 1}, c_col[] = {0, 0, 1, 0, 1};
      if (fc->c_kind) {
        double cv =
            fc->beta *
            c[(c_row[fc->c_kind] ? i * (c_col[fc->c_kind] ? n : 1) : 0) + (c_col[fc->c_kind] ? j : 0)];
        sum += cv, mag += fabs(cv);
      }
      float want = er_fused_act_apply(&fc->act, (float)sum);
      if (!(fabs(y[i * n + j] - want) <= 2e-5 * (1 + mag))) {
        CHECK_MSG(false,
                  "m=%lld n=%lld k=%lld ta=%d tb=%d ac=%d bc=%d c=%d act=%d: y[%lld][%lld] = %.9g, want %.9g",
                  (long long)m, (long long)n, (long long)k, fc->trans_a, fc->trans_b, fc->a_const,
                  fc->b_const, fc->c_kind, (int)fc->act.kind, (long long)i, (long long)j, y[i * n + j], want);
        bad++;
      }
    }
  th_free(g);
  free(a), free(b), free(c);
}

static void test_fused_activation_matches_reference(void) {
  static const er_fused_act acts[] = {{ER_ACT_RELU, 0, 0, NULL},         {ER_ACT_RELU6, 0, 0, NULL},
                                      {ER_ACT_CLIP, -0.25f, 0.5f, NULL}, {ER_ACT_HARD_SWISH, 0, 0, NULL},
                                      {ER_ACT_SIGMOID, 0, 0, NULL},      {ER_ACT_NONE, 0, 0, NULL}};
  static const int64_t shapes[][3] = {{5, 19, 37}, {1, 33, 300}, {30, 70, 520}, {4, 37, 90}};
  int i = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int path = 0; path < 5; path++)
      for (int c_kind = 0; c_kind <= 4; c_kind++, i++) {
        fused_case fc = {.m = shapes[s][0],
                         .n = shapes[s][1],
                         .k = shapes[s][2],
                         .trans_a = i % 2,
                         .trans_b = (i / 2) % 2,
                         .a_const = path == 1,
                         .b_const = path == 0 || path == 4,
                         .c_kind = c_kind,
                         .alpha = path == 3 ? 2.0f : (path == 0 ? 0.5f : (path == 1 ? 1.5f : 1.0f)),
                         .beta = c_kind % 2 ? 0.75f : 1.0f,
                         .act = acts[i % 6]};
        run_fused_case(&fc);
      }
}

/* The one-row dot products on each variant that has them (EDGERT_ISA caps the choice): B transposed and
 * constant, alpha 1, every kind of C, K with and without a vector tail, N with and without a row tail. */
static void test_one_row_on_every_variant(void) {
  static const char *const caps[] = {"scalar", "avx2", "avx512", "neon"};
  static const int64_t shapes[][2] = {{33, 300}, {8, 16}, {7, 5}, {1000, 1280}};
  for (size_t v = 0; v < sizeof caps / sizeof *caps; v++) {
    setenv("EDGERT_ISA", caps[v], 1);
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
      for (int c_kind = 0; c_kind <= 4; c_kind++) {
        fused_case fc = {.m = 1,
                         .n = shapes[s][0],
                         .k = shapes[s][1],
                         .trans_a = c_kind % 2,
                         .trans_b = true,
                         .b_const = true,
                         .c_kind = c_kind,
                         .alpha = 1.0f,
                         .beta = 0.5f,
                         .act = {c_kind == 2 ? ER_ACT_RELU : ER_ACT_NONE, 0, 0, NULL}};
        run_fused_case(&fc);
      }
  }
  unsetenv("EDGERT_ISA");
}

/* float64 keeps the reference loop; the fused activation applies there too. */
static void test_fused_activation_float64(void) {
  static const double a[4] = {1, -2, 3, -4}, b[4] = {1, 1, 1, 1}, want_relu[4] = {0, 0, 0, 0};
  lt_tensor in[3] = {LT_IN(EDGERT_FLOAT64, 2, {2, 2}, a), LT_CONST(EDGERT_FLOAT64, 2, {2, 2}, b), LT_ABSENT};
  er_gemm_attrs at = {.alpha = 1, .beta = 1, .activation = ER_ACT_RELU};
  lt_tensor out = LT_IN(EDGERT_FLOAT64, 2, {2, 2}, want_relu); /* rows sum to -1 and -1: all clamp to 0 */
  CHECK_EQ_INT(lt_run(ER_OP_GEMM, &at, sizeof at, 3, in, 1, &out, false), EDGERT_OK);
  static const double want_none[4] = {-1, -1, -1, -1};
  at.activation = ER_ACT_NONE;
  out = LT_IN(EDGERT_FLOAT64, 2, {2, 2}, want_none);
  CHECK_EQ_INT(lt_run(ER_OP_GEMM, &at, sizeof at, 3, in, 1, &out, false), EDGERT_OK);
}

void run_tests(void) {
  RUN(test_fused_activation_matches_reference);
  RUN(test_one_row_on_every_variant);
  RUN(test_fused_activation_float64);
  RUN(test_all_attributes);
  RUN(test_vector_bias);
  RUN(test_transpose_a);
  RUN(test_bad_bias);
}
