// tp-node-base: Node and busybox from this machine; the other images start from it.
export const nodeBase = "tp-node-base:local";

export async function images() {
  return [
    {
      name: nodeBase,
      node: true,
      busybox: true,
      passwd: {
        passwd:
          "root:x:0:0:root:/root:/bin/sh\ntp:x:1000:1000:tp:/home/tp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        group: "root:x:0:\ntp:x:1000:\nnogroup:x:65534:\n",
        homes: ["/home/tp"],
      },
      config: { env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" } },
    },
  ];
}
