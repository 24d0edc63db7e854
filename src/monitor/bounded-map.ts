/** What a `BoundedMap` value carries: a bit set when it is used, cleared as the clock hand passes. */
export interface Touchable {
  touched: boolean;
}

/**
 * A Map that holds at most `capacity` entries and forgets one that has not been used lately to
 * make room (the CLOCK approximation of least-recently-used: a used entry is moved to the back
 * once, when the hand reaches it, so a hit costs no reordering). `evicted` counts what it forgot.
 */
export class BoundedMap<K, V extends Touchable> {
  readonly capacity: number;
  private readonly map = new Map<K, V>();
  private evictedCount = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a whole number above 0, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Entries forgotten for room since the map was made. */
  get evicted(): number {
    return this.evictedCount;
  }

  get size(): number {
    return this.map.size;
  }

  /** The value for `key`, marked used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) value.touched = true;
    return value;
  }

  /** The value for `key` without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Adds or replaces `key`, first forgetting one entry when full; returns the value forgotten. */
  set(key: K, value: V): V | undefined {
    let forgotten: V | undefined;
    if (!this.map.has(key) && this.map.size >= this.capacity) forgotten = this.evictOne();
    this.map.set(key, value);
    return forgotten;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Entries in the hand's order (oldest untouched first, roughly). */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  private evictOne(): V | undefined {
    // Every pass either forgets the head or clears its bit and moves it back, so at most
    // `capacity + 1` steps find an untouched entry.
    for (;;) {
      const head = this.map.entries().next();
      if (head.done === true) return undefined;
      const [key, value] = head.value;
      this.map.delete(key);
      if (!value.touched) {
        this.evictedCount++;
        return value;
      }
      value.touched = false;
      this.map.set(key, value);
    }
  }
}
