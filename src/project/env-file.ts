/**
 * Parse an env file the way Compose does: NAME=VALUE lines, `export ` allowed, # comments,
 * single- or double-quoted values (double quotes understand \n), NAME alone takes the value from
 * the environment tp runs in.
 */
export function parseEnvFile(
  text: string,
  environment: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([^=\s]+)\s*(?:=(.*))?$/.exec(line);
    if (!m?.[1]) continue;
    const name = m[1];
    if (m[2] === undefined) {
      const v = environment[name];
      if (v !== undefined) out[name] = v;
      continue;
    }
    out[name] = unquote(m[2].trim());
  }
  return out;
}

function unquote(value: string): string {
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2) {
    const end = value.indexOf(q, 1);
    if (end > 0) {
      const inner = value.slice(1, end);
      return q === '"' ? inner.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\") : inner;
    }
  }
  // An unquoted value ends at " #" (an inline comment).
  const hash = value.search(/\s#/);
  return hash >= 0 ? value.slice(0, hash).trimEnd() : value;
}
