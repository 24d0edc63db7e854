/** `npm run bench`: runs every benchmark under bench/ in its own process, one JSON object each. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELPERS = new Set([
  'run.js',
  'measure.js',
  'arp-corpus.js',
  'segment-corpus.js',
  'ns3-peer.js',
]);
const here = fileURLToPath(new URL('.', import.meta.url));
const benches = readdirSync(here).filter((name) => name.endsWith('.js') && !HELPERS.has(name));
let failed = 0;
for (const name of benches.sort()) {
  const result = spawnSync(process.execPath, [`${here}${name}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
