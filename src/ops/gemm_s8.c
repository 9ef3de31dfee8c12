/* int8 GEMM driver: micro-kernel choice, weight packing with the folded column constants, activation tile
 * packing, the loop over weight panels, and the portable (scalar) micro-kernel and requantization that
 * every build has. See gemm_s8.h. */
#include "ops/gemm_s8.h"

#include <string.h>

#include "core/cpu.h"
#include "core/quant.h"
#include "ops/conv_common.h"
#include "ops/index_math.h"

/* Parameter arrays are padded to this (the widest NR) so vector requantization may read a whole row. */
#define REQUANT_PAD 16
/* Room for the widest tile of int32 sums (MR * NR). */
#define MAX_TILE 128

/* Unsigned products and sums wrap as TFLite's int32 accumulator does, without signed overflow. */
#define MAC_ROW(r, av)                                                                                       \
  do {                                                                                                       \
    c##r##0 += (uint32_t)(av * w0), c##r##1 += (uint32_t)(av * w1);                                          \
    c##r##2 += (uint32_t)(av * w2), c##r##3 += (uint32_t)(av * w3);                                          \
  } while (0)

void er_s8_gemm_4x4c1__scalar(int64_t k_groups, const void *a, const void *w, int32_t *c) {
  const int8_t *pa = a, *pw = w;
  uint32_t c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  uint32_t c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (int64_t g = 0; g < k_groups; g++, pa += 4, pw += 4) {
    const int32_t w0 = pw[0], w1 = pw[1], w2 = pw[2], w3 = pw[3];
    const int32_t a0 = pa[0], a1 = pa[1], a2 = pa[2], a3 = pa[3];
    MAC_ROW(0, a0);
    MAC_ROW(1, a1);
    MAC_ROW(2, a2);
    MAC_ROW(3, a3);
  }
  const uint32_t sums[16] = {c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33};
  for (int i = 0; i < 16; i++)
    c[i] = (int32_t)sums[i];
}

void er_s8_requant__scalar(const int32_t *c, int32_t nr, int32_t rows, const er_s8_requant *rq,
                           int64_t column, int32_t count, int8_t *out, int64_t out_stride) {
  for (int32_t r = 0; r < rows; r++)
    for (int32_t j = 0; j < count; j++) {
      const int64_t n = column + j;
      const int32_t sum = (int32_t)((uint32_t)c[r * nr + j] + (uint32_t)rq->column_add[n]);
      out[r * out_stride + j] = (int8_t)er_requantize_i32(sum, rq->multipliers[n], rq->shifts[n],
                                                          rq->output_offset, rq->act_min, rq->act_max);
    }
}

static const er_s8_gemm_arch scalar_arch = {
    4, 4, 1, 1, 0, er_s8_gemm_4x4c1__scalar, er_s8_requant__scalar, "4x4c1__scalar"};
#if defined(ER_SIMD_X86)
static const er_s8_gemm_arch avx2_arch = {
    4, 16, 2, 2, 0, er_s8_gemm_4x16c2__avx2, er_s8_requant__avx2, "4x16c2__avx2"};
static const er_s8_gemm_arch avxvnni_arch = {
    4, 8, 4, 1, 0x80, er_s8_gemm_4x8c4__avxvnni, er_s8_requant__avx2, "4x8c4__avxvnni"};
static const er_s8_gemm_arch avx512_arch = {
    8, 16, 2, 2, 0, er_s8_gemm_8x16c2__avx512, er_s8_requant__avx512, "8x16c2__avx512"};
static const er_s8_gemm_arch avx512vnni_arch = {
    8, 16, 4, 1, 0x80, er_s8_gemm_8x16c4__avx512vnni, er_s8_requant__avx512, "8x16c4__avx512vnni"};
#endif
#if defined(ER_SIMD_ARM)
static const er_s8_gemm_arch neon_arch = {
    4, 8, 1, 2, 0, er_s8_gemm_4x8c1__neon, er_s8_requant__neon, "4x8c1__neon"};
