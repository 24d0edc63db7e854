/**
 * ARP storms: the ARP and RARP frame rate of a whole interface or file (all VLANs together), and
 * of each station sending, above their thresholds. A storm is reported when it starts and when
 * it ends, with its peak rate, its frames and its top talkers.
 */
import { formatMac, type Mac } from '../wire/mac.js';
import type { Detector } from './detector.js';
import type { FieldValue, Finding, FindingSink } from './finding.js';
import { IdRecords } from './id-records.js';
import { NO_MAC, type Observation } from './observation.js';
import type { Thresholds } from './thresholds.js';

/** The segment window: ten buckets of 100 ms, the current one included (0.9–1 s of frames). */
export const STORM_BUCKET_MS = 100;
const BUCKETS = 10;
/** The sender window: two buckets of 500 ms, the current one included (0.5–1 s of frames). */
export const SENDER_BUCKET_MS = 500;
/** A storm ends once its rate has been at or under the threshold this long. */
export const STORM_QUIET_MS = 1_000;
/** The most talkers an ended storm names. */
export const TOP_TALKERS = 5;

/** A station's record in `IdRecords`: its MAC, 500 ms bucket and counts, storm and frames in it. */
const MAC = 1;
const HALF = 2;
const CURRENT = 3;
const PREVIOUS = 4;
/** 1 while the station is in a storm of its own (its counters are its `StormingTalker`'s). */
const STORMY = 5;
const SERIAL = 6;
const FRAMES = 7;
const STRIDE = 8;

/** One storm while it lasts: the frames that arrived while the rate was above the threshold. */
class Storm {
  frames = 1;
  // Initialised with numbers (not left undefined) so that V8 keeps them as unboxed doubles:
  // they change at every frame of a storm.
  peakFrame = 0;
  lastFrame = 0;
  lastMs = 0;
  /** Since when the rate has been at or under the threshold (NaN while above). */
  quietSinceMs = NaN;

  constructor(
    /** The sender, or `NO_MAC` for a segment storm. */
    readonly mac: number,
    /** Tells this storm's talker counts from older ones (segment storms). */
    readonly serial: number,
    readonly source: string,
    readonly vlans: readonly number[],
    readonly startMs: number,
    readonly firstFrame: number,
    public peakRate: number,
  ) {
    this.peakFrame = this.lastFrame = firstFrame;
    this.lastMs = startMs;
  }

  /** A frame that arrived with the rate (it included) at `rate`, above the threshold. */
  add(number: number, timeMs: number, rate: number): void {
    this.frames++;
    this.lastFrame = number;
    this.lastMs = timeMs;
    this.quietSinceMs = NaN;
    if (rate > this.peakRate) {
      this.peakRate = rate;
      this.peakFrame = number;
    }
  }
}

/** A station in a storm of its own: its counters move here from the table while it lasts. */
class StormingTalker {
  /** Its 500 ms bucket (a number from the start, so kept unboxed). */
  half = 0;
  current = 0;
  previous = 0;

  constructor(
    readonly storm: Storm,
    /** Its id in the table, and the id's generation then: the id may go to another station. */
    readonly id: number,
    readonly generation: number,
    half: number,
  ) {
    this.half = half;
  }
}

/** One interface or file: its 100 ms ring and storm, and its stations in a storm. */
class SourceWindow {
  readonly ring = new Int32Array(BUCKETS);
  /** Absolute index of the current 100 ms bucket, and its slot in `ring`. */
  bucket = NaN;
  slot = 0;
  /** Frames in the ring. */
  total = 0;
  storm: Storm | undefined = undefined;
  half = NaN;
  /**
   * Frames before this time fall in the current buckets, both of them (a 500 ms boundary is a
   * 100 ms one): a millisecond short of the next 100 ms boundary, a margin far above the
   * rounding of the divisions that place a frame, so most frames need none.
   */
  rollAtMs = NaN;
  readonly storming = new Map<number, StormingTalker>();

  constructor(
    readonly name: string,
    timeMs: number,
  ) {
    this.bucket = Math.floor(timeMs / STORM_BUCKET_MS);
    this.slot = this.bucket % BUCKETS;
    this.half = Math.floor(timeMs / SENDER_BUCKET_MS);
    this.rollAtMs = rollAt(this.bucket);
  }
}

/** `SourceWindow.rollAtMs` for the 100 ms bucket `bucket`. */
function rollAt(bucket: number): number {
  return (bucket + 1) * STORM_BUCKET_MS - 1;
}

