/** `into` (a longer typed array) with `from` copied to its start: a column grown. */
export function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}
