import { chmod, chown, mkdir, rm, stat } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";

/**
 * A unix socket that only the owner of its folder can use: root in the container (`tp-agent
 * pipe` connects to it), or, when tp bind-mounts its session's socket folder there, the user who
 * runs tp, whose CLI then connects to it directly.
 */
export async function listenUnix(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await rm(path, { force: true });
  const server = createServer({ allowHalfOpen: false }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  const folder = await stat(dirname(path));
  if (folder.uid !== 0 || folder.gid !== 0) await chown(path, folder.uid, folder.gid);
  return server;
}