static const er_s8_gemm_arch neondot_arch = {
    4, 8, 4, 1, 0, er_s8_gemm_4x8c4__neondot, er_s8_requant__neon, "4x8c4__neondot"};
#endif

const er_s8_gemm_arch *er_s8_gemm_scalar(void) { return &scalar_arch; }

int er_s8_gemm_available(const er_s8_gemm_arch **archs, int max) {
  int n = 0;
  if (n < max) archs[n++] = &scalar_arch;
  er_cpu_features f = er_cpu_detect();
#if defined(ER_SIMD_X86)
  if (f.avx2_fma && n < max) archs[n++] = &avx2_arch;
  if (f.avx_vnni && n < max) archs[n++] = &avxvnni_arch;
  if (f.avx512 && n < max) archs[n++] = &avx512_arch;
  if (f.avx512_vnni && n < max) archs[n++] = &avx512vnni_arch;
#elif defined(ER_SIMD_ARM)
  if (f.neon && n < max) archs[n++] = &neon_arch;
  if (f.neon_dot && n < max) archs[n++] = &neondot_arch;
#else
  (void)f;
#endif
  return n;
}

const er_s8_gemm_arch *er_s8_gemm_select(void) {
  /* The list is ordered from the plainest to the fastest. */
  const er_s8_gemm_arch *archs[8];
  int n = er_s8_gemm_available(archs, 8);
  return archs[n - 1];
}

bool er_s8_gemm_multipliers_ok(const int32_t *multipliers, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (multipliers[i] == INT32_MIN) return false;
  return true;
}


/* Column `col` of the weights (k values) into its panel, groups `stride` elements apart from dst; groups
 * past k stay zero. The common layouts with constant group sizes, so that each group is one or two moves. */
static void pack_column(const er_s8_gemm_arch *arch, const int8_t *src, int64_t k, void *dst,
                        int64_t stride) {
  const int64_t kr = arch->kr, full = k / kr;
  if (arch->element_bytes == 1 && kr == 4) {
    int8_t *d = dst;
    for (int64_t g = 0; g < full; g++)
      memcpy(d + g * stride, src + g * 4, 4);
  } else if (arch->element_bytes == 2 && kr == 2) {
    int16_t *d = dst;
    for (int64_t g = 0; g < full; g++) {
      d[g * stride] = src[g * 2];
      d[g * stride + 1] = src[g * 2 + 1];
    }
  } else {
    for (int64_t g = 0; g < full; g++)
      for (int64_t t = 0; t < kr; t++) {
        if (arch->element_bytes == 2)
          ((int16_t *)dst)[g * stride + t] = src[g * kr + t];
        else
          ((int8_t *)dst)[g * stride + t] = src[g * kr + t];
      }
  }
  for (int64_t depth = full * kr; depth < k; depth++) {
    const int64_t at = full * stride + depth - full * kr;
    if (arch->element_bytes == 2)
      ((int16_t *)dst)[at] = src[depth];
    else
      ((int8_t *)dst)[at] = src[depth];
  }
}

/* Weights in panels of nr columns: [panel][k_groups][nr][kr], zero beyond n and k. */
static void pack_weights(const er_s8_gemm_arch *arch, const int8_t *w, int64_t n, int64_t k, int64_t k_groups,
                         void *packed) {
  const int64_t nr = arch->nr, kr = arch->kr, panels = (n + nr - 1) / nr, e = arch->element_bytes;
  memset(packed, 0, (size_t)(panels * k_groups * nr * kr * e));
  for (int64_t col = 0; col < n; col++) {
    const int64_t first = ((col / nr) * k_groups * nr + col % nr) * kr; /* element of its group 0 */
    pack_column(arch, w + col * k, k, (unsigned char *)packed + first * e, nr * kr);
  }
}

static size_t packed_weight_bytes(const er_s8_gemm_arch *arch, int64_t n, int64_t k) {
  const int64_t panels = (n + arch->nr - 1) / arch->nr, k_groups = (k + arch->kr - 1) / arch->kr;
  return (size_t)er_round_up_i64(panels * k_groups * arch->nr * arch->kr * arch->element_bytes, 64);
}

