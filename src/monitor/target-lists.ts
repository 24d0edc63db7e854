/** A target's entries, one per asker: what `TargetLists` needs of an entry (its own links). */
export interface TargetListed<T> {
  /** The target's address id and generation (see `AddressIds`), and the asker's address id. */
  readonly targetId: number;
  readonly targetGen: number;
  readonly askerId: number;
  /** The next and previous entry of the target's list, which the first entry leads. */
  nextOfTarget: T | undefined;
  prevOfTarget: T | undefined;
  /** True while the entry is on a list. */
  listed: boolean;
  /** On a first entry only: the last of its list, how many others, them by asker id once many. */
  lastOfTarget: T | undefined;
  others: number;
  byAsker: Map<number, T> | undefined;
}

/** A list's others are found by scanning up to this many, and through a Map beyond. */
export const SCAN_LIMIT = 8;

/**
 * Entries (an unanswered detector's episodes) grouped by target: the first entry of each target
 * by the target's address id, the others a list threaded through the entries themselves, in the
 * order they came, at most one per asker id (a new one takes the place of the old, which leaves
 * the list). When the first entry goes, the oldest other leads. Nothing is allocated but a Map
 * for a target with more than `SCAN_LIMIT` askers at once.
 *
 * A first entry is found only under its target's generation: an id recycled for another address
 * starts a new list, and the old one (no longer found) is counted in `evicted`.
 */
export class TargetLists<T extends TargetListed<T>> {
  private readonly firsts: (T | undefined)[] = [];
  private evictedCount = 0;

  /** Lists forgotten because their target's address id went to another address. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** The first entry of the target with this address id, if it holds that generation. */
  first(targetId: number, targetGen: number): T | undefined {
    const first = this.firsts[targetId];
    return first !== undefined && first.targetGen === targetGen ? first : undefined;
  }

  /** The entry of `first`'s list (not `first`) whose asker has id `askerId`. */
  other(first: T, askerId: number): T | undefined {
    if (first.byAsker !== undefined) return first.byAsker.get(askerId);
    for (let entry = first.nextOfTarget; entry !== undefined; entry = entry.nextOfTarget) {
      if (entry.askerId === askerId) return entry;
    }
    return undefined;
  }

  /** Adds `entry`, on no list, to its target's: first if it has none, else as described above. */
  add(entry: T): void {
    entry.listed = true;
    const first = this.first(entry.targetId, entry.targetGen);
    if (first === undefined) {
      const old = this.firsts[entry.targetId];
      if (old !== undefined && old.targetGen !== entry.targetGen) this.evictedCount++;
      // Grow densely (ids are handed out from 0 up), so the array stays packed.
      while (this.firsts.length < entry.targetId) this.firsts.push(undefined);
      this.firsts[entry.targetId] = entry;
      return;
    }
    const replaced = this.other(first, entry.askerId);
    if (replaced !== undefined) {
      const { prevOfTarget, nextOfTarget } = replaced;
      entry.prevOfTarget = prevOfTarget;
      entry.nextOfTarget = nextOfTarget;
      prevOfTarget!.nextOfTarget = entry;
      if (nextOfTarget !== undefined) nextOfTarget.prevOfTarget = entry;
      else first.lastOfTarget = entry;
      first.byAsker?.set(entry.askerId, entry);
      reset(replaced);
      return;
    }
    const last = first.lastOfTarget ?? first;
    entry.prevOfTarget = last;
    entry.nextOfTarget = undefined;
    last.nextOfTarget = entry;
    first.lastOfTarget = entry;
    first.others++;
    if (first.byAsker !== undefined) first.byAsker.set(entry.askerId, entry);
    else if (first.others > SCAN_LIMIT) {
      const byAsker = new Map<number, T>();
      for (let e = first.nextOfTarget; e !== undefined; e = e.nextOfTarget)
        byAsker.set(e.askerId, e);
      first.byAsker = byAsker;
    }
  }

  /** Takes `entry` off its list, if on one; the oldest other leads when it was the first. */
  remove(entry: T): void {
    const first = this.firsts[entry.targetId];
    if (first === entry) {
      const next = entry.nextOfTarget;
      if (next === undefined) this.firsts[entry.targetId] = undefined;
      else {
        next.prevOfTarget = undefined;
        next.lastOfTarget = entry.lastOfTarget === next ? undefined : entry.lastOfTarget;
        next.others = entry.others - 1;
        next.byAsker = next.others === 0 ? undefined : entry.byAsker;
        if (next.byAsker?.get(next.askerId) === next) next.byAsker.delete(next.askerId);
        this.firsts[entry.targetId] = next;
      }
    } else if (entry.listed && first !== undefined && first.targetGen === entry.targetGen) {
      if (first.lastOfTarget === entry) {
        first.lastOfTarget = entry.prevOfTarget === first ? undefined : entry.prevOfTarget;
      }
      unlink(entry);
      first.others--;
      if (first.byAsker?.get(entry.askerId) === entry) first.byAsker.delete(entry.askerId);
      if (first.others === 0) first.byAsker = undefined;
    } else if (entry.listed) {
      // On the list of a first entry whose target id went to another address: no one's now.
      unlink(entry);
    }
    reset(entry);
  }
}

/** Takes `entry` out from between its neighbours. */
function unlink<T extends TargetListed<T>>(entry: T): void {
  const { prevOfTarget, nextOfTarget } = entry;
  if (prevOfTarget !== undefined) prevOfTarget.nextOfTarget = nextOfTarget;
  if (nextOfTarget !== undefined) nextOfTarget.prevOfTarget = prevOfTarget;
}

/** Leaves `entry` on no list, as a new one. */
function reset<T extends TargetListed<T>>(entry: T): void {
  entry.nextOfTarget = entry.prevOfTarget = entry.lastOfTarget = undefined;
  entry.listed = false;
  entry.others = 0;
  entry.byAsker = undefined;
}
