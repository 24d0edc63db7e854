const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs a synchronous fd call, and while it fails with EAGAIN (a non-blocking pipe that is empty
 * or full) waits `waitMs` and tries again, as a blocking `read`/`write` would have waited.
 */
export function retryWhileAgain<T>(call: () => T, waitMs: number): T {
  for (;;) {
    try {
      return call();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, waitMs);
    }
  }
}
