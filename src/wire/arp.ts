import { ByteView } from './byte-view.js';
import { checkField, needBytes, WireError } from './error.js';
import { EtherType, hex16 } from './ethertype.js';
import { IPV4_LEN, type Ipv4, readIpv4, writeIpv4 } from './ipv4.js';
import { MAC_LEN, type Mac, readMac, writeMac } from './mac.js';

/**
 * ARP field offsets (RFC 826, "Packet format"). The four addresses follow a fixed 8-byte header
 * and their positions depend on the hardware (`hlen`) and protocol (`plen`) address lengths.
 */
export const arpField = Object.freeze({
  HTYPE: 0,
  PTYPE: 2,
  HLEN: 4,
  PLEN: 5,
  OPER: 6,
  SHA: 8,
  spa: (hlen: number) => 8 + hlen,
  tha: (hlen: number, plen: number) => 8 + hlen + plen,
  tpa: (hlen: number, plen: number) => 8 + 2 * hlen + plen,
  end: (hlen: number, plen: number) => 8 + 2 * (hlen + plen),
});

/** Bytes in the fixed part of any ARP packet. */
export const ARP_HEADER_LEN = arpField.SHA;
/** Bytes in an Ethernet/IPv4 ARP or RARP packet. */
export const ARP_ETHERNET_IPV4_LEN = arpField.end(MAC_LEN, IPV4_LEN);

/** Hardware type of Ethernet (RFC 826 `ar$hrd`, IANA "Hardware Types"). */
export const ARP_HTYPE_ETHERNET = 1;
/** Hardware type of ATM: its ARP (RFC 2225 §8.7) has a different header, not RFC 826's. */
export const ARP_HTYPE_ATM = 19;

/** ARP operation codes (IANA "Operation Codes"; 3 and 4 from RFC 903, 8 and 9 from RFC 2390). */
export const ArpOp = Object.freeze({
  REQUEST: 1,
  REPLY: 2,
  RARP_REQUEST: 3,
  RARP_REPLY: 4,
  INARP_REQUEST: 8,
  INARP_REPLY: 9,
});

const OP_NAMES: ReadonlyMap<number, string> = new Map([
  [ArpOp.REQUEST, 'request'],
  [ArpOp.REPLY, 'reply'],
  [ArpOp.RARP_REQUEST, 'rarp-request'],
  [ArpOp.RARP_REPLY, 'rarp-reply'],
  [ArpOp.INARP_REQUEST, 'inarp-request'],
  [ArpOp.INARP_REPLY, 'inarp-reply'],
]);

/** `request`, `reply`, `rarp-request`… or the number as `0x0005`: an unknown op keeps its value. */
export function arpOpName(op: number): string {
  return OP_NAMES.get(op) ?? hex16(op);
}

