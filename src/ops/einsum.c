/* EINSUM: ONNX Einsum, a general reference implementation. The equation names each operand's dims with
 * letters ("bij,bjk->bik"); "..." stands for leading dims that broadcast across operands. A letter
 * repeated within one operand takes the diagonal; letters missing from the output are summed over. With
 * no "->", the output is the ellipsis dims then the letters used exactly once, in alphabetical order
 * (numpy's implicit mode). Every combination of label values is visited once: the output labels outside,
 * the summed ones inside, so sums run in double (or wrapping int64 for integers) and each output is
 * stored once. */
#include <string.h>

#include "core/kernel.h"
#include "ops/linalg_values.h"

#define MAX_OPERANDS 8
#define MAX_LABELS 16
#define LETTERS 52

typedef struct {
  edgert_dtype dtype;
  int32_t n_operands;
  int32_t n_labels, n_out; /* labels [0, n_out) are the output's, in order; the rest are summed */
  int64_t size[MAX_LABELS];
  /* stride of each label in each operand and in the output (summed over repeats; 0 where broadcast) */
  int64_t stride[MAX_OPERANDS][MAX_LABELS];
} einsum_data;

/* One operand's term parsed: label per axis, letters as 0..51, ellipsis axes as -1. */
typedef struct {
  int32_t n;
  int32_t label[ER_MAX_DIMS + 1];
  bool has_ellipsis;
  int32_t letters;
} term;

static int letter_index(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  return -1;
}

/* Parses one term of s[0..len); false on a character that is not a letter, a space or one "...". */
static bool parse_term(const char *s, size_t len, term *t) {
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < len; i++) {
    if (s[i] == ' ') continue;
    if (s[i] == '.') {
      if (t->has_ellipsis || i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.') return false;
      t->has_ellipsis = true;
      if (t->n > ER_MAX_DIMS) return false;
      t->label[t->n++] = -1;
      i += 2;
      continue;
    }
    int l = letter_index(s[i]);
    if (l < 0 || t->n > ER_MAX_DIMS) return false;
    t->label[t->n++] = l;
    t->letters++;
  }
  return true;
}

typedef struct {
  int32_t n_inputs;
  term in[MAX_OPERANDS];
  term out;
  bool explicit_out;
} equation;

static bool parse_equation(const char *eq, equation *e) {
  memset(e, 0, sizeof *e);
  const char *arrow = strstr(eq, "->");
  size_t lhs_len = arrow ? (size_t)(arrow - eq) : strlen(eq);
  size_t start = 0;
  for (size_t i = 0; i <= lhs_len; i++) {
    if (i < lhs_len && eq[i] != ',') continue;
    if (e->n_inputs >= MAX_OPERANDS - 1 || !parse_term(eq + start, i - start, &e->in[e->n_inputs++]))
      return false;
    start = i + 1;
  }
  e->explicit_out = arrow != NULL;
  if (arrow && !parse_term(arrow + 2, strlen(arrow + 2), &e->out)) return false;
  return true;
}

/* Label ids: letters keep 0..51 in a first pass; ellipsis dims get LETTERS + j. Then ids are compacted into
 * d's label table, output labels first. */
