/** Something with a name and the names it depends on. */
export interface Node {
  name: string;
  dependsOn: { service: string }[];
}

/** A dependency cycle as the names along it, first name repeated at the end; undefined if none. */
export function findCycle(nodes: Node[]): string[] | undefined {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const d of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(d.service);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const n of nodes) {
    const cycle = visit(n.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Dependencies before their dependents, otherwise in the given order. Assumes no cycle. */
export function dependencyOrder<T extends Node>(nodes: T[]): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (n: T) => {
    if (seen.has(n.name)) return;
    seen.add(n.name);
    for (const d of n.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep);
    }
    out.push(n);
  };
  for (const n of nodes) visit(n);
  return out;
}

/** The named nodes and everything they depend on, transitively. */
export function withDependencies<T extends Node>(nodes: T[], names: string[]): T[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const d of byName.get(name)?.dependsOn ?? []) add(d.service);
  };
  for (const n of names) add(n);
  return nodes.filter((n) => wanted.has(n.name));
}
