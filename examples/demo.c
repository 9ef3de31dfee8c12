/* edgert-demo: the edge scenario end to end on the models edgert ships (made by scripts/make_models.py).
 *
 * 1. Anomaly detection: a stream of sensor feature vectors goes through an autoencoder one vector at a
 *    time, as on a device; a vector whose mean squared reconstruction error passes the model's threshold
 *    is flagged.
 * 2. Image classification: held-out 8x8 digits go through a small CNN; the top-3 labels are printed with
 *    their probabilities.
 *
 * Every inference is timed. Usage: edgert-demo [ROOT] (ROOT holds models/ and data/; default ".").
 * Uses the public API plus the .npy reader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edgert.h"
#include "io/npy.h"

typedef struct {
  double total_ms, max_ms;
  int count;
} timing;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add_timing(timing *t, double ms) {
  t->total_ms += ms;
  t->max_ms = ms > t->max_ms ? ms : t->max_ms;
  t->count++;
}

static int fail(const char *what, const char *why) {
  fprintf(stderr, "edgert-demo: %s: %s\n", what, why);
  return 1;
}

/* A model and an interpreter over it, with the load time. */
typedef struct {
  edgert_model *model;
  edgert_interpreter *interp;
  double load_ms;
} loaded_model;

static int load_model(const char *path, loaded_model *m) {
  double t0 = now_ms();
  memset(m, 0, sizeof *m);
  if (edgert_model_load_file(path, &m->model) != EDGERT_OK) return fail(path, edgert_model_error(m->model));
  if (edgert_interpreter_create(m->model, NULL, &m->interp) != EDGERT_OK)
    return fail(path, edgert_interpreter_error(m->interp));
  m->load_ms = now_ms() - t0;
  printf("  model %s: %zu bytes, arena %zu bytes, loaded and prepared in %.2f ms\n", path,
         edgert_model_bytes(m->model), edgert_interpreter_arena_bytes(m->interp), m->load_ms);
  return 0;
}

static void free_model(loaded_model *m) {
  edgert_interpreter_free(m->interp);
  edgert_model_free(m->model);
}

static int read_npy(const char *path, edgert_dtype want, er_npy *x, void **owned) {
  char err[512];
  if (er_npy_read_file(path, x, owned, err, sizeof err) != EDGERT_OK) return fail(path, err);
  if (x->dtype != want) return fail(path, "unexpected dtype");
  return 0;
}

/* The threshold from models/anomaly_autoencoder.json ({"threshold": 0.0073, ...}). */
static int read_threshold(const char *path, double *threshold) {
  FILE *f = fopen(path, "r");
  if (!f) return fail(path, "cannot open");
  char text[1024] = {0};
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  const char *key = strstr(text, "\"threshold\"");
  if (!key || !strchr(key, ':') || sscanf(strchr(key, ':') + 1, "%lf", threshold) != 1)
    return fail(path, "no \"threshold\" number");
  return 0;
}

static int run_anomaly(const char *root) {
  char model_path[1024], json_path[1024], stream_path[1024];
  snprintf(model_path, sizeof model_path, "%s/models/anomaly_autoencoder.onnx", root);
  snprintf(json_path, sizeof json_path, "%s/models/anomaly_autoencoder.json", root);
  snprintf(stream_path, sizeof stream_path, "%s/data/sensor_stream.npy", root);
  printf("1. Anomaly detection on a sensor stream\n");
  double threshold;
  loaded_model m;
  er_npy stream;
  void *owned = NULL;
  int rc = read_threshold(json_path, &threshold);
  if (!rc) rc = load_model(model_path, &m);
  if (!rc) rc = read_npy(stream_path, EDGERT_FLOAT32, &stream, &owned);
  if (rc) return rc;
  int features = (int)stream.dims[1], vectors = (int)stream.dims[0], flagged = 0;
  timing t = {0};
  printf("  %d vectors of %d features, threshold %.4f (mean squared reconstruction error)\n", vectors, features,
         threshold);
  for (int v = 0; v < vectors && !rc; v++) {
    const float *x = (const float *)stream.data + (size_t)v * (size_t)features;
    double t0 = now_ms();
    if (edgert_interpreter_set_input(m.interp, 0, x, sizeof(float) * (size_t)features) != EDGERT_OK ||
        edgert_interpreter_invoke(m.interp) != EDGERT_OK) {
      rc = fail(model_path, edgert_interpreter_error(m.interp));
      break;
    }
    double ms = now_ms() - t0;
    add_timing(&t, ms);
    const float *y = edgert_interpreter_output_data(m.interp, 0);
    double err = 0;
    for (int i = 0; i < features; i++) err += (double)(x[i] - y[i]) * (x[i] - y[i]);
    err /= features;
    if (err > threshold) {
      printf("  ANOMALY  vector %3d  score %8.4f  (%.1fx threshold)  %.3f ms\n", v, err, err / threshold, ms);
      flagged++;
    }
  }
  if (!rc)
    printf("  %d of %d vectors flagged; latency mean %.4f ms, max %.4f ms\n\n", flagged, vectors,
           t.total_ms / t.count, t.max_ms);
  free(owned);
  free_model(&m);
  return rc;
}