static edgert_status build(er_op_ctx *ctx, einsum_data *d, const equation *e) {
  int32_t ell = 0; /* broadcast rank of the ellipsis */
  for (int32_t i = 0; i < e->n_inputs; i++) {
    const er_tensor *t = er_input(ctx, i);
    const term *tm = &e->in[i];
    int32_t ell_rank = t->ndim - tm->letters;
    if ((tm->has_ellipsis && ell_rank < 0) || (!tm->has_ellipsis && t->ndim != tm->letters))
      return er_fail(ctx, EDGERT_ERR_SHAPE, "operand %d has rank %d; its term names %d dims", (int)i,
                     (int)t->ndim, (int)tm->letters);
    if (tm->has_ellipsis && ell_rank > ell) ell = ell_rank;
  }
  int64_t raw_size[LETTERS + ER_MAX_DIMS];
  int32_t uses[LETTERS + ER_MAX_DIMS] = {0};
  for (int32_t l = 0; l < LETTERS + ER_MAX_DIMS; l++)
    raw_size[l] = -1;
  /* raw per-operand per-axis label ids */
  int32_t axis_label[MAX_OPERANDS][ER_MAX_DIMS];
  for (int32_t i = 0; i < e->n_inputs; i++) {
    const er_tensor *t = er_input(ctx, i);
    const term *tm = &e->in[i];
    int32_t ell_rank = t->ndim - tm->letters, axis = 0;
    for (int32_t k = 0; k < tm->n; k++) {
      if (tm->label[k] >= 0) {
        axis_label[i][axis++] = tm->label[k];
        continue;
      }
      for (int32_t j = 0; j < ell_rank; j++)
        axis_label[i][axis++] = LETTERS + (ell - ell_rank) + j;
    }
    for (int32_t a = 0; a < t->ndim; a++) {
      int32_t l = axis_label[i][a];
      int64_t n = t->dims[a];
      uses[l]++;
      if (raw_size[l] < 0 || raw_size[l] == 1) {
        raw_size[l] = n;
      } else if (n != raw_size[l] && n != 1) {
        return er_fail(ctx, EDGERT_ERR_SHAPE, "dim %lld of operand %d does not match the label's size %lld",
                       (long long)n, (int)i, (long long)raw_size[l]);
      }
    }
  }
  /* output labels */
  int32_t out_raw[MAX_LABELS], n_out = 0;
  if (e->explicit_out) {
    for (int32_t k = 0; k < e->out.n; k++) {
      if (e->out.label[k] >= 0) {
        if (n_out >= MAX_LABELS || raw_size[e->out.label[k]] < 0)
          return er_fail(ctx, EDGERT_ERR_SHAPE, "an output label is not in any input");
        out_raw[n_out++] = e->out.label[k];
        continue;
      }
      for (int32_t j = 0; j < ell && n_out < MAX_LABELS; j++)
        out_raw[n_out++] = LETTERS + j;
    }
  } else {
    for (int32_t j = 0; j < ell; j++)
      out_raw[n_out++] = LETTERS + j;
    for (int32_t l = 0; l < LETTERS && n_out < MAX_LABELS; l++)
      if (uses[l] == 1) out_raw[n_out++] = l;
  }
  if (n_out > ER_MAX_DIMS) return er_fail(ctx, EDGERT_ERR_LIMIT, "output rank is beyond %d", ER_MAX_DIMS);
  int32_t id_of[LETTERS + ER_MAX_DIMS];
  for (int32_t l = 0; l < LETTERS + ER_MAX_DIMS; l++)
    id_of[l] = -1;
  d->n_labels = 0;
  for (int32_t k = 0; k < n_out; k++) {
    if (id_of[out_raw[k]] >= 0) return er_fail(ctx, EDGERT_ERR_SHAPE, "an output label repeats");
    id_of[out_raw[k]] = d->n_labels;
    d->size[d->n_labels++] = raw_size[out_raw[k]] < 0 ? 1 : raw_size[out_raw[k]];
  }
  d->n_out = n_out;
  for (int32_t l = 0; l < LETTERS + ER_MAX_DIMS; l++) {
    if (raw_size[l] < 0 || id_of[l] >= 0) continue;
    if (d->n_labels >= MAX_LABELS) return er_fail(ctx, EDGERT_ERR_LIMIT, "more than %d labels", MAX_LABELS);
    id_of[l] = d->n_labels;
    d->size[d->n_labels++] = raw_size[l];
  }
  /* strides: operands are row-major; a broadcast dim of 1 has stride 0 */
  for (int32_t i = 0; i < e->n_inputs; i++) {
    const er_tensor *t = er_input(ctx, i);
    int64_t s = 1;
    for (int32_t a = t->ndim - 1; a >= 0; a--) {
      int32_t id = id_of[axis_label[i][a]];
      if (t->dims[a] != 1 || d->size[id] == 1) d->stride[i][id] += s;
      s *= t->dims[a];
    }
  }
  int64_t s = 1;
  for (int32_t k = n_out - 1; k >= 0; k--) {
    d->stride[e->n_inputs][k] = s;
    s *= d->size[k];
  }
  int64_t dims[ER_MAX_DIMS];
  for (int32_t k = 0; k < n_out; k++)
    dims[k] = d->size[k];
  return er_set_output_shape(ctx, er_output(ctx, 0), n_out, dims);
}

