/**
 * Splits a stream of text into lines, holding at most `maxLength` characters of a line that has
 * not ended: a longer one is handed on in pieces of that length, so that output without newlines
 * never grows a buffer without bound.
 */
export class LineSplitter {
  private partial = "";

  constructor(private readonly maxLength: number) {}

  /** The lines that `chunk` completes (without their newlines). */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    while (this.partial.length > this.maxLength) {
      parts.push(this.partial.slice(0, this.maxLength));
      this.partial = this.partial.slice(this.maxLength);
    }
    return parts;
  }

  /** The last line, if it did not end with a newline. */
  end(): string {
    const rest = this.partial;
    this.partial = "";
    return rest;
  }
}

/** Call `onLine` for each line of a text stream (see LineSplitter); errors of the stream are ignored. */
export function onLines(
  stream: NodeJS.ReadableStream,
  maxLength: number,
  onLine: (line: string) => void,
): void {
  const lines = new LineSplitter(maxLength);
  stream.on("data", (chunk: Buffer | string) => {
    for (const line of lines.push(chunk.toString())) onLine(line);
  });
  stream.on("end", () => {
    const rest = lines.end();
    if (rest) onLine(rest);
  });
  stream.on("error", () => undefined);
}
