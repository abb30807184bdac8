// The far end of the tunnel benchmark, run in a pod (`node -e`): one port, the first byte chooses.
// "U" + 8-byte length: read that many bytes, then answer one byte. "D" + 8-byte length: send that
// many bytes. "E": echo everything. No half-close needed (a port-forward has none).
const net = require("net");
const block = Buffer.alloc(1 << 20, 7);
net
  .createServer({ noDelay: true }, (s) => {
    s.on("error", () => {});
    let head = Buffer.alloc(0);
    const onHead = (d) => {
      head = Buffer.concat([head, d]);
      if (head[0] === 69) {
        s.off("data", onHead);
        if (head.length > 1) s.write(head.subarray(1));
        s.pipe(s);
        return;
      }
      if (head.length < 9) return;
      s.off("data", onHead);
      const n = Number(head.readBigUInt64BE(1));
      if (head[0] === 85) {
        let left = n - (head.length - 9);
        if (left <= 0) s.write("k");
        else
          s.on("data", (c) => {
            left -= c.length;
            if (left <= 0) s.write("k");
          });
      } else if (head[0] === 68) {
        let left = n;
        const pump = () => {
          while (left > 0) {
            const c = left >= block.length ? block : block.subarray(0, left);
            left -= c.length;
            if (!s.write(c)) return void s.once("drain", pump);
          }
        };
        pump();
      } else s.destroy();
    };
    s.on("data", onHead);
  })
  .listen(9000);
