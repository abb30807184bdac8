import type { PortForwardHelpers } from "./port-forward-helper.js";
import type { V1Service } from "@kubernetes/client-node";
import type Docker from "dockerode";
import type { ApiClient } from "./api-client.js";
import type { ObjectSource } from "./env-resolver.js";
import type { TokenManager } from "./token-manager.js";
import type { VolumeManager } from "./volume-manager.js";

/** What the kubelet's pod workers share. */
export interface KubeletContext {
  docker: Docker;
  api: ApiClient;
  volumes: VolumeManager;
  tokens: TokenManager;
  source: ObjectSource;
  services: () => V1Service[];
  /** The Docker network pods live on. */
  network: string;
  nodeName: string;
  /** The cluster DNS address pods use. */
  dnsIP: string;
  hostIP: string;
  log: (msg: string) => void;
  /**
   * Port-forward helpers: started for each pod once its containers run, so that the first
   * port-forward does not wait for one (a real kubelet reaches the pod's loopback at once).
   */
  portForward?: PortForwardHelpers;
}
