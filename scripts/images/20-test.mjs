// Small images the end-to-end tests use: busybox alone, and an HTTP echo server on Node.
import { nodeBase } from "./00-base.mjs";

export async function images() {
  return [
    {
      name: "tp-test-busybox:local",
      busybox: true,
      passwd: {
        passwd: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        group: "root:x:0:\nnogroup:x:65534:\n",
      },
      config: { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }, cmd: ["sh"] },
    },
    {
      name: "tp-test-echo:local",
      base: nodeBase,
      files: [{ from: "test/images/echo-server.mjs", to: "/opt/echo/echo-server.mjs" }],
      config: { user: "1000:1000", entrypoint: ["/usr/bin/node", "/opt/echo/echo-server.mjs"] },
    },
  ];
}
