/* TFIDF_VECTORIZER (ONNX TfIdfVectorizer-9): counts, in each row of int32/int64 tokens, the n-grams of a
 * pool and writes their counts (TF), their weights when present (IDF) or counts times weights (TFIDF)
 * into the output columns the pool maps them to. An n-gram of n tokens takes tokens skip + 1 apart, for
 * every skip in [0, max_skip_count]; a 1-gram is counted once per position, not once per skip. N-grams do
 * not cross rows of a [B, N] input.
 *
 * The pool (input 1) lists all 1-grams, then all 2-grams, ...; ngram_counts (input 2) holds where each
 * length starts; ngram_indexes (input 3) the output column of each pooled n-gram, in pool order. Each
 * candidate n-gram is looked up by scanning its length's part of the pool: pools are small in the models
 * this serves, and the scan needs no memory. Weights (input 4) are indexed by output column, as
 * ONNX Runtime does. */
#include <string.h>

#include "ops/movement.h"

typedef struct {
  int64_t rows, row_len;
  int32_t lengths;        /* entries in ngram_counts: n-gram lengths 1..lengths */
  const int64_t *pool;    /* input 1 */
  const int64_t *starts;  /* input 2 */
  const int64_t *columns; /* input 3 */
  int64_t pool_size, n_columns;
  const float *weights; /* input 4 or NULL */
  int64_t n_weights;
} tfidf_plan;

/* Number of pooled n-grams before those of length n, and how many of length n there are. */
static void pool_part(const tfidf_plan *p, int32_t n, int64_t *first_ordinal, int64_t *count) {
  int64_t ordinal = 0;
  for (int32_t len = 1; len < n; len++) {
    int64_t end = len < p->lengths ? p->starts[len] : p->pool_size;
    ordinal += (end - p->starts[len - 1]) / len;
  }
  int64_t end = n < p->lengths ? p->starts[n] : p->pool_size;
  *first_ordinal = ordinal;
  *count = (end - p->starts[n - 1]) / n;
}

static edgert_status check_pool(er_op_ctx *ctx, tfidf_plan *p) {
  int64_t previous = 0, total = 0;
  for (int32_t i = 0; i < p->lengths; i++) {
    int64_t start = p->starts[i];
    if (start < previous || start > p->pool_size)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "ngram_counts[%d] = %lld is out of order or past the pool",
                     (int)i, (long long)start);
    previous = start;
  }
  for (int32_t n = 1; n <= p->lengths; n++) {
    int64_t end = n < p->lengths ? p->starts[n] : p->pool_size;
    if ((end - p->starts[n - 1]) % n != 0)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "the pool's %d-grams do not fill whole n-grams", (int)n);
    total += (end - p->starts[n - 1]) / n;
  }
  if (total != p->n_columns)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "the pool holds %lld n-grams but ngram_indexes has %lld",
                   (long long)total, (long long)p->n_columns);
  return EDGERT_OK;
}

static edgert_status check_const_int64(er_op_ctx *ctx, const er_tensor *t, const char *what) {
  if (!t || !mv_is_const(t) || t->dtype != EDGERT_INT64 || t->ndim != 1)
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "%s must be a constant int64 vector", what);
  return EDGERT_OK;
}

