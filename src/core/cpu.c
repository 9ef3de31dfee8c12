/* CPU feature detection; see cpu.h. */
#include "core/cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

static er_cpu_features detect(void) {
  er_cpu_features f;
  memset(&f, 0, sizeof f);
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = f.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  f.avx512_vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
  f.avx_vnni = f.avx2_fma && __builtin_cpu_supports("avxvnni");
#endif
#elif defined(__aarch64__)
  f.neon = true;
#if defined(__linux__)
  f.neon_dot = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#endif
#endif
  return f;
}

er_cpu_features er_cpu_detect(void) {
  er_cpu_features f = detect();
  const char *cap = getenv("EDGERT_ISA");
  if (!cap) return f;
  if (!strcmp(cap, "scalar")) {
    memset(&f, 0, sizeof f);
  } else if (!strcmp(cap, "avx2")) {
    f.avx512 = f.avx512_vnni = false;
  } else if (!strcmp(cap, "avx512")) {
    f.avx_vnni = f.avx512_vnni = false;
  } else if (!strcmp(cap, "neon")) {
    f.neon_dot = false;
  }
  return f;
}
