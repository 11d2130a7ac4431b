/**
 * @module cli/errors
 * Exit codes and the one-line error report of the `dme` command. Every
 * failure reaches the user as `dme: <message>` on stderr, never a stack trace:
 * 0 success, 1 failure, 2 usage error.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the user can act on; `exitCode` 1 unless it is a usage error. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** One line, no stack: the message of known errors, a generic line for others. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const oneLine = err.message.replace(/\s+/g, ' ').trim();
    if (typeof code === 'string' && code.startsWith('E') && /^E[A-Z]+$/.test(code)) {
      // Node system errors (ENOENT, EACCES…) carry the path in their message already.
      return oneLine;
    }
    return oneLine || err.name;
  }
  return String(err);
}
