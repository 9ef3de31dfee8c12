/* Finds the mapper for an ONNX node among the op families' tables: the entry for its domain and op type
 * with the highest since_opset not above the model's opset for that domain. */
#include <string.h>

#include "formats/onnx/onnx_map.h"

typedef struct {
  const er_onnx_op_mapping *table;
  const size_t *count;
} family;

static const family families[] = {
#define ER_ONNX_FAMILY(name) {er_onnx_ops_##name, &er_onnx_ops_##name##_count},
#include "formats/onnx/onnx_families.def"
#undef ER_ONNX_FAMILY
};

static bool same(const char *s, const char *t, size_t t_len) { return strlen(s) == t_len && memcmp(s, t, t_len) == 0; }

/* ONNX writes the default domain as "" or "ai.onnx". */
static bool same_domain(const char *s, const char *t, size_t t_len) {
  if (s[0] == '\0') return t_len == 0 || same("ai.onnx", t, t_len);
  return same(s, t, t_len);
}

const er_onnx_op_mapping *er_onnx_find_mapping(const char *domain, size_t domain_len, const char *op_type,
                                               size_t op_type_len, int opset) {
  const er_onnx_op_mapping *best = NULL;
  for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
    for (size_t i = 0; i < *families[f].count; i++) {
      const er_onnx_op_mapping *m = &families[f].table[i];
      if (m->since_opset > opset || !same(m->op_type, op_type, op_type_len)) continue;
      if (!same_domain(m->domain, domain, domain_len)) continue;
      if (!best || m->since_opset > best->since_opset) best = m;
    }
  }
  return best;
}
