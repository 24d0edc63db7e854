import type { LinkKind } from '../wire/frame.js';
import { LinkType } from './constants.js';

const KINDS: ReadonlyMap<number, LinkKind> = new Map([
  [LinkType.ETHERNET, 'ethernet'],
  [LinkType.LINUX_SLL, 'sll'],
  [LinkType.LINUX_SLL2, 'sll2'],
]);

/** The link-layer header `decodeFrame` should expect for a LINKTYPE_*, or undefined if none. */
export function linkKindOf(linkType: number): LinkKind | undefined {
  return KINDS.get(linkType);
}
