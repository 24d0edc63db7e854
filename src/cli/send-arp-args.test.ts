import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { parseMac } from '../wire/mac.js';
import { UsageError } from './errors.js';
import { parseSendArp } from './send-arp-args.js';

const DEVICE_MAC = parseMac('02:00:00:00:0d:01');
const PAD = '00'.repeat(18);

describe('send-arp arguments', () => {
  const table: [string[], { syntax: string; iface: string; frames: [number, string][] }][] = [
    [
      // The blog's recipe: teach switches a guest MAC.
      ['0.0.0.0', '52:54:00:aa:bb:01', '0.0.0.0', 'ff:ff:ff:ff:ff:ff', 'bond0'],
      {
        syntax: 'fake',
        iface: 'bond0',
        frames: [
          [
            0,
            `ffffffffffff 525400aabb01 0806 0001 0800 0604 0001 525400aabb01 00000000 ffffffffffff 00000000 ${PAD}`,
          ],
        ],
      },
    ],
    [
      // MACs without colons, interface defaulting to eth0.
      ['192.0.2.10', '525400aabb01', '192.0.2.10', 'ffffffffffff'],
      {
        syntax: 'fake',
        iface: 'eth0',
        frames: [
          [
            0,
            `ffffffffffff 525400aabb01 0806 0001 0800 0604 0001 525400aabb01 c000020a ffffffffffff c000020a ${PAD}`,
          ],
        ],
      },
    ],
    [
      // Every optional argument: Ethernet source and destination overrides, and a reply.
      [
        '192.0.2.10',
        '52:54:00:aa:bb:01',
        '192.0.2.1',
        '02:00:00:00:00:01',
        'eth1',
        '02:00:00:00:00:aa',
        '02:00:00:00:00:bb',
        'reply',
      ],
      {
        syntax: 'fake',
        iface: 'eth1',
        frames: [
          [
            0,
            `0200000000bb 0200000000aa 0806 0001 0800 0604 0002 525400aabb01 c000020a 020000000001 c0000201 ${PAD}`,
          ],
        ],
      },
    ],
    [
      ['192.0.2.10', '52:54:00:aa:bb:01', '192.0.2.1', '02:00:00:00:00:01', 'request'],
      {
        syntax: 'fake',
        iface: 'eth0',
        frames: [
          [
            0,
            `020000000001 525400aabb01 0806 0001 0800 0604 0001 525400aabb01 c000020a 020000000001 c0000201 ${PAD}`,
          ],
        ],
      },
    ],
    [
      // resource-agents, two rounds 200 ms apart: request, reply, request, reply, 100 ms apart.
      ['-i', '200', '-r', '2', 'eth0', '192.0.2.10', 'auto', '192.0.2.255', '255.255.255.0'],
      {
        syntax: 'resource-agents',
        iface: 'eth0',
        frames: [0, 100, 200, 300].map((at, i) => [
          at,
          i % 2 === 0
            ? `ffffffffffff 020000000d01 0806 0001 0800 0604 0001 020000000d01 c000020a 000000000000 c000020a ${PAD}`
            : `ffffffffffff 020000000d01 0806 0001 0800 0604 0002 020000000d01 c000020a 020000000d01 c000020a ${PAD}`,
        ]),
      },
    ],
    [
      // IPaddr2's own command line: a MAC without colons, broadcast and netmask not_used.
      [
        '-i',
        '200',
        '-r',
        '1',
        '-p',
        '/run/x.pid',
        'eth0',
        '192.0.2.10',
        '020000000d01',
        'not_used',
        'not_used',
      ],
      {
        syntax: 'resource-agents',
        iface: 'eth0',
        frames: [
          [
            0,
            `ffffffffffff 020000000d01 0806 0001 0800 0604 0001 020000000d01 c000020a 000000000000 c000020a ${PAD}`,
          ],
          [
            100,
            `ffffffffffff 020000000d01 0806 0001 0800 0604 0002 020000000d01 c000020a 020000000d01 c000020a ${PAD}`,
          ],
        ],
      },
    ],
    [
      // A cluster MAC in the ARP sender field; the Ethernet source stays the device's.
      ['bond0', '192.0.2.10', '03:00:5e:00:00:01', '192.0.2.255', '255.255.255.0'],
      {
        syntax: 'resource-agents',
        iface: 'bond0',
        frames: [
          [
            0,
            `ffffffffffff 020000000d01 0806 0001 0800 0604 0001 03005e000001 c000020a 000000000000 c000020a ${PAD}`,
          ],
          [
            500,
            `ffffffffffff 020000000d01 0806 0001 0800 0604 0002 03005e000001 c000020a 03005e000001 c000020a ${PAD}`,
          ],
        ],
      },
    ],
  ];

  for (const [argv, expected] of table) {
    test(`send_arp ${argv.join(' ')}`, () => {
      const plan = parseSendArp(argv);
      assert.equal(plan.syntax, expected.syntax);
      assert.equal(plan.iface, expected.iface);
      const frames = plan.frames(DEVICE_MAC);
      assert.deepEqual(
        frames.map((f) => f.atMs),
        expected.frames.map(([at]) => at),
      );
      frames.forEach((f, i) =>
        assert.deepEqual(f.frame, hex(expected.frames[i]![1]), `frame ${i}`),
      );
    });
  }

  test('the pidfile of -p is kept for the command to write', () => {
    const plan = parseSendArp([
      '-p',
      '/run/x.pid',
      'eth0',
      '192.0.2.1',
      'auto',
      '192.0.2.255',
      '255.255.255.0',
    ]);
    assert.equal(plan.pidfile, '/run/x.pid');
  });

  test('bad command lines name the argument', () => {
    const bad: [string[], RegExp][] = [
      [[], /missing arguments/],
      [['192.0.2.1', 'zz', '192.0.2.1', 'ff:ff:ff:ff:ff:ff'], /SRC_MAC: "zz" is not a MAC address/],
      [
        ['192.0.2.1', '52:54:00:aa:bb:01', '192.0.2.999', 'ff:ff:ff:ff:ff:ff'],
        /TARGET_IP: "192\.0\.2\.999"/,
      ],
      [['192.0.2.1', '52:54:00:aa:bb:01'], /expected 4 to 8 arguments/],
      [
        ['-r', 'x', 'eth0', '192.0.2.1', 'auto', '192.0.2.255', '255.255.255.0'],
        /-r: "x" is not a whole number/,
      ],
      [['-r', '0', 'eth0', '192.0.2.1', 'auto', '192.0.2.255', '255.255.255.0'], /-r: "0"/],
      [['-x', 'eth0'], /unknown option "-x"/],
      [['-i'], /-i needs a value/],
      [['eth0', '192.0.2.1', 'auto'], /expected 5 arguments after the options, got 3/],
    ];
    for (const [argv, message] of bad) {
      assert.throws(
        () => parseSendArp(argv),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
        argv.join(' '),
      );
    }
  });
});
