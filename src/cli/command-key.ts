/**
 * Where the CLI's program records the command that runs, for its launcher: a code cache made by
 * a run holds the functions that command compiled (see code-cache.ts).
 */
export const commandKey = Symbol.for("tp.command");
