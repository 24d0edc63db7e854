/**
 * Capture files: classic pcap and pcapng readers and writers, after gopacket's `pcapgo`.
 *
 * Nothing here does I/O: readers pull from a `ByteSource` and writers push to a `ByteSink`, both
 * synchronous, implemented over file descriptors outside this layer.
 *
 * - `openCapture(source)` sniffs the magic and returns a reader; `nextShared()` returns one
 *   record at a time and **reuses** the record and its bytes: copy what must outlive the call.
 * - Readers keep memory constant: one input window (1 MiB, growing only for a record larger than
 *   it, never past 16 MiB), whatever the size of the file.
 * - Every fault is a `WireError` with layer `pcap` or `pcapng`, kind `truncated` (the file ends
 *   inside a record or block), `malformed` (a length or field breaks the format) or `unsupported`
 *   (a valid form not handled here), and `offset` a byte offset in the file. Every whole record
 *   before the fault has been returned first; nothing else is ever thrown on any input.
 * - Writers batch into a reused buffer: call `flush()` before closing the sink. Their argument
 *   checks throw `RangeError`.
 */
export * from './byte-source.js';
export * from './capture.js';
export * from './constants.js';
export * from './input-buffer.js';
export * from './pcap-reader.js';
export * from './pcap-writer.js';
export * from './pcapng-reader.js';
export * from './pcapng-writer.js';
export * from './record.js';
export * from './timestamp.js';