static edgert_status einsum_prepare(er_op_ctx *ctx) {
  const er_einsum_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "has no equation");
  const er_node *node = ctx->node;
  if (node->n_inputs < 1 || node->n_inputs >= MAX_OPERANDS || node->n_outputs != 1 || !er_output(ctx, 0))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "needs 1 to %d inputs and one output", MAX_OPERANDS - 1);
  equation e;
  if (memchr(a->equation, '\0', sizeof a->equation) == NULL || !parse_equation(a->equation, &e))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "cannot parse equation '%.*s'", ER_EINSUM_MAX_EQUATION,
                   a->equation);
  if (e.n_inputs != node->n_inputs)
    return er_fail(ctx, EDGERT_ERR_SHAPE, "equation names %d operands; the node has %d", (int)e.n_inputs,
                   node->n_inputs);
  for (int i = 0; i < node->n_inputs; i++)
    if (!er_input(ctx, i)) return er_fail(ctx, EDGERT_ERR_MALFORMED, "input %d is missing", i);
  edgert_dtype dt = er_input(ctx, 0)->dtype;
  if (!lv_is_float(dt) && !lv_is_integer(dt))
    return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "dtype %s is not supported", edgert_dtype_name(dt));
  for (int i = 0; i < node->n_inputs; i++) {
    const er_tensor *t = er_input(ctx, i);
    edgert_status st = er_check_dtype(ctx, t, dt, "operand");
    if (st) return st;
  }
  edgert_status st = er_check_dtype(ctx, er_output(ctx, 0), dt, "output");
  if (st) return st;
  einsum_data *d = er_persist_alloc(ctx, sizeof *d);
  if (!d) return EDGERT_ERR_NO_MEMORY;
  d->dtype = dt;
  d->n_operands = e.n_inputs;
  ctx->op_data = d;
  return build(ctx, d, &e);
}

static edgert_status einsum_eval(er_op_ctx *ctx) {
  const einsum_data *d = ctx->op_data;
  void *out = er_output(ctx, 0)->data;
  bool ints = lv_is_integer(d->dtype);
  int64_t outputs = er_shape_elements(d->n_out, d->size), inner = 1;
  for (int32_t l = d->n_out; l < d->n_labels; l++)
    inner *= d->size[l];
  for (int64_t o = 0; o < outputs; o++) {
    int64_t base[MAX_OPERANDS] = {0}, rest = o;
    for (int32_t l = d->n_out - 1; l >= 0; l--) {
      int64_t idx = rest % d->size[l];
      rest /= d->size[l];
      for (int32_t i = 0; i < d->n_operands; i++)
        base[i] += idx * d->stride[i][l];
    }
    double acc = 0;
    uint64_t iacc = 0;
    for (int64_t r = 0; r < inner; r++) {
      int64_t off[MAX_OPERANDS];
      memcpy(off, base, sizeof off);
      int64_t rr = r;
      for (int32_t l = d->n_labels - 1; l >= d->n_out; l--) {
        int64_t idx = rr % d->size[l];
        rr /= d->size[l];
        for (int32_t i = 0; i < d->n_operands; i++)
          off[i] += idx * d->stride[i][l];
      }
      if (ints) {
        uint64_t prod = 1;
        for (int32_t i = 0; i < d->n_operands; i++)
          prod *= (uint64_t)lv_load_i64(er_input(ctx, i)->data, d->dtype, off[i]);
        iacc += prod;
      } else {
        double prod = 1;
        for (int32_t i = 0; i < d->n_operands; i++)
          prod *= lv_load(er_input(ctx, i)->data, d->dtype, off[i]);
        acc += prod;
      }
    }
    if (ints)
      lv_store_i64(out, d->dtype, o, (int64_t)iacc);
    else
      lv_store(out, d->dtype, o, acc);
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_einsum = {.prepare = einsum_prepare, .eval = einsum_eval};
