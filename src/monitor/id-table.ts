/**
 * A detector's state per address, indexed by the dense ids of `AddressIds`: an array lookup per
 * frame instead of a hash. An entry is found only under the generation it was stored with, so an
 * id recycled for another address reads as empty; overwriting such a stale entry counts as one
 * entry forgotten for room (`evicted`).
 */
export class IdTable<V> {
  private readonly values: (V | undefined)[] = [];
  private readonly generations: number[] = [];
  private live = 0;
  private evictedCount = 0;

  /** Entries forgotten because their address's id went to another address. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Entries stored (stale ones included until overwritten). */
  get size(): number {
    return this.live;
  }

  /** The entry of `id` stored under generation `generation`. */
  get(id: number, generation: number): V | undefined {
    return this.generations[id] === generation ? this.values[id] : undefined;
  }

  /** Stores `value` for `id` at `generation`, forgetting a stale entry of an older one. */
  set(id: number, generation: number, value: V): void {
    const old = this.values[id];
    if (old === undefined) this.live++;
    else if (this.generations[id] !== generation) this.evictedCount++;
    // Grow densely (ids are handed out from 0 up), so the arrays stay packed.
    while (this.values.length < id) {
      this.values.push(undefined);
      this.generations.push(-1);
    }
    this.values[id] = value;
    this.generations[id] = generation;
  }

  /** Forgets the entry of `id`. */
  delete(id: number): void {
    if (this.values[id] === undefined) return;
    this.values[id] = undefined;
    this.live--;
  }

  /** Every entry stored (stale ones included until overwritten), in id order. */
  *entries(): IterableIterator<V> {
    for (const value of this.values) if (value !== undefined) yield value;
  }
}
