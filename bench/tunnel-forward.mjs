// A raw port-forward from the host, as @kubernetes/client-node does it (one WebSocket per
// connection): listens on 127.0.0.1 and prints "LISTEN <port>". Args: namespace pod port.
import { createServer } from "node:net";
import { KubeConfig, PortForward } from "@kubernetes/client-node";

const [namespace, pod, port] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromDefault();
const forward = new PortForward(kc);
const server = createServer((socket) => {
  socket.on("error", () => socket.destroy());
  forward.portForward(namespace, pod, [Number(port)], socket, null, socket).then(
    (ws) => {
      socket.on("close", () => ws.close());
      ws.on("close", () => socket.destroy());
    },
    (err) => {
      console.error(`port-forward: ${err.message}`);
      socket.destroy();
    },
  );
});
server.listen(0, "127.0.0.1", () => console.log(`LISTEN ${server.address().port}`));
