/** Bytes from hex text; whitespace and `#` comments to the end of a line are ignored. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) {
    throw new Error(`hex(): not an even run of hex digits: ${digits}`);
  }
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

/** A buffer of `length` bytes pre-filled with 0xa5, so a byte an emitter forgot to write shows. */
export function prefilled(length: number): Uint8Array {
  return new Uint8Array(length).fill(0xa5);
}

/** Copies `bytes` into a larger buffer at `offset` and returns the view at that offset. */
export function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const backing = prefilled(offset + bytes.length + 3);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}
