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
  private readonly mask: number;
  /** Hash slots: id + 1, or 0 when empty. */
  private readonly slots: Int32Array;
  private readonly segments: Int32Array;
  private readonly highs: Int32Array;
  private readonly lows: Int32Array;
  private readonly generations: Float64Array;
  private readonly touched: Uint8Array;
  private used = 0;
  private hand = 0;
  private recycledCount = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a whole number above 0, got ${capacity}`);
    }
    this.capacity = capacity;
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size);
    this.segments = new Int32Array(capacity);
    this.highs = new Int32Array(capacity);
    this.lows = new Int32Array(capacity);
    this.generations = new Float64Array(capacity);
    this.touched = new Uint8Array(capacity);
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

  /** How many times `id` has been given to an address; state kept under an older one is stale. */
  generation(id: number): number {
    return this.generations[id]!;
  }

  private id(segment: number, high: number, low: number): number {
    const mask = this.mask;
    const slots = this.slots;
    let at = hash(segment, high, low) & mask;
    for (;;) {
      const entry = slots[at]!;
      if (entry === 0) break;
      const id = entry - 1;
      if (this.lows[id] === low && this.highs[id] === high && this.segments[id] === segment) {
        this.touched[id] = 1;
        return id;
      }
      at = (at + 1) & mask;
    }
    let id: number;
    if (this.used < this.capacity) {
      id = this.used++;
    } else {
      id = this.recycle();
      // Recycling shifted slots back: the empty slot found above may have moved.
      at = this.emptySlot(segment, high, low);
    }
    slots[at] = id + 1;
    this.segments[id] = segment;
    this.highs[id] = high;
    this.lows[id] = low;
    this.generations[id]!++;
    this.touched[id] = 0;
    return id;
  }

  private emptySlot(segment: number, high: number, low: number): number {
    let at = hash(segment, high, low) & this.mask;
    while (this.slots[at] !== 0) at = (at + 1) & this.mask;
    return at;
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
    while (slots[at] !== id + 1) at = (at + 1) & mask;
    let hole = at;
    let next = (hole + 1) & mask;
    while (slots[next] !== 0) {
      const other = slots[next]! - 1;
      const home = hash(this.segments[other]!, this.highs[other]!, this.lows[other]!) & mask;
      // Move `other` into the hole unless its home lies cyclically in (hole, next].
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        slots[hole] = slots[next]!;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    slots[hole] = 0;
  }
}

/** The high word of an IPv4 key: above any MAC's high 16 bits, so the two never collide. */
const IPV4_HIGH = 0x1_0000;

function hash(segment: number, high: number, low: number): number {
  let h = Math.imul(low ^ (low >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ high ^ (segment << 17), 0x27d4eb2d);
  return h ^ (h >>> 15);
}
