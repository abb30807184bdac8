import type { TunnelClient } from "../../tunnel/tunnel-client.js";
import { parseVolumesConfig, volumesConfigEnv } from "../../contract/volume-config.js";
import { VolumeSync } from "../../sync/volume-sync.js";
import { emitStatus } from "../../contract/sidecar-status.js";

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
