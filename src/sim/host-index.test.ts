import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Mac } from '../wire/mac.js';
import type { Ipv4 } from '../wire/ipv4.js';
import type { Host } from './host.js';
import { HolderIndex, HostIndex, type Hosts } from './host-index.js';

/** Stand-in hosts: the index only compares them. */
const HOSTS = Array.from({ length: 6 }, (_, i) => ({ name: `h${i}` }) as unknown as Host);

function list(hosts: Hosts | undefined): Host[] {
  if (hosts === undefined) return [];
  return hosts instanceof Set ? [...hosts] : [hosts];
}

test('HostIndex files hosts as a Map of Sets would, in the same order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(3), fc.nat(5), fc.boolean()), { maxLength: 200 }),
      (operations) => {
        const index = new HostIndex<number>();
        const model = new Map<number, Set<Host>>();
        for (const [key, which, present] of operations) {
          const host = HOSTS[which]!;
          index.set(key, host, present);
          const hosts = model.get(key) ?? new Set();
          if (present) hosts.add(host);
          else hosts.delete(host);
          if (hosts.size === 0) model.delete(key);
          else model.set(key, hosts);
        }
        for (let key = 0; key <= 3; key++) {
          assert.deepEqual(list(index.get(key)), [...(model.get(key) ?? [])]);
          // One host is kept as itself, never as a set of one.
          assert.ok(!(index.get(key) instanceof Set) || list(index.get(key)).length > 1);
        }
      },
    ),
  );
});

test('HolderIndex keeps each host under the MAC it last reported for an IP', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(2), fc.nat(5), fc.option(fc.nat(2), { nil: undefined })), {
        maxLength: 200,
      }),
      (operations) => {
        const index = new HolderIndex();
        const held = new Map<string, number>();
        for (const [ip, which, mac] of operations) {
          const key = `${ip}/${which}`;
          const before = held.get(key);
          index.move(ip as Ipv4, HOSTS[which]!, before as Mac | undefined, mac as Mac | undefined);
          if (mac === undefined) held.delete(key);
          else held.set(key, mac);
        }
        for (let ip = 0; ip <= 2; ip++) {
          const seen = new Map<Host, number>();
          const macs = new Set<number>();
          for (let group = index.groups(ip as Ipv4); group; group = group.next) {
            assert.ok(!macs.has(group.mac), 'one group per MAC');
            macs.add(group.mac);
            for (const host of list(group.hosts)) seen.set(host, group.mac);
          }
          const expected = new Map<Host, number>();
          HOSTS.forEach((host, which) => {
            const mac = held.get(`${ip}/${which}`);
            if (mac !== undefined) expected.set(host, mac);
          });
          assert.deepEqual(
            [...seen].sort((a, b) => HOSTS.indexOf(a[0]) - HOSTS.indexOf(b[0])),
            [...expected].sort((a, b) => HOSTS.indexOf(a[0]) - HOSTS.indexOf(b[0])),
          );
        }
      },
    ),
  );
});
