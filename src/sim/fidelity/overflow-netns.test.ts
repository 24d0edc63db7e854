/**
 * Fidelity 4: the table overflow at gc_thresh3. The thresholds are global (init_net's arp_tbl,
 * shared by every namespace and the host), so this test only reads them: it fills one
 * namespace's device with `ip -force -batch` of `neigh add … nud stale` until the kernel
 * refuses ("No buffer space available", counted in /proc/net/stat/arp_cache `table_fulls`),
 * and empties it again at once. neigh_alloc counts every non-permanent entry of every namespace:
 * the add that fails is the one that would make them gc_thresh3 + 1, after a forced GC that
 * frees nothing (it spares entries updated within 5 s, and ours are new).
 *
 * What "already present" means is measured, not guessed: the forced GC may first evict other
 * namespaces' entries older than 5 s (and the host may add some meanwhile), so the entries
 * present at the overflow are the table's total then (`entries`, hex) minus ours. The twin — a
 * LinuxTable with the same gc_thresh3 holding that many — must refuse the same allocation.
 * `entries` also counts entries neigh_alloc does not (permanent and externally learned ones,
 * and unlinked ones not yet freed because something still holds them): when the machine has
 * some, the kernel admits that many more than the twin. The test then allows exactly the excess
 * of `entries` over gc_thresh3 at the overflow, and is exact on a machine without them.
 *
 * While the table is full, no namespace on the machine can create an entry: the window is the
 * few milliseconds of the failing adds and the flush, and the fidelity lock keeps the other
 * fidelity tests out of it.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { formatIpv4, type Ipv4, parseIpv4 } from '../../wire/ipv4.js';
import { formatMac, type Mac } from '../../wire/mac.js';
import { report } from './compare.js';
import { fidelityTest, fidelityTools } from './harness.js';
import { type ArpCacheStats, arpCacheStats, kernelNeighParams } from './kernel.js';
import type { ExecResult } from '../../testing/netns.js';
import { bridgedSegment, STATION_IF } from './kernel-lab.js';
import { segment } from './sim-twin.js';

const LAB_MS = 30_000;
const tools = fidelityTools(LAB_MS);

const FILLER = { role: 'filler', ip: '10.74.0.1', mac: '02:f4:00:00:00:01' };
/** Adds beyond the expected overflow in the batch (it stops at the first refused one). */
const EXTRA = 32;
/** Larger tables take too long to fill within the test's time. */
const MAX_THRESH3 = 65_536;
/** The entries added: 10.128.0.1 upwards, MACs 02:f4:01:… */
const FIRST_IP = parseIpv4('10.128.0.1');
const FIRST_MAC = 0x02f4_0100_0000;

const nthIp = (n: number) => ((FIRST_IP + n) >>> 0) as Ipv4;
const nthMac = (n: number) => (FIRST_MAC + n) as Mac;

/** `neigh add` of the n-th entry (a STALE one: counted by neigh_alloc, unlike a permanent one). */
function add(n: number): string[] {
  const [ip, mac] = [formatIpv4(nthIp(n)), formatMac(nthMac(n))];
  return ['neigh', 'add', ip, 'lladdr', mac, 'dev', STATION_IF, 'nud', 'stale'];
}

describe('fidelity: neighbour table overflow at gc_thresh3 (namespaces vs sim)', () => {
  fidelityTest(
    'the allocation refused is the one past gc_thresh3 minus the entries present',
    tools,
    LAB_MS,
    async (lab, note) => {
      const { stations } = await bridgedSegment(lab, [FILLER], 24);
      const filler = stations[0]!;
      const { params } = await kernelNeighParams(filler, STATION_IF);
      const thresh3 = params.gc_thresh3;
      assert.ok(thresh3 <= MAX_THRESH3, `gc_thresh3 ${thresh3}: too large to fill in a test`);

      const dir = mkdtempSync(join(tmpdir(), 'arpkit-overflow-'));
      const batch = join(dir, 'neigh.batch');
      let before: ArpCacheStats;
      let after: ArpCacheStats;
      let refused: ExecResult;
      let retried: ExecResult;
      let admitted: number;
      try {
        before = arpCacheStats();
        const tries = Math.max(0, thresh3 - before.entries) + EXTRA;
        writeFileSync(
          batch,
          Array.from({ length: tries }, (_, n) => `${add(n).join(' ')}\n`).join(''),
        );
        // `ip -batch` stops at the first refused add (ipneigh.c exits on an rtnetlink error,
        // -force or not): the entries left are those admitted.
        refused = await filler.exec('ip', ['-batch', batch], 20_000);
        after = arpCacheStats();
        retried = await filler.exec('ip', add(tries));
        const json = await filler.run('ip', ['-j', 'neigh', 'show', 'dev', STATION_IF]);
        admitted = (JSON.parse(json) as unknown[]).length;
      } finally {
        await filler.exec('ip', ['neigh', 'flush', 'dev', STATION_IF]);
        rmSync(dir, { recursive: true, force: true });
      }
      const left = await filler.run('ip', ['neigh', 'show', 'dev', STATION_IF]);
      assert.equal(left.trim(), '', 'entries left after the flush');

      assert.notEqual(refused.code, 0, `no add was refused: ${refused.stderr}`);
      assert.match(refused.stderr, /No buffer space available/);
      assert.match(retried.stderr, /No buffer space available/, 'an add retried when full');
      // At least ours: any namespace's allocation while the table is full is refused too.
      assert.ok(after.tableFulls - before.tableFulls >= 1, 'table_fulls after the batch');
      const tried = admitted + 1;
      const present = after.entries - admitted;

      // The twin: a table of gc_thresh3 holding `present` entries at once, then the adds.
      const twin = segment(
        [{ name: 'filler', ip: FILLER.ip, mac: FILLER.mac, params }],
        1_000,
        0xffff_ff00,
      );
      const table = twin.hosts.get('filler')!.table;
      const others = parseIpv4('10.200.0.1');
      for (let n = 0; n < present; n++) table.learn(((others + n) >>> 0) as Ipv4, nthMac(n));
      assert.equal(table.size, Math.min(present, thresh3), 'the twin holds the present entries');
      let simAdmitted = 0;
      for (let n = 0; n < tried; n++) {
        const overflows = table.counters().overflows ?? 0;
        table.learn(nthIp(n), nthMac(n));
        if ((table.counters().overflows ?? 0) > overflows) break;
        simAdmitted++;
      }

      note(
        `gc_thresh3 ${thresh3}; entries before ${before.entries}, at the overflow ${after.entries}`,
      );
      note(
        `evicted or gone meanwhile: ${before.entries - present}; ` +
          `forced GC runs ${after.forcedGcRuns - before.forcedGcRuns}`,
      );
      note(report('adds admitted before the first refusal', admitted, simAdmitted));
      // Permanent entries elsewhere, and entries made after the overflow, are in `entries` but
      // not in neigh_alloc's count: that excess is all the kernel may admit beyond the twin.
      const excess = after.entries - thresh3;
      assert.ok(
        excess >= 0,
        `the kernel refused with ${after.entries} entries < gc_thresh3 ${thresh3}`,
      );
      assert.ok(
        admitted - simAdmitted >= 0 && admitted - simAdmitted <= excess,
        `kernel admitted ${admitted}, sim ${simAdmitted}; ` +
          `entries at the overflow exceed gc_thresh3 by ${excess}`,
      );
    },
  );
});
