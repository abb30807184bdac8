/*
 * tp-listen HOST PORT FD COMMAND [ARG...]
 * Listen on HOST:PORT (TCP), put the listening socket on FD, then exec COMMAND: it accepts the
 * connections (tp-agent proxy --tunnel-fd FD). Connections made while COMMAND still starts wait in
 * the backlog instead of being refused, so the first port-forward to a starting proxy succeeds.
 * HOST "any" is every address: IPv6 and IPv4 on one socket, or IPv4 alone where the pod has no
 * IPv6. COMMAND may be tp-listen again, for a second port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listening socket on addr, or -1 with errno set. */
static int listen_on(struct sockaddr *addr, socklen_t len) {
  int s = socket(addr->sa_family, SOCK_STREAM, 0);
  int one = 1, zero = 0;
  if (s < 0) return -1;
  if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      (addr->sa_family == AF_INET6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) ||
      bind(s, addr, len) < 0 || listen(s, 128) < 0) {
    int saved = errno;
    close(s);
    errno = saved;
    return -1;
  }
  return s;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: tp-listen HOST PORT FD COMMAND [ARG...]\n");
    return 2;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET};
  struct sockaddr_in6 addr6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
  int any = strcmp(argv[1], "any") == 0;
  char *end;
  long port = strtol(argv[2], &end, 10);
  long fd = strtol(argv[3], &end, 10);
  if ((!any && inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) || port < 1 || port > 65535 || fd < 3 ||
      fd > 255) {
    fprintf(stderr, "tp-listen: bad address or descriptor: %s %s %s\n", argv[1], argv[2], argv[3]);
    return 2;
  }
  addr.sin_port = htons((unsigned short)port);
  addr6.sin6_port = htons((unsigned short)port);
  int s = -1;
  if (any) s = listen_on((struct sockaddr *)&addr6, sizeof addr6);
  if (s < 0 && (!any || errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
    s = listen_on((struct sockaddr *)&addr, sizeof addr);
  if (s < 0) {
    fprintf(stderr, "tp-listen: listen on %s:%s: %s\n", argv[1], argv[2], strerror(errno));
    return 1;
  }
  if (s != fd) {
    if (dup2(s, (int)fd) < 0) {
      fprintf(stderr, "tp-listen: dup2: %s\n", strerror(errno));
      return 1;
    }
    close(s);
  }
  execvp(argv[4], argv + 4);
  fprintf(stderr, "tp-listen: %s: %s\n", argv[4], strerror(errno));
  return 127;
}
