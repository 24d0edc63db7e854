/**
 * The VLANs of bridge ports (and of bridges themselves), from an RTM_GETLINK dump of family
 * AF_BRIDGE asked with IFLA_EXT_MASK = RTEXT_FILTER_BRVLAN (`linux/if_bridge.h`, what `bridge
 * vlan show` reads). Each answer is an RTM_NEWLINK of family AF_BRIDGE whose IFLA_AF_SPEC holds
 * one IFLA_BRIDGE_VLAN_INFO (`struct bridge_vlan_info`: u16 flags, u16 vid) per VLAN, or, when
 * compressed (RTEXT_FILTER_BRVLAN_COMPRESSED), a RANGE_BEGIN entry and a RANGE_END entry for a
 * run of VIDs with the same flags; both forms are read. A kernel built without
 * CONFIG_BRIDGE_VLAN_FILTERING sends no VLAN information at all.
 */
import type { PortVlan } from './snapshot.js';
import { attributeLength, attributeType } from './netlink-attributes.js';
import { MessageCursorShared } from './netlink-message.js';
import { NlattrHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import {
  BridgeVlanFlag,
  BridgeVlanInfo,
  Family,
  Ifinfomsg,
  Ifla,
  IflaBridge,
  RtmType,
} from './rtnetlink-abi.js';
import { WireError } from '../wire/error.js';

/** The layer name in errors about these messages. */
const LAYER = 'RTM_NEWLINK AF_BRIDGE';

/** The highest VID a bridge accepts (4095 is reserved, IEEE 802.1Q). */
const MAX_VID = 4094;

/** A VLAN entry as it lies in the message, before ranges are expanded. */
interface VlanInfo {
  readonly flags: number;
  readonly vid: number;
}

/**
 * Appends the VLANs of the IFLA_AF_SPEC payload `[start, end)` of `view` to `into`, in the kernel's
 * order, a range expanded VID by VID. A VID outside 1–4094, a RANGE_END without a RANGE_BEGIN
 * before it, a RANGE_BEGIN without its RANGE_END, or an end not above its begin is `malformed`.
 */
export function readBridgeVlans(
  view: DataView,
  start: number,
  end: number,
  into: PortVlan[],
): void {
  let begin: VlanInfo | undefined;
  let beginAt = start;
  for (let at = start; at < end;) {
    const length = attributeLength(view, at, end, LAYER);
    const payload = at + NlattrHeader.SIZE;
    if (attributeType(view, at) === IflaBridge.VLAN_INFO) {
      const info = vlanInfo(view, payload, length - NlattrHeader.SIZE);
      if ((info.flags & BridgeVlanFlag.RANGE_BEGIN) !== 0) {
        if (begin !== undefined) malformed(at, 'RANGE_BEGIN after RANGE_BEGIN', info.vid);
        begin = info;
        beginAt = at;
      } else if ((info.flags & BridgeVlanFlag.RANGE_END) !== 0) {
        if (begin === undefined) malformed(at, 'RANGE_END without RANGE_BEGIN', info.vid);
        if (info.vid <= begin.vid) malformed(at, `range end not above ${begin.vid}`, info.vid);
        for (let vid = begin.vid; vid <= info.vid; vid++) into.push(portVlan(begin.flags, vid));
        begin = undefined;
      } else {
        if (begin !== undefined) malformed(at, 'RANGE_BEGIN without RANGE_END', info.vid);
        into.push(portVlan(info.flags, info.vid));
      }
    }
    at += netlinkAlign(length);
  }
  if (begin !== undefined) malformed(beginAt, 'RANGE_BEGIN without RANGE_END', begin.vid);
}

/** Reads one `bridge_vlan_info` after checking its size and VID. */
function vlanInfo(view: DataView, at: number, length: number): VlanInfo {
  if (length < BridgeVlanInfo.SIZE) {
    throw new WireError(
      {
        kind: 'malformed',
        layer: LAYER,
        offset: at - NlattrHeader.SIZE,
        got: `${length} bytes`,
        expected: BridgeVlanInfo.SIZE,
      },
      'IFLA_BRIDGE_VLAN_INFO',
    );
  }
  const vid = view.getUint16(at + BridgeVlanInfo.VID, true);
  if (vid < 1 || vid > MAX_VID) malformed(at + BridgeVlanInfo.VID, 'VID', vid);
  return { flags: view.getUint16(at + BridgeVlanInfo.FLAGS, true), vid };
}

function portVlan(flags: number, vid: number): PortVlan {
  return {
    vid,
    untagged: (flags & BridgeVlanFlag.UNTAGGED) !== 0,
    pvid: (flags & BridgeVlanFlag.PVID) !== 0,
  };
}

function malformed(offset: number, what: string, got: number): never {
  throw new WireError({ kind: 'malformed', layer: LAYER, offset, got, expected: '1-4094' }, what);
}

/**
 * The VLANs of every link in the datagrams of an AF_BRIDGE RTM_GETLINK dump, by link index;
 * links with none are absent. A link answered twice (by its bridge and by its own driver) gets
 * the VLANs of both answers.
 */
export function parseBridgeVlanDump(datagrams: readonly Uint8Array[]): Map<number, PortVlan[]> {
  const byIndex = new Map<number, PortVlan[]>();
  const message = new MessageCursorShared(datagrams);
  while (message.next()) {
    if (message.type !== RtmType.NEWLINK) continue;
    message.needHeader(LAYER, Ifinfomsg.SIZE);
    const { view, payload } = message;
    if (view.getUint8(payload + Ifinfomsg.FAMILY) !== Family.BRIDGE) continue;
    const index = view.getInt32(payload + Ifinfomsg.INDEX, true);
    for (let at = payload + Ifinfomsg.SIZE; at < message.end;) {
      const length = attributeLength(view, at, message.end, LAYER);
      if (attributeType(view, at) === Ifla.AF_SPEC) {
        const vlans = byIndex.get(index) ?? [];
        readBridgeVlans(view, at + NlattrHeader.SIZE, at + length, vlans);
        if (vlans.length > 0) byIndex.set(index, vlans);
      }
      at += netlinkAlign(length);
    }
  }
  return byIndex;
}
