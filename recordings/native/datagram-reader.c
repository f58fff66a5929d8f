// Many UDP datagrams per call (recvmmsg) for the recorder's intake sockets (rtp-intake.ts).
//
// Node's dgram delivers one 'message' event per datagram — a wake-up, a callback scope and an
// rinfo object each, ≈7–10 µs on this project's 2-core machines, the larger part of what
// recording costs Node per track (docs/bench-sessions.md). The intake already reads its sockets
// in rounds; with this it drains each socket in a round with a few calls instead. No package on
// the npm registry binds recvmmsg, and the binding is one function, so it is kept here.
//
// read(fd, lengths: Uint32Array) → Buffer | null: reads without blocking up to
// min(lengths.length - 1, SLOTS) datagrams from the socket `fd`; null when none is queued.
// Otherwise the Buffer holds them back to back, lengths[0] is how many, lengths[1..] their sizes.
// A socket error (EBADF once closed, …) is thrown with its errno name as `code`.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SLOTS 64
// Larger than any UDP payload over IPv4 or IPv6 without jumbograms: nothing is ever truncated.
#define SLOT_BYTES 65536

typedef struct {
  char *scratch; // SLOTS * SLOT_BYTES, one per loaded module (the main thread's, each worker's)
  struct mmsghdr msgs[SLOTS];
  struct iovec iov[SLOTS];
} Reader;

static void reader_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Reader *r = data;
  free(r->scratch);
  free(r);
}

static napi_value throw_errno(napi_env env, int err) {
  napi_value code, msg, error;
  const char *name = strerrorname_np(err); // glibc ≥ 2.32
  napi_create_string_utf8(env, name ? name : "EIO", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_throw(env, error);
  return NULL;
}

static napi_value read_datagrams(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Reader *r;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&r) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "read(fd, lengths) takes two arguments");
    return NULL;
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "fd must be a non-negative integer");
    return NULL;
  }
  bool is_typed = false;
  napi_is_typedarray(env, argv[1], &is_typed);
  napi_typedarray_type type;
  size_t count = 0;
  void *lengths = NULL;
  if (!is_typed || napi_get_typedarray_info(env, argv[1], &type, &count, &lengths, NULL, NULL) != napi_ok ||
      type != napi_uint32_array || count < 2) {
    napi_throw_type_error(env, NULL, "lengths must be a Uint32Array of at least 2");
    return NULL;
  }
  unsigned int n = count - 1 < SLOTS ? (unsigned int)(count - 1) : SLOTS;
  for (unsigned int i = 0; i < n; i++) {
    r->iov[i].iov_base = r->scratch + (size_t)i * SLOT_BYTES;
    r->iov[i].iov_len = SLOT_BYTES;
    memset(&r->msgs[i], 0, sizeof r->msgs[i]);
    r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
    r->msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int got;
  do got = recvmmsg(fd, r->msgs, n, MSG_DONTWAIT, NULL);
  while (got < 0 && errno == EINTR);
  napi_value result;
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      napi_get_null(env, &result);
      return result;
    }
    return throw_errno(env, errno);
  }
  if (got == 0) {
    napi_get_null(env, &result);
    return result;
  }
  // Back to back in the scratch (each moves left or stays), then one copy into the result.
  uint32_t *len = lengths;
  size_t at = 0;
  for (int i = 0; i < got; i++) {
    size_t size = r->msgs[i].msg_len;
    if (at != (size_t)i * SLOT_BYTES) memmove(r->scratch + at, r->scratch + (size_t)i * SLOT_BYTES, size);
    len[i + 1] = (uint32_t)size;
    at += size;
  }
  len[0] = (uint32_t)got;
  if (napi_create_buffer_copy(env, at, r->scratch, NULL, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  Reader *r = calloc(1, sizeof *r);
  if (r) r->scratch = malloc((size_t)SLOTS * SLOT_BYTES);
  if (!r || !r->scratch) {
    free(r);
    napi_throw_error(env, NULL, "datagram-reader: out of memory");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "read", NAPI_AUTO_LENGTH, read_datagrams, r, &fn) != napi_ok) {
    reader_free(env, r, NULL);
    return NULL;
  }
  // The scratch lives as long as the function (a module loaded twice gets two).
  if (napi_add_finalizer(env, fn, r, reader_free, NULL, NULL) != napi_ok) {
    reader_free(env, r, NULL);
    return NULL;
  }
  napi_set_named_property(env, exports, "read", fn);
  return exports;
}
