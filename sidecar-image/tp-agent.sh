#!/bin/sh
# Each role has a bundle of its own, so that a role loads only its code.
case "$1" in
  proxy | sidecar | pipe | env | warden) exec /usr/bin/node "/opt/tp/tp-agent-$1.cjs" "$@" ;;
  *) exec /usr/bin/node /opt/tp/tp-agent.cjs "$@" ;;
esac
