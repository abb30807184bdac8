#!/usr/bin/env bash
# Make sure zsh and fish are installed, for the tests that run tp's completion scripts in them
# (bash is always there). Installs Debian's packages with apt-get when one is missing. Idempotent.
set -euo pipefail

log() { echo "ensure-shells: $*" >&2; }
missing=()
for shell in zsh fish; do command -v "$shell" >/dev/null 2>&1 || missing+=("$shell"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  log "${missing[*]} not installed and this script is not root: install them yourself (or run as root)"
  exit 1
fi
log "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
