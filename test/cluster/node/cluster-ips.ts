import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Adds and removes /32 addresses on the node's interface (`ip addr`, needs NET_ADMIN). */
export class ClusterIPs {
  private readonly held = new Set<string>();

  constructor(
    private readonly dev: string,
    private readonly log: (msg: string) => void,
  ) {}

  async add(ip: string): Promise<void> {
    if (this.held.has(ip)) return;
    try {
      await run("ip", ["addr", "add", `${ip}/32`, "dev", this.dev]);
    } catch (e) {
      if (!String((e as { stderr?: string }).stderr ?? e).includes("exists")) {
        this.log(`ip addr add ${ip}: ${(e as { stderr?: string }).stderr ?? e}`);
        return;
      }
    }
    this.held.add(ip);
  }

  async remove(ip: string): Promise<void> {
    this.held.delete(ip);
    await run("ip", ["addr", "del", `${ip}/32`, "dev", this.dev]).catch(() => undefined);
  }
}