size_t er_s8_gemm_packed_bytes(const er_s8_gemm_arch *arch, int64_t n, int64_t k) {
  return packed_weight_bytes(arch, n, k) + 5 * sizeof(int32_t) * (size_t)er_round_up_i64(n, REQUANT_PAD);
}

void er_s8_gemm_pack(const er_s8_gemm_arch *arch, const int8_t *w, int64_t n, int64_t k, const int32_t *bias,
                     int32_t input_offset, const int32_t *multipliers, const int32_t *shifts,
                     int32_t output_offset, int32_t act_min, int32_t act_max, void *memory, er_s8_gemm *g) {
  g->arch = arch;
  g->n = n;
  g->k = k;
  g->k_groups = (k + arch->kr - 1) / arch->kr;
  pack_weights(arch, w, n, k, g->k_groups, memory);
  const size_t padded = (size_t)er_round_up_i64(n, REQUANT_PAD);
  int32_t *add = (int32_t *)((unsigned char *)memory + packed_weight_bytes(arch, n, k));
  int32_t *mult = add + padded, *shift = mult + padded, *left = shift + padded, *right = left + padded;
  memset(add, 0, 5 * sizeof(int32_t) * padded);
  /* VNNI kernels see x + 128 for every activation x: 128 * sum_w comes off with the input offset. */
  const uint32_t offset = (uint32_t)input_offset - (arch->activation_xor ? 128u : 0u);
  for (int64_t c = 0; c < n; c++) {
    uint32_t sum_w = 0;
    for (int64_t d = 0; d < k; d++)
      sum_w += (uint32_t)(int32_t)w[c * k + d];
    add[c] = (int32_t)((bias ? (uint32_t)bias[c] : 0u) + offset * sum_w);
    mult[c] = multipliers[c];
    shift[c] = shifts[c];
    left[c] = shifts[c] > 0 ? (shifts[c] < 32 ? shifts[c] : 32) : 0;
    right[c] = shifts[c] < 0 ? (shifts[c] > -31 ? -shifts[c] : 31) : 0;
  }
  g->packed_w = memory;
  g->rq = (er_s8_requant){add, mult, shift, left, right, output_offset, act_min, act_max};
}

edgert_status er_s8_gemm_prepare(er_op_ctx *ctx, const er_s8_gemm_arch *arch, const int8_t *w, int64_t n,
                                 int64_t k, const int32_t *bias, int32_t input_offset,
                                 const int32_t *multipliers, const int32_t *shifts, int32_t output_offset,
                                 int32_t act_min, int32_t act_max, er_s8_gemm *g) {
  void *memory = er_persist_alloc(ctx, er_s8_gemm_packed_bytes(arch, n, k));
  if (!memory) return EDGERT_ERR_NO_MEMORY;
  er_s8_gemm_pack(arch, w, n, k, bias, input_offset, multipliers, shifts, output_offset, act_min, act_max,
                  memory, g);
  return EDGERT_OK;
}

int64_t er_s8_gemm_panels(const er_s8_gemm *g) { return (g->n + g->arch->nr - 1) / g->arch->nr; }

size_t er_s8_gemm_tile_bytes(const er_s8_gemm *g) {
  const er_s8_gemm_arch *arch = g->arch;
  return (size_t)er_round_up_i64(g->k_groups * arch->mr * arch->kr * arch->element_bytes, 64);
}

/* One row's full groups of KR values into the tile (consecutive groups `stride` elements apart), the
 * common layouts with constant group sizes so that each group is one or two moves. */
