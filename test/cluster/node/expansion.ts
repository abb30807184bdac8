/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(NAME)` becomes the value when NAME is known and stays as written otherwise, `$$` becomes `$`,
 * any other `$` is kept.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "(") {
      const end = input.indexOf(")", i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = name ? lookup(name) : undefined;
      out += value ?? `$(${name})`;
      i = end + 1;
    } else {
      out += c + next;
      i += 2;
    }
  }
  return out;
}
