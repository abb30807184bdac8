#!/bin/sh
exec /usr/bin/node /opt/tp/tp-agent.js "$@"
