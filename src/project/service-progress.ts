import type { Reporter } from "../session/reporter.js";

/** Progress lines of one service, in the project's one progress view: `web: swapping ...`. */
export class ServiceProgress implements Reporter {
  constructor(
    private readonly parent: Reporter,
    private readonly service: string,
  ) {}

  debug(text: string): void {
    this.parent.debug(`${this.service}: ${text}`);
  }

  step(text: string): (done?: string) => void {
    const end = this.parent.step(`${this.service}: ${text}`);
    return (done) => end(done === undefined ? undefined : `${this.service}: ${done}`);
  }

  info(text: string): void {
    this.parent.info(`${this.service}: ${text}`);
  }

  warn(text: string): void {
    this.parent.warn(`${this.service}: ${text}`);
  }
}
