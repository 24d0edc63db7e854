/**
 * The links an entry of a `TimeQueue` carries itself (an intrusive list), so queueing, moving
 * and removing an entry allocate nothing.
 */
export interface Queued<T> {
  /** The entry queued just before this one (older), or undefined at the head. */
  older: T | undefined;
  /** The entry queued just after this one (newer), or undefined at the tail. */
  newer: T | undefined;
}

/**
 * Entries in the order they were last touched, oldest first: a doubly linked list threaded
 * through the entries themselves. A detector touches an entry at each frame that uses it, so
 * with frames in time order the queue is also in order of last use, and so of any deadline that
 * is last use plus a constant: expiry pops from the head until it meets an entry still alive,
 * amortised O(1) per frame, with no stale copies to skip (unlike a FIFO of deadlines, which
 * needs one record per touch). Every operation is O(1) and allocation-free.
 */
export class TimeQueue<T extends Queued<T>> {
  private head: T | undefined = undefined;
  private tail: T | undefined = undefined;
  private count = 0;

  /** Entries queued. */
  get size(): number {
    return this.count;
  }

  /** The entry touched longest ago, or undefined when empty. */
  get oldest(): T | undefined {
    return this.head;
  }

  /** The entry touched last, or undefined when empty. */
  get newest(): T | undefined {
    return this.tail;
  }

  /** True when `entry` is in this queue (assuming an entry is in at most one queue at a time). */
  has(entry: T): boolean {
    return entry.older !== undefined || entry.newer !== undefined || this.head === entry;
  }

  /** Appends `entry`, which must not be queued, as the newest. */
  push(entry: T): void {
    entry.older = this.tail;
    entry.newer = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.newer = entry;
    this.tail = entry;
    this.count++;
  }

  /** Takes `entry`, which must be queued here, out of the queue. */
  remove(entry: T): void {
    const { older, newer } = entry;
    if (older === undefined) this.head = newer;
    else older.newer = newer;
    if (newer === undefined) this.tail = older;
    else newer.older = older;
    entry.older = undefined;
    entry.newer = undefined;
    this.count--;
  }

  /** Makes the queued `entry` the newest. */
  touch(entry: T): void {
    if (this.tail === entry) return;
    this.remove(entry);
    this.push(entry);
  }

  /** Takes the oldest entry out and returns it, or undefined when empty. */
  shift(): T | undefined {
    const entry = this.head;
    if (entry !== undefined) this.remove(entry);
    return entry;
  }
}
