/**
 * The child process of the store's crash test (`src/store/crash.test.ts`):
 *
 *   node dist/src/testing/store-ingest.js DB PER_COMMIT
 *
 * ingests sightings into DB in transactions of PER_COMMIT (each also with one finding) and
 * prints the total of sightings committed after each commit, one number a line, until it is
 * killed or has made 10,000 commits.
 */
import { Observation } from '../monitor/observation.js';
import { BindingStore } from '../store/binding-store.js';

const MAX_COMMITS = 10_000;
const DISTINCT_IPS = 65_536;

const [path, perCommitText = '20000'] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: store-ingest.js DB [PER_COMMIT]\n');
  process.exit(2);
}
const perCommit = Number(perCommitText);
const store = BindingStore.open(path);
const o = new Observation();
o.source = 'eth0';
let total = 0;
for (let round = 0; round < MAX_COMMITS; round++) {
  for (let i = 0; i < perCommit; i++) {
    const n = round * perCommit + i;
    o.spa = 0x0a00_0000 + (n % DISTINCT_IPS);
    o.sha = 0x0200_0000_0000 + (n % 3);
    o.timeMs = 1_700_000_000_000 + n;
    store.sighting(o);
  }
  store.finding({
    kind: 'storm',
    timeMs: 1_700_000_000_000 + round,
    source: 'eth0',
    vlans: [],
    key: 'eth0',
    frames: [round],
    text: `round ${round}`,
    fields: { round },
  });
  store.commit();
  total += perCommit;
  // A pipe is written synchronously on Linux: the number is out before the next transaction.
  process.stdout.write(`${total}\n`);
}
store.close();
