/* What the parts of libtp-preload.so share (tp-preload.c, tp-preload-names.c,
 * tp-preload-socks.c); none of it is exported to the program. */
#ifndef TP_PRELOAD_H
#define TP_PRELOAD_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* Bind dlsym to its oldest version, so the library loads with a glibc older than the builder's. */
#if defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
#endif

#include <sys/socket.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

#pragma GCC visibility push(hidden)
/* Whether TP_PRELOAD_PROXY names a proxy, and its address (read by tp_preload_init). */
extern int tp_have_proxy;
extern struct sockaddr_in tp_proxy;
/* The C library's connect(). */
extern connect_fn tp_real_connect;
/* Read the settings, once; run as the library loads, and by any call that comes before that. */
void tp_preload_init(void);
/* Look up the C library's own name lookups (called once, by tp_preload_init). */
void tp_names_init(void);
/* Ask the proxy for a name's address in the cluster: 0 found, 1 not found, -1 no answer. */
int tp_socks_resolve(const char *name, struct in_addr *out);
/* connect() through the proxy (tp-preload-socks.c): a connected socket, or -1 with errno. */
int tp_socks_connect(int fd, const struct sockaddr *addr);
#pragma GCC visibility pop

/* The IPv4-mapped IPv6 address (::ffff:a.b.c.d) of an IPv4 address, into a zeroed `out`. */
static inline void map_v4(struct in6_addr *out, const struct in_addr *v4) {
  out->s6_addr[10] = 0xff;
  out->s6_addr[11] = 0xff;
  memcpy(&out->s6_addr[12], v4, 4);
}

/* The IPv4 address inside an IPv4-mapped IPv6 address. */
static inline int mapped_v4(const struct in6_addr *a, uint32_t *out) {
  if (!IN6_IS_ADDR_V4MAPPED(a)) return 0;
  memcpy(out, &a->s6_addr[12], 4);
  return 1;
}

#endif
