/**
 * Test fixture: listens to rtnetlink events in the network namespace it is started in
 * (`ip netns exec NS node event-fixture.js …`, since a netlink socket hears only its own
 * namespace) and prints one JSON line per thing that happens, until it has printed `--count`
 * events or `--deadline-ms` has passed, whichever comes first:
 *
 *     {"ready":true,"buffer":8388608,"port":…}  subscribed (LINK, NEIGH, IPV4_IFADDR, IPV6_IFADDR)
 *     {"event":{"type":"link",…}}               one HostEvent (`EventJson`)
 *     {"datagram":"2c000000…"}                  with --raw, each datagram before its events
 *     {"overrun":true} {"malformed":2} {"error":"…"}
 *     {"done":"count"|"deadline","stats":{…}}   the socket's counters, then exit 0
 *
 * `--buffer BYTES` asks for that receive buffer and `--slot BYTES` for that first receive slot
 * (`datagramBytes`); `--hold FILE` opens and subscribes (events queue up) but starts receiving
 * only once FILE exists, so that a test can overflow the queue.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type HostEvent, EventReader } from '../host/events.js';
import { RtnlGroup } from '../host/rtnetlink-abi.js';
import { NetlinkEventSocket } from '../link/sys/netlink-events.js';
import { formatMac } from '../wire/mac.js';
import { addressJson, type AddressJson } from './host-json.js';

/** A HostEvent as the fixture prints it: the fields the tests check, MACs and IPs as text. */
export type EventJson =
  | {
      readonly type: 'link';
      readonly op: 'new' | 'del';
      readonly linkEvent: string | null;
      readonly index: number;
      readonly name: string;
      readonly kind: string;
      readonly mac: string | null;
      readonly up: boolean;
      readonly carrier: boolean;
      readonly master: number | null;
    }
  | ({ readonly type: 'address'; readonly op: 'new' | 'del' } & AddressJson)
  | {
      readonly type: 'fdb';
      readonly op: 'new' | 'del';
      readonly mac: string;
      readonly bridge: number;
      readonly port: number;
      readonly state: string;
    };

/** One line the fixture prints. */
export interface FixtureLine {
  readonly ready?: boolean;
  readonly buffer?: number;
  readonly port?: number;
  readonly event?: EventJson;
  readonly datagram?: string;
  readonly overrun?: boolean;
  readonly malformed?: number;
  readonly error?: string;
  readonly done?: 'count' | 'deadline';
  readonly stats?: Record<string, number>;
}

function eventJson(event: HostEvent): EventJson {
  switch (event.type) {
    case 'link': {
      const { link } = event;
      return {
        type: 'link',
        op: event.op,
        linkEvent: event.linkEvent ?? null,
        index: link.index,
        name: link.name,
        kind: link.kind,
        mac: link.mac === undefined ? null : formatMac(link.mac),
        up: link.up,
        carrier: link.carrier,
        master: link.master ?? null,
      };
    }
    case 'address':
      return { type: 'address', op: event.op, ...addressJson(event.address) };
    case 'fdb':
      return {
        type: 'fdb',
        op: event.op,
        mac: formatMac(event.entry.mac),
        bridge: event.entry.bridge,
        port: event.entry.port,
        state: event.entry.state,
      };
  }
}

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    'deadline-ms': { type: 'string', default: '20000' },
    buffer: { type: 'string' },
    slot: { type: 'string' },
    hold: { type: 'string' },
    raw: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const deadlineMs = Number(values['deadline-ms']);
const print = (line: FixtureLine) => process.stdout.write(`${JSON.stringify(line)}\n`);

const socket = NetlinkEventSocket.open(
  [RtnlGroup.LINK, RtnlGroup.NEIGH, RtnlGroup.IPV4_IFADDR, RtnlGroup.IPV6_IFADDR],
  {
    ...(values.buffer === undefined ? {} : { receiveBufferBytes: Number(values.buffer) }),
    ...(values.slot === undefined ? {} : { datagramBytes: Number(values.slot) }),
  },
);
const reader = new EventReader();
let printed = 0;
let finished = false;

async function finish(reason: 'count' | 'deadline'): Promise<void> {
  if (finished) return;
  finished = true;
  clearTimeout(deadline);
  clearInterval(hold);
  await socket.close();
  print({ done: reason, stats: { ...socket.stats() } });
}

const deadline = setTimeout(() => void finish('deadline'), deadlineMs);
print({ ready: true, buffer: socket.receiveBufferBytes, port: socket.portId });

function start(): void {
  socket.start({
    datagrams(batch) {
      if (finished) return;
      if (values.raw) for (const d of batch) print({ datagram: Buffer.from(d).toString('hex') });
      const { events, malformed } = reader.read(batch);
      if (malformed > 0) print({ malformed });
      for (const event of events) {
        if (printed >= count) break;
        print({ event: eventJson(event) });
        printed += 1;
      }
      if (printed >= count) void finish('count');
    },
    overrun: () => print({ overrun: true }),
    error: (error) => print({ error: error.message }),
  });
}

const holdFile = values.hold;
const hold =
  holdFile === undefined
    ? undefined
    : setInterval(() => {
        if (!existsSync(holdFile)) return;
        clearInterval(hold);
        if (!finished) start();
      }, 20);
if (holdFile === undefined) start();
