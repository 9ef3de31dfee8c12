/* Tests of the bounds-checked FlatBuffers reader (src/formats/tflite/flatbuf.c): values and defaults read
 * back from buffers laid out by hand after the FlatBuffers binary format (flatbuffers.dev, "Internals"),
 * and each malformed layout refused with a message naming the byte offset. */
#include <string.h>

#include "fb_builder.h"
#include "formats/tflite/flatbuf.h"
#include "test.h"

/* A root table with a u8 (field 0), an i32 (field 2), a string (field 3) and an i64 vector (field 5). */
static size_t build_sample(fbb *b) {
  memset(b, 0, sizeof *b);
  fbb_reserve(b, 8, 4);
  size_t pos[4];
  fbb_field f[4] = {{0, 1, 200}, {2, 4, (uint32_t)-7}, {3, 4, 0}, {5, 4, 0}};
  fbb_link(b, 0, fbb_table(b, f, 4, pos));
  fbb_link(b, pos[2], fbb_string(b, "conv"));
  int64_t v[3] = {-1, (int64_t)1 << 40, 5};
  fbb_link(b, pos[3], fbb_vector(b, 8, 3, v));
  return b->len;
}

static void test_reads_fields_and_defaults(void) {
  static fbb b;
  size_t size = build_sample(&b);
  er_fb fb;
  er_fb_init(&fb, b.buf, size);
  er_fb_table root;
  CHECK(er_fb_root(&fb, &root));
  uint8_t u8 = 0;
  int32_t i32 = 0, absent = 0;
  CHECK(er_fb_u8(&fb, &root, 0, 1, &u8));
  CHECK_EQ_INT(u8, 200);
  CHECK(er_fb_i32(&fb, &root, 2, 0, &i32));
  CHECK_EQ_INT(i32, -7);
  CHECK(er_fb_i32(&fb, &root, 1, 42, &absent)); /* not in the vtable: default */
  CHECK_EQ_INT(absent, 42);
  CHECK(er_fb_i32(&fb, &root, 30, 43, &absent)); /* beyond the vtable (older writer): default */
  CHECK_EQ_INT(absent, 43);
  CHECK(er_fb_has(&fb, &root, 2));
  CHECK(!er_fb_has(&fb, &root, 1));
  const char *s;
  size_t len;
  CHECK(er_fb_string_field(&fb, &root, 3, &s, &len));
  CHECK(len == 4 && memcmp(s, "conv", 4) == 0);
  er_fb_vector v;
  CHECK(er_fb_vector_field(&fb, &root, 5, 8, &v));
  CHECK_EQ_INT(v.count, 3);
  int64_t x = 0;
  CHECK(er_fb_vec_i64(&fb, &v, 1, &x));
  CHECK_EQ_INT(x, (int64_t)1 << 40);
  CHECK(!er_fb_vec_i64(&fb, &v, 3, &x)); /* past the count */
  CHECK(strstr(fb.error, "at byte") != NULL);
  /* an absent table gives defaults for everything */
  er_fb_table none;
  memset(&none, 0, sizeof none);
  fb.failed = false;
  CHECK(er_fb_i32(&fb, &none, 0, 9, &absent));
  CHECK_EQ_INT(absent, 9);
  CHECK(!fb.failed);
}

static void test_vtable_after_table(void) {
  /* soffset is signed: a negative value puts the vtable after the table, which writers may do */
  uint8_t buf[32] = {0};
  buf[0] = 8;                                    /* root at 8 */
  uint8_t soffset[4] = {0xf8, 0xff, 0xff, 0xff}; /* -8: vtable at 8 - (-8) = 16 */
  memcpy(buf + 8, soffset, 4);
  buf[12] = 0x2a;                     /* field 0: u8 at table + 4 */
  uint8_t vt[6] = {6, 0, 8, 0, 4, 0}; /* vtable: size 6, table size 8, field 0 at 4 */
  memcpy(buf + 16, vt, sizeof vt);
  er_fb fb;
  er_fb_init(&fb, buf, sizeof buf);
  er_fb_table root;
  CHECK(er_fb_root(&fb, &root));
  uint8_t u8 = 0;
  CHECK(er_fb_u8(&fb, &root, 0, 0, &u8));
  CHECK_EQ_INT(u8, 0x2a);
}

/* Each case: bytes that must be refused with a message holding `what` and "at byte". */
static void expect_refused(const uint8_t *buf, size_t size, int field, const char *what) {
  er_fb fb;
  er_fb_init(&fb, buf, size);
  er_fb_table root;
  bool ok = er_fb_root(&fb, &root);
  if (ok) {
    er_fb_vector v;
    ok = er_fb_vector_field(&fb, &root, field, 4, &v);
  }
  CHECK(!ok);
  CHECK(fb.failed);
  CHECK_MSG(strstr(fb.error, what) != NULL && strstr(fb.error, "at byte") != NULL, "error '%s'", fb.error);
}

static void test_malformed_layouts(void) {
  static fbb b;
  size_t size = build_sample(&b);
  uint8_t copy[FBB_CAP];

  expect_refused(b.buf, 7, 0, "too short");

  memcpy(copy, b.buf, size);
  copy[0] = 0xff; /* root offset past the end */
  copy[1] = 0xff;
  expect_refused(copy, size, 0, "points outside");

  /* the vtable offset of the root table points before the buffer */
  size_t root = b.buf[0];
  memcpy(copy, b.buf, size);
  copy[root] = 0xff;
  copy[root + 1] = 0xff;
  copy[root + 2] = 0xff;
  copy[root + 3] = 0x7f;
  expect_refused(copy, size, 0, "vtable offset");

  /* vtable size odd */
  size_t vt = root - (size_t)(b.buf[root] | (b.buf[root + 1] << 8));
  memcpy(copy, b.buf, size);
  copy[vt] = 5;
  expect_refused(copy, size, 0, "vtable size");

  /* a field offset beyond the table's inline size */
  memcpy(copy, b.buf, size);
  copy[vt + 4 + 2 * 5] = 0xf0;
  expect_refused(copy, size, 5, "lies outside its table");

  /* a vector count running past the end */
  memcpy(copy, b.buf, size);
  {
    er_fb fb;
    er_fb_init(&fb, copy, size);
    er_fb_table t;
    er_fb_root(&fb, &t);
    er_fb_vector v;
    er_fb_vector_field(&fb, &t, 5, 8, &v);
    copy[v.pos - 4 + 3] = 0x10; /* count += 2^28 */
  }
  expect_refused(copy, size, 5, "runs past the end");

  /* the sample, cut anywhere, never reads beyond what it was given */
  for (size_t len = 0; len < size; len++) {
    er_fb fb;
    er_fb_init(&fb, b.buf, len);
    er_fb_table t;
    er_fb_vector v;
    const char *s;
    size_t slen;
    if (er_fb_root(&fb, &t) && er_fb_vector_field(&fb, &t, 5, 8, &v)) {
      int64_t x;
      for (uint32_t i = 0; i < v.count; i++)
        er_fb_vec_i64(&fb, &v, i, &x);
      er_fb_string_field(&fb, &t, 3, &s, &slen);
    }
  }
}

void run_tests(void) {
  RUN(test_reads_fields_and_defaults);
  RUN(test_vtable_after_table);
  RUN(test_malformed_layouts);
}
