import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import { parseVolumesConfig, volumesConfigEnv } from "../../volumes/volume-config.js";
import { VolumeSync } from "../../volumes/volume-sync.js";
import { emitStatus } from "../sidecar-status.js";

/** Start volume sync when the CLI configured it ($TP_VOLUMES_CONFIG); otherwise nothing. */
export function startVolumeSync(
  tunnel: TunnelClient,
  log: (message: string) => void,
): VolumeSync | undefined {
  const config = parseVolumesConfig(process.env[volumesConfigEnv]);
  if (!config || config.volumes.length === 0) return undefined;
  const sync = new VolumeSync(tunnel, config, emitStatus, log);
  sync.start();
  return sync;
}
