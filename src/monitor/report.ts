import { formatMac, type Mac } from '../wire/mac.js';
import type { Analyzer } from './analyzer.js';
import { FINDING_KINDS, type FindingKind } from './finding.js';
import type { FindingTally, Tally } from './finding-tally.js';
import type { ClassCounts } from './frame-counts.js';
import { epochSeconds, isoTime, localTime, vlanLabel } from './finding-format.js';

/** One trouble in the report. */
export interface ReportedTrouble {
  readonly kind: FindingKind;
  readonly key: string;
  readonly ip: string | null;
  readonly mac: string | null;
  readonly vlan: readonly number[];
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The same two times as epoch seconds. */
  readonly firstTs: number;
  readonly lastTs: number;
  readonly frames: readonly number[];
  /** The latest finding's text. */
  readonly text: string;
}

/** What `arpkit analyze` ends with, and `arpkit monitor` on stop. */
export interface Report {
  readonly type: 'report';
  readonly source: string;
  readonly frames: ClassCounts;
  /** ARP requests per reply; null when there were no replies. */
  readonly requestReplyRatio: number | null;
  readonly topTalkers: readonly { mac: string; frames: number }[];
  /** Findings by kind (every kind, 0 included). */
  readonly findings: Readonly<Record<FindingKind, number>>;
  readonly troubles: Troubles;
  /** Entries forgotten for room, by table. */
  readonly evicted: Readonly<Record<string, number>>;
}

/** A report as its JSON line reads back. */
export type ReportJson = Omit<Report, 'troubles'> & {
  readonly troubles: readonly ReportedTrouble[];
};

/** The report of what `analyzer` has seen so far. */
export function buildReport(source: string, analyzer: Analyzer): Report {
  const frames = { ...analyzer.counts.counts };
  const byKind = Object.fromEntries(
    FINDING_KINDS.map((kind) => [kind, analyzer.tally.byKind.get(kind) ?? 0]),
  ) as Record<FindingKind, number>;
  const troubles = new Troubles(analyzer.tally);
  return {
    type: 'report',
    source,
    frames,
    requestReplyRatio: frames.replies === 0 ? null : round(frames.requests / frames.replies),
    topTalkers: analyzer.counts
      .topTalkers()
      .map(({ mac, frames: count }) => ({ mac: formatMac(mac as Mac), frames: count })),
    findings: byKind,
    troubles,
    evicted: analyzer.evicted(),
  };
}

/**
 * The troubles of a report in the order first seen, each made when it is read: a run with
 * 100,000 new stations never holds 100,000 of them (nor their JSON) at once. Read it as often as
 * needed; `JSON.stringify` gives the array.
 */
export class Troubles implements Iterable<ReportedTrouble> {
  private readonly order: readonly number[];

  constructor(private readonly tally: FindingTally) {
    this.order = tally.order();
  }

  get length(): number {
    return this.order.length;
  }

  *[Symbol.iterator](): Iterator<ReportedTrouble> {
    for (const slot of this.order) yield reported(this.tally.at(slot));
  }

  /** Each trouble as `JSON.stringify` writes it. */
  *json(): Generator<string> {
    for (const slot of this.order) yield troubleJson(this.tally.at(slot));
  }

  toJSON(): ReportedTrouble[] {
    return [...this];
  }
}

function reported(tally: Tally): ReportedTrouble {
  return {
    kind: tally.kind,
    key: tally.key,
    ip: tally.ip,
    mac: tally.mac,
    vlan: tally.vlans,
    count: tally.count,
    firstSeen: isoTime(tally.firstMs),
    lastSeen: isoTime(tally.lastMs),
    firstTs: Number(epochSeconds(tally.firstMs)),
    lastTs: Number(epochSeconds(tally.lastMs)),
    frames: tally.frames,
    text: tally.text,
  };
}

/**
 * `JSON.stringify(reported(tally))`, written out: a report can hold 100,000 troubles, and this
 * makes one string for each where the object and `JSON.stringify` took three times as long.
 */