/** A read/write view over an ARP or RARP packet of any hardware and protocol type. */
export class ArpPacket extends ByteView {
  /**
   * Wraps `bytes[offset, offset + length)` after checking the fixed header and that all four
   * addresses its `hlen` and `plen` announce are present; throws a `truncated` WireError.
   * Trailing padding is allowed. ATM ARP (hardware type 19) is `unsupported`: its RFC 2225
   * header is laid out differently, so RFC 826 offsets would misread it.
   */
  static checked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): ArpPacket {
    return new ArpPacket().rebindShared(bytes, offset, length);
  }

  /** Wraps `bytes` unchecked: only for emitting into a buffer sized by `arpBufferLen`. */
  static unchecked(bytes: Uint8Array, offset = 0, length = bytes.length - offset): ArpPacket {
    const packet = new ArpPacket();
    packet.checkBounds('arp', bytes, offset, length);
    packet.point(bytes, offset, length);
    return packet;
  }

  /** Re-points this view at another packet after the same check as `checked` (shared view). */
  rebindShared(bytes: Uint8Array, offset: number, length: number): this {
    this.checkBounds('arp', bytes, offset, length);
    needBytes('arp', 0, length, ARP_HEADER_LEN);
    const htype = (bytes[offset + arpField.HTYPE]! << 8) | bytes[offset + arpField.HTYPE + 1]!;
    if (htype === ARP_HTYPE_ATM) {
      throw new WireError(
        {
          kind: 'unsupported',
          layer: 'arp',
          offset: arpField.HTYPE,
          got: htype,
          expected: 'an RFC 826 hardware type',
        },
        'hardware type (ATM ARP, RFC 2225)',
      );
    }
    const end = arpField.end(bytes[offset + arpField.HLEN]!, bytes[offset + arpField.PLEN]!);
    needBytes('arp', ARP_HEADER_LEN, length, end);
    this.point(bytes, offset, length);
    return this;
  }

  get htype(): number {
    return this.view.getUint16(this.offset + arpField.HTYPE);
  }

  get ptype(): number {
    return this.view.getUint16(this.offset + arpField.PTYPE);
  }

  get hlen(): number {
    return this.view.getUint8(this.offset + arpField.HLEN);
  }

  get plen(): number {
    return this.view.getUint8(this.offset + arpField.PLEN);
  }

  get op(): number {
    return this.view.getUint16(this.offset + arpField.OPER);
  }

  /** True when the addresses are a 6-byte MAC and a 4-byte IPv4 address, the only kind `parseArp` reads. */
  get isEthernetIpv4(): boolean {
    return (
      this.htype === ARP_HTYPE_ETHERNET &&
      this.ptype === EtherType.IPV4 &&
      this.hlen === MAC_LEN &&
      this.plen === IPV4_LEN
    );
  }

  /** Sender hardware address bytes (a view). */
  get senderHardware(): Uint8Array {
    return this.field(arpField.SHA, arpField.spa(this.hlen));
  }

  /** Sender protocol address bytes (a view). */
  get senderProtocol(): Uint8Array {
    return this.field(arpField.spa(this.hlen), arpField.tha(this.hlen, this.plen));
  }

  /** Target hardware address bytes (a view). */
  get targetHardware(): Uint8Array {
    return this.field(arpField.tha(this.hlen, this.plen), arpField.tpa(this.hlen, this.plen));
  }

  /** Target protocol address bytes (a view). */
  get targetProtocol(): Uint8Array {
    return this.field(arpField.tpa(this.hlen, this.plen), arpField.end(this.hlen, this.plen));
  }

  /** Bytes after the packet proper: Ethernet padding, if any (a view). */
  get trailer(): Uint8Array {
    return this.bytes.subarray(this.offset + arpField.end(this.hlen, this.plen), this.end);
  }

  /** Writes the fixed header of an Ethernet/IPv4 packet with operation `op`. */
  setEthernetIpv4Header(op: number): void {
    this.view.setUint16(this.offset + arpField.HTYPE, ARP_HTYPE_ETHERNET);
    this.view.setUint16(this.offset + arpField.PTYPE, EtherType.IPV4);
    this.view.setUint8(this.offset + arpField.HLEN, MAC_LEN);
    this.view.setUint8(this.offset + arpField.PLEN, IPV4_LEN);
    this.view.setUint16(this.offset + arpField.OPER, op);
  }

  private field(from: number, to: number): Uint8Array {
    return this.bytes.subarray(this.offset + from, this.offset + to);
  }
}

/** An Ethernet/IPv4 ARP or RARP packet as a plain value. */
export interface ArpRepr {
  /** Operation; see `ArpOp`. Any 16-bit value is kept. */
  readonly op: number;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

const SPA = arpField.spa(MAC_LEN);
const THA = arpField.tha(MAC_LEN, IPV4_LEN);
const TPA = arpField.tpa(MAC_LEN, IPV4_LEN);

/** Reads a checked packet; throws an `unsupported` WireError unless it is Ethernet/IPv4. */
export function parseArp(packet: ArpPacket): ArpRepr {
  if (!packet.isEthernetIpv4) {
    throw new WireError(
      {
        kind: 'unsupported',
        layer: 'arp',
        offset: arpField.HTYPE,
        got: `htype ${packet.htype} ptype ${hex16(packet.ptype)} hlen ${packet.hlen} plen ${packet.plen}`,
        expected: 'htype 1 ptype 0x0800 hlen 6 plen 4',
      },
      'address types',
    );
  }
  const { bytes, offset } = packet;
  return {
    op: packet.op,
    senderMac: readMac(bytes, offset + arpField.SHA),
    senderIp: readIpv4(bytes, offset + SPA),
    targetMac: readMac(bytes, offset + THA),
    targetIp: readIpv4(bytes, offset + TPA),
  };
}

/** Bytes an Ethernet/IPv4 packet takes (28), before any Ethernet padding. */
export function arpBufferLen(): number {
  return ARP_ETHERNET_IPV4_LEN;
}

/** Writes an Ethernet/IPv4 packet into a buffer sized by `arpBufferLen`. */
export function emitArp(repr: ArpRepr, packet: ArpPacket): void {
  checkField('arp', arpField.OPER, 'operation', repr.op, 0xffff);
  packet.setEthernetIpv4Header(repr.op);
  const { bytes, offset } = packet;
  writeMac(repr.senderMac, bytes, offset + arpField.SHA);
  writeIpv4(repr.senderIp, bytes, offset + SPA);
  writeMac(repr.targetMac, bytes, offset + THA);
  writeIpv4(repr.targetIp, bytes, offset + TPA);
}