static edgert_status tfidf_prepare(er_op_ctx *ctx) {
  edgert_status st = er_check_io(ctx, 4, 5, 1);
  if (st != EDGERT_OK) return st;
  const er_tfidf_attrs *a = er_attrs(ctx);
  if (!a) return er_fail(ctx, EDGERT_ERR_MALFORMED, "missing attrs");
  const er_tensor *in = er_input(ctx, 0), *weights = er_input(ctx, 4);
  er_tensor *out = er_output(ctx, 0);
  if (!mv_is_index_dtype(in)) return er_fail(ctx, EDGERT_ERR_UNSUPPORTED, "tokens must be int32 or int64");
  if ((st = er_check_dtype(ctx, out, EDGERT_FLOAT32, "output")) != EDGERT_OK) return st;
  if (in->ndim != 1 && in->ndim != 2) return er_fail(ctx, EDGERT_ERR_SHAPE, "tokens must be [N] or [B, N]");
  if ((st = check_const_int64(ctx, er_input(ctx, 1), "the pool (input 1)")) != EDGERT_OK) return st;
  if ((st = check_const_int64(ctx, er_input(ctx, 2), "ngram_counts (input 2)")) != EDGERT_OK) return st;
  if ((st = check_const_int64(ctx, er_input(ctx, 3), "ngram_indexes (input 3)")) != EDGERT_OK) return st;
  if (weights && (!mv_is_const(weights) || weights->dtype != EDGERT_FLOAT32))
    return er_fail(ctx, EDGERT_ERR_MALFORMED, "weights (input 4) must be constant float32");
  tfidf_plan *p = er_persist_alloc(ctx, sizeof *p);
  if (!p) return EDGERT_ERR_NO_MEMORY;
  ctx->op_data = p;
  p->rows = in->ndim == 2 ? in->dims[0] : 1;
  p->row_len = in->dims[in->ndim - 1];
  p->pool = er_input(ctx, 1)->data;
  p->pool_size = er_input(ctx, 1)->dims[0];
  p->starts = er_input(ctx, 2)->data;
  p->lengths = (int32_t)(er_input(ctx, 2)->dims[0] < 64 ? er_input(ctx, 2)->dims[0] : 64);
  p->columns = er_input(ctx, 3)->data;
  p->n_columns = er_input(ctx, 3)->dims[0];
  p->weights = weights ? weights->data : NULL;
  p->n_weights = weights ? er_tensor_elements(weights) : 0;
  if (p->lengths < 1) return er_fail(ctx, EDGERT_ERR_MALFORMED, "ngram_counts is empty");
  if ((st = check_pool(ctx, p)) != EDGERT_OK) return st;
  for (int64_t i = 0; i < p->n_columns; i++)
    if (p->columns[i] < 0 || p->columns[i] >= a->output_size)
      return er_fail(ctx, EDGERT_ERR_MALFORMED, "ngram_indexes[%lld] is out of range", (long long)i);
  int64_t dims[2] = {p->rows, a->output_size};
  return in->ndim == 2 ? er_set_output_shape(ctx, out, 2, dims) : er_set_output_shape(ctx, out, 1, dims + 1);
}

static int64_t token_at(const er_tensor *in, int64_t i) { return mv_index_at(in, i); }

/* Adds one to the column of the n-gram of n tokens from `first`, `step` apart, when it is pooled. */
static void count_ngram(const tfidf_plan *p, const er_tensor *in, int64_t first, int64_t step, int32_t n,
                        float *row_out) {
  int64_t ordinal, count;
  pool_part(p, n, &ordinal, &count);
  const int64_t *grams = p->pool + p->starts[n - 1];
  for (int64_t g = 0; g < count; g++) {
    bool same = true;
    for (int32_t t = 0; t < n && same; t++)
      same = grams[g * n + t] == token_at(in, first + t * step);
    if (same) {
      row_out[p->columns[ordinal + g]] += 1.0f;
      return;
    }
  }
}

static edgert_status tfidf_eval(er_op_ctx *ctx) {
  const tfidf_plan *p = ctx->op_data;
  const er_tfidf_attrs *a = er_attrs(ctx);
  const er_tensor *in = er_input(ctx, 0);
  float *out = er_output(ctx, 0)->data;
  int32_t max_gram = a->max_gram < p->lengths ? a->max_gram : p->lengths;
  memset(out, 0, sizeof(float) * (size_t)(p->rows * a->output_size));
  for (int64_t r = 0; r < p->rows; r++) {
    float *row_out = out + r * a->output_size;
    int64_t row_start = r * p->row_len, row_end = row_start + p->row_len;
    for (int64_t s = row_start; s < row_end; s++) {
      for (int64_t skip = 0; skip <= a->max_skip; skip++) {
        for (int32_t n = a->min_gram; n <= max_gram; n++) {
          if (n == 1 && skip > 0) continue; /* a 1-gram has no gaps to vary */
          if (s + (int64_t)(n - 1) * (skip + 1) >= row_end) break;
          count_ngram(p, in, s, skip + 1, n, row_out);
        }
      }
    }
    for (int64_t c = 0; c < a->output_size && a->mode != ER_TFIDF_TF; c++) {
      float weight = c < p->n_weights ? p->weights[c] : 1.0f;
      if (a->mode == ER_TFIDF_IDF)
        row_out[c] = row_out[c] > 0 ? weight : 0.0f;
      else
        row_out[c] *= weight;
    }
  }
  return EDGERT_OK;
}

const er_kernel er_kernel_tfidf_vectorizer = {.prepare = tfidf_prepare, .eval = tfidf_eval};
