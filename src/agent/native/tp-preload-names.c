/*
 * The lookups of libtp-preload.so (see tp-preload.c): a name a program looks up with getaddrinfo()
 * or with the older gethostbyname family (gethostbyname, gethostbyname2 and their _r forms, which
 * `getent hosts`, Python's gethostbyname_ex, Perl's and PHP's gethostbyname use) is asked of the
 * session's proxy first, as torsocks did for Telepresence 1. The proxy's answer is IPv4 only:
 * asked for IPv6 alone, a lookup finds no address (EAI_NODATA, NO_DATA) for a name the cluster
 * resolves (as its DNS answers AAAA queries for a Service); getaddrinfo() gives it as
 * IPv4-mapped where asked for that. A name the cluster does not know, a numeric address and
 * localhost go to the C library's own lookup.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tp-preload.h"

typedef int (*getaddrinfo_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
typedef struct hostent *(*gethostbyname_fn)(const char *);
typedef struct hostent *(*gethostbyname2_fn)(const char *, int);
typedef int (*gethostbyname_r_fn)(const char *, struct hostent *, char *, size_t, struct hostent **, int *);
typedef int (*gethostbyname2_r_fn)(const char *, int, struct hostent *, char *, size_t, struct hostent **,
                                   int *);

static getaddrinfo_fn real_getaddrinfo;
static gethostbyname_fn real_gethostbyname;
static gethostbyname2_fn real_gethostbyname2;
static gethostbyname_r_fn real_gethostbyname_r;
static gethostbyname2_r_fn real_gethostbyname2_r;

void tp_names_init(void) {
  real_gethostbyname = (gethostbyname_fn)dlsym(RTLD_NEXT, "gethostbyname");
  real_gethostbyname2 = (gethostbyname2_fn)dlsym(RTLD_NEXT, "gethostbyname2");
  real_gethostbyname_r = (gethostbyname_r_fn)dlsym(RTLD_NEXT, "gethostbyname_r");
  real_gethostbyname2_r = (gethostbyname2_r_fn)dlsym(RTLD_NEXT, "gethostbyname2_r");
  real_getaddrinfo = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
}

/* Names that never go to the cluster: numeric addresses and localhost. */
static int host_only(const char *node, const struct addrinfo *hints) {
  struct in6_addr a6;
  struct in_addr a4;
  if (hints && (hints->ai_flags & AI_NUMERICHOST)) return 1;
  if (inet_pton(AF_INET6, node, &a6) == 1 || inet_aton(node, &a4) != 0) return 1;
  size_t n = strlen(node);
  if (n > 0 && node[n - 1] == '.') n--;
  if (n == 9 && strncasecmp(node, "localhost", 9) == 0) return 1;
  if (n > 10 && strncasecmp(node + n - 10, ".localhost", 10) == 0) return 1;
  return 0;
}

static int service_port(const char *service, const struct addrinfo *hints, int socktype, uint16_t *port) {
  *port = 0;
  if (!service) return 0;
  char *end;
  long v = strtol(service, &end, 10);
  if (*service && !*end && v >= 0 && v < 65536) {
    *port = htons((uint16_t)v);
    return 0;
  }
  if (hints && (hints->ai_flags & AI_NUMERICSERV)) return EAI_NONAME;
  struct servent result, *found = NULL;
  char buf[1024];
  if (getservbyname_r(service, socktype == SOCK_DGRAM ? "udp" : "tcp", &result, buf, sizeof buf, &found) ||
      !found)
    return EAI_SERVICE;
  *port = (uint16_t)found->s_port;
  return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
  tp_preload_init();
  int family = hints ? hints->ai_family : AF_UNSPEC;
  int mapped = family == AF_INET6 && hints && (hints->ai_flags & AI_V4MAPPED);
  if (!tp_have_proxy || !node || host_only(node, hints) ||
      (family != AF_UNSPEC && family != AF_INET && family != AF_INET6))
    return real_getaddrinfo(node, service, hints, res);
  struct in_addr ip;
  int found = tp_socks_resolve(node, &ip);
  if (found == 1) return real_getaddrinfo(node, service, hints, res);
  if (found < 0) return EAI_AGAIN;
  /* IPv6 alone: the name is the cluster's, with no IPv6 address (as gethostbyname2 below). */
  if (family == AF_INET6 && !mapped) return EAI_NODATA;

  int socktypes[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW};
  int protocols[3] = {IPPROTO_TCP, IPPROTO_UDP, 0};
  int count = 3;
  if (hints && hints->ai_socktype) {
    socktypes[0] = hints->ai_socktype;
    protocols[0] = hints->ai_protocol ? hints->ai_protocol
                   : hints->ai_socktype == SOCK_STREAM ? IPPROTO_TCP
                   : hints->ai_socktype == SOCK_DGRAM  ? IPPROTO_UDP
                                                       : 0;
    count = 1;
  }
  uint16_t port;
  int err = service_port(service, hints, socktypes[0], &port);
  if (err) return err;
  struct addrinfo *head = NULL, **tail = &head;
  for (int i = 0; i < count; i++) {
    /* One block per entry, as glibc allocates them: its freeaddrinfo() frees them. */
    struct addrinfo *ai = calloc(1, sizeof *ai + sizeof(struct sockaddr_in6));
    if (!ai) {
      freeaddrinfo(head);
      return EAI_MEMORY;
    }
    ai->ai_socktype = socktypes[i];
    ai->ai_protocol = protocols[i];
    ai->ai_addr = (struct sockaddr *)(ai + 1);
    if (mapped) {
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ai->ai_addr;
      s6->sin6_family = AF_INET6;
      s6->sin6_port = port;
      map_v4(&s6->sin6_addr, &ip);
      ai->ai_family = AF_INET6;
      ai->ai_addrlen = sizeof *s6;
    } else {
      struct sockaddr_in *s4 = (struct sockaddr_in *)ai->ai_addr;
      s4->sin_family = AF_INET;
      s4->sin_port = port;
      s4->sin_addr = ip;
      ai->ai_family = AF_INET;
      ai->ai_addrlen = sizeof *s4;
    }
    if (i == 0 && hints && (hints->ai_flags & AI_CANONNAME)) ai->ai_canonname = strdup(node);
    *tail = ai;
    tail = &ai->ai_next;
  }
  *res = head;
  return 0;
}

