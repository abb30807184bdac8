/*
 * tp-udp HOST PORT
 * The sidecar's UDP end of iptables TPROXY. Listens on HOST:PORT with IP_TRANSPARENT and
 * IP_RECVORIGDSTADDR, so each datagram that the TPROXY rule diverts here arrives with the address
 * it was sent to. Writes one frame per datagram to stdout; reads frames from stdin and sends each
 * from the address the client talked to (a transparent socket bound to it), so replies reach the
 * client's socket as if the destination had answered.
 *
 * Frame (both ways): u16 payload length, then 12 bytes: address A (4) port A (2) address B (4)
 * port B (2), all in network byte order, then the payload. Out: A = client, B = original
 * destination. In: A = the address to send from (the original destination), B = the client.
 * Exit: 0 when stdin ends, 1 on a setup error (message on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef IP_RECVORIGDSTADDR
#define IP_RECVORIGDSTADDR 20
#endif
#ifndef IP_ORIGDSTADDR
#define IP_ORIGDSTADDR 20
#endif

#define HEADER 14
#define MAX_PAYLOAD 65535
#define SENDERS 256

/* One transparent socket per address replies are sent from, reused while it is in use. */
struct sender {
  struct sockaddr_in from;
  int fd;
  time_t used;
};
static struct sender senders[SENDERS];

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r == 0) return 0;
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 1;
}

static void put_addr(unsigned char *p, const struct sockaddr_in *a) {
  memcpy(p, &a->sin_addr.s_addr, 4);
  memcpy(p + 4, &a->sin_port, 2);
}

static void get_addr(const unsigned char *p, struct sockaddr_in *a) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  memcpy(&a->sin_addr.s_addr, p, 4);
  memcpy(&a->sin_port, p + 4, 2);
}

/* A socket bound (transparently) to `from`: the least recently used slot is reused when full. */
static int sender_for(const struct sockaddr_in *from) {
  time_t now = time(NULL);
  int oldest = 0;
  for (int i = 0; i < SENDERS; i++) {
    if (senders[i].fd > 0 && senders[i].from.sin_addr.s_addr == from->sin_addr.s_addr &&
        senders[i].from.sin_port == from->sin_port) {
      senders[i].used = now;
      return senders[i].fd;
    }
    if (senders[i].fd <= 0 || senders[i].used < senders[oldest].used) oldest = i;
  }
  if (senders[oldest].fd > 0) close(senders[oldest].fd);
  senders[oldest].fd = -1;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  if (s < 0) return -1;
  if (setsockopt(s, SOL_IP, IP_TRANSPARENT, &one, sizeof one) < 0 ||
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(s, (const struct sockaddr *)from, sizeof *from) < 0) {
    fprintf(stderr, "tp-udp: cannot send from %s:%d: %s\n", inet_ntoa(from->sin_addr), ntohs(from->sin_port),
            strerror(errno));
    close(s);
    return -1;
  }
  senders[oldest].from = *from;
  senders[oldest].fd = s;
  senders[oldest].used = now;
  return s;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: tp-udp HOST PORT\n");
    return 1;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET};
  long port = strtol(argv[2], NULL, 10);
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || port < 1 || port > 65535) {
    fprintf(stderr, "tp-udp: bad address: %s %s\n", argv[1], argv[2]);
    return 1;
  }
  addr.sin_port = htons((unsigned short)port);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1;
  int buf = 4 * 1024 * 1024;
  if (s < 0 || setsockopt(s, SOL_IP, IP_TRANSPARENT, &one, sizeof one) < 0 ||
      setsockopt(s, SOL_IP, IP_RECVORIGDSTADDR, &one, sizeof one) < 0 ||
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    fprintf(stderr, "tp-udp: listen on %s:%s: %s\n", argv[1], argv[2], strerror(errno));
    return 1;
  }
  /* Bursts wait in the kernel while Node is busy; best effort (capped by rmem_max). */
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);

  static unsigned char in[HEADER + MAX_PAYLOAD];
  static unsigned char out[HEADER + MAX_PAYLOAD];
  struct pollfd fds[2] = {{.fd = s, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      perror("tp-udp: poll");
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      struct sockaddr_in src;
      char control[128];
      struct iovec iov = {.iov_base = out + HEADER, .iov_len = MAX_PAYLOAD};
      struct msghdr msg = {.msg_name = &src,
                           .msg_namelen = sizeof src,
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = control,
                           .msg_controllen = sizeof control};
      ssize_t n = recvmsg(s, &msg, MSG_DONTWAIT);
      if (n >= 0) {
        struct sockaddr_in *dst = NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
          if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_ORIGDSTADDR) dst = (struct sockaddr_in *)CMSG_DATA(c);
        if (dst) {
          out[0] = (unsigned char)(n >> 8);
          out[1] = (unsigned char)n;
          put_addr(out + 2, &src);
          put_addr(out + 8, dst);
          if (write_all(1, out, HEADER + (size_t)n) < 0) return 0;
        }
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) {
      int r = read_all(0, in, HEADER);
      if (r <= 0) return 0;
      size_t n = ((size_t)in[0] << 8) | in[1];
      if (read_all(0, in + HEADER, n) <= 0) return 0;
      struct sockaddr_in from, to;
      get_addr(in + 2, &from);
      get_addr(in + 8, &to);
      int fd = sender_for(&from);
      if (fd >= 0) sendto(fd, in + HEADER, n, 0, (struct sockaddr *)&to, sizeof to);
    }
  }
}
