import { ArpOp, type ArpRepr } from './arp.js';
import { IPV4_ANY } from './ipv4.js';
import type { Mac } from './mac.js';

/*
 * RARP (RFC 903) reuses the ARP packet format of RFC 826 under its own ethertype (0x8035,
 * `EtherType.RARP`) with operations 3 ("request reverse") and 4 ("reply reverse"). `ArpPacket`,
 * `parseArp` and `emitArp` read and write it; this file holds what is RARP's own.
 */

/**
 * The RARP request a hypervisor sends to announce a guest's MAC (QEMU `announce-self`, VMware
 * "Notify Switches", OVS on bond failover): op 3, SHA = THA = the MAC, SPA = TPA = 0.0.0.0
 * (RFC 903: "request reverse" asking for the target's own protocol address).
 */
export function rarpAnnouncement(mac: Mac): ArpRepr {
  return {
    op: ArpOp.RARP_REQUEST,
    senderMac: mac,
    senderIp: IPV4_ANY,
    targetMac: mac,
    targetIp: IPV4_ANY,
  };
}
