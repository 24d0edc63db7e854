/** A command line a person must fix: exit status 2, the message names the option and the input. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something failed while running: exit status 1. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** Exit statuses, as arping and most Unix tools use them. */
export const Exit = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2 });

/** `ENOENT` → "no such file", for errors a person reads. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    EPERM: 'operation not permitted',
    EMFILE: 'too many open files',
  };
  const text = code === undefined ? String((error as Error).message ?? error) : words[code];
  return text === undefined ? `${(error as Error).message}` : `${text} (${code})`;
}
