/**
 * Helper of bench/analyze: analyses one file with every detector as `arpkit analyze --quiet
 * --json` does, its report going to standard output (the bench points it at a file), and prints
 * this process's peak resident set size and the time taken, as JSON on standard error.
 */
import { runAnalyze } from '../src/cli/analyze.js';
import { detectSettings } from '../src/cli/detect-args.js';
import { processIo } from '../src/cli/io.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: analyze-rss FILE');
const started = process.hrtime.bigint();
const status = runAnalyze(
  [file],
  detectSettings({ quiet: true, json: true, threshold: [], net: [] }),
  processIo(),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (status !== 0) throw new Error(`runAnalyze exited ${status}`);
process.stderr.write(
  `${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, seconds })}\n`,
);
