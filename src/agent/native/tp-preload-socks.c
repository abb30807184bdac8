/*
 * The SOCKS5 client of libtp-preload.so (see tp-preload.c): a connect() made through the
 * session's proxy (CONNECT, RFC 1928), and a name asked of it (Tor's RESOLVE, command 0xF0).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tp-preload.h"

static int send_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int recv_all(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n > 0) {
    ssize_t r = recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Send a SOCKS5 request on a socket connected to the proxy; returns the reply code (or -1). */
static int socks_exchange(int fd, const unsigned char *request, size_t n, unsigned char bound[4]) {
  unsigned char reply[262];
  static const unsigned char greeting[3] = {5, 1, 0};
  if (send_all(fd, greeting, 3) || recv_all(fd, reply, 2) || reply[0] != 5 || reply[1] != 0) return -1;
  if (send_all(fd, request, n) || recv_all(fd, reply, 4) || reply[0] != 5) return -1;
  size_t at = 4, rest = reply[3] == 1 ? 4 + 2 : reply[3] == 4 ? 16 + 2 : 0;
  if (reply[3] == 3) {
    if (recv_all(fd, reply + 4, 1)) return -1;
    at = 5;
    rest = (size_t)reply[4] + 2;
  }
  int code = reply[1];
  if (recv_all(fd, reply + at, rest)) return -1;
  if (bound && reply[3] == 1) memcpy(bound, reply + 4, 4);
  return code;
}

static int errno_for(int code) {
  switch (code) {
  case 3:
    return ENETUNREACH;
  case 4:
    return EHOSTUNREACH;
  case 6:
    return ETIMEDOUT;
  case 5:
    return ECONNREFUSED;
  default:
    return ECONNREFUSED;
  }
}

/* Timeouts while talking to the proxy (the cluster may take its time to answer a dial). */
static void set_timeouts(int fd, struct timeval *saved_rcv, struct timeval *saved_snd, int seconds) {
  socklen_t l = sizeof *saved_rcv;
  struct timeval t = {.tv_sec = seconds};
  if (saved_rcv) getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, saved_rcv, &l);
  l = sizeof *saved_snd;
  if (saved_snd) getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, saved_snd, &l);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
}

int tp_socks_connect(int fd, const struct sockaddr *addr) {
  unsigned char req[22] = {5, 1, 0};
  size_t n;
  uint32_t v4;
  if (addr->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    req[3] = 1;
    memcpy(req + 4, &in->sin_addr, 4);
    memcpy(req + 8, &in->sin_port, 2);
    n = 10;
  } else {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
    if (mapped_v4(&in6->sin6_addr, &v4)) {
      req[3] = 1;
      memcpy(req + 4, &v4, 4);
      memcpy(req + 8, &in6->sin6_port, 2);
      n = 10;
    } else {
      req[3] = 4;
      memcpy(req + 4, &in6->sin6_addr, 16);
      memcpy(req + 20, &in6->sin6_port, 2);
      n = 22;
    }
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int r;
  if (addr->sa_family == AF_INET6) {
    struct sockaddr_in6 p6 = {.sin6_family = AF_INET6, .sin6_port = tp_proxy.sin_port};
    map_v4(&p6.sin6_addr, &tp_proxy.sin_addr);
    r = tp_real_connect(fd, (struct sockaddr *)&p6, sizeof p6);
  } else {
    r = tp_real_connect(fd, (struct sockaddr *)&tp_proxy, sizeof tp_proxy);
  }
  int err = 0;
  if (r != 0) {
    err = ECONNREFUSED;
  } else {
    struct timeval rcv, snd;
    set_timeouts(fd, &rcv, &snd, 45);
    int code = socks_exchange(fd, req, n, NULL);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);
    if (code != 0) err = code < 0 ? ECONNREFUSED : errno_for(code);
  }
  if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags);
  if (err) {
    errno = err;
    return -1;
  }
  return 0;
}

int tp_socks_resolve(const char *name, struct in_addr *out) {
  size_t len = strlen(name);
  if (len == 0 || len > 255) return 1;
  unsigned char req[262] = {5, 0xf0, 0, 3, (unsigned char)len};
  memcpy(req + 5, name, len);
  req[5 + len] = 0;
  req[6 + len] = 0;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int result = -1;
  set_timeouts(fd, NULL, NULL, 15);
  if (tp_real_connect(fd, (struct sockaddr *)&tp_proxy, sizeof tp_proxy) == 0) {
    unsigned char bound[4];
    int code = socks_exchange(fd, req, len + 7, bound);
    if (code == 0) {
      memcpy(out, bound, 4);
      result = 0;
    } else if (code > 0) {
      result = 1;
    }
  }
  close(fd);
  return result;
}
