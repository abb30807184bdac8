#!/usr/bin/env bash
# Make sure a container registry answers on 127.0.0.1 (port $TP_TEST_REGISTRY_PORT, default 5055)
# for the tests that push the agent image: Debian's docker-registry, without authentication, its
# storage under /var/lib/tp-test-registry. Docker treats registries on 127.0.0.0/8 as insecure-allowed,
# so plain HTTP works with no daemon setting. Idempotent: does nothing when one answers.
set -euo pipefail

log() { echo "ensure-registry: $*" >&2; }
port="${TP_TEST_REGISTRY_PORT:-5055}"
state=/var/lib/tp-test-registry

answers() { curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; }
answers && exit 0

if [ "$(id -u)" != 0 ]; then
  log "no registry answers on 127.0.0.1:$port and this script is not root: start one yourself (or run as root)"
  exit 1
fi
if ! command -v docker-registry >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  log "installing docker-registry with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker-registry curl >/dev/null
fi

mkdir -p "$state/data"
cat >"$state/config.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $state/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$port
YAML
log "starting docker-registry on 127.0.0.1:$port"
nohup docker-registry serve "$state/config.yml" >"$state/registry.log" 2>&1 &
for _ in $(seq 1 30); do
  answers && exit 0
  sleep 0.5
done
log "docker-registry did not answer within 15 s; see $state/registry.log"
tail -n 20 "$state/registry.log" >&2 || true
exit 1
