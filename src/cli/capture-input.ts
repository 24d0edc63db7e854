import { type FileSource, openFileSource } from '../io/fd-source.js';
import { describeFsError } from '../io/fs-error.js';
import { OutputClosed, OutputFailed } from '../io/output.js';
import type { ByteSource } from '../pcap/byte-source.js';
import { openCapture } from '../pcap/capture.js';
import { linkKindOf } from '../pcap/link-kind.js';
import type { CaptureRecord } from '../pcap/record.js';
import { WireError } from '../wire/error.js';
import type { LinkKind } from '../wire/frame.js';
import type { Io } from './io.js';

/** What a command does with the frames of one capture file. */
export interface CaptureVisitor {
  /** Called before each read, which may block on a pipe: flush output here. */
  beforeRead(): void;
  /** One record whose link type is decoded; `number` counts records from 1 (Wireshark's). */
  frame(record: CaptureRecord, link: LinkKind, number: number): void;
  /** One record of a link type that is not decoded (told once per type on stderr already). */
  unknownLink(record: CaptureRecord, number: number): void;
}

/**
 * Reads every record of one capture file (`-`: standard input) into `visitor`. Returns false,
 * having said why on stderr, when the file could not be opened or ended in a fault: every whole
 * record before the fault has been visited, and the message says how many.
 */
export function readCaptureFile(name: string, io: Io, visitor: CaptureVisitor): boolean {
  let file: FileSource | undefined;
  try {
    if (name !== '-') file = openFileSource(name);
  } catch (error) {
    io.stderr.write(`arpkit: ${name}: cannot open: ${describeFsError(error)}\n`);
    return false;
  }
  const input = file ?? io.stdin;
  const source: ByteSource = {
    read(into, offset, length) {
      visitor.beforeRead();
      return input.read(into, offset, length);
    },
  };
  let frames = 0;
  const unknownLinks = new Set<number>();
  try {
    const reader = openCapture(source);
    for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
      frames++;
      const link = linkKindOf(record.linkType);
      if (link !== undefined) {
        visitor.frame(record, link, frames);
        continue;
      }
      if (!unknownLinks.has(record.linkType)) {
        unknownLinks.add(record.linkType);
        io.stderr.write(
          `arpkit: ${name}: link type ${record.linkType} is not decoded (Ethernet 1, Linux cooked 113 and 276 are); its frames count as other\n`,
        );
      }
      visitor.unknownLink(record, frames);
    }
    return true;
  } catch (error) {
    const why = readFailure(error);
    visitor.beforeRead();
    io.stderr.write(`arpkit: ${name}: ${why} (after ${frames} whole frames)\n`);
    return false;
  } finally {
    file?.close();
  }
}

/** What stopped a read, for a person; output failures and bugs are not read failures. */
function readFailure(error: unknown): string {
  if (error instanceof WireError) return error.message;
  if (error instanceof OutputClosed || error instanceof OutputFailed) throw error;
  if ((error as NodeJS.ErrnoException).code !== undefined) {
    return `read failed: ${describeFsError(error)}`;
  }
  throw error;
}
