import { ApiError, type ApiClient } from "./api-client.js";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface KubeObject {
  metadata?: ObjectMeta;
}

export type InformerHandler<T> = (type: "ADDED" | "MODIFIED" | "DELETED", obj: T, old?: T) => void;

/** Key of an object in an informer's cache: "namespace/name", or "name" for cluster objects. */
export function keyOf(meta: ObjectMeta | undefined): string {
  if (!meta) return "";
  return meta.namespace ? `${meta.namespace}/${meta.name}` : (meta.name ?? "");
}

/**
 * List then watch one resource (all namespaces), keeping a cache and calling handlers on changes,
 * relisting when the watch ends with 410 Gone, like client-go's reflector.
 */
export class Informer<T extends KubeObject> {
  readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly abort = new AbortController();
  private syncedResolve!: () => void;
  readonly synced = new Promise<void>((r) => (this.syncedResolve = r));

  constructor(
    private readonly api: ApiClient,
    private readonly path: string,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  on(handler: InformerHandler<T>): this {
    this.handlers.push(handler);
    return this;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  private emit(type: "ADDED" | "MODIFIED" | "DELETED", obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        this.log(`informer ${this.path}: handler failed: ${String(e)}`);
      }
    }
  }

  private async relist(): Promise<string> {
    const list = await this.api.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.path);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item.metadata);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.emit("ADDED", item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion)
        this.emit("MODIFIED", item, old);
    }
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit("DELETED", old);
      }
    }
    return list.metadata.resourceVersion;
  }

  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    let rv: string | undefined;
    while (!this.abort.signal.aborted) {
      try {
        if (rv === undefined) {
          rv = await this.relist();
          this.syncedResolve();
        }
        const sep = this.path.includes("?") ? "&" : "?";
        await this.api.watch<T & { code?: number }>(
          `${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
          (e) => {
            if (e.type === "ERROR") {
              if ((e.object as { code?: number }).code === 410) rv = undefined;
              return;
            }
            const obj = e.object as T;
            if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
            if (e.type === "BOOKMARK") return;
            const key = keyOf(obj.metadata);
            const old = this.cache.get(key);
            if (e.type === "DELETED") {
              this.cache.delete(key);
              this.emit("DELETED", obj, old);
            } else {
              this.cache.set(key, obj);
              this.emit(old ? "MODIFIED" : "ADDED", obj, old);
            }
          },
          this.abort.signal,
        );
      } catch (e) {
        if (this.abort.signal.aborted) return;
        if (e instanceof ApiError && e.status === 410) rv = undefined;
        else this.log(`informer ${this.path}: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  stop(): void {
    this.abort.abort();
  }
}
