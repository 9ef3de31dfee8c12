/* A stand-in for libFuzzer's driver: feeds each file named on the command line, or each file in a named
 * directory, to the harness's LLVMFuzzerTestOneInput once. It lets the checked-in regression corpus
 * (fuzz/regressions/<harness>/) run under any compiler, in `make test`, `make test-asan` and the aarch64
 * qemu run, where libFuzzer is not available. README files and dot files are skipped, so a directory
 * holding only its README passes. A crash, a sanitizer report or a leak fails the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file. Returns a malloc'ed buffer the caller frees (non-NULL even when empty), or NULL. */
static uint8_t *read_whole_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t *bigger = realloc(buf, cap * 2);
    if (!bigger) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(buf);
    return NULL;
  }
  *size = n;
  return buf;
}

static int is_skipped_name(const char *name) {
  return name[0] == '.' || strcmp(name, "README.md") == 0 || strcmp(name, "README") == 0;
}

/* Returns the number of files that could not be read (0 on success). */
static int replay_file(const char *path) {
  size_t size = 0;
  uint8_t *data = read_whole_file(path, &size);
  if (!data) {
    fprintf(stderr, "fuzz replay: cannot read %s\n", path);
    return 1;
  }
  fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", path, size);
  /* An exact-size copy, so ASan sees a read one past the input as the fuzzer would. */
  uint8_t *exact = malloc(size ? size : 1);
  if (!exact) {
    free(data);
    return 1;
  }
  memcpy(exact, data, size);
  free(data);
  LLVMFuzzerTestOneInput(exact, size);
  free(exact);
  return 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir in name order (so runs are reproducible). */
static int replay_dir(const char *dir, int *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "fuzz replay: cannot open directory %s\n", dir);
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int failures = 0;
  for (struct dirent *e = readdir(d); e; e = readdir(d)) {
    if (is_skipped_name(e->d_name)) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      char **grown = realloc(names, cap * sizeof *names);
      if (!grown) break;
      names = grown;
    }
    size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
    names[n] = malloc(len);
    if (!names[n]) break;
    snprintf(names[n], len, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  if (n > 0) qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      failures += replay_file(names[i]);
      (*count)++;
    }
    free(names[i]);
  }
  free(names);
  return failures;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n  runs each input once through the fuzz harness\n", argv[0]);
    return 2;
  }
  int failures = 0, count = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "fuzz replay: no such file or directory: %s\n", argv[i]);
      failures++;
    } else if (S_ISDIR(st.st_mode)) {
      failures += replay_dir(argv[i], &count);
    } else {
      failures += replay_file(argv[i]);
      count++;
    }
  }
  fprintf(stderr, "fuzz replay: %d input(s) run, %d unreadable\n", count, failures);
  return failures ? 1 : 0;
}
