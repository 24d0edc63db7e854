/**
 * Pure codecs for the frames arpkit sends and reads.
 *
 * ## The safety contract
 *
 * Each protocol has two levels (after smoltcp's `wire`): a *view* class over a `Uint8Array`
 * (`EthernetFrame`, `ArpPacket`…) whose getters read fields in place, and a plain readonly *repr*
 * value (`EthernetRepr`, `ArpRepr`…) produced by `parseX` and consumed by `emitX`.
 *
 * - `X.checked(bytes)` validates lengths (and length fields) once. After it succeeds, **no getter
 *   of that view can throw**: every field it can read lies inside `bytes`.
 * - `X.unchecked(bytes)` performs no check. It is only for emitting into a buffer sized by
 *   `xBufferLen(repr)`.
 * - `parseX(view)` may still throw a `WireError` of kind `malformed` or `unsupported` for values
 *   that are present but not acceptable (a VID of 4096, an ARP hardware type that is not Ethernet).
 * - Every error is a `WireError` with `kind` `truncated | malformed | unsupported`, the layer, the
 *   offset and what was got and expected. Nothing in `wire/` throws anything else on any input.
 * - Views alias the bytes they wrap: they copy nothing, and the caller must not reuse the buffer
 *   while a view of it is in use.
 *
 * `decodeFrame` in `frame.ts` never throws at all: in a capture loop a frame that is not ours, or
 * is broken, is ordinary input and comes back as a result.
 */
export * from './address-error.js';
export * from './arp.js';
export * from './byte-view.js';
export * from './bytes.js';
export * from './classify.js';
export * from './compose.js';
export * from './error.js';
export * from './ethernet.js';
export * from './ethertype.js';
export * from './frame.js';
export * from './icmpv6.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './ipv6-header.js';
export * from './mac.js';
export * from './nd-classify.js';
export * from './nd-packet.js';
export * from './ndp.js';
export * from './rarp.js';
export * from './sll.js';
export * from './vlan.js';
