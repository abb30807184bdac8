/** Agent diagnostics: plain lines on stderr (stdout is for data and status lines). */
export function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} tp-agent: ${message}\n`);
}
