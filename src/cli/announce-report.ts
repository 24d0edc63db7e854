import type { AnnounceOutcome } from '../announce/announcer.js';
import type { AnnouncePlan, PlannedFrame } from '../announce/plan.js';
import { MAC_BROADCAST, formatMac } from '../wire/mac.js';
import { formatIpv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { ipv6MulticastMac } from '../wire/nd-packet.js';
import { IPV6_ALL_NODES } from '../wire/ipv6.js';
import type { AsciiWriter } from './ascii-writer.js';
import { epochParts } from '../time/clock.js';
import { epochText } from './timestamp.js';

/** Seconds with up to three decimals and no trailing zeros: `0s`, `1.1s`, `0.532s`. */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

const NA_DESTINATION = ipv6MulticastMac(IPV6_ALL_NODES);

/** The fields a frame line shows, in text and JSON alike. */
function fields(planned: PlannedFrame) {
  const { spec } = planned;
  const ip =
    spec.kind === 'na' ? formatIpv6(spec.ip) : spec.ip === undefined ? null : formatIpv4(spec.ip);
  return {
    iface: planned.egress,
    kind: spec.kind,
    ethSrc: formatMac(spec.ethSrc ?? spec.mac),
    ethDst: formatMac(spec.ethDst ?? (spec.kind === 'na' ? NA_DESTINATION : MAC_BROADCAST)),
    vlan: (spec.vlans ?? []).map((tag) => tag.vid),
    mac: formatMac(spec.mac),
    ip,
    source: planned.source,
  };
}

/**
 * What `arpkit announce` prints: with `--dry-run` one line per frame and round (the plan), else
 * one line per link and round as each ends; with `--json` one object per frame instead. A summary
 * line ends either.
 */
export class AnnounceReport {
  constructor(
    private readonly out: AsciiWriter,
    private readonly json: boolean,
  ) {}

  /** One planned frame of round `round` (from 0), which starts `offsetMs` after the first. */
  planned(planned: PlannedFrame, round: number, offsetMs: number): void {
    const f = fields(planned);
    if (this.json) {
      this.#line(JSON.stringify({ round: round + 1, offsetMs, ...f }));
      return;
    }
    const vlan = f.vlan.map((vid) => ` vlan ${vid}`).join('');
    const ip = f.ip === null ? '' : ` ${f.ip}`;
    this.#line(
      `round ${round + 1} +${secondsText(offsetMs)} ${f.iface} ${f.kind} ${f.ethSrc} > ${f.ethDst}${vlan}${ip} (${f.source})`,
    );
  }

  /** Frames of round `round` went out on their link at `epochMs` (JSON: one line each). */
  sent(frames: readonly PlannedFrame[], round: number, epochMs: number): void {
    if (!this.json) return;
    const { sec, nsec } = epochParts(epochMs);
    const time = Number(epochText(sec, nsec, 6));
    for (const planned of frames) {
      this.out.text(`${JSON.stringify({ time, round: round + 1, ...fields(planned) })}\n`);
    }
    this.out.flush();
  }

  /** Link `egress` finished round `round` (from 0) of `rounds`: `count` frames, `msFromStart` in. */
  roundDone(egress: string, round: number, rounds: number, count: number, msFromStart: number) {
    if (this.json) return;
    this.#line(
      `${egress}: round ${round + 1}/${rounds} sent ${framesText(count)} (+${secondsText(msFromStart)})`,
    );
  }

  /** The last line of a dry run. */
  planSummary(plan: AnnouncePlan, offsetsMs: readonly number[]): void {
    const perLink = countByEgress(plan.frames);
    const total = plan.frames.length * offsetsMs.length;
    if (this.json) {
      this.#line(
        JSON.stringify({
          summary: {
            dryRun: true,
            frames: total,
            framesPerRound: plan.frames.length,
            offsetsMs,
            links: [...perLink].map(([iface, frames]) => ({ iface, framesPerRound: frames })),
            skipped: plan.skipped,
          },
        }),
      );
      return;
    }
    this.#line(
      `planned ${framesText(plan.frames.length)} a round (${linkList(perLink)}), ${roundsText(offsetsMs)}: ${framesText(total)}; nothing sent (--dry-run)`,
    );
  }

  /** The last line of a run. */
  runSummary(
    plan: AnnouncePlan,
    offsetsMs: readonly number[],
    outcome: AnnounceOutcome,
    timings: { readonly hostMs: number; readonly planMs: number },
  ): void {
    const sent = outcome.links.reduce((sum, link) => sum + link.sent, 0);
    const failed = outcome.links.reduce((sum, link) => sum + link.failed, 0);
    if (this.json) {
      this.#line(
        JSON.stringify({
          summary: {
            dryRun: false,
            sent,
            failed,
            offsetsMs,
            durationMs: Math.round(outcome.durationMs),
            hostMs: round1(timings.hostMs),
            planMs: round1(timings.planMs),
            aborted: outcome.aborted,
            links: outcome.links.map((link) => ({
              iface: link.egress,
              sent: link.sent,
              failed: link.failed,
              error: link.error ?? null,
            })),
            skipped: plan.skipped,
          },
        }),
      );
      return;
    }
    const perLink = new Map(outcome.links.map((link) => [link.egress, link.sent]));
    const failures = outcome.links.filter((link) => link.failed > 0);
    const failedText =
      failures.length === 0
        ? '0 failed'
        : `${failed} failed (${failures.map((link) => `${link.egress}: ${link.error}`).join('; ')})`;
    this.#line(
      `sent ${framesText(sent)} (${linkList(perLink)}), ${roundsText(offsetsMs)}, in ${secondsText(outcome.durationMs)}; ${failedText}${outcome.aborted ? '; stopped early' : ''}`,
    );
  }

  #line(text: string): void {
    this.out.text(`${text}\n`);
    this.out.flush();
  }
}

/** `1 frame`, `2 frames`. */
function framesText(count: number): string {
  return count === 1 ? '1 frame' : `${count} frames`;
}

/** Milliseconds to a tenth. */
function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Frames per egress link, in the plan's order. */
export function countByEgress(frames: readonly PlannedFrame[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const frame of frames) counts.set(frame.egress, (counts.get(frame.egress) ?? 0) + 1);
  return counts;
}

function linkList(counts: ReadonlyMap<string, number>): string {
  return counts.size === 0 ? 'no link' : [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
}

function roundsText(offsetsMs: readonly number[]): string {
  const at = offsetsMs.map(secondsText).join(', ');
  return offsetsMs.length === 1 ? `1 round at ${at}` : `${offsetsMs.length} rounds at ${at}`;
}
