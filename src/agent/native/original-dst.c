/*
 * The sidecar's native addon.
 * originalDst(fd) -> { address, port } | null
 * The destination a connection had before iptables REDIRECT rewrote it (SO_ORIGINAL_DST for
 * IPv4, IP6T_SO_ORIGINAL_DST for IPv6). Node has no getsockopt.
 * trimMemory() -> boolean
 * glibc's malloc_trim(0): free pages of the C heap go back to the system (false elsewhere).
 */
#include <arpa/inet.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <node_api.h>
#include <string.h>
#include <sys/socket.h>

#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

static napi_value original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_value result, address, port;
  char text[INET6_ADDRSTRLEN];
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "originalDst(fd: number)");
    return NULL;
  }
  memset(&ss, 0, sizeof(ss));
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &ss, &len) != 0) {
    len = sizeof(ss);
    if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss, &len) != 0) {
      napi_get_null(env, &result);
      return result;
    }
  }
  napi_create_object(env, &result);
  if (ss.ss_family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
    napi_create_uint32(env, ntohs(sin->sin_port), &port);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
    napi_create_uint32(env, ntohs(sin6->sin6_port), &port);
  }
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &address);
  napi_set_named_property(env, result, "address", address);
  napi_set_named_property(env, result, "port", port);
  return result;
}

static napi_value trim_memory(napi_env env, napi_callback_info info) {
  napi_value result;
  (void)info;
#ifdef __GLIBC__
  napi_get_boolean(env, malloc_trim(0) == 1, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "originalDst", NAPI_AUTO_LENGTH, original_dst, NULL, &fn);
  napi_set_named_property(env, exports, "originalDst", fn);
  napi_create_function(env, "trimMemory", NAPI_AUTO_LENGTH, trim_memory, NULL, &fn);
  napi_set_named_property(env, exports, "trimMemory", fn);
  return exports;
}
