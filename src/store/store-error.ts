import { RuntimeError } from '../cli/errors.js';

/**
 * A bindings store that cannot be opened, read or written; the message names the file. A
 * RuntimeError, so every command reports it as one line and exits 1.
 */
export class StoreError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
