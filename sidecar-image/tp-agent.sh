#!/bin/sh
# Each role has a bundle of its own, run with the code cache made when the image was built.
exec /usr/bin/node /opt/tp/tp-agent-launch.cjs "$@"
