/**
 * Helper of bench/analyze: analyses one file with every detector, output discarded, and prints
 * this process's peak resident set size and the time taken, as JSON.
 */
import { runAnalyze } from '../src/cli/analyze.js';
import { detectSettings } from '../src/cli/detect-args.js';
import { processIo } from '../src/cli/io.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: analyze-rss FILE');
const started = process.hrtime.bigint();
let frames = 0;
const io = {
  ...processIo(),
  stdout: {
    write(chunk: string | Uint8Array) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const match = /"frames":\{"frames":(\d+)/.exec(text);
      if (match !== null) frames = Number(match[1]);
    },
  },
};
const status = runAnalyze(
  [file],
  detectSettings({ quiet: true, json: true, threshold: [], net: [] }),
  io,
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (status !== 0) throw new Error(`runAnalyze exited ${status}`);
console.log(
  JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, seconds, frames }),
);
