/**
 * A detector's numeric state per address in one `Float64Array`: a record of `stride` doubles per
 * dense id of `AddressIds`, so the state of one address sits in one or two cache lines and a
 * frame reads it without following a pointer. The first double of a record is the generation it
 * was written under (0: never written; generations start at 1), so an id recycled for another
 * address reads as empty; writing over such a stale record counts as one entry forgotten for
 * room (`evicted`).
 *
 * The array grows (doubling) to the highest id written, so it costs memory only for the ids in
 * use; ids are handed out from 0 up.
 */
export class IdRecords {
  /**
   * The records; a new array after a `claim` that grew it, so read it after `claim` returns
   * (`records.data[records.claim(…)] = x` writes into the array read before the call).
   */
  data: Float64Array;
  readonly stride: number;
  private evictedCount = 0;

  /** Records of `stride` doubles (the generation first), room for `initialIds` ids at first. */
  constructor(stride: number, initialIds = 1024) {
    if (!Number.isInteger(stride) || stride < 1) {
      throw new RangeError(`stride must be a whole number above 0, got ${stride}`);
    }
    this.stride = stride;
    this.data = new Float64Array(stride * Math.max(1, initialIds));
  }

  /** Records forgotten because their address's id went to another address. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Where the record of `id` starts in `data` if it was written under `generation`, else -1. */
  find(id: number, generation: number): number {
    const at = id * this.stride;
    return at < this.data.length && this.data[at] === generation ? at : -1;
  }

  /**
   * Starts a new record for `id` under `generation`, every field but the generation 0, and
   * returns where it starts. A record of an older generation is forgotten and counted.
   */
  claim(id: number, generation: number): number {
    const stride = this.stride;
    const at = id * stride;
    if (at >= this.data.length) this.grow(at + stride);
    const data = this.data;
    const old = data[at]!;
    if (old !== 0 && old !== generation) this.evictedCount++;
    data[at] = generation;
    data.fill(0, at + 1, at + stride);
    return at;
  }

  /** Forgets the record of `id` (not counted as evicted). */
  delete(id: number): void {
    const at = id * this.stride;
    if (at < this.data.length) this.data[at] = 0;
  }

  /** Where each written record starts (stale ones included until overwritten), in id order. */
  *starts(): IterableIterator<number> {
    const { data, stride } = this;
    for (let at = 0; at < data.length; at += stride) if (data[at] !== 0) yield at;
  }

  private grow(needed: number): void {
    let length = this.data.length * 2;
    while (length < needed) length *= 2;
    const data = new Float64Array(length);
    data.set(this.data);
    this.data = data;
  }
}
