/**
 * RTM_NEWNEIGH messages of family AF_BRIDGE (`linux/neighbour.h`) read into `FdbEntry`s: the
 * forwarding database of every Linux bridge, as `bridge fdb show` lists it. The same dump also
 * carries each device's own unicast and multicast address lists (flag NTF_SELF, `… self
 * permanent`); those have no NDA_MASTER and are passed over, as are entries without a 6-byte
 * NDA_LLADDR. A bridge reports an entry's kind in `ndm_state` (`br_fdb.c`, `fdb_to_nud`):
 * NUD_PERMANENT for a local entry (the bridge's own address and its ports'), NUD_NOARP for a
 * static one, NUD_REACHABLE or NUD_STALE for a learned one.
 *
 * This is the path that meets thousands of entries, so it reads each message's attributes in
 * one pass straight from the datagram, with no table and no object but the entry it returns.
 */
import type { FdbEntry, FdbState } from './snapshot.js';
import { attributeLength } from './netlink-attributes.js';
import { MessageCursorShared } from './netlink-message.js';
import { NlaFlag, NlattrHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import { Family, Nda, Ndmsg, Nud, RtmType } from './rtnetlink-abi.js';
import { WireError } from '../wire/error.js';
import { MAC_LEN, readMac } from '../wire/mac.js';

/** The layer name in errors about these messages. */
const LAYER = 'RTM_NEWNEIGH AF_BRIDGE';

/** The entry's kind from the bridge's `ndm_state`. */
export function fdbState(state: number): FdbState {
  if ((state & Nud.PERMANENT) !== 0) return 'local';
  if ((state & Nud.NOARP) !== 0) return 'static';
  return 'learned';
}

/** The FDB entry in the message at `message`, or undefined for one that is not a bridge's. */
export function readFdbEntry(message: MessageCursorShared): FdbEntry | undefined {
  message.needHeader(LAYER, Ndmsg.SIZE);
  const { bytes, view, payload, end } = message;
  if (view.getUint8(payload + Ndmsg.FAMILY) !== Family.BRIDGE) return undefined;
  let mac = -1;
  let bridge = -1;
  let vlan = -1;
  for (let at = payload + Ndmsg.SIZE; at < end;) {
    // The header check of `attributeLength`, inlined: it runs for every attribute of every entry.
    const room = end - at;
    const length = room >= NlattrHeader.SIZE ? view.getUint16(at + NlattrHeader.LEN, true) : 0;
    if (length < NlattrHeader.SIZE || length > room) attributeLength(view, at, end, LAYER);
    const size = length - NlattrHeader.SIZE;
    const value = at + NlattrHeader.SIZE;
    switch (view.getUint16(at + NlattrHeader.TYPE, true) & NlaFlag.TYPE_MASK) {
      case Nda.LLADDR:
        mac = size === MAC_LEN ? value : -1;
        break;
      case Nda.MASTER:
        if (size < 4) tooShort(at, size, 4, 'NDA_MASTER');
        bridge = view.getUint32(value, true);
        break;
      case Nda.VLAN:
        if (size < 2) tooShort(at, size, 2, 'NDA_VLAN');
        vlan = view.getUint16(value, true);
        break;
    }
    at += netlinkAlign(length);
  }
  if (mac < 0 || bridge < 0) return undefined;
  return {
    mac: readMac(bytes, mac),
    bridge,
    port: view.getInt32(payload + Ndmsg.IFINDEX, true),
    vlan: vlan < 0 ? undefined : vlan,
    state: fdbState(view.getUint16(payload + Ndmsg.STATE, true)),
  };
}

function tooShort(offset: number, got: number, need: number, what: string): never {
  throw new WireError(
    { kind: 'malformed', layer: LAYER, offset, got: `${got} bytes`, expected: need },
    what,
  );
}

/** Every bridge FDB entry in the datagrams of an AF_BRIDGE RTM_GETNEIGH dump, in the kernel's order. */
export function parseFdbDump(datagrams: readonly Uint8Array[]): FdbEntry[] {
  const entries: FdbEntry[] = [];
  const message = new MessageCursorShared(datagrams);
  while (message.next()) {
    if (message.type !== RtmType.NEWNEIGH) continue;
    const entry = readFdbEntry(message);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
