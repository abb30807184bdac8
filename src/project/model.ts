import type { ExposeMapping } from "../contract/sidecar-config.js";
import type { Workload } from "../session/workload.js";
import type { dependencyConditions } from "./schema.js";

export type DependencyCondition = (typeof dependencyConditions)[number];

export interface Dependency {
  service: string;
  condition: DependencyCondition;
}

/** Docker's healthcheck of a container, as docker run flags understand it. */
export interface Healthcheck {
  /** A shell command (CMD-SHELL), or undefined with `disable` set. */
  command?: string;
  disable: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
  startInterval?: string;
}

/** What a tp service does in the cluster (its `x-tp`). */
export interface TpServiceSpec {
  workload: Workload;
  /** The namespace of its cluster end, when the service sets its own. */
  namespace?: string;
  expose: ExposeMapping[];
  toPod: number[];
  fromPod: number[];
  /** Copy the pod's volumes (into `folder` on the host, else a new temporary one); false: none. */
  mount: { folder?: string } | false;
}

export interface BuildSpec {
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
}

/** One service of a project file, with every relative path and variable resolved. */
export interface ProjectService {
  name: string;
  image: string;
  build?: BuildSpec;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  /** docker run -v values with absolute host paths. */
  volumes: string[];
  /** docker run -p values. */
  ports: string[];
  workingDir?: string;
  user?: string;
  dependsOn: Dependency[];
  healthcheck?: Healthcheck;
  profiles: string[];
  /** Set for a tp service; a plain local container otherwise. */
  tp?: TpServiceSpec;
}

/** A loaded, checked project file. */
export interface Project {
  name: string;
  /** The project file, absolute. */
  file: string;
  /** Its folder: relative paths and the state folder (.tp) are there. */
  dir: string;
  services: ProjectService[];
  tp: {
    context?: string;
    namespace?: string;
    alsoProxy: string[];
    neverProxy: string[];
    subnet?: string;
  };
}
