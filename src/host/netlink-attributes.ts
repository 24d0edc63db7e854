/**
 * Netlink attributes (`struct nlattr` = `struct rtattr`, `linux/netlink.h`): a 4-byte header
 * (`nla_len` u16 with the header, `nla_type` u16 with the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits
 * on top), the payload, and padding to the next 4-byte boundary. A nested attribute's payload is
 * an attribute list of its own; the kernel does not always set NLA_F_NESTED on one (IFLA_LINKINFO
 * is nested without it), so a reader knows nesting from the type, and the flag is masked off.
 *
 * Two readers. `AttributeTable` indexes one level of a list by type into typed arrays, reused
 * message after message, so a dump of thousands of links costs no object per attribute; its
 * getters check that a payload is long enough for the type asked for. `parseAttributes` turns a
 * list into values (nested ones by the flag), the mirror of `emitAttributes`, for building
 * requests and test messages. Every header is checked before it is used: a length under 4 or past
 * the end is `malformed`, 1–3 stray bytes at the end `truncated`, a payload too short for its
 * type `malformed`. Offsets in errors are indexes in the datagram.
 */
import { NlaFlag, NlattrHeader, netlinkAlign } from '../link/sys/netlink-abi.js';
import { WireError } from '../wire/error.js';

/** An attribute as a value: a payload, or a list of nested attributes (sent with NLA_F_NESTED). */
export type AttributeRepr =
  | { readonly type: number; readonly value: Uint8Array }
  | { readonly type: number; readonly nested: readonly AttributeRepr[] };

const utf8 = new TextDecoder();

/**
 * Checks the attribute header at `at` inside `[at, end)` and returns its `nla_len` (header
 * included, padding excluded); the next attribute starts `netlinkAlign(nla_len)` further on.
 */
export function attributeLength(view: DataView, at: number, end: number, layer: string): number {
  const room = end - at;
  if (room < NlattrHeader.SIZE) {
    throw new WireError(
      { kind: 'truncated', layer, offset: at, got: `${room} bytes`, expected: NlattrHeader.SIZE },
      'attribute header',
    );
  }
  const length = view.getUint16(at + NlattrHeader.LEN, true);
  if (length < NlattrHeader.SIZE || length > room) {
    throw new WireError(
      {
        kind: 'malformed',
        layer,
        offset: at + NlattrHeader.LEN,
        got: `nla_len ${length}`,
        expected: `${NlattrHeader.SIZE}-${room}`,
      },
      'attribute length',
    );
  }
  return length;
}

/** The attribute type at `at`, NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
export function attributeType(view: DataView, at: number): number {
  return view.getUint16(at + NlattrHeader.TYPE, true) & NlaFlag.TYPE_MASK;
}

/** One level of an attribute list, indexed by type: where each payload starts and how long it is. */
export class AttributeTable {
  readonly #start: Int32Array;
  readonly #length: Int32Array;
  #view: DataView = new DataView(new ArrayBuffer(0));
  #bytes: Uint8Array = new Uint8Array(0);

  /** A table for types `0..maxType` of `layer` (its name in errors); higher types are skipped. */
  constructor(
    readonly layer: string,
    maxType: number,
  ) {
    this.#start = new Int32Array(maxType + 1);
    this.#length = new Int32Array(maxType + 1);
  }

  /** Indexes the attributes in `bytes[start, end)` (the last of a repeated type wins); returns this. */
  read(bytes: Uint8Array, view: DataView, start: number, end: number): this {
    this.#bytes = bytes;
    this.#view = view;
    this.#start.fill(-1);
    const maxType = this.#start.length - 1;
    for (let at = start; at < end;) {
      const length = attributeLength(view, at, end, this.layer);
      const type = attributeType(view, at);
      if (type <= maxType) {
        this.#start[type] = at + NlattrHeader.SIZE;
        this.#length[type] = length - NlattrHeader.SIZE;
      }
      at += netlinkAlign(length);
    }
    return this;
  }

