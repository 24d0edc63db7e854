import { type Command, Option } from 'commander';
import { FrameDecoder } from '../wire/frame.js';
import { AsciiWriter } from './ascii-writer.js';
import { readCaptureFile } from './capture-input.js';
import { OutputClosed } from '../io/output.js';
import { countFrame, type DecodeTotals, emptyTotals } from './decode-count.js';
import { jsonLine } from './decode-json.js';
import { TextFormatter } from './decode-text.js';
import { Exit } from './errors.js';
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
  tcpdump -i eth0 -U -w - arp | arpkit decode -

Exit status: 0 when every file was read to its end, 1 when a file could not be opened or is
truncated or corrupt (every whole frame before the fault is still printed or counted), 2 for
a usage error.`;

/** Adds `arpkit decode` to the program. */
export function registerDecode(program: Command, io: Io, run: { status: number }): void {
  program
    .command('decode')
    .description('print the ARP, RARP and IPv6 ND frames of pcap/pcapng captures')
    .argument('<file...>', 'capture files (pcap or pcapng, any byte order); - reads standard input')
    .addOption(new Option('--json', 'one JSON object per frame (stable field names)'))
    .addOption(new Option('--count', 'print only the totals, as one JSON object').conflicts('json'))
    .addHelpText('after', EXAMPLES)
    .action((files: string[], options: DecodeOptions) => {
      run.status = runDecode(files, options, io);
    });
}

/** What one run carries from file to file. */
interface DecodeRun {
  readonly options: DecodeOptions;
  readonly io: Io;
  readonly out: AsciiWriter;
  readonly text: TextFormatter;
  readonly totals: DecodeTotals;
}

/** Decodes every file in turn; returns the exit status. */
export function runDecode(files: readonly string[], options: DecodeOptions, io: Io): number {
  const out = new AsciiWriter(io.stdout);
  const run: DecodeRun = { options, io, out, text: new TextFormatter(out), totals: emptyTotals() };
  let status: number = Exit.OK;
  try {
    for (const name of files) {
      if (files.length > 1 && !options.count && !options.json) out.text(`# ${name}\n`);
      if (!decodeFile(run, name)) status = Exit.FAILURE;
    }
    if (options.count) out.text(`${JSON.stringify(run.totals)}\n`);
    out.flush();
  } catch (error) {
    // The reader of our output went away (`| head`): stop quietly, keeping an earlier failure.
    if (!(error instanceof OutputClosed)) throw error;
  }
  return status;
}

/** Decodes one file (or `-`); says why on stderr and returns false when it could not be read whole. */
function decodeFile(run: DecodeRun, name: string): boolean {
  const { out } = run;
  const decoder = new FrameDecoder();
  const fileJson = JSON.stringify(name);
  return readCaptureFile(name, run.io, {
    // Output waits in a 1 MiB buffer; hand it on before each read, which may block on a pipe, so
    // a live `tcpdump -U -w - | arpkit decode -` shows each frame as it comes.
    beforeRead: () => out.flush(),
    frame(record, link, number) {
      const { window, dataStart, dataEnd } = record;
      const frame = decoder.decodeShared(window, dataStart, dataEnd - dataStart, link);
      if (run.options.count) {
        countFrame(run.totals, frame);
      } else if (!run.options.json) {
        run.text.line(number, record.tsSec, record.tsNsec, record.tsDigits, frame);
      } else {
        const summary = summarize(frame);
        if (summary !== undefined) out.text(jsonLine({ fileJson, number, record }, frame, summary));
      }
    },
    unknownLink() {
      run.totals.frames++;
      run.totals.other++;
    },
  });
}