/**
 * `storm`: ARP and RARP frames on one interface or file (all VLANs together) above `stormRate`
 * per second, or from one station (the Ethernet source; the ARP sender MAC when the link has
 * none) above `stormSenderRate`.
 *
 * The rate is a frame count over a sliding window of fixed buckets, advanced by frame time: for
 * the segment, the current 100 ms bucket and the nine before it; for a sender, the current
 * 500 ms bucket and the one before it. A storm starts at the frame that takes the rate above the
 * threshold (strictly: a rate equal to it is no storm) and ends once the rate has stayed at or
 * under it for `STORM_QUIET_MS` (measured from the bucket boundary where it fell), or at the end
 * of the input. Its frames, peak and talkers are those of the frames that arrived while the rate
 * was above the threshold; its duration runs from its first frame to the moment the rate fell.
 *
 * Each start and end is one finding; the key (`segment/start`, `02:…:01/end`) carries the state
 * so the end of a storm is never taken for a repeat of its start.
 *
 * Stations are counted in records of `IdRecords` indexed by the run's address ids (the
 * observation's `senderId`: its Ethernet source as an address of its interface), so a frame
 * allocates nothing and most frames hash no address of their own. The run's ids are bounded
 * (`maxEntries` addresses, twice over, IPs and MACs together; the least recently used recycled);
 * a station whose id went to another station is forgotten and counted in `evicted`.
 */
export class StormDetector implements Detector {
  private readonly rate: number;
  private readonly senderRate: number;
  private readonly sources = new Map<string, SourceWindow>();
  private last: SourceWindow | undefined = undefined;
  private serial = 0;
  private refused = 0;
  /** Per station id: which address holds it, its 500 ms bucket and counts, its storm frames. */
  private readonly stations = new IdRecords(STRIDE);
  private readonly maxEntries: number;

  constructor(thresholds: Thresholds) {
    this.rate = thresholds.stormRate;
    this.senderRate = thresholds.stormSenderRate;
    this.maxEntries = thresholds.maxEntries;
  }

  /** Stations forgotten for room, and sender storms not followed because the table was full. */
  get evicted(): number {
    return this.stations.evicted + this.refused;
  }

  frame(o: Observation, sink: FindingSink): void {
    if (o.kind !== 'arp' && o.kind !== 'rarp') return;
    let source = this.last;
    if (source === undefined || source.name !== o.source) {
      source = this.sources.get(o.source);
      if (source === undefined) {
        source = new SourceWindow(o.source, o.timeMs);
        this.sources.set(o.source, source);
      }
      this.last = source;
    }
    // Most frames fall in the buckets of the frame before: no call. (The time is read again for
    // each call: a number passed to calls is boxed where it is defined, so once per frame.)
    if (source.storm !== undefined || source.storming.size > 0 || o.timeMs >= source.rollAtMs) {
      this.roll(source, o.timeMs, sink);
    }
    const id = this.talker(source, o);
    this.countSegment(source, o, id, sink);
    if (id >= 0) this.countSender(source, o, id, sink);
  }

  advance(nowMs: number, sink: FindingSink): void {
    for (const source of this.sources.values()) this.roll(source, nowMs, sink);
  }

  finish(nowMs: number, sink: FindingSink): void {
    for (const source of this.sources.values()) {
      this.roll(source, nowMs, sink);
      if (source.storm !== undefined) this.end(source.storm, nowMs, false, sink);
      source.storm = undefined;
      for (const talker of source.storming.values()) this.end(talker.storm, nowMs, false, sink);
      source.storming.clear();
    }
    const data = this.stations.data;
    for (const at of this.stations.starts()) data[at + STORMY] = 0;
  }

  /**
   * The id of the station sending `o` on `source` (its Ethernet source, else its ARP sender MAC),
   * its counters moved to the source's 500 ms bucket; -1 when the frame names none.
   */
  private talker(source: SourceWindow, o: Observation): number {
    const id = o.senderId;
    if (id < 0) return -1;
    const generation = o.senderGen;
    const half = source.half;
    const stations = this.stations;
    let at = stations.find(id, generation);
    if (at < 0) {
      at = stations.claim(id, generation);
      const mac = o.ethSource !== NO_MAC ? o.ethSource : o.sha;
      const d = stations.data;
      d[at + MAC] = mac;
      d[at + HALF] = half;
      d[at + STORMY] = source.storming.size > 0 && source.storming.has(mac) ? 1 : 0;
      return id;
    }
    const d = stations.data;
    const last = d[at + HALF]!;
    if (last !== half) {
      d[at + PREVIOUS] = half - last === 1 ? d[at + CURRENT]! : 0;
      d[at + CURRENT] = 0;
      d[at + HALF] = half;
    }
    return id;
  }

