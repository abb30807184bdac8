/**
 * `$(NAME)` references in an env value, as the kubelet expands them
 * (k8s.io/kubernetes third_party/forked/golang/expansion): a known NAME becomes its value, an
 * unknown one stays as written, `$$` is one `$`, any other `$` and an unclosed `$(` stay.
 */
export function expandEnvValue(input: string, lookup: (name: string) => string | undefined): string {
  const parts: string[] = [];
  let from = 0;
  for (let at = input.indexOf("$"); at >= 0 && at + 1 < input.length; at = input.indexOf("$", from)) {
    parts.push(input.slice(from, at));
    const next = input[at + 1];
    const close = next === "(" ? input.indexOf(")", at + 2) : -1;
    if (next === "$") {
      parts.push("$");
      from = at + 2;
    } else if (close >= 0) {
      const name = input.slice(at + 2, close);
      parts.push(lookup(name) ?? `$(${name})`);
      from = close + 1;
    } else {
      // `$(` without `)`, or `$x`: kept, and the scan goes on after the character that follows.
      parts.push(input.slice(at, at + 2));
      from = at + 2;
    }
  }
  parts.push(input.slice(from));
  return parts.join("");
}