  /** Whether an attribute of `type` was present. */
  has(type: number): boolean {
    return (this.#start[type] ?? -1) >= 0;
  }

  /** Where the payload of `type` starts in the bytes, or -1 when absent. */
  offset(type: number): number {
    return this.#start[type] ?? -1;
  }

  /** The payload length of `type`, or -1 when absent. */
  size(type: number): number {
    return this.has(type) ? this.#length[type]! : -1;
  }

  /** The u8 payload of `type`, if present. */
  u8(type: number): number | undefined {
    const at = this.#payload(type, 1, 'u8');
    return at < 0 ? undefined : this.#view.getUint8(at);
  }

  /** The u16 payload of `type` (host order), if present. */
  u16(type: number): number | undefined {
    const at = this.#payload(type, 2, 'u16');
    return at < 0 ? undefined : this.#view.getUint16(at, true);
  }

  /** The u32 payload of `type` (host order), if present. */
  u32(type: number): number | undefined {
    const at = this.#payload(type, 4, 'u32');
    return at < 0 ? undefined : this.#view.getUint32(at, true);
  }

  /** The s32 payload of `type` (host order), if present. */
  s32(type: number): number | undefined {
    const at = this.#payload(type, 4, 's32');
    return at < 0 ? undefined : this.#view.getInt32(at, true);
  }

  /** The string payload of `type`, up to its NUL (or its end when it has none), if present. */
  string(type: number): string | undefined {
    const at = this.#payload(type, 0, 'string');
    if (at < 0) return undefined;
    const payload = this.#bytes.subarray(at, at + this.#length[type]!);
    const nul = payload.indexOf(0);
    return utf8.decode(nul < 0 ? payload : payload.subarray(0, nul));
  }

  /** The payload start of `type` after checking it holds `need` bytes; -1 when absent. */
  #payload(type: number, need: number, what: string): number {
    const at = this.offset(type);
    if (at < 0) return -1;
    const length = this.#length[type]!;
    if (length < need) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: this.layer,
          offset: at - NlattrHeader.SIZE,
          got: `${length} bytes`,
          expected: `${need} for a ${what}`,
        },
        `attribute ${type}`,
      );
    }
    return at;
  }
}

/** Bytes `list` takes when emitted: every attribute padded to 4 bytes. */
export function attributesLength(list: readonly AttributeRepr[]): number {
  let total = 0;
  for (const attribute of list) total += netlinkAlign(attributeSize(attribute));
  return total;
}

/** `nla_len` of one attribute: header and payload, without the trailing padding. */
function attributeSize(attribute: AttributeRepr): number {
  const payload =
    'nested' in attribute ? attributesLength(attribute.nested) : attribute.value.length;
  return NlattrHeader.SIZE + payload;
}

/** Writes `list` at `offset` (padding zeroed) and returns the offset after it; `bytes` is sized by `attributesLength`. */
export function emitAttributes(
  list: readonly AttributeRepr[],
  bytes: Uint8Array,
  offset: number,
): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = offset;
  for (const attribute of list) {
    const size = attributeSize(attribute);
    if (size > 0xffff || attribute.type < 0 || attribute.type > NlaFlag.TYPE_MASK) {
      throw new WireError(
        {
          kind: 'malformed',
          layer: 'nlattr',
          offset: at,
          got: `type ${attribute.type}, nla_len ${size}`,
          expected: `type 0-${NlaFlag.TYPE_MASK}, nla_len up to 65535`,
        },
        'attribute',
      );
    }
    const nested = 'nested' in attribute;
    view.setUint16(at + NlattrHeader.LEN, size, true);
    view.setUint16(at + NlattrHeader.TYPE, attribute.type | (nested ? NlaFlag.NESTED : 0), true);
    const payload = at + NlattrHeader.SIZE;
    if (nested) emitAttributes(attribute.nested, bytes, payload);
    else bytes.set(attribute.value, payload);
    bytes.fill(0, at + size, at + netlinkAlign(size));
    at += netlinkAlign(size);
  }
  return at;
}

/**
 * The attributes in `bytes[start, end)` as values: those with NLA_F_NESTED set are parsed as
 * nested lists, the others keep their payload (a copy). The mirror of `emitAttributes`.
 */
export function parseAttributes(
  bytes: Uint8Array,
  start: number,
  end: number,
  layer: string,
): AttributeRepr[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const list: AttributeRepr[] = [];
  for (let at = start; at < end;) {
    const length = attributeLength(view, at, end, layer);
    const type = attributeType(view, at);
    const payload = at + NlattrHeader.SIZE;
    if ((view.getUint16(at + NlattrHeader.TYPE, true) & NlaFlag.NESTED) !== 0) {
      list.push({ type, nested: parseAttributes(bytes, payload, at + length, layer) });
    } else {
      list.push({ type, value: bytes.slice(payload, at + length) });
    }
    at += netlinkAlign(length);
  }
  return list;
}