static int read_labels(const char *path, char labels[][32], int max) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int n = 0;
  while (n < max && fgets(labels[n], 32, f)) {
    labels[n][strcspn(labels[n], "\r\n")] = '\0';
    n++;
  }
  fclose(f);
  return n;
}

/* Softmax of the 10 scores, then the indices of the top 3. */
static void top3(const float *scores, int n, int *best, float *prob) {
  float max = scores[0], sum = 0, p[64];
  for (int i = 1; i < n; i++) max = scores[i] > max ? scores[i] : max;
  for (int i = 0; i < n; i++) sum += p[i] = expf(scores[i] - max);
  for (int k = 0; k < 3; k++) {
    best[k] = -1;
    for (int i = 0; i < n; i++)
      if ((k == 0 || (i != best[0] && (k == 1 || i != best[1]))) && (best[k] < 0 || p[i] > p[best[k]])) best[k] = i;
    prob[k] = p[best[k]] / sum;
  }
}

static int run_classifier(const char *root) {
  char model_path[1024], labels_path[1024], images_path[1024], truth_path[1024];
  snprintf(model_path, sizeof model_path, "%s/models/digits_cnn.onnx", root);
  snprintf(labels_path, sizeof labels_path, "%s/models/digits_labels.txt", root);
  snprintf(images_path, sizeof images_path, "%s/data/digits_samples.npy", root);
  snprintf(truth_path, sizeof truth_path, "%s/data/digits_samples_labels.npy", root);
  printf("2. Image classification of handwritten digits\n");
  char labels[10][32];
  if (read_labels(labels_path, labels, 10) != 10) return fail(labels_path, "expected 10 labels");
  loaded_model m;
  er_npy images, truth;
  void *owned_images = NULL, *owned_truth = NULL;
  int rc = load_model(model_path, &m);
  if (!rc) rc = read_npy(images_path, EDGERT_FLOAT32, &images, &owned_images);
  if (!rc) rc = read_npy(truth_path, EDGERT_INT64, &truth, &owned_truth);
  if (rc) return rc;
  int count = (int)images.dims[0], correct = 0;
  timing t = {0};
  for (int s = 0; s < count && !rc; s++) {
    const float *x = (const float *)images.data + (size_t)s * 64;
    double t0 = now_ms();
    if (edgert_interpreter_set_input(m.interp, 0, x, sizeof(float) * 64) != EDGERT_OK ||
        edgert_interpreter_invoke(m.interp) != EDGERT_OK) {
      rc = fail(model_path, edgert_interpreter_error(m.interp));
      break;
    }
    double ms = now_ms() - t0;
    add_timing(&t, ms);
    int best[3];
    float prob[3];
    top3(edgert_interpreter_output_data(m.interp, 0), 10, best, prob);
    int want = (int)((const int64_t *)truth.data)[s];
    correct += best[0] == want;
    printf("  digit %2d: %-6s %.2f | %-6s %.2f | %-6s %.2f   (truth %-5s) %s %.3f ms\n", s, labels[best[0]],
           prob[0], labels[best[1]], prob[1], labels[best[2]], prob[2], labels[want],
           best[0] == want ? "ok  " : "MISS", ms);
  }
  if (!rc)
    printf("  %d of %d correct; latency mean %.4f ms, max %.4f ms\n", correct, count, t.total_ms / t.count,
           t.max_ms);
  free(owned_images);
  free(owned_truth);
  free_model(&m);
  return rc;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : ".";
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    puts("usage: edgert-demo [ROOT]   (ROOT holds models/ and data/ from scripts/make_models.py)");
    return 0;
  }
  printf("edgert %s demo\n\n", EDGERT_VERSION);
  int rc = run_anomaly(root);
  if (!rc) rc = run_classifier(root);
  return rc;
}
