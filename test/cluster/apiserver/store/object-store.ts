import type { KubeObject } from "../../shared/kube-object.js";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: StoreEventType;
  /** resourceKey(): "apps/deployments". */
  resource: string;
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  old?: KubeObject;
  rv: number;
}

export type StoreListener = (e: StoreEvent) => void;

const historyLimit = 20_000;

function keyOf(ns: string | undefined, name: string): string {
  return `${ns ?? ""}/${name}`;
}

/**
 * The in-memory storage: objects per resource, one global resourceVersion counter (as etcd's
 * revision) and a bounded history of changes that watches replay from.
 */
export class ObjectStore {
  private rv = 100;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private readonly byUid = new Map<string, { resource: string; key: string }>();

  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may start from. */
  oldestRv(): number {
    return this.history.length ? this.history[0]!.rv - 1 : this.rv;
  }

  private table(resource: string): Map<string, KubeObject> {
    let t = this.objects.get(resource);
    if (!t) this.objects.set(resource, (t = new Map()));
    return t;
  }

  get(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.table(resource).get(keyOf(ns, name));
    return o ? structuredClone(o) : undefined;
  }

  list(resource: string, ns?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.table(resource).values()) {
      if (ns === undefined || o.metadata.namespace === ns) out.push(structuredClone(o));
    }
    return out.sort((a, b) =>
      keyOf(a.metadata.namespace, a.metadata.name ?? "").localeCompare(
        keyOf(b.metadata.namespace, b.metadata.name ?? ""),
      ),
    );
  }

  /** The object with this uid, whatever its resource (a copy), and its resource key. */
  findByUid(uid: string): { resource: string; object: KubeObject } | undefined {
    const at = this.byUid.get(uid);
    const o = at && this.objects.get(at.resource)?.get(at.key);
    return o ? { resource: at.resource, object: structuredClone(o) } : undefined;
  }

  /** Objects of a resource that pass a test, copied; the test sees the stored object (read only). */
  filter(resource: string, test: (o: Readonly<KubeObject>) => boolean): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.table(resource).values()) if (test(o)) out.push(structuredClone(o));
    return out;
  }

  /** Every resource key that holds objects in the namespace. */
  resourcesIn(ns: string): string[] {
    const out: string[] = [];
    for (const [res, t] of this.objects) {
      for (const o of t.values()) {
        if (o.metadata.namespace === ns) {
          out.push(res);
          break;
        }
      }
    }
    return out;
  }

  allResources(): string[] {
    return [...this.objects.keys()];
  }

  create(resource: string, obj: KubeObject): KubeObject {
    return this.write(resource, obj, "ADDED");
  }

  update(resource: string, obj: KubeObject): KubeObject {
    return this.write(resource, obj, "MODIFIED");
  }

  remove(resource: string, ns: string | undefined, name: string): KubeObject | undefined {
    const t = this.table(resource);
    const k = keyOf(ns, name);
    const old = t.get(k);
    if (!old) return undefined;
    t.delete(k);
    if (old.metadata.uid) this.byUid.delete(old.metadata.uid);
    const rv = ++this.rv;
    const object = structuredClone(old);
    object.metadata.resourceVersion = String(rv);
    this.emit({ type: "DELETED", resource, object, old, rv });
    return structuredClone(object);
  }

  private write(resource: string, obj: KubeObject, type: StoreEventType): KubeObject {
    const t = this.table(resource);
    const k = keyOf(obj.metadata.namespace, obj.metadata.name ?? "");
    const old = t.get(k);
    const rv = ++this.rv;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    t.set(k, stored);
    if (stored.metadata.uid) this.byUid.set(stored.metadata.uid, { resource, key: k });
    this.emit({ type, resource, object: stored, old, rv });
    return structuredClone(stored);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        console.error("store listener failed:", err);
      }
    }
  }

  /** Changes after `rv`, or "expired" when the history no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | "expired" {
    if (rv < this.oldestRv()) return "expired";
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
