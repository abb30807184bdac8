#!/usr/bin/env bash
# Make sure a Docker engine answers. Does nothing when `docker info` works; otherwise, as root on
# Debian, installs docker.io, docker-compose, iptables (and busybox-static for the offline images), starts dockerd in the background and
# waits for it. Idempotent: safe to run any number of times.
set -euo pipefail

log() { echo "ensure-docker: $*" >&2; }

if docker info >/dev/null 2>&1 && [ -x /bin/busybox ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "no Docker engine answers and this script is not root: start Docker yourself (or run as root)"
  exit 1
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
# The offline image builder takes busybox from here (no image can be pulled).
[ -x /bin/busybox ] || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  # The Debian client may be older or newer than the engine; both speak API negotiation.
  nohup dockerd >/var/log/dockerd.log 2>&1 &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine is up"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see /var/log/dockerd.log"
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
