#!/usr/bin/node --optimize-for-size
// The image's entry, /usr/local/bin/tp-agent: Node itself, with no shell in between. A shell
// (busybox's, dash) drops variables whose names are not shell names from what it passes on, and
// Kubernetes gives a pod such names (spring.datasource.url, log-level): the agent reports its
// environment as the pod's.
// Each role has a bundle of its own, run with the code cache made when the image was built.
// Node's flags are src/docker/agent-image.ts's agentNodeFlags (V8 accepts a code cache only from a
// run with the same flags): a heap that grows by smaller steps, and a young generation at 1 MB
// semi-spaces instead of growing to 16 MB ones (the flag implies --max-semi-space-size=1).
// Linux passes what follows the interpreter on the first line as one argument: one flag at most.
require("/opt/tp/tp-agent-launch.cjs");
