/** True when the `length` bytes of `bytes` from `from` all equal `value`. */
export function allBytes(bytes: Uint8Array, from: number, length: number, value: number): boolean {
  for (let i = from; i < from + length; i++) if (bytes[i] !== value) return false;
  return true;
}

/** True when `bytes[a, a + length)` and `bytes[b, b + length)` hold the same bytes. */
export function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}
