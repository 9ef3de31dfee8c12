/* The Winograd weight transform U = G g G^T (conv_nd_winograd.h), as inline code that conv_nd_winograd.c
 * compiles portably and the x86 variant files compile for their vector width: the same source, so the
 * same bits (no contraction into fused multiply-adds in ISO C), and 4 doubles per AVX2 operation or 8 per
 * AVX-512 one where the portable build has 2 (resnet18: a third of its load was this transform). */
#ifndef EDGERT_OPS_WINOGRAD_WEIGHTS_H
#define EDGERT_OPS_WINOGRAD_WEIGHTS_H

#include <stdint.h>
#include <string.h>

#include "ops/conv_nd_winograd.h"
#include "ops/index_math.h"
#include "ops/prefetch.h"

/* G of F(2x2, 3x3) and F(4x4, 3x3). */
static const double er_winograd_g2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

static const double er_winograd_g4[6][3] = {{1.0 / 4, 0, 0},
                                            {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                            {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                            {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                            {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                            {0, 0, 1}};

static inline const double *er_winograd_g_row(int64_t tile, int64_t r) {
  return tile == 2 ? er_winograd_g2[r] : er_winograd_g4[r];
}

/* U of up to ER_WINOGRAD_MAX_NR output channels of one input channel: u[xi][j] = (G g_j G^T)[xi] for the
 * alpha^2 frequencies, in double and rounded once. g holds the 3x3 taps of channel j at g[tap][j]; lanes past
 * the panel's channels are computed and ignored. j is the inner index of every loop so that the compiler
 * vectorizes them. */
static inline void
er_winograd_transform_panel(int64_t tile, int64_t alpha, const double g[9][ER_WINOGRAD_MAX_NR],
                            float u[ER_WINOGRAD_MAX_ALPHA * ER_WINOGRAD_MAX_ALPHA][ER_WINOGRAD_MAX_NR]) {
  double gg[ER_WINOGRAD_MAX_ALPHA][3][ER_WINOGRAD_MAX_NR]; /* G g */
  for (int64_t i = 0; i < alpha; i++) {
    const double *gi = er_winograd_g_row(tile, i);
    for (int b = 0; b < 3; b++)
      for (int j = 0; j < ER_WINOGRAD_MAX_NR; j++)
        gg[i][b][j] = gi[0] * g[b][j] + gi[1] * g[3 + b][j] + gi[2] * g[6 + b][j];
  }
  for (int64_t i = 0; i < alpha; i++) {
    for (int64_t k = 0; k < alpha; k++) {
      const double *gk = er_winograd_g_row(tile, k);
      float *out = u[i * alpha + k];
      for (int j = 0; j < ER_WINOGRAD_MAX_NR; j++)
        out[j] = (float)(gg[i][0][j] * gk[0] + gg[i][1][j] * gk[1] + gg[i][2][j] * gk[2]);
    }
  }
}

/* U = G g G^T for each (output, input) channel pair of group grp, written straight into the packed B
 * layout of each frequency (gemm_f32.h: NR-column panels, K = Cin rows, zero past Cout: er_persist_alloc
 * memory is zeroed). */
static inline void er_winograd_weights(const er_f32_conv_winograd_plan *p, const float *w, int64_t grp,
                                       float *u) {
  /* the taps of CB input channels are gathered together, so each output channel's are read in order */
  enum { CB = 8 };
  const int64_t nr = p->uk->nr, xis = p->xis;
  double taps[CB][9][ER_WINOGRAD_MAX_NR] = {{{0}}};
  float staged[ER_WINOGRAD_MAX_ALPHA * ER_WINOGRAD_MAX_ALPHA]
              [ER_WINOGRAD_MAX_NR]; /* one input channel of one panel, per frequency */
  float *group_u = u + grp * xis * p->u_xi_floats;
  for (int64_t o0 = 0; o0 < p->cout; o0 += nr) {
    const int64_t cols = er_min_i64(nr, p->cout - o0);
    float *panel = group_u + (o0 / nr) * nr * p->cin;
    for (int64_t c0 = 0; c0 < p->cin; c0 += CB) {
      const int64_t cb = er_min_i64(CB, p->cin - c0);
      for (int64_t j = 0; j < cols; j++) {
        const float *g = w + ((grp * p->cout + o0 + j) * p->cin + c0) * 9;
        if (c0 + 3 * CB < p->cin) /* rows of w are read nr at once: too many streams to prefetch alone */
          for (int64_t line = 0; line < CB * 9; line += 16)
            er_prefetch(g + 2 * CB * 9 + line);
        for (int64_t c = 0; c < cb; c++)
          for (int t = 0; t < 9; t++)
            taps[c][t][j] = g[c * 9 + t];
      }
      for (int64_t c = 0; c < cb; c++) {
        er_winograd_transform_panel(p->tile, p->alpha, (const double(*)[ER_WINOGRAD_MAX_NR])taps[c], staged);
        /* a panel row per frequency, contiguous (one store per float of U scattered over the alpha^2
         * matrices cost more than the arithmetic) */
        for (int64_t xi = 0; xi < xis; xi++)
          memcpy(panel + xi * p->u_xi_floats + (c0 + c) * nr, staged[xi], (size_t)cols * sizeof(float));
      }
    }
  }
}

#endif
