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
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tp-preload.h"

connect_fn tp_real_connect;

struct cidr {
  uint32_t net, mask;
};

#define MAX_CIDRS 64
struct sockaddr_in tp_proxy;
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
 * Whether process `pid` has ended: there is no such process, or it is a zombie its own parent has
 * not reaped yet (kill() still finds those). A pid used again by another process is taken as
 * running: that needs tp to die and its pid to be reused between its fork and this.
 */
static int gone(pid_t pid) {
  if (kill(pid, 0) != 0) return errno == ESRCH;
  char path[32], stat[256];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, stat, sizeof stat - 1);
  close(fd);
  if (n <= 0) return 0;
  stat[n] = 0;
  /* "PID (COMMAND) STATE ...": the command may hold spaces and parentheses. */
  const char *end = strrchr(stat, ')');
  return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

/*
 * TP_PRELOAD_PARENT=PID:SIGNAL: end with the parent PID. Taken out of the environment at once, so
 * that only the program tp started has it (its own children keep their usual lives, and a daemon
 * it starts cannot tie its children to a pid used again later). The death signal survives exec;
 * the kernel drops it on a setuid or setgid exec, and when the effective user or group changes.
 * A process whose parent is not PID was not started by tp itself: either tp is gone already (killed
 * between its fork and this: the signal is raised here then), or a program tp started that the
 * library cannot reach (a static one) passed the variable on, and this child of it keeps its life.
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
  if (!valid) return;
  if (getppid() != (pid_t)pid) {
    if (gone((pid_t)pid)) raise((int)sig);
    return;
  }
  if (prctl(PR_SET_PDEATHSIG, (unsigned long)sig) != 0) return;
  /* Gone between the look and the request. */
  if (getppid() != (pid_t)pid) raise((int)sig);
}

/* The settings, read once. */
static void read_settings(void) {
  end_with_parent();
  tp_real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
  const char *p = getenv("TP_PRELOAD_PROXY");
  if (p) {
    char host[64];
    const char *colon = strrchr(p, ':');
    if (colon && (size_t)(colon - p) < sizeof host) {
      memcpy(host, p, colon - p);
      host[colon - p] = 0;
      int port = atoi(colon + 1);
      tp_proxy.sin_family = AF_INET;
      tp_proxy.sin_port = htons((uint16_t)port);
      tp_have_proxy = port > 0 && port < 65536 && inet_pton(AF_INET, host, &tp_proxy.sin_addr) == 1;
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

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  tp_preload_init();
  if (!proxied(fd, addr)) return tp_real_connect(fd, addr, len);
  return tp_socks_connect(fd, addr);
}
