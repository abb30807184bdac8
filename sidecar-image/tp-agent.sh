#!/bin/sh
# Each role has a bundle of its own, run with the code cache made when the image was built.
# Node's flags are src/docker/agent-image.ts's agentNodeFlags (V8 accepts a code cache only from a
# run with the same flags): young generation at 1 MB semi-spaces instead of growing to 16 MB ones.
exec /usr/bin/node --max-semi-space-size=1 /opt/tp/tp-agent-launch.cjs "$@"
