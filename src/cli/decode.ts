import type { Command } from 'commander';
import { type FileSource, openFileSource } from '../io/fd-source.js';
import { openCapture } from '../pcap/capture.js';
import { linkKindOf } from '../pcap/link-kind.js';
import { WireError } from '../wire/error.js';
import { FrameDecoder } from '../wire/frame.js';
import { AsciiWriter } from './ascii-writer.js';
import { countFrame, type DecodeTotals, emptyTotals } from './decode-count.js';
import { jsonLine } from './decode-json.js';
import { TextFormatter } from './decode-text.js';
import { describeFsError, Exit } from './errors.js';
import { summarize } from './frame-summary.js';
import type { Io } from './io.js';

/** Options of `arpkit decode`. */
export interface DecodeOptions {
  readonly json?: boolean;
  readonly count?: boolean;
}

const EXAMPLES = `
Output (one line per ARP, RARP or ND frame; the number is the frame's in the file):
  5 10:12:31.402117 00:07:0d:af:f4:54 > ff:ff:ff:ff:ff:ff ARP Request who-has 24.166.173.159 tell 24.166.172.1

Examples:
  arpkit decode capture.pcapng
  arpkit decode --json capture.pcap | jq 'select(.flags | index("gratuitous"))'
  arpkit decode --count *.pcap
  tcpdump -i eth0 -w - arp | arpkit decode -

Exit status: 0 when every file was read to its end, 1 when a file could not be opened or is
truncated or corrupt (every whole frame before the fault is still printed or counted), 2 for
a usage error.`;

/** Adds `arpkit decode` to the program. */
export function registerDecode(program: Command, io: Io, run: { status: number }): void {
  program
    .command('decode')
    .description('print the ARP, RARP and IPv6 ND frames of pcap/pcapng captures')
    .argument('<file...>', 'capture files (pcap or pcapng, any byte order); - reads standard input')
    .option('--json', 'one JSON object per frame (stable field names)')
    .option('--count', 'print only the totals, as one JSON object')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], options: DecodeOptions) => {
      run.status = runDecode(files, options, io);
    });
}

/** Decodes every file in turn; returns the exit status. */
export function runDecode(files: readonly string[], options: DecodeOptions, io: Io): number {
  const out = new AsciiWriter(io.stdout);
  const totals = emptyTotals();
  const text = new TextFormatter(out);
  let status: number = Exit.OK;
  for (const name of files) {
    let file: FileSource | undefined;
    try {
      if (name !== '-') file = openFileSource(name);
    } catch (error) {
      io.stderr.write(`arpkit: ${name}: cannot open: ${describeFsError(error)}\n`);
      status = Exit.FAILURE;
      continue;
    }
    if (files.length > 1 && !options.count && !options.json) out.text(`# ${name}\n`);
    let frames = 0;
    try {
      const reader = openCapture(file ?? io.stdin);
      const fileJson = JSON.stringify(name);
      const unknownLinks = new Set<number>();
      const decoder = new FrameDecoder();
      for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
        frames++;
        const kind = linkKindOf(record.linkType);
        if (kind === undefined) {
          unknownLink(totals, unknownLinks, record.linkType, name, io);
          continue;
        }
        const frame = decoder.decodeShared(
          record.window,
          record.dataStart,
          record.dataEnd - record.dataStart,
          kind,
        );
        if (options.count) {
          countFrame(totals, frame);
          continue;
        }
        const { tsSec, tsNsec, tsDigits } = record;
        if (!options.json) {
          text.line(frames, tsSec, tsNsec, tsDigits, frame);
          continue;
        }
        const summary = summarize(frame);
        if (summary === undefined) continue;
        const place = {
          fileJson,
          number: frames,
          sec: tsSec,
          nsec: tsNsec,
          digits: tsDigits,
          length: record.origLen,
        };
        out.text(jsonLine(place, frame, summary));
      }
    } catch (error) {
      out.flush();
      io.stderr.write(`arpkit: ${name}: ${readFailure(error)} (after ${frames} whole frames)\n`);
      status = Exit.FAILURE;
    } finally {
      file?.close();
    }
  }
  if (options.count) out.text(`${JSON.stringify(totals)}\n`);
  out.flush();
  return status;
}

function readFailure(error: unknown): string {
  if (error instanceof WireError) return error.message;
  if ((error as NodeJS.ErrnoException).code !== undefined)
    return `read failed: ${describeFsError(error)}`;
  throw error;
}

function unknownLink(
  totals: DecodeTotals,
  seen: Set<number>,
  linkType: number,
  name: string,
  io: Io,
): void {
  totals.frames++;
  totals.other++;
  if (seen.has(linkType)) return;
  seen.add(linkType);
  io.stderr.write(
    `arpkit: ${name}: link type ${linkType} is not decoded (Ethernet 1, Linux cooked 113 and 276 are); its frames count as other\n`,
  );
}
