/*
 * libtp-preload.so: loaded with LD_PRELOAD into the process `tp run` starts (and its children),
 * it sends the process's TCP into the cluster through the session's local SOCKS5 proxy, as
 * Telepresence 1 did with torsocks:
 * - connect() of a TCP socket to a non-loopback address (outside TP_PRELOAD_NEVER_PROXY, unless
 *   inside TP_PRELOAD_ALSO_PROXY) is made to the proxy instead, which opens the destination from
 *   the proxy pod; the SOCKS5 handshake is done before connect() returns (also for non-blocking
 *   sockets, which are made blocking for its duration), so the program sees a connected socket or
 *   the cluster's error (ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT);
 * - a name looked up (getaddrinfo(), the gethostbyname family: tp-preload-names.c) is asked of the
 *   proxy (Tor's RESOLVE, SOCKS5 command 0xF0), which resolves it with the cluster's DNS and the
 *   pod's search list; a name the cluster does not know is asked of the host's resolver as usual.
 *   Numeric addresses and localhost never leave the host.
 * - in the program tp started itself (its parent's pid is TP_PRELOAD_PARENT's), the kernel is asked
 *   for a signal when tp dies (PR_SET_PDEATHSIG), so that it does not outlive a tp killed with -9.
 * Settings (contract/host-proxy.ts): TP_PRELOAD_PROXY=127.0.0.1:PORT, TP_PRELOAD_NEVER_PROXY and
 * TP_PRELOAD_ALSO_PROXY (comma-separated IPv4 CIDRs), TP_PRELOAD_PARENT=PID:SIGNAL. Without
 * TP_PRELOAD_PROXY the connect() and the lookups of the process are left as they are.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tp-preload.h"

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

static connect_fn real_connect;

struct cidr {
  uint32_t net, mask;
};

#define MAX_CIDRS 64
static struct sockaddr_in proxy;
int tp_have_proxy;
static struct cidr never_proxy[MAX_CIDRS], also_proxy[MAX_CIDRS];
static int n_never, n_also;

static int parse_cidrs(const char *text, struct cidr *out) {
  int n = 0;
  if (!text) return 0;
  char *copy = strdup(text), *save = NULL;
  if (!copy) return 0;
  for (char *item = strtok_r(copy, ",", &save); item && n < MAX_CIDRS; item = strtok_r(NULL, ",", &save)) {
    char *slash = strchr(item, '/');
    int bits = 32;
    if (slash) {
      *slash = 0;
      bits = atoi(slash + 1);
    }
    struct in_addr a;
    if (inet_pton(AF_INET, item, &a) != 1 || bits < 0 || bits > 32) continue;
    uint32_t mask = bits == 0 ? 0 : htonl(0xffffffffu << (32 - bits));
    out[n].net = a.s_addr & mask;
    out[n].mask = mask;
    n++;
  }
  free(copy);
  return n;
}

/*
 * Take NAME=VALUE out of the environment, with the value copied into `value`: straight from the
 * array `environ` points at, which is main()'s envp as the program starts. Not with getenv() and
 * unsetenv(): bash defines its own, which at this point neither see nor change what it will read
 * its variables from (so bash passed the variable on to every command it ran).
 */
static int take_env(const char *name, char *value, size_t size) {
  size_t n = strlen(name);
  int found = 0;
  for (char **ep = environ; ep && *ep;) {
    if (strncmp(*ep, name, n) != 0 || (*ep)[n] != '=') {
      ep++;
      continue;
    }
    if (!found && strlen(*ep + n + 1) < size) {
      strcpy(value, *ep + n + 1);
      found = 1;
    }
    for (char **dp = ep; *dp; dp++) dp[0] = dp[1];
  }
  return found;
}

/*
 * TP_PRELOAD_PARENT=PID:SIGNAL: end with the parent PID. Taken out of the environment at once, so
 * that only the program tp started has it (its own children keep their usual lives, and a daemon
 * it starts cannot tie its children to a pid used again later). The death signal survives exec;
 * the kernel drops it on a setuid or setgid exec, and when the effective user or group changes. A
 * parent already gone when it is asked for (tp killed between its fork and this) shows as
 * getppid() being another process: the signal is raised here then.
 */
