import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Iff, Ifla, Nda, Ntf, Nud, RtmType } from '../host/rtnetlink-abi.js';
import type { Link } from '../link/link.js';
import { failoverDatagrams } from '../testing/bond-messages.js';
import { macBytes, newLink, newNeigh, str, u32 } from '../testing/rtnetlink-messages.js';
import { hypervisor } from '../testing/snapshots.js';
import { watchConfig } from '../testing/watch.js';
import { VirtualClock } from '../time/virtual-clock.js';
import type { Mac } from '../wire/mac.js';
import { WatchLog } from './log.js';
import { WatchMetrics } from './metrics.js';
import { Watcher } from './watcher.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HOST = hypervisor().build();
const index = (name: string) => HOST.linkNamed(name)!.index;

/** A link that counts frames and keeps none. */
function countingLink(name: string): Link & { frames: number } {
  return {
    name,
    frames: 0,
    send() {
      this.frames += 1;
    },
    sendBatch(frames) {
      this.frames += frames.length;
      return frames.length;
    },
    receive() {},
    close: async () => {},
  };
}

/** eth3's RTM_NEWLINK with or without carrier. */
function carrier(on: boolean): Uint8Array {
  const flags = Iff.UP | (on ? Iff.LOWER_UP | Iff.RUNNING : 0);
  return newLink({ index: index('eth3'), flags }, [{ type: Ifla.IFNAME, value: str('eth3') }]);
}

/** A guest MAC learned on vnet1 (or, with `type`, forgotten). */
function guest(n: number, type: number = RtmType.NEWNEIGH): Uint8Array {
  const mac = (0x5254_00cc_0000 + n) as Mac;
  return newNeigh(
    { ifindex: index('vnet1'), state: Nud.REACHABLE, flags: Ntf.MASTER },
    [
      { type: Nda.LLADDR, value: macBytes(mac) },
      { type: Nda.MASTER, value: u32(index('br0')) },
    ],
    { type },
  );
}

it('memory stays flat over 100,000 events (links, bonds, guests), every one triggering', async () => {
  const clock = new VirtualClock();
  const link = countingLink('bond0');
  let lines = 0;
  const watcher = new Watcher(
    watchConfig({
      bonds: ['bond0'],
      links: ['eth3'],
      guests: ['br0'],
      triggers: { start: false, 'guest-learned': true },
    }),
    {
      clock,
      readHost: async () => HOST,
      openLink: async () => link,
      log: new WatchLog({ write: () => void (lines += 1) }, { json: true, clock }),
      metrics: new WatchMetrics(),
    },
  );
  await watcher.start();
  const failover = failoverDatagrams({
    bond: { index: index('bond0'), name: 'bond0', mac: HOST.linkNamed('bond0')!.mac! },
    from: { index: index('eth0'), name: 'eth0' },
    to: { index: index('eth1'), name: 'eth1' },
  });
  const down = carrier(false);
  const up = carrier(true);
  let events = 0;
  /** One round of 8 events: a failover (4), a carrier flap (2), a guest learned and forgotten. */
  const round = async (n: number) => {
    watcher.events(failover);
    watcher.events([down, up]);
    watcher.events([guest(n % 5000)]);
    watcher.events([guest(n % 5000, RtmType.DELNEIGH)]);
    events += 8;
    if (n % 4 === 0) await clock.advance(60);
  };
  let n = 0;
  while (events < 20_000) await round(n++);
  await watcher.settled();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  while (events < 100_000) await round(n++);
  await watcher.settled();
  gc();
  const growth = process.memoryUsage().heapUsed - baseline;
  await watcher.stop();
  assert.ok(link.frames > 10_000, `${link.frames} frames: the events did trigger announcements`);
  assert.ok(lines > 20_000, `${lines} log lines`);
  assert.ok(
    growth < 4 * 1024 * 1024,
    `heap grew ${(growth / 1024).toFixed(0)} KiB over 80,000 events`,
  );
});