/* A lookup that is not the cluster's: the C library answers it. */
#define NOT_OURS (-2)

/* A hostent for a name's IPv4 address, laid out in the caller's buffer as the C library does. */
static int fill_hostent(const char *name, const struct in_addr *ip, struct hostent *ret, char *buf,
                        size_t buflen) {
  size_t n = strlen(name) + 1;
  size_t pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) % sizeof(char *);
  if (buflen < pad + 3 * sizeof(char *) + sizeof *ip + n) return ERANGE;
  char **aliases = (char **)(void *)(buf + pad), **addrs = aliases + 1;
  char *addr = (char *)(addrs + 2), *copy = addr + sizeof *ip;
  aliases[0] = NULL;
  memcpy(addr, ip, sizeof *ip);
  addrs[0] = addr;
  addrs[1] = NULL;
  memcpy(copy, name, n);
  ret->h_name = copy;
  ret->h_aliases = aliases;
  ret->h_addrtype = AF_INET;
  ret->h_length = sizeof *ip;
  ret->h_addr_list = addrs;
  return 0;
}

/* gethostbyname2_r() as the cluster answers it, or NOT_OURS. */
static int cluster_hostent(const char *name, int af, struct hostent *ret, char *buf, size_t buflen,
                           struct hostent **result, int *h_errnop) {
  tp_preload_init();
  if (!tp_have_proxy || !name || host_only(name, NULL) || (af != AF_INET && af != AF_INET6)) return NOT_OURS;
  struct in_addr ip;
  int found = tp_socks_resolve(name, &ip);
  if (found == 1) return NOT_OURS;
  *result = NULL;
  if (found < 0) {
    *h_errnop = TRY_AGAIN;
    return errno = EAGAIN;
  }
  if (af == AF_INET6) {
    *h_errnop = NO_DATA;
    return 0;
  }
  int err = fill_hostent(name, &ip, ret, buf, buflen);
  if (err) {
    *h_errnop = NETDB_INTERNAL;
    return errno = err;
  }
  *h_errnop = 0;
  *result = ret;
  return 0;
}

int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf, size_t buflen,
                     struct hostent **result, int *h_errnop) {
  int r = cluster_hostent(name, af, ret, buf, buflen, result, h_errnop);
  return r != NOT_OURS ? r : real_gethostbyname2_r(name, af, ret, buf, buflen, result, h_errnop);
}

int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
                    int *h_errnop) {
  int r = cluster_hostent(name, AF_INET, ret, buf, buflen, result, h_errnop);
  return r != NOT_OURS ? r : real_gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
}

/* The non-reentrant forms answer in a static hostent, as the C library's do (one per thread here,
 * so that lookups at once in two threads cannot mix their answers): 1 when the lookup is not the
 * cluster's. */
static int static_hostent(const char *name, int af, struct hostent **result) {
  static __thread struct hostent he;
  static __thread char buf[512];
  int err = 0;
  if (cluster_hostent(name, af, &he, buf, sizeof buf, result, &err) == NOT_OURS) return 1;
  h_errno = err;
  return 0;
}

struct hostent *gethostbyname2(const char *name, int af) {
  struct hostent *found;
  return static_hostent(name, af, &found) ? real_gethostbyname2(name, af) : found;
}

struct hostent *gethostbyname(const char *name) {
  struct hostent *found;
  return static_hostent(name, AF_INET, &found) ? real_gethostbyname(name) : found;
}
