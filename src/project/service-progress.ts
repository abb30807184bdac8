import { Progress } from "../cli/progress.js";

/** Progress lines of one service, in the project's one progress view: `web: swapping ...`. */
export class ServiceProgress extends Progress {
  constructor(
    private readonly parent: Progress,
    private readonly service: string,
  ) {
    super("quiet");
  }

  override step(text: string): (done?: string) => void {
    const end = this.parent.step(`${this.service}: ${text}`);
    return (done) => end(done === undefined ? undefined : `${this.service}: ${done}`);
  }

  override info(text: string): void {
    this.parent.info(`${this.service}: ${text}`);
  }

  override warn(text: string): void {
    this.parent.warn(`${this.service}: ${text}`);
  }
}
