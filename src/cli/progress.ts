import type { Reporter } from "../session/reporter.js";
import type { Ora } from "ora";

export type ProgressMode = "text" | "json" | "quiet";

/**
 * Progress lines on stderr for slow steps: a spinner on a terminal, plain lines elsewhere, JSON
 * lines with --output json, nothing with --quiet. stdout stays the user container's.
 */
export class Progress implements Reporter {
  constructor(
    private readonly mode: ProgressMode,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly verbose = false,
  ) {}

  /** A detail for --verbose, with the time since the tp process started. */
  debug(text: string): void {
    if (!this.verbose) return;
    const at = `${process.uptime().toFixed(2)}s`;
    if (this.mode === "json") this.json({ event: "debug", at, text });
    else this.stream.write(`tp: [${at}] ${text}\n`);
  }

  /** Start a step; call the returned function when it is done (optionally with a new text). */
  step(text: string): (done?: string) => void {
    const started = Date.now();
    if (this.mode === "json") {
      this.json({ event: "step", text });
      return (done) => this.json({ event: "done", text: done ?? text, ms: Date.now() - started });
    }
    if (this.mode === "quiet") return () => undefined;
    const took = () => `(${((Date.now() - started) / 1000).toFixed(1)} s)`;
    // Once the user's program has the terminal, nothing is drawn over its screen.
    const hidden = () => this.handedOver && this.stream.isTTY === true;
    if (hidden()) return () => undefined;
    // A spinner redraws by the terminal's width: a terminal without one (a pseudo-terminal of
    // size 0x0, as `docker run -t` or `script` without a terminal make) gets plain lines.
    if (!this.stream.isTTY || !this.stream.columns) {
      this.stream.write(`- ${text}\n`);
      return (done) => void (hidden() || this.stream.write(`✔ ${done ?? text} ${took()}\n`));
    }
    const id = ++this.steps;
    this.running.set(id, text);
    this.redraw();
    return (done) => {
      if (!this.running.delete(id) || this.handedOver) return;
      this.redraw(`${done ?? text} ${took()}`);
    };
  }

  /**
   * The terminal now belongs to the user's program (an interactive container or shell): the
   * spinner goes, and steps that end from now on are not drawn over the program's screen.
   */
  handOver(): void {
    if (this.handedOver) return;
    this.handedOver = true;
    this.running.clear();
    if (this.spinner) this.redraw();
  }

  private handedOver = false;
  private steps = 0;
  /** The steps under way, drawn as one spinner (ora draws one at a time). */
  private readonly running = new Map<number, string>();
  private spinner: Promise<Ora> | undefined;

  /** Draw the steps under way, after the line of one that ended. */
  private redraw(ended?: string): void {
    this.spinner ??= spinnerOn(this.stream);
    this.spinner = this.spinner.then((s) => {
      const text = [...this.running.values()].join(" · ");
      if (ended !== undefined) s.stopAndPersist({ symbol: green("✔"), text: ended });
      if (text) {
        s.text = text;
        if (!s.isSpinning) s.start();
      } else if (s.isSpinning) s.stop();
      return s;
    });
    // A spinner that cannot draw costs the lines, not the session.
    this.spinner.catch(() => undefined);
  }

  /** A line that says what happened. */
  info(text: string): void {
    if (this.mode === "json") this.json({ event: "info", text });
    else if (this.mode !== "quiet") this.stream.write(`tp: ${text}\n`);
  }

  /** A warning is shown even with --quiet. */
  warn(text: string): void {
    if (this.mode === "json") this.json({ event: "warning", text });
    else this.stream.write(`tp: warning: ${text}\n`);
  }

  private json(value: Record<string, unknown>): void {
    this.stream.write(JSON.stringify(value) + "\n");
  }
}

/**
 * A spinner on a terminal. ora is loaded on first use: its text measuring compiles Unicode tables
 * when it loads, tens of milliseconds that a command without a terminal should not pay.
 */
async function spinnerOn(stream: NodeJS.WriteStream): Promise<Ora> {
  const { default: ora } = await import("ora");
  return ora({ stream, discardStdin: false });
}

const green = (text: string) => `\u001b[32m${text}\u001b[39m`;