function troubleJson(t: Tally): string {
  const ip = t.ip === null ? 'null' : JSON.stringify(t.ip);
  const mac = t.mac === null ? 'null' : JSON.stringify(t.mac);
  const times = `"firstSeen":"${isoTime(t.firstMs)}","lastSeen":"${isoTime(t.lastMs)}","firstTs":${Number(epochSeconds(t.firstMs))},"lastTs":${Number(epochSeconds(t.lastMs))}`;
  return `{"kind":"${t.kind}","key":${JSON.stringify(t.key)},"ip":${ip},"mac":${mac},"vlan":[${t.vlans.join(',')}],"count":${t.count},${times},"frames":[${t.frames.join(',')}],"text":${JSON.stringify(t.text)}}`;
}

/**
 * The report as one JSON line (what `JSON.stringify` gives, with a newline), in pieces: each
 * trouble is its own piece, so the line is never one string in memory.
 */
export function* reportJsonPieces(report: Report): Generator<string> {
  let separator = '{';
  for (const [name, value] of Object.entries(report)) {
    yield `${separator}${JSON.stringify(name)}:`;
    separator = ',';
    if (!(value instanceof Troubles)) {
      yield JSON.stringify(value);
      continue;
    }
    let comma = '[';
    for (const trouble of value.json()) {
      yield comma;
      yield trouble;
      comma = ',';
    }
    yield comma === '[' ? '[]' : ']';
  }
  yield '}\n';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** How many troubles of one kind the text report lists before "and N more". */
export const LISTED_PER_KIND = 5;

/** The report as text for a person. */
export function reportText(report: Report): string {
  const f = report.frames;
  const lines = [
    `# report ${report.source}`,
    `frames ${f.frames}: arp ${f.arp}, rarp ${f.rarp}, nd ${f.nd}, other ${f.other}, malformed ${f.malformed}`,
    `arp requests ${f.requests} (broadcast ${f.broadcastRequests}, unicast ${f.unicastRequests}), replies ${f.replies}, ratio ${report.requestReplyRatio ?? 'n/a (no replies)'}`,
    `gratuitous ${f.gratuitous}, probes ${f.probes}, announcements ${f.announcements}; nd solicitations ${f.neighborSolicitations}, advertisements ${f.neighborAdvertisements}`,
  ];
  if (report.topTalkers.length > 0) {
    const talkers = report.topTalkers.map((t) => `${t.mac} ${t.frames}`).join(', ');
    lines.push(`top talkers: ${talkers}`);
  }
  const kinds = FINDING_KINDS.filter((kind) => report.findings[kind] > 0);
  if (kinds.length === 0) lines.push('findings: none');
  const listed = new Map<FindingKind, ReportedTrouble[]>();
  const distinct = new Map<FindingKind, number>();
  for (const t of report.troubles) {
    const count = (distinct.get(t.kind) ?? 0) + 1;
    distinct.set(t.kind, count);
    if (count > LISTED_PER_KIND) continue;
    const list = listed.get(t.kind);
    if (list === undefined) listed.set(t.kind, [t]);
    else list.push(t);
  }
  for (const kind of kinds) {
    const count = distinct.get(kind) ?? 0;
    lines.push(`${kind}: ${report.findings[kind]} (${count} distinct)`);
    for (const t of listed.get(kind) ?? []) {
      const vlan = vlanLabel(t.vlan);
      const when =
        t.count === 1
          ? localTime(t.firstTs * 1000)
          : `${t.count}x ${localTime(t.firstTs * 1000)} .. ${localTime(t.lastTs * 1000)}`;
      lines.push(
        `  ${t.text}${vlan === '' ? '' : ` ${vlan}`}: ${when}, frames ${t.frames.join(',')}`,
      );
    }
    if (count > LISTED_PER_KIND) {
      lines.push(`  and ${count - LISTED_PER_KIND} more (--json lists every one)`);
    }
  }
  const evicted = Object.entries(report.evicted).filter(([, n]) => n > 0);
  if (evicted.length > 0) {
    lines.push(`evicted (tables full): ${evicted.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
