import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { TpError } from "../errors.js";

/** Exit code of a command that cannot be found or run (as POSIX shells say). */
export const commandNotFound = 127;

/**
 * The file `command` runs: itself when it holds a slash, else the first executable of that name
 * on PATH. A clear error (exit 127) when there is none, before anything starts.
 */
export async function findExecutable(command: string, path = process.env["PATH"] ?? ""): Promise<string> {
  const candidates = command.includes("/")
    ? [resolve(command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const file of candidates) {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  throw new TpError("usage", `${command}: command not found${command.includes("/") ? "" : " on PATH"}`, {
    exitCode: commandNotFound,
  });
}
