import { MemorySink } from '../pcap/byte-source.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import type { Detector } from '../monitor/detector.js';
import type { Finding } from '../monitor/finding.js';
import { ObservationBuilder } from '../monitor/observation.js';
import { DEFAULT_THRESHOLDS } from '../monitor/thresholds.js';
import { ArpOp } from '../wire/arp.js';
import { arpFrame } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { FrameDecoder, type LinkKind } from '../wire/frame.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, parseMac } from '../wire/mac.js';

/** An ARP frame for a test, by its fields as text; unset fields take the usual values. */
export interface ArpSpec {
  /** Milliseconds after the harness's start. */
  readonly at: number;
  /** `request` (default), `reply`, or an opcode number. */
  readonly op?: 'request' | 'reply' | number;
  readonly sha: string;
  readonly spa: string;
  /** Default 00:00:00:00:00:00 for a request, the Ethernet destination for a reply. */
  readonly tha?: string;
  readonly tpa: string;
  /** Default the sender hardware address. */
  readonly ethSource?: string;
  /** Default broadcast for a request, the target hardware address otherwise. */
  readonly ethDestination?: string;
  readonly vlans?: readonly number[];
  /** RARP instead of ARP. */
  readonly rarp?: boolean;
}

/** The epoch milliseconds `at: 0` stands for: 2023-11-14T22:13:20Z. */
export const HARNESS_START_MS = 1_700_000_000_000;

/** The whole Ethernet frame `spec` describes. */
export function arpSpecFrame(spec: ArpSpec): Uint8Array {
  const op =
    spec.op === undefined || spec.op === 'request'
      ? ArpOp.REQUEST
      : spec.op === 'reply'
        ? ArpOp.REPLY
        : spec.op;
  const request = op === ArpOp.REQUEST;
  const sha = parseMac(spec.sha);
  const tha = spec.tha !== undefined ? parseMac(spec.tha) : request ? MAC_ZERO : undefined;
  const destination =
    spec.ethDestination !== undefined
      ? parseMac(spec.ethDestination)
      : request
        ? MAC_BROADCAST
        : (tha ?? MAC_BROADCAST);
  const link = {
    destination,
    source: spec.ethSource !== undefined ? parseMac(spec.ethSource) : sha,
    vlans: (spec.vlans ?? []).map((vid) => ({ tpid: EtherType.VLAN, pcp: 0, dei: false, vid })),
  };
  const arp = {
    op,
    senderMac: sha,
    senderIp: parseIpv4(spec.spa),
    targetMac: tha ?? destination,
    targetIp: parseIpv4(spec.tpa),
  };
  return arpFrame(link, arp, spec.rarp === true ? EtherType.RARP : EtherType.ARP);
}

/**
 * Feeds one detector real frames (built, then decoded and observed as a capture would be) on a
 * virtual clock, numbering them from 1, and keeps every finding. Each call returns the findings
 * that call produced.
 */
export class DetectorHarness {
  readonly findings: Finding[] = [];
  private readonly decoder = new FrameDecoder();
  private readonly builder: ObservationBuilder;
  private number = 0;
  private readonly sink = (finding: Finding): void => {
    this.findings.push(finding);
  };

  /** `maxEntries` bounds the address ids as it does in the analyzer (twice as many kept). */
  constructor(
    readonly detector: Detector,
    readonly source = 'test.pcap',
    maxEntries: number = DEFAULT_THRESHOLDS.maxEntries,
  ) {
    this.builder = new ObservationBuilder(maxEntries);
  }

  /** The id and generation `ip` has (or now gets) on segment 0, as detectors index it. */
  ipId(ip: string): [number, number] {
    const ids = this.builder.ips;
    const id = ids.ipv4(0, parseIpv4(ip));
    return [id, ids.generation(id)];
  }

  /** Feeds the ARP frame `spec` describes. */
  arp(spec: ArpSpec): Finding[] {
    return this.bytes(arpSpecFrame(spec), spec.at);
  }

  /** Feeds raw link-layer bytes seen `at` ms after the start. */
  bytes(bytes: Uint8Array, at: number, link: LinkKind = 'ethernet'): Finding[] {
    return this.collect(() => {
      const frame = this.decoder.decodeShared(bytes, 0, bytes.length, link);
      const place = { source: this.source, number: ++this.number, timeMs: HARNESS_START_MS + at };
      this.detector.frame(this.builder.observeShared(frame, place), this.sink);
    });
  }

  /** Advances time to `at` ms after the start without a frame. */
  advance(at: number): Finding[] {
    return this.collect(() => this.detector.advance(HARNESS_START_MS + at, this.sink));
  }

  /** Ends the input at `at` ms after the start. */
  finish(at: number): Finding[] {
    return this.collect(() => this.detector.finish(HARNESS_START_MS + at, this.sink));
  }

  /** The kinds of every finding so far, in order. */
  kinds(): string[] {
    return this.findings.map((finding) => finding.kind);
  }

  private collect(run: () => void): Finding[] {
    const before = this.findings.length;
    run();
    return this.findings.slice(before);
  }
}

/** A classic pcap (in memory, µs) of the frames `specs` describe, stamped from `HARNESS_START_MS`. */
export function specsPcap(specs: readonly ArpSpec[]): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, { resolution: 'us' });
  for (const spec of specs) {
    const us = Math.round((HARNESS_START_MS + spec.at) * 1000);
    writer.writeRecord(arpSpecFrame(spec), Math.floor(us / 1e6), (us % 1e6) * 1000);
  }
  writer.flush();
  return sink.bytes();
}
