/** Names whose value must not reach the docker CLI's own environment. */
const cliOwned = /^(DOCKER_|HOME$|PATH$|TMPDIR$|XDG_)/;

/**
 * `docker run` flags that set `vars` in the container, and the docker CLI's environment that
 * carries their values: a variable goes as `-e NAME` with its value in the CLI's environment, so
 * multi-line values survive; names the CLI reads itself, and values with a NUL byte, go inline.
 */
export function envFlags(vars: Record<string, string>): { argv: string[]; env: NodeJS.ProcessEnv } {
  const argv: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(vars)) {
    if (cliOwned.test(k) || v.includes("\0")) argv.push("-e", `${k}=${v}`);
    else {
      argv.push("-e", k);
      env[k] = v;
    }
  }
  return { argv, env };
}

/** `--label k=v` flags. */
export function labelFlags(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
}
