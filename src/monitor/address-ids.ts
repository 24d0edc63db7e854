import { grown } from './grown.js';

/**
 * Small numbers for addresses: every (segment, IPv4) and (segment, MAC) a detector keys on is
 * given a dense id below `capacity`, so the detectors index plain arrays instead of hashing
 * 48-bit doubles per frame (which allocates a heap number per lookup and made Map lookups the
 * analyzer's main cost). The table is open addressing with linear probing over typed arrays:
 * one lookup allocates nothing.
 *
 * It holds at most `capacity` addresses. When full, a new address takes the id of one not used
 * lately (CLOCK: a used id is passed over once) and that id's `generation` goes up; a detector
 * that kept state under an id checks the generation it saw, so recycled ids never mix two
 * addresses. `recycled` counts the addresses forgotten this way.
 */
export class AddressIds {
  readonly capacity: number;
  /** Hash slots of four int32 each: id + 1 (0 when empty), segment, high word, low word. */
  private slots: Int32Array;
  private mask: number;
  /** Per id (grown as ids are handed out): its address, generation and CLOCK bit. */
  private segments: Int32Array;
  private highs: Int32Array;
  private lows: Int32Array;
  private generations: Float64Array;
  private touched: Uint8Array;
  private used = 0;
  private hand = 0;
  private recycledCount = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a whole number above 0, got ${capacity}`);
    }
    this.capacity = capacity;
    // Start small, so a quiet segment's table stays in cache; grow at half full.
    this.mask = INITIAL_SLOTS - 1;
    this.slots = new Int32Array(INITIAL_SLOTS * SLOT);
    const ids = Math.min(capacity, INITIAL_SLOTS / 2);
    this.segments = new Int32Array(ids);
    this.highs = new Int32Array(ids);
    this.lows = new Int32Array(ids);
    this.generations = new Float64Array(ids);
    this.touched = new Uint8Array(ids);
  }

  /** Addresses forgotten to make room. */
  get recycled(): number {
    return this.recycledCount;
  }

  /** How many ids are in use. */
  get size(): number {
    return this.used;
  }

  /** The id of an IPv4 address (a uint32) on `segment`. */
  ipv4(segment: number, ip: number): number {
    return this.id(segment, IPV4_HIGH, ip | 0);
  }

  /** The id of a MAC (a 48-bit number) on `segment`. */
  mac(segment: number, mac: number): number {
    const high = Math.floor(mac / 0x1_0000_0000);
    return this.id(segment, high, (mac - high * 0x1_0000_0000) | 0);
  }

  /**
   * `mac(segment, high * 2**32 + low)` from the MAC's first two bytes (`high`) and last four
   * (`low`, as an int32): small integers only, so a call that is not inlined boxes no double.
   */
  macWords(segment: number, high: number, low: number): number {
    return this.id(segment, high, low | 0);
  }

  /** How many times `id` has been given to an address; state kept under an older one is stale. */
  generation(id: number): number {
    return this.generations[id]!;
  }

  /** The lookup, kept small so that callers inline it; a new address goes to `insert`. */
  private id(segment: number, high: number, low: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let at = hash(segment, high, low) & mask;
    for (;;) {
      const base = at * SLOT;
      const entry = slots[base]!;
      if (entry === 0) return this.insert(at, segment, high, low);
      if (slots[base + 3] === low && slots[base + 2] === high && slots[base + 1] === segment) {
        this.touched[entry - 1] = 1;
        return entry - 1;
      }
      at = (at + 1) & mask;
    }
  }

  /** Gives an id to an address not in the table, whose probe ended at the empty slot `at`. */
  private insert(at: number, segment: number, high: number, low: number): number {
    let id: number;
    if (this.used < this.capacity) {
      id = this.used++;
      if (this.used * 2 > this.mask + 1) {
        this.grow();
        at = this.emptySlot(segment, high, low);
      }
      if (id === this.touched.length) this.growIds();
    } else {
      id = this.recycle();
      // Recycling shifted slots back: the empty slot found above may have moved.
      at = this.emptySlot(segment, high, low);
    }
    this.put(at, id, segment, high, low);
    this.segments[id] = segment;
    this.highs[id] = high;
    this.lows[id] = low;
    this.generations[id]!++;
    this.touched[id] = 0;
    return id;
  }

  private put(at: number, id: number, segment: number, high: number, low: number): void {
    const base = at * SLOT;
    this.slots[base] = id + 1;
    this.slots[base + 1] = segment;
    this.slots[base + 2] = high;
    this.slots[base + 3] = low;
  }

  private emptySlot(segment: number, high: number, low: number): number {
    let at = hash(segment, high, low) & this.mask;
    while (this.slots[at * SLOT] !== 0) at = (at + 1) & this.mask;
    return at;
  }

  /** Doubles the slots and places every address again. */
  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length / SLOT - 1;
    for (let base = 0; base < old.length; base += SLOT) {
      const entry = old[base]!;
      if (entry === 0) continue;
      const segment = old[base + 1]!;
      const high = old[base + 2]!;
      const low = old[base + 3]!;
      this.put(this.emptySlot(segment, high, low), entry - 1, segment, high, low);
    }
  }

  /** Doubles the per-id arrays, up to `capacity`. */
  private growIds(): void {
    const length = Math.min(this.capacity, this.touched.length * 2);
    this.segments = grown(this.segments, new Int32Array(length));
    this.highs = grown(this.highs, new Int32Array(length));
    this.lows = grown(this.lows, new Int32Array(length));
    this.generations = grown(this.generations, new Float64Array(length));
    this.touched = grown(this.touched, new Uint8Array(length));
  }

  /** Frees the id the clock hand stops at (one not touched since the hand last passed). */
  private recycle(): number {
    for (;;) {
      const id = this.hand;
      this.hand = (this.hand + 1) % this.capacity;
      if (this.touched[id] === 1) {
        this.touched[id] = 0;
        continue;
      }
      this.remove(id);
      this.recycledCount++;
      return id;
    }
  }

  /** Takes `id`'s slot out of the table, shifting later slots of its run back (no tombstones). */
  private remove(id: number): void {
    const mask = this.mask;
    const slots = this.slots;
    let at = hash(this.segments[id]!, this.highs[id]!, this.lows[id]!) & mask;
    while (slots[at * SLOT] !== id + 1) at = (at + 1) & mask;
    let hole = at;
    let next = (hole + 1) & mask;
    while (slots[next * SLOT] !== 0) {
      const nb = next * SLOT;
      const home = hash(slots[nb + 1]!, slots[nb + 2]!, slots[nb + 3]!) & mask;
      // Move the entry at `next` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        slots.copyWithin(hole * SLOT, nb, nb + SLOT);
        hole = next;
      }
      next = (next + 1) & mask;
    }
    slots.fill(0, hole * SLOT, hole * SLOT + SLOT);
  }
}

/** Int32s per hash slot. */
const SLOT = 4;
/** Slots a new table starts with. */
const INITIAL_SLOTS = 1024;

/** The high word of an IPv4 key: above any MAC's high 16 bits, so the two never collide. */
const IPV4_HIGH = 0x1_0000;

function hash(segment: number, high: number, low: number): number {
  let h = Math.imul(low ^ (low >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ high ^ (segment << 17), 0x27d4eb2d);
  return h ^ (h >>> 15);
}
