/** Exit statuses, as arping and most Unix tools use them. */
export const Exit = Object.freeze({ OK: 0, FAILURE: 1, USAGE: 2 });

/** A command line a person must fix: exit status 2; the message names the option and the input. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something failed while running (a send, a missing interface): exit status 1. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}
