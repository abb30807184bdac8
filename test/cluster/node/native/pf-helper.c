/*
 * The test cluster's pod infra process (the pause container of a real node), which also serves
 * port-forwards: it holds the pod's network namespace and listens on the Unix socket
 * /pf/pf.sock (a folder the node shares). Per connection: read a 2-byte port (big-endian),
 * connect to it on the pod's loopback (127.0.0.1, then ::1), answer one status byte (0
 * connected; 1 and a message otherwise), then copy bytes both ways with half-close. A process
 * per connection; no Node, so a pod costs its node next to nothing until it is port-forwarded.
 * Its backlog is the system's largest (SOMAXCONN): a forward may open a thousand connections at
 * once, which a kubelet dials straight into the pod's namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *sock_path = "/pf/pf.sock";

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int dial(uint16_t port, char *why, size_t why_len) {
  struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  v6.sin6_addr = in6addr_loopback;
  int first_errno = 0;
  for (int i = 0; i < 2; i++) {
    int fd = socket(i == 0 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) continue;
    int ok = i == 0 ? connect(fd, (struct sockaddr *)&v4, sizeof v4)
                    : connect(fd, (struct sockaddr *)&v6, sizeof v6);
    if (ok == 0) {
      /* As the kubelet's and container runtimes' Go dialers do: small writes go out at once. */
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    if (!first_errno) first_errno = errno;
    close(fd);
  }
  snprintf(why, why_len, "connect 127.0.0.1:%u: %s", port, strerror(first_errno ? first_errno : ECONNREFUSED));
  return -1;
}

/* Copy both ways until both directions have ended. */
static void relay(int a, int b) {
  char buf[65536];
  int open_ab = 1, open_ba = 1;
  while (open_ab || open_ba) {
    struct pollfd p[2] = {{.fd = open_ab ? a : -1, .events = POLLIN}, {.fd = open_ba ? b : -1, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; i++) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = i == 0 ? a : b, to = i == 0 ? b : a;
      ssize_t n = read(from, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno != ECONNRESET) return;
        shutdown(to, SHUT_WR);
        if (i == 0) open_ab = 0;
        else open_ba = 0;
        continue;
      }
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0) {
          if (errno == EINTR) continue;
          return;
        }
        off += w;
      }
    }
  }
}

static void serve(int c) {
  unsigned char h[2];
  if (read_full(c, h, 2) < 0) return;
  char why[200];
  int t = dial((uint16_t)((h[0] << 8) | h[1]), why, sizeof why);
  if (t < 0) {
    unsigned char one = 1;
    if (write(c, &one, 1) == 1 && write(c, why, strlen(why)) < 0) return;
    return;
  }
  unsigned char zero = 0;
  if (write(c, &zero, 1) != 1) return;
  relay(c, t);
}

int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, sock_path, sizeof addr.sun_path - 1);
  unlink(sock_path);
  if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, SOMAXCONN) < 0) {
    /* No shared folder: still hold the namespace, as a pause container does. */
    for (;;) pause();
  }
  chmod(sock_path, 0666);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    pid_t pid = fork();
    if (pid == 0) {
      close(s);
      serve(c);
      _exit(0);
    }
    close(c);
  }
}
