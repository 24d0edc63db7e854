import { formatMac, type Mac } from '../wire/mac.js';
import type { Analyzer } from './analyzer.js';
import { FINDING_KINDS, type FindingKind } from './finding.js';
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
  readonly troubles: readonly ReportedTrouble[];
  /** Entries forgotten for room, by table. */
  readonly evicted: Readonly<Record<string, number>>;
}

/** The report of what `analyzer` has seen so far. */
export function buildReport(source: string, analyzer: Analyzer): Report {
  const frames = { ...analyzer.counts.counts };
  const byKind = Object.fromEntries(
    FINDING_KINDS.map((kind) => [kind, analyzer.tally.byKind.get(kind) ?? 0]),
  ) as Record<FindingKind, number>;
  const troubles: ReportedTrouble[] = [];
  for (const tally of analyzer.tally.all()) {
    troubles.push({
      kind: tally.kind,
      key: tally.key,
      ip: tally.first.ip ?? null,
      mac: tally.first.mac ?? null,
      vlan: tally.first.vlans,
      count: tally.count,
      firstSeen: isoTime(tally.first.timeMs),
      lastSeen: isoTime(tally.last.timeMs),
      firstTs: Number(epochSeconds(tally.first.timeMs)),
      lastTs: Number(epochSeconds(tally.last.timeMs)),
      frames: tally.frames,
      text: tally.last.text,
    });
  }
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
  for (const kind of kinds) {
    const troubles = report.troubles.filter((t) => t.kind === kind);
    lines.push(`${kind}: ${report.findings[kind]} (${troubles.length} distinct)`);
    for (const t of troubles.slice(0, LISTED_PER_KIND)) {
      const vlan = vlanLabel(t.vlan);
      const when =
        t.count === 1
          ? localTime(t.firstTs * 1000)
          : `${t.count}x ${localTime(t.firstTs * 1000)} .. ${localTime(t.lastTs * 1000)}`;
      lines.push(
        `  ${t.text}${vlan === '' ? '' : ` ${vlan}`}: ${when}, frames ${t.frames.join(',')}`,
      );
    }
    if (troubles.length > LISTED_PER_KIND) {
      lines.push(`  and ${troubles.length - LISTED_PER_KIND} more (--json lists every one)`);
    }
  }
  const evicted = Object.entries(report.evicted).filter(([, n]) => n > 0);
  if (evicted.length > 0) {
    lines.push(`evicted (tables full): ${evicted.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