static void pack_row_full_groups(const er_s8_gemm_arch *arch, const int8_t *src, int64_t groups, void *dst,
                                 int64_t stride) {
  if (arch->element_bytes == 1 && arch->kr == 4) {
    const uint32_t flip = arch->activation_xor * 0x01010101u;
    unsigned char *d = dst;
    for (int64_t gi = 0; gi < groups; gi++) {
      uint32_t v;
      memcpy(&v, src + gi * 4, 4);
      v ^= flip;
      memcpy(d + gi * stride, &v, 4);
    }
  } else if (arch->element_bytes == 2 && arch->kr == 2) {
    int16_t *d = dst;
    for (int64_t gi = 0; gi < groups; gi++) {
      d[gi * stride] = src[gi * 2];
      d[gi * stride + 1] = src[gi * 2 + 1];
    }
  } else if (arch->element_bytes == 2) {
    int16_t *d = dst;
    for (int64_t gi = 0; gi < groups; gi++)
      for (int64_t t = 0; t < arch->kr; t++)
        d[gi * stride + t] = src[gi * arch->kr + t];
  } else {
    uint8_t *d = dst;
    const uint8_t *s8 = (const uint8_t *)src;
    for (int64_t gi = 0; gi < groups; gi++)
      for (int64_t t = 0; t < arch->kr; t++)
        d[gi * stride + t] = s8[gi * arch->kr + t] ^ arch->activation_xor;
  }
}

/* The tile's rows as [k_groups][mr][kr], zero beyond m rows and k; VNNI's offset applied. */
static void pack_activations(const er_s8_gemm *g, int32_t m, const int8_t *const *rows, void *tile) {
  const er_s8_gemm_arch *arch = g->arch;
  const int64_t mr = arch->mr, kr = arch->kr, k = g->k, full = k / kr, e = arch->element_bytes;
  const int64_t stride = mr * kr; /* elements between one row's consecutive groups */
  unsigned char *base = tile;
  if (m < mr) memset(tile, 0, (size_t)(g->k_groups * stride * e));
  for (int64_t r = 0; r < m; r++) {
    unsigned char *d = base + (size_t)(r * kr * e);
    pack_row_full_groups(arch, rows[r], full, d, stride);
    /* The last, partial group: zeros past k (their weights are zero too). */
    for (int64_t t = 0; full < g->k_groups && t < kr; t++) {
      const int64_t depth = full * kr + t;
      const int8_t v = depth < k ? rows[r][depth] : 0;
      const size_t at = (size_t)(full * stride + t);
      if (e == 2)
        ((int16_t *)(void *)d)[at] = v;
      else
        d[at] = depth < k ? (uint8_t)v ^ arch->activation_xor : 0;
    }
  }
}

void er_s8_gemm_tile_panels(const er_s8_gemm *g, int32_t m, const int8_t *const *a_rows, int64_t panel_begin,
                            int64_t panel_end, int8_t *out, void *tile) {
  const er_s8_gemm_arch *arch = g->arch;
  pack_activations(g, m, a_rows, tile);
  int32_t sums[MAX_TILE];
  const size_t panel_bytes = (size_t)(g->k_groups * arch->nr * arch->kr * arch->element_bytes);
  const unsigned char *panel = (const unsigned char *)g->packed_w + (size_t)panel_begin * panel_bytes;
  for (int64_t p = panel_begin; p < panel_end; p++, panel += panel_bytes) {
    const int64_t column = p * arch->nr;
    arch->ukernel(g->k_groups, tile, panel, sums);
    const int32_t count = (int32_t)(g->n - column < arch->nr ? g->n - column : arch->nr);
    arch->requant(sums, arch->nr, m, &g->rq, column, count, out + column, g->n);
  }
}

void er_s8_gemm_tile(const er_s8_gemm *g, int32_t m, const int8_t *const *a_rows, int8_t *out, void *tile) {
  er_s8_gemm_tile_panels(g, m, a_rows, 0, er_s8_gemm_panels(g), out, tile);
}

void er_s8_gemm_rows(const er_s8_gemm *g, const int8_t *a, int64_t lda, int64_t begin, int64_t end,
                     int8_t *out, void *tile) {
  const int32_t mr = g->arch->mr;
  const int8_t *rows[MAX_TILE];
  for (int64_t m = begin; m < end; m += mr) {
    const int32_t count = (int32_t)(end - m < mr ? end - m : mr);
    for (int32_t r = 0; r < count; r++)
      rows[r] = a + (m + r) * lda;
    er_s8_gemm_tile(g, count, rows, out + m * g->n, tile);
  }
}
