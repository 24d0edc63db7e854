/**
 * Information events: frames that are normal but worth seeing with `--verbose` — gratuitous ARP,
 * RFC 5227 probes and announcements, RARP, and unsolicited IPv6 Neighbor Advertisements.
 */
import { ArpOp, arpOpName } from '../wire/arp.js';
import { ArpFlag } from '../wire/classify.js';
import { formatIpv4, type Ipv4 } from '../wire/ipv4.js';
import { formatIpv6 } from '../wire/ipv6.js';
import { formatMac, type Mac } from '../wire/mac.js';
import { segmentSubject } from './bindings.js';
import type { Detector } from './detector.js';
import {
  type FieldValue,
  type Finding,
  findingAt,
  type FindingSink,
  type InfoKind,
} from './finding.js';
import type { Observation } from './observation.js';
import type { Thresholds } from './thresholds.js';

/**
 * `announcement`, `gratuitous`, `probe`, `rarp` and `unsolicited-na`: one finding per frame,
 * keyed by the address it is about (with the VLAN), the frame itself as evidence. Keeps no
 * state. The classification is Wireshark's (`arp.isannouncement`, `arp.isgratuitous`,
 * `arp.isprobe`; see `arpFlags`):
 *
 * - `announcement`: a request with SPA = TPA and THA all zero (RFC 5227 §2.3);
 * - `gratuitous`: any other request or reply with SPA = TPA, as a reply (RFC 5944 §4.6) or a
 *   request with THA set;
 * - neither when SPA = TPA = 0.0.0.0, which claims no address;
 * - `probe`: a request with SPA 0.0.0.0 for a non-zero TPA (RFC 5227 §2.1.1);
 * - `rarp`: any RARP frame (RFC 903);
 * - `unsolicited-na`: a Neighbor Advertisement with the Solicited flag clear (RFC 4861 §7.2.6)
 *   whose checksum verifies (a corrupt one is the anomaly detector's `malformed`).
 */
export class InfoEventDetector implements Detector {
  readonly evicted = 0;

  /** No threshold applies; the argument keeps every detector's constructor alike. */
  constructor(_thresholds?: Thresholds) {}

  frame(o: Observation, sink: FindingSink): void {
    switch (o.kind) {
      case 'arp':
        if (o.ethernetIpv4 && o.flags & (ArpFlag.GRATUITOUS | ArpFlag.PROBE)) this.arp(o, sink);
        return;
      case 'rarp':
        this.rarp(o, sink);
        return;
      case 'nd':
        this.nd(o, sink);
        return;
      default:
        return;
    }
  }

  advance(): void {}

  finish(): void {}

  private arp(o: Observation, sink: FindingSink): void {
    const mac = formatMac(o.sha as Mac);
    if (o.flags & ArpFlag.PROBE) {
      const ip = formatIpv4(o.tpa as Ipv4);
      sink(event('probe', o, `${mac}>${ip}`, ip, mac, `${mac} probes for ${ip}`, { ip, mac }));
      return;
    }
    // SPA = TPA = 0.0.0.0 claims nothing (the switch-teaching "learn" frame, a broken stack).
    if (o.spa === 0) return;
    const ip = formatIpv4(o.spa as Ipv4);
    if (o.flags & ArpFlag.ANNOUNCEMENT) {
      sink(
        event('announcement', o, `${mac}>${ip}`, ip, mac, `${mac} announces ${ip}`, { ip, mac }),
      );
      return;
    }
    const form = o.flags & ArpFlag.REPLY ? 'reply' : 'request';
    const targetMac = formatMac(o.tha as Mac);
    sink(
      event('gratuitous', o, `${mac}>${ip}`, ip, mac, `${mac} claims ${ip} (${form})`, {
        ip,
        mac,
        form,
        targetMac,
      }),
    );
  }

  private rarp(o: Observation, sink: FindingSink): void {
    const op = arpOpName(o.op);
    if (!o.ethernetIpv4) {
      sink(event('rarp', o, op, undefined, undefined, `${op} (not Ethernet/IPv4)`, { op }));
      return;
    }
    const senderMac = formatMac(o.sha as Mac);
    const targetMac = formatMac(o.tha as Mac);
    const ip = formatIpv4(o.tpa as Ipv4);
    let text: string;
    if (o.op === ArpOp.RARP_REQUEST) text = `who is ${targetMac}? (from ${senderMac})`;
    else if (o.op === ArpOp.RARP_REPLY) text = `${targetMac} is ${ip} (from ${senderMac})`;
    else text = `${op} from ${senderMac} for ${targetMac}`;
    const fields = { op, senderMac, targetMac, ip };
    sink(event('rarp', o, targetMac, o.tpa === 0 ? undefined : ip, targetMac, text, fields));
  }

  private nd(o: Observation, sink: FindingSink): void {
    const packet = o.nd;
    if (packet === undefined || !packet.checksumOk) return;
    const na = packet.nd;
    if (na.type !== 'na' || na.solicited) return;
    const target = formatIpv6(na.target);
    const source = formatIpv6(packet.ip.source);
    const fields: Record<string, FieldValue> = {
      target,
      source,
      override: na.override,
      router: na.router,
    };
    const flags = [na.override ? 'override' : '', na.router ? 'router' : ''].filter(Boolean);
    const suffix = flags.length === 0 ? '' : ` (${flags.join(', ')})`;
    if (na.targetLla === undefined) {
      const text = `${target} without a link-layer address${suffix}`;
      sink(event('unsolicited-na', o, target, target, undefined, text, fields));
      return;
    }
    const lladdr = formatMac(na.targetLla);
    fields['lladdr'] = lladdr;
    const text = `${target} is-at ${lladdr}${suffix}`;
    sink(event('unsolicited-na', o, `${lladdr}>${target}`, target, lladdr, text, fields));
  }
}

/** One event finding for frame `o`: its time, place and number. */
function event(
  kind: InfoKind,
  o: Observation,
  subject: string,
  ip: string | undefined,
  mac: string | undefined,
  text: string,
  fields: Record<string, FieldValue>,
): Finding {
  const key = segmentSubject(subject, o.vlans);
  return findingAt(o, { kind, key, ip, mac, frames: [o.number], text, fields });
}
