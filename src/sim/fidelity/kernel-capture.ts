/**
 * What a real interface in a test namespace sent and received, for the fidelity tests: tcpdump
 * writes a nanosecond pcap, and the frames are read back with arpkit's own pcap reader and
 * decoder (no tcpdump text is parsed).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource } from '../../pcap/byte-source.js';
import { openCapture, recordsShared } from '../../pcap/capture.js';
import type { Netns } from '../../testing/netns.js';
import { type ArpRepr, parseArp } from '../../wire/arp.js';
import { FrameDecoder } from '../../wire/frame.js';
import { MAC_BROADCAST, type Mac } from '../../wire/mac.js';

/** One frame seen on the interface: when (epoch ms, fractional), its Ethernet header. */
export interface CapturedFrame {
  readonly time: number;
  readonly source: Mac;
  readonly destination: Mac;
  readonly ethertype: number;
}

/** An Ethernet/IPv4 ARP frame seen on the interface, with its fields. */
export interface CapturedArp extends CapturedFrame, ArpRepr {}

/** Whether a captured frame went to the Ethernet broadcast address. */
export function isBroadcast(frame: CapturedFrame): boolean {
  return frame.destination === MAC_BROADCAST;
}

/** The ARP frames among `frames`. */
export function arpOnly(frames: readonly CapturedFrame[]): CapturedArp[] {
  return frames.filter((frame): frame is CapturedArp => 'op' in frame);
}

/** A running capture; `stop` ends it and returns what it saw. */
export interface Capture {
  /** Stops tcpdump (within 10 s) and returns its frames in the order captured. */
  stop(): Promise<CapturedFrame[]>;
}

const START_MS = 10_000;
const STOP_MS = 10_000;

/**
 * Starts tcpdump on `iface` in `ns` with the pcap filter `filter` (default `arp`), unbuffered,
 * and resolves once it listens. Its file lives in a temporary directory removed by `stop`.
 */
export async function startCapture(ns: Netns, iface: string, filter = 'arp'): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-fidelity-'));
  const file = join(dir, `${iface}.pcap`);
  const args = ['-n', '-U', '--immediate-mode', '--time-stamp-precision=nano'];
  const tcpdump = ns.spawn('tcpdump', [...args, '-i', iface, '-w', file, filter]);
  try {
    await tcpdump.waitFor(/listening on/, START_MS);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    async stop() {
      try {
        const child = tcpdump.child;
        if (child.exitCode === null && child.signalCode === null) {
          const closed = new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('tcpdump did not stop')), STOP_MS);
            child.once('close', () => resolve(clearTimeout(timer)));
          });
          child.kill('SIGINT');
          await closed;
        }
        return readCapture(readFileSync(file));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The Ethernet frames of a pcap or pcapng file's bytes, Ethernet/IPv4 ARP ones with their
 * fields; a frame too short for an Ethernet header is skipped.
 */
export function readCapture(bytes: Uint8Array): CapturedFrame[] {
  const decoder = new FrameDecoder();
  const frames: CapturedFrame[] = [];
  for (const record of recordsShared(openCapture(bytesSource(bytes)))) {
    const frame = decoder.decodeShared(record.data, 0, record.data.length, 'ethernet');
    const ethernet = frame.ethernet;
    if (ethernet === undefined || frame.ethertype === undefined) continue;
    const header = {
      time: record.tsSec * 1000 + record.tsNsec / 1e6,
      source: ethernet.source,
      destination: ethernet.destination,
      ethertype: frame.ethertype,
    };
    const arp = frame.proto === 'arp' && frame.arp.isEthernetIpv4;
    frames.push(arp ? { ...header, ...parseArp(frame.arp) } : header);
  }
  return frames;
}
