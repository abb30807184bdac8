import { createSocket, type Socket as UdpSocket } from "node:dgram";

export interface UdpTarget {
  ip: string;
  port: number;
}

/**
 * A Service's UDP port in the userspace proxy: each client address gets a socket of its own,
 * connected to a backend picked when the client first sends, and kept until it has been idle for
 * `idleMs` (as conntrack keeps a UDP entry). Replies go back from the Service's address.
 */
export function forwardUdp(
  ip: string,
  port: number,
  pick: () => UdpTarget | undefined,
  idleMs = 30_000,
): Promise<{ close: () => void }> {
  const sock: UdpSocket = createSocket("udp4");
  const sessions = new Map<string, { s: UdpSocket; timer: NodeJS.Timeout }>();
  let closed = false;
  const end = (id: string) => {
    const sess = sessions.get(id);
    if (!sess) return;
    clearTimeout(sess.timer);
    sessions.delete(id);
    sess.s.close();
  };
  sock.on("message", (msg, rinfo) => {
    if (closed) return;
    const id = `${rinfo.address}:${rinfo.port}`;
    let sess = sessions.get(id);
    if (!sess) {
      const t = pick();
      if (!t) return;
      const s = createSocket("udp4");
      s.connect(t.port, t.ip);
      s.on("message", (reply) => {
        if (!closed) sock.send(reply, rinfo.port, rinfo.address);
      });
      s.on("error", () => undefined);
      sess = { s, timer: setTimeout(() => undefined, 0) };
      sessions.set(id, sess);
    }
    const cur = sess;
    clearTimeout(cur.timer);
    cur.timer = setTimeout(() => end(id), idleMs);
    const send = () => cur.s.send(msg);
    try {
      send();
    } catch {
      cur.s.once("connect", send);
    }
  });
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(port, ip, () =>
      resolve({
        close: () => {
          closed = true;
          for (const id of [...sessions.keys()]) end(id);
          sock.close();
        },
      }),
    );
  });
}
