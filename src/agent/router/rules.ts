import {
  describeFilter,
  isFilterless,
  sameFilter,
  type InterceptFilter,
  type RegisterMessage,
} from "../../contract/router-control.js";

/** A session's rule: lives as long as its control connection. */
export interface Rule {
  readonly sessionId: string;
  readonly filter: InterceptFilter;
  readonly mirror: boolean;
  /** Where matching traffic for the router's port P goes: target:P. */
  readonly target: string;
  /** Whether the session's tunnel is up (down: its matching traffic goes upstream). */
  up: boolean;
}

/** Where one request (or connection) goes: a session, or upstream; and who gets a copy. */
export interface Route {
  /** The session that answers; undefined: upstream (the workload's own pods). */
  primary: Rule | undefined;
  /** Sessions that get a copy, whose answers are dropped. */
  mirrors: Rule[];
}

/** A request as the rules see it: its header values by lowercase name, and its path. */
export interface RequestInfo {
  header(name: string): string | undefined;
  path: string;
}

const upstream: Route = { primary: undefined, mirrors: [] };

function matches(filter: InterceptFilter, request: RequestInfo): boolean {
  if (filter.pathPrefix !== undefined && !request.path.startsWith(filter.pathPrefix)) return false;
  return Object.entries(filter.headers).every(([name, value]) => request.header(name) === value);
}

/** The registered sessions' rules, in the order they registered (the first that matches wins). */
export class Rules {
  readonly #rules: Rule[] = [];
  /** Called when a rule is replaced by a newer registration of its session. */
  readonly #onReplaced = new WeakMap<Rule, () => void>();

  /**
   * Add a session's rule, or say why not: another session's rule with the same filter. A newer
   * registration of the same session (its proxy reconnected) replaces the older one.
   */
  add(message: RegisterMessage, onReplaced: () => void): Rule | { refused: string } {
    const other = this.#rules.find(
      (r) => r.sessionId !== message.sessionId && sameFilter(r.filter, message.filter),
    );
    if (other)
      return {
        refused: `session ${other.sessionId} already intercepts ${describeFilter(message.filter)}`,
      };
    const previous = this.#rules.find((r) => r.sessionId === message.sessionId);
    const rule: Rule = {
      sessionId: message.sessionId,
      filter: message.filter,
      mirror: message.mirror,
      target: message.target.host,
      up: true,
    };
    if (previous) {
      this.#rules.splice(this.#rules.indexOf(previous), 1, rule);
      this.#onReplaced.get(previous)?.();
    } else this.#rules.push(rule);
    this.#onReplaced.set(rule, onReplaced);
    return rule;
  }

  remove(rule: Rule): void {
    const i = this.#rules.indexOf(rule);
    if (i >= 0) this.#rules.splice(i, 1);
  }

  get size(): number {
    return this.#rules.length;
  }

  /** Where one HTTP request goes. */
  route(request: RequestInfo): Route {
    if (this.#rules.length === 0) return upstream;
    let primary: Rule | undefined;
    let decided = false;
    const mirrors: Rule[] = [];
    for (const rule of this.#rules) {
      if (!matches(rule.filter, request)) continue;
      if (rule.mirror) {
        if (rule.up) mirrors.push(rule);
      } else if (!decided) {
        decided = true;
        primary = rule.up ? rule : undefined;
      }
    }
    return { primary, mirrors };
  }

  /** Where a connection that is not HTTP goes: only filterless rules take (or copy) those. */
  routeConnection(): Route {
    if (this.#rules.length === 0) return upstream;
    const whole = this.#rules.filter((r) => isFilterless(r.filter));
    const primary = whole.find((r) => !r.mirror);
    return {
      primary: primary?.up ? primary : undefined,
      mirrors: whole.filter((r) => r.mirror && r.up),
    };
  }
}
