/**
 * Sightings gathered between two commits: per (segment, IP, MAC), the first and last time and
 * the count. An open-addressing hash table over typed arrays, so that noting a sighting never
 * allocates (the arrays grow, by doubling, only when a new binding needs room) and a commit
 * walks exactly the entries in use.
 */

const MIN_CAPACITY = 1024;

/** 32-bit mix of a binding's key (segment, IP, MAC as a 48-bit number). */
function hash(segment: number, ip: number, mac: number): number {
  let h = Math.imul(ip ^ Math.imul(segment, 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul((mac >>> 0) ^ ((mac / 0x1_0000_0000) | 0), 0xc2b2ae35);
  return h ^ (h >>> 15);
}

/** The table; read entries with `segment(i)`… for `i` from 0 to `size - 1`, in order of arrival. */
export class SightingTable {
  /** Entries in use. */
  size = 0;
  private mask = 0;
  private segments = new Int32Array(0);
  private ips = new Uint32Array(0);
  private macs = new Float64Array(0);
  private firsts = new Float64Array(0);
  private lasts = new Float64Array(0);
  /** Sightings per slot; 0 marks a free slot. */
  private counts = new Float64Array(0);
  /** Slot of the i-th entry in use. */
  private order = new Int32Array(0);

  constructor() {
    this.allocate(MIN_CAPACITY);
  }

  /** Notes one sighting of `ip` at `mac` on `segment` at `timeMs`. */
  add(segment: number, ip: number, mac: number, timeMs: number): void {
    const mask = this.mask;
    let slot = hash(segment, ip, mac) & mask;
    for (;;) {
      const count = this.counts[slot]!;
      if (count === 0) break;
      if (this.ips[slot] === ip && this.macs[slot] === mac && this.segments[slot] === segment) {
        if (timeMs < this.firsts[slot]!) this.firsts[slot] = timeMs;
        if (timeMs > this.lasts[slot]!) this.lasts[slot] = timeMs;
        this.counts[slot] = count + 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.put(slot, segment, ip, mac, timeMs, timeMs, 1);
    // Keep the load at most one half, so a probe stays short.
    if (this.size * 2 > mask + 1) this.resize((mask + 1) * 2);
  }

  /** Slots allocated (entries in use are at most half of them). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The i-th entry's segment, IP, MAC, first and last time (ms) and count. */
  segment(i: number): number {
    return this.segments[this.order[i]!]!;
  }
  ip(i: number): number {
    return this.ips[this.order[i]!]!;
  }
  mac(i: number): number {
    return this.macs[this.order[i]!]!;
  }
  first(i: number): number {
    return this.firsts[this.order[i]!]!;
  }
  last(i: number): number {
    return this.lasts[this.order[i]!]!;
  }
  count(i: number): number {
    return this.counts[this.order[i]!]!;
  }

  /**
   * Empties the table. It keeps its room for the next interval, unless that room is more than
   * four times what this one used: a burst of spoofed addresses does not pin its memory.
   */
  clear(): void {
    const used = this.size;
    for (let i = 0; i < used; i++) this.counts[this.order[i]!] = 0;
    this.size = 0;
    const wanted = Math.max(MIN_CAPACITY, nextPowerOfTwo(used * 2));
    if (this.mask + 1 > wanted * 4) this.allocate(wanted);
  }

  private put(
    slot: number,
    segment: number,
    ip: number,
    mac: number,
    first: number,
    last: number,
    count: number,
  ): void {
    this.segments[slot] = segment;
    this.ips[slot] = ip;
    this.macs[slot] = mac;
    this.firsts[slot] = first;
    this.lasts[slot] = last;
    this.counts[slot] = count;
    this.order[this.size++] = slot;
  }

  /** Moves every entry into arrays of `capacity` slots, keeping their order. */
  private resize(capacity: number): void {
    const { segments, ips, macs, firsts, lasts, counts, order, size } = this;
    this.allocate(capacity);
    for (let i = 0; i < size; i++) {
      const from = order[i]!;
      let slot = hash(segments[from]!, ips[from]!, macs[from]!) & this.mask;
      while (this.counts[slot] !== 0) slot = (slot + 1) & this.mask;
      this.put(
        slot,
        segments[from]!,
        ips[from]!,
        macs[from]!,
        firsts[from]!,
        lasts[from]!,
        counts[from]!,
      );
    }
  }

  private allocate(capacity: number): void {
    this.mask = capacity - 1;
    this.segments = new Int32Array(capacity);
    this.ips = new Uint32Array(capacity);
    this.macs = new Float64Array(capacity);
    this.firsts = new Float64Array(capacity);
    this.lasts = new Float64Array(capacity);
    this.counts = new Float64Array(capacity);
    // At most half the slots are ever in use.
    this.order = new Int32Array(capacity / 2 + 1);
    this.size = 0;
  }
}

function nextPowerOfTwo(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}
