/** EtherType values arpkit decodes or emits (IEEE registry). */
export const EtherType = Object.freeze({
  IPV4: 0x0800,
  ARP: 0x0806,
  /** RFC 903 */
  RARP: 0x8035,
  /** IEEE 802.1Q customer tag */
  VLAN: 0x8100,
  IPV6: 0x86dd,
  /** IEEE 802.1ad service tag (QinQ outer) */
  QINQ: 0x88a8,
  /** Pre-standard QinQ outer tag still sent by some switches */
  QINQ_LEGACY: 0x9100,
});

/** `0x0806` style text for any 16-bit value: the number is never lost. */
export function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

/** True for the TPIDs that introduce an 802.1Q/802.1ad tag. */
export function isVlanTpid(ethertype: number): boolean {
  return (
    ethertype === EtherType.VLAN ||
    ethertype === EtherType.QINQ ||
    ethertype === EtherType.QINQ_LEGACY
  );
}