static void end_with_parent(void) {
  char p[64];
  if (!take_env("TP_PRELOAD_PARENT", p, sizeof p)) return;
  char *end;
  long pid = strtol(p, &end, 10), sig = 0;
  int valid = *end == ':' && pid > 1;
  if (valid) {
    sig = strtol(end + 1, &end, 10);
    valid = !*end && sig > 0 && sig < NSIG;
  }
  if (!valid || prctl(PR_SET_PDEATHSIG, (unsigned long)sig) != 0) return;
  if (getppid() != (pid_t)pid) raise((int)sig);
}

/* The settings, read once. */
static void read_settings(void) {
  end_with_parent();
  real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
  const char *p = getenv("TP_PRELOAD_PROXY");
  if (p) {
    char host[64];
    const char *colon = strrchr(p, ':');
    if (colon && (size_t)(colon - p) < sizeof host) {
      memcpy(host, p, colon - p);
      host[colon - p] = 0;
      int port = atoi(colon + 1);
      proxy.sin_family = AF_INET;
      proxy.sin_port = htons((uint16_t)port);
      tp_have_proxy = port > 0 && port < 65536 && inet_pton(AF_INET, host, &proxy.sin_addr) == 1;
    }
  }
  n_never = parse_cidrs(getenv("TP_PRELOAD_NEVER_PROXY"), never_proxy);
  n_also = parse_cidrs(getenv("TP_PRELOAD_ALSO_PROXY"), also_proxy);
  tp_names_init();
}

/*
 * Once, by whichever thread comes first (the loader, as a rule; a call from another library's
 * constructor before it); a thread that comes meanwhile waits until it is done. Atomics rather
 * than pthread_once, whose newest symbol version an older glibc lacks.
 */
void tp_preload_init(void) {
  static int state; /* 0 not begun, 1 under way, 2 done */
  if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2) return;
  int expected = 0;
  if (__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    read_settings();
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    return;
  }
  while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) sched_yield();
}

__attribute__((constructor)) static void tp_preload_load(void) {
  tp_preload_init();
}

static int in_cidrs(uint32_t ip, const struct cidr *list, int n) {
  for (int i = 0; i < n; i++)
    if ((ip & list[i].mask) == list[i].net) return 1;
  return 0;
}

/* Whether an IPv4 destination goes through the cluster. */
static int proxied_v4(uint32_t ip) {
  uint32_t host = ntohl(ip);
  if ((host >> 24) == 127 || host == 0) return 0;
  if (in_cidrs(ip, also_proxy, n_also)) return 1;
  return !in_cidrs(ip, never_proxy, n_never);
}

/* The IPv4 address inside an IPv4-mapped IPv6 address. */
static int mapped_v4(const struct in6_addr *a, uint32_t *out) {
  if (!IN6_IS_ADDR_V4MAPPED(a)) return 0;
  memcpy(out, &a->s6_addr[12], 4);
  return 1;
}

static int proxied(int fd, const struct sockaddr *addr) {
  if (!tp_have_proxy || !addr) return 0;
  int type = 0;
  socklen_t tl = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM) return 0;
  if (addr->sa_family == AF_INET) return proxied_v4(((const struct sockaddr_in *)addr)->sin_addr.s_addr);
  if (addr->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;
    uint32_t v4;
    if (mapped_v4(a, &v4)) return proxied_v4(v4);
    return !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LINKLOCAL(a);
  }
  return 0;
}

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

static int socks_connect(int fd, const struct sockaddr *addr) {
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
    struct sockaddr_in6 p6 = {.sin6_family = AF_INET6, .sin6_port = proxy.sin_port};
    p6.sin6_addr.s6_addr[10] = 0xff;
    p6.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&p6.sin6_addr.s6_addr[12], &proxy.sin_addr, 4);
    r = real_connect(fd, (struct sockaddr *)&p6, sizeof p6);
  } else {
    r = real_connect(fd, (struct sockaddr *)&proxy, sizeof proxy);
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

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  tp_preload_init();
  if (!proxied(fd, addr)) return real_connect(fd, addr, len);
  return socks_connect(fd, addr);
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
  if (real_connect(fd, (struct sockaddr *)&proxy, sizeof proxy) == 0) {
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
