/*
 * tp-listen HOST PORT FD COMMAND [ARG...]
 * Listen on HOST:PORT (TCP), put the listening socket on FD, then exec COMMAND: it accepts the
 * connections (tp-agent proxy --tunnel-fd FD). Connections made while COMMAND still starts wait in
 * the backlog instead of being refused, so the first port-forward to a starting proxy succeeds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: tp-listen HOST PORT FD COMMAND [ARG...]\n");
    return 2;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET};
  char *end;
  long port = strtol(argv[2], &end, 10);
  long fd = strtol(argv[3], &end, 10);
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || port < 1 || port > 65535 || fd < 3 || fd > 255) {
    fprintf(stderr, "tp-listen: bad address or descriptor: %s %s %s\n", argv[1], argv[2], argv[3]);
    return 2;
  }
  addr.sin_port = htons((unsigned short)port);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 128) < 0) {
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
