/** A failure the CLI reports as one readable line and a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** what `--json` prints besides the message: a stable `reason` code and what it concerns (taskId, ...) */
    readonly details: { reason: string; [field: string]: unknown } = { reason: 'error' },
  ) {
    super(message);
  }
}
