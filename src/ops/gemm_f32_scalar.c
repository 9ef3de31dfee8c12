/* The portable float32 GEMM micro-kernel (4 rows x 8 columns): the variant every build has, written so
 * that a compiler can keep the tile in registers and vectorize its rows. Its epilogue defines what every
 * variant does: start from the bias (or from C for a later K block), then clamp with NaN passing through. */
#include "ops/gemm_f32.h"

enum { SCALAR_MR = 4, SCALAR_NR = 8 };

/* Rows 0..rows-1 of the tile; `rows` is a constant where this is inlined, so the loops unroll. */
static inline void tile_4x8(size_t rows, size_t rs, size_t ks, size_t nr, size_t kc, const void *a,
                            const float *b, float *c, size_t ldc, const er_f32_gemm_tile *t) {
  float acc[SCALAR_MR][SCALAR_NR] = {{0}};
  const size_t bs = t->b_k_stride;
  float b_row[SCALAR_NR]; /* a row of B in place, zero past nr */
  for (size_t k = 0; k < kc; k++) {
    const float *bk = b + k * SCALAR_NR;
    if (bs) {
      for (size_t j = 0; j < SCALAR_NR; j++)
        b_row[j] = j < nr ? b[k * bs + j] : 0.0f;
      bk = b_row;
    }
    for (size_t i = 0; i < rows; i++) {
      const float av = er_f32_load(a, k * ks + i * rs);
      for (size_t j = 0; j < SCALAR_NR; j++)
        acc[i][j] += av * bk[j];
    }
  }
  /* steps between rows and columns of C */
  const size_t row_step = t->c_transposed ? 1 : ldc, col_step = t->c_transposed ? ldc : 1;
  for (size_t i = 0; i < rows; i++) {
    float *ci = c + i * row_step;
    for (size_t j = 0; j < nr; j++) {
      float v = acc[i][j];
      if (t->accumulate) {
        v += ci[j * col_step];
      } else {
        if (t->bias_row) v += t->bias_row[i];
        if (t->bias_col) v += t->bias_col[j];
      }
      if (t->clamp) {
        v = t->min > v ? t->min : v;
        v = t->max < v ? t->max : v;
      }
      ci[j * col_step] = v;
    }
  }
}

void er_f32_gemm_4x8__scalar(size_t mr, size_t nr, size_t kc, const void *a, const float *b, float *c,
                             size_t ldc, const er_f32_gemm_tile *t) {
  const size_t rs = t->a_row_stride ? t->a_row_stride : 1, ks = t->a_row_stride ? t->a_k_stride : mr;
  switch (mr) {
  case 1: tile_4x8(1, rs, ks, nr, kc, a, b, c, ldc, t); break;
  case 2: tile_4x8(2, rs, ks, nr, kc, a, b, c, ldc, t); break;
  case 3: tile_4x8(3, rs, ks, nr, kc, a, b, c, ldc, t); break;
  default: tile_4x8(4, rs, ks, nr, kc, a, b, c, ldc, t); break;
  }
}
