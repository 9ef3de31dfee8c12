/* CPU features, read at prepare to choose kernel variants (src/ops/x86/, src/ops/arm/). One binary runs
 * on any CPU of its architecture: variants built with wider instruction sets are only called when the
 * CPU (and the OS, for AVX state) supports them. */
#ifndef EDGERT_CORE_CPU_H
#define EDGERT_CORE_CPU_H

#include <stdbool.h>

typedef struct {
  bool avx2_fma;    /* x86: AVX2 and FMA3 */
  bool avx512;      /* x86: AVX-512 F, BW, VL and DQ */
  bool avx512_vnni; /* x86: AVX-512 VNNI (with avx512) */
  bool avx_vnni;    /* x86: AVX-VNNI (256-bit VNNI, with avx2_fma) */
  bool neon;        /* AArch64: Advanced SIMD */
  bool neon_dot;    /* AArch64: SDOT/UDOT */
} er_cpu_features;

/* The features of this CPU, capped by the environment variable EDGERT_ISA when set: "scalar" (no SIMD),
 * "avx2", "avx512", "neon" (no dot product); anything else leaves them as detected. */
er_cpu_features er_cpu_detect(void);

#endif
