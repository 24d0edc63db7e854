import type { Command } from 'commander';
import { Analyzer } from '../monitor/analyzer.js';
import { buildReport } from '../monitor/report.js';
import { OutputClosed } from '../io/output.js';
import { FrameDecoder } from '../wire/frame.js';
import { AsciiWriter } from './ascii-writer.js';
import { readCaptureFile } from './capture-input.js';
import {
  addDetectOptions,
  type DetectFlags,
  type DetectSettings,
  detectHelp,
  detectSettings,
} from './detect-args.js';
import { Exit } from './errors.js';
import { FindingOutput } from './finding-output.js';
import type { Io } from './io.js';
import { openStore, type Store } from './store-open.js';

const EXAMPLES = `
Output (one line per finding in time order, then a report per file):
  2004-10-05 14:01:02.119207 flip-flop 192.168.0.1 is-at 00:… (back from 00:…) frames 9,11

Examples:
  arpkit analyze capture.pcapng
  arpkit analyze --json -v capture.pcap | jq 'select(.kind == "ip-conflict")'
  arpkit analyze --fail-on ip-conflict,storm --quiet nightly/*.pcap
  arpkit analyze -t storm-rate=200 -t unanswered-timeout=500ms --net 10.0.0.0/16 capture.pcap
  tcpdump -i eth0 -U -w - arp | arpkit analyze -

Exit status: 0 when every file was read to its end and no --fail-on kind was found; 1 when a
file could not be opened or is truncated or corrupt (every whole frame before the fault is
still analysed, and the report printed), or a --fail-on kind was found; 2 for a usage error.`;

/** How often, in frames, the bindings store commits while a file is read. */
export const COMMIT_EVERY_FRAMES = 100_000;

/** Adds `arpkit analyze` to the program. */
export function registerAnalyze(program: Command, io: Io, run: { status: number }): void {
  const command = program
    .command('analyze')
    .description(
      'name the ARP trouble in pcap/pcapng captures: conflicts, storms, unanswered requests…',
    )
    .argument('<file...>', 'capture files (pcap or pcapng); - reads standard input');
  addDetectOptions(command)
    .addHelpText('after', `${detectHelp()}\n${EXAMPLES}`)
    .action(async (files: string[], flags: DetectFlags) => {
      const settings = detectSettings(flags);
      const store = settings.db === undefined ? undefined : await openStore(settings.db);
      try {
        run.status = runAnalyze(files, settings, io, store);
      } finally {
        store?.close();
      }
    });
}

/**
 * Analyses every file in turn, each with its own detectors and report, bindings and findings
 * going to `store` when given; returns the exit status.
 */
export function runAnalyze(
  files: readonly string[],
  settings: DetectSettings,
  io: Io,
  store?: Store,
): number {
  const out = new AsciiWriter(io.stdout);
  let status: number = Exit.OK;
  let failed = false;
  try {
    for (const name of files) {
      if (files.length > 1 && !settings.json) out.text(`# ${name}\n`);
      const output = new FindingOutput(out, settings, false);
      if (!analyzeFile(name, settings, io, out, output, store)) status = Exit.FAILURE;
      failed ||= output.failed;
    }
    out.flush();
  } catch (error) {
    // The reader of our output went away (`| head`): stop quietly, keeping an earlier failure.
    if (!(error instanceof OutputClosed)) throw error;
  }
  return failed ? Exit.FAILURE : status;
}

/** Analyses one file and prints its report; false when it could not be read whole. */
function analyzeFile(
  name: string,
  settings: DetectSettings,
  io: Io,
  out: AsciiWriter,
  output: FindingOutput,
  store: Store | undefined,
): boolean {
  const analyzer = new Analyzer({
    thresholds: settings.thresholds,
    nets: settings.nets,
    verbose: settings.verbose,
    onFinding: (finding, print) => output.finding(finding, print),
    ...(store === undefined ? {} : { store }),
  });
  const decoder = new FrameDecoder();
  const place = { source: name, number: 0, timeMs: 0 };
  const read = readCaptureFile(name, io, {
    beforeRead: () => out.flush(),
    frame(record, link, number) {
      const frame = decoder.decodeShared(
        record.window,
        record.dataStart,
        record.dataEnd - record.dataStart,
        link,
      );
      place.number = number;
      place.timeMs = record.tsSec * 1000 + record.tsNsec / 1e6;
      analyzer.frame(frame, place);
      if (store !== undefined && number % COMMIT_EVERY_FRAMES === 0) store.commit();
    },
    unknownLink: () => analyzer.counts.undecoded(),
  });
  analyzer.finish();
  store?.commit();
  output.report(buildReport(name, analyzer));
  return read;
}