  /** Moves `source`'s windows to `nowMs`, noting when storms fell quiet and ending those due. */
  private roll(source: SourceWindow, nowMs: number, sink: FindingSink): void {
    const bucket = Math.floor(nowMs / STORM_BUCKET_MS);
    if (bucket > source.bucket) {
      const storm = source.storm;
      const steps = Math.min(bucket - source.bucket, BUCKETS);
      const ring = source.ring;
      for (let step = 1; step <= steps; step++) {
        const slot = (source.slot + step) % BUCKETS;
        source.total -= ring[slot]!;
        ring[slot] = 0;
        if (storm !== undefined && Number.isNaN(storm.quietSinceMs) && source.total <= this.rate) {
          storm.quietSinceMs = (source.bucket + step) * STORM_BUCKET_MS;
        }
      }
      source.bucket = bucket;
      source.slot = bucket % BUCKETS;
      source.rollAtMs = rollAt(bucket);
    }
    if (source.storm !== undefined && this.endIfQuiet(source.storm, nowMs, sink)) {
      source.storm = undefined;
    }
    const half = Math.floor(nowMs / SENDER_BUCKET_MS);
    if (half <= source.half) return;
    source.half = half;
    for (const [mac, talker] of source.storming) {
      this.rollStorming(talker, half);
      if (!this.endIfQuiet(talker.storm, nowMs, sink)) continue;
      source.storming.delete(mac);
      this.unpin(talker);
    }
  }

  /** Moves a storming station to the 500 ms bucket `half`, noting when its storm fell quiet. */
  private rollStorming(talker: StormingTalker, half: number): void {
    const gap = half - talker.half;
    if (gap <= 0) return;
    const current = talker.current;
    talker.previous = gap === 1 ? current : 0;
    talker.current = 0;
    const storm = talker.storm;
    if (Number.isNaN(storm.quietSinceMs)) {
      // Just after the first boundary the rate is `current`; after the second it is 0.
      if (current <= this.senderRate) storm.quietSinceMs = (talker.half + 1) * SENDER_BUCKET_MS;
      else if (gap >= 2) storm.quietSinceMs = (talker.half + 2) * SENDER_BUCKET_MS;
    }
    talker.half = half;
  }

  /** A storm ended: the station's counters go back to the table (unless its id went to another). */
  private unpin(talker: StormingTalker): void {
    const id = talker.id;
    const at = id * STRIDE;
    const d = this.stations.data;
    if (d[at] !== talker.generation) return;
    d[at + STORMY] = 0;
    d[at + HALF] = talker.half;
    d[at + CURRENT] = talker.current;
    d[at + PREVIOUS] = talker.previous;
  }

  private countSegment(source: SourceWindow, o: Observation, id: number, sink: FindingSink): void {
    source.ring[source.slot]!++;
    const rate = ++source.total;
    if (rate <= this.rate) return;
    let storm = source.storm;
    if (storm === undefined) {
      const serial = ++this.serial;
      storm = new Storm(NO_MAC, serial, o.source, NO_VLANS, o.timeMs, o.number, rate);
      source.storm = storm;
      sink(this.started(storm, this.rate));
    } else {
      storm.add(o.number, o.timeMs, rate);
    }
    if (id < 0) return;
    const at = id * STRIDE;
    const d = this.stations.data;
    if (d[at + SERIAL] !== storm.serial) {
      d[at + SERIAL] = storm.serial;
      d[at + FRAMES] = 0;
    }
    d[at + FRAMES]!++;
  }

  private countSender(source: SourceWindow, o: Observation, id: number, sink: FindingSink): void {
    const at = id * STRIDE;
    const d = this.stations.data;
    if (d[at + STORMY] === 1) {
      // `roll` moved every storming station to the source's current bucket already.
      const talker = source.storming.get(d[at + MAC]!)!;
      const rate = ++talker.current + talker.previous;
      if (rate > this.senderRate) talker.storm.add(o.number, o.timeMs, rate);
      return;
    }
    const rate = ++d[at + CURRENT]! + d[at + PREVIOUS]!;
    if (rate <= this.senderRate) return;
    if (source.storming.size >= this.maxEntries) {
      this.refused++;
      return;
    }
    const mac = d[at + MAC]!;
    const storm = new Storm(mac, 0, o.source, o.vlans, o.timeMs, o.number, rate);
    const talker = new StormingTalker(storm, id, d[at]!, source.half);
    talker.current = d[at + CURRENT]!;
    talker.previous = d[at + PREVIOUS]!;
    source.storming.set(mac, talker);
    d[at + STORMY] = 1;
    sink(this.started(storm, this.senderRate));
  }

