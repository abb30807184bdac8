import type { Readable, Writable } from "node:stream";

/** A request body kept for a second try up to this size; a longer one cannot be sent again. */
const maxKeptBytes = 256 * 1024;

/**
 * A request's body relayed to one destination at a time, with backpressure. Until an answer
 * begins, the body so far is kept (bounded), so that the request can go to another destination
 * when the first fails before answering (a session gone, a kept-alive connection just closed).
 */
export class BodyRelay {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #keeping = true;
  #ended = false;
  #out: Writable | undefined;
  #listening = false;

  constructor(private readonly body: Readable) {}

  /** Whether everything sent so far was kept (so it can be sent again). */
  get replayable(): boolean {
    return this.#keeping;
  }

  /** An answer began: nothing will be sent again. */
  stopKeeping(): void {
    this.#keeping = false;
    this.#chunks.length = 0;
  }

  /** Send the body (what was kept first) to `out`, instead of wherever it went before. */
  sendTo(out: Writable): void {
    this.#out = out;
    for (const chunk of this.#chunks) out.write(chunk);
    if (this.#ended) {
      out.end();
      return;
    }
    if (this.#listening) {
      this.body.resume();
      return;
    }
    this.#listening = true;
    this.body.on("data", (chunk: Buffer) => {
      if (this.#keeping) {
        this.#bytes += chunk.length;
        if (this.#bytes > maxKeptBytes) this.stopKeeping();
        else this.#chunks.push(chunk);
      }
      const to = this.#out;
      if (to && !to.destroyed && !to.write(chunk)) {
        this.body.pause();
        to.once("drain", () => {
          if (this.#out === to) this.body.resume();
        });
      }
    });
    this.body.once("end", () => {
      this.#ended = true;
      this.#out?.end();
    });
  }
}