  /** Ends `storm` when it has been quiet long enough by `nowMs`; true when it did. */
  private endIfQuiet(storm: Storm, nowMs: number, sink: FindingSink): boolean {
    const quiet = storm.quietSinceMs;
    if (Number.isNaN(quiet) || nowMs < quiet + STORM_QUIET_MS) return false;
    this.end(storm, quiet + STORM_QUIET_MS, true, sink);
    return true;
  }

  /**
   * The talkers of segment storm `serial` with the most frames (a scan of the table). A station
   * forgotten for room keeps its frames until its id goes to another station.
   */
  private topOf(serial: number): [mac: number, frames: number][] {
    const talkers = new Map<number, number>();
    const d = this.stations.data;
    for (const at of this.stations.starts()) {
      if (d[at + SERIAL] === serial) talkers.set(d[at + MAC]!, d[at + FRAMES]!);
    }
    return topTalkers(talkers);
  }

  private started(storm: Storm, threshold: number): Finding {
    const what = `${storm.peakRate} ARP frames/s (threshold ${threshold}/s)`;
    const fields = { state: 'start', rate: storm.peakRate, threshold };
    return stormFinding(storm, storm.startMs, [storm.firstFrame], what, fields);
  }

  /** Reports the end of `storm` at `timeMs`: after its quiet second, or at the end of input. */
  private end(storm: Storm, timeMs: number, quiet: boolean, sink: FindingSink): void {
    const sender = storm.mac !== NO_MAC;
    const endMs = Number.isNaN(storm.quietSinceMs) ? storm.lastMs : storm.quietSinceMs;
    const durationSeconds = Math.round(endMs - storm.startMs) / 1000;
    const top = sender ? [[storm.mac, storm.frames] as const] : this.topOf(storm.serial);
    const frames = [storm.firstFrame];
    if (storm.peakFrame !== storm.firstFrame) frames.push(storm.peakFrame);
    if (storm.lastFrame !== storm.peakFrame) frames.push(storm.lastFrame);
    let text = `ended after ${durationSeconds.toFixed(1)}s: peak ${storm.peakRate}/s, ${storm.frames} frames`;
    if (!sender && top.length > 0) {
      text += `, top talkers ${top.map(([mac, n]) => `${formatMac(mac as Mac)} ${n}`).join(', ')}`;
    }
    if (!quiet) text += ' (end of input)';
    const fields = {
      state: 'end',
      threshold: sender ? this.senderRate : this.rate,
      peakRate: storm.peakRate,
      frames: storm.frames,
      durationSeconds,
      topTalkers: top.map(([mac, n]) => `${formatMac(mac as Mac)}=${n}`),
      endedBy: quiet ? 'quiet' : 'end-of-input',
    };
    sink(stormFinding(storm, timeMs, frames, text, fields));
  }
}

/** A start or end of `storm`; a sender storm names its MAC in the key, text and fields. */
function stormFinding(
  storm: Storm,
  timeMs: number,
  frames: number[],
  text: string,
  fields: Record<string, FieldValue> & { state: string },
): Finding {
  const mac = storm.mac === NO_MAC ? undefined : formatMac(storm.mac as Mac);
  const scope = mac === undefined ? 'segment' : 'sender';
  return {
    kind: 'storm',
    timeMs,
    source: storm.source,
    vlans: storm.vlans,
    key: `${mac ?? 'segment'}/${fields.state}`,
    ...(mac !== undefined ? { mac } : {}),
    frames,
    text: mac === undefined ? text : `${mac} ${fields.state === 'start' ? 'sends ' : ''}${text}`,
    fields: { scope, ...fields, ...(mac !== undefined ? { mac } : {}) },
  };
}

const NO_VLANS: readonly number[] = Object.freeze([]);

/** The `TOP_TALKERS` talkers with the most frames, most first (ties: the lower MAC first). */
export function topTalkers(talkers: ReadonlyMap<number, number>): [mac: number, frames: number][] {
  const top: [number, number][] = [];
  for (const [mac, frames] of talkers) {
    if (top.length === TOP_TALKERS && !before(mac, frames, top[TOP_TALKERS - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(mac, frames, top[at - 1]!)) at--;
    top.splice(at, 0, [mac, frames]);
    if (top.length > TOP_TALKERS) top.pop();
  }
  return top;
}

function before(mac: number, frames: number, other: readonly [number, number]): boolean {
  return frames > other[1] || (frames === other[1] && mac < other[0]);
}
