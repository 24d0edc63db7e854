import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { parseArp } from '../wire/arp.js';
import { arpFlagNames, arpFlags } from '../wire/classify.js';
import { EtherType } from '../wire/ethertype.js';
import { decodeFrame } from '../wire/frame.js';
import { formatIpv4, parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { formatMac, parseMac } from '../wire/mac.js';
import { ndFlagNames } from '../wire/nd-classify.js';
import { SEND_KINDS, type SendSpec, sendFrame } from './send-frame.js';

const MAC = parseMac('52:54:00:aa:bb:01');
const IP = parseIpv4('192.0.2.100');
const IP6 = parseIpv6('2001:db8::100');

/** What a frame of each kind decodes to: ARP fields as text and the classification. */
function arpView(spec: SendSpec) {
  const frame = decodeFrame(sendFrame(spec), 'ethernet');
  assert.ok(frame.proto === 'arp' || frame.proto === 'rarp', frame.proto);
  const arp = parseArp(frame.arp);
  return {
    proto: frame.proto,
    ethSrc: formatMac(frame.source!),
    ethDst: formatMac(frame.destination!),
    op: arp.op,
    sha: formatMac(arp.senderMac),
    spa: formatIpv4(arp.senderIp),
    tha: formatMac(arp.targetMac),
    tpa: formatIpv4(arp.targetIp),
    flags: arpFlagNames(arpFlags(frame.arp, frame)),
  };
}

describe('send frames', () => {
  test('learn is byte for byte the frame of send_arp 0.0.0.0 $mac 0.0.0.0 ff:ff:ff:ff:ff:ff', () => {
    // As captured from fake's send_arp (shared/research/garp-prior-art.md): one frame, 60 bytes.
    const expected = hex(`
      ffffffffffff 525400aabb01 0806             # to broadcast, from the MAC, ARP
      0001 0800 06 04 0001                       # Ethernet/IPv4 request
      525400aabb01 00000000                      # SHA = the MAC, SPA = 0.0.0.0
      ffffffffffff 00000000                      # THA = broadcast, TPA = 0.0.0.0
      000000000000000000000000000000000000       # padding to 60
    `);
    assert.deepEqual(sendFrame({ kind: 'learn', mac: MAC }), expected);
  });

  const cases: [SendSpec, Partial<ReturnType<typeof arpView>>][] = [
    [
      { kind: 'announce', mac: MAC, ip: IP },
      {
        op: 1,
        spa: '192.0.2.100',
        tpa: '192.0.2.100',
        tha: '00:00:00:00:00:00',
        flags: ['request', 'gratuitous', 'announcement', 'broadcast'],
      },
    ],
    [
      { kind: 'request', mac: MAC, ip: IP },
      { op: 1, tha: 'ff:ff:ff:ff:ff:ff', flags: ['request', 'gratuitous', 'broadcast'] },
    ],
    [
      { kind: 'reply', mac: MAC, ip: IP },
      { op: 2, tha: '52:54:00:aa:bb:01', tpa: '192.0.2.100', flags: ['reply', 'gratuitous'] },
    ],
    [
      { kind: 'rarp', mac: MAC },
      { proto: 'rarp', op: 3, sha: '52:54:00:aa:bb:01', tha: '52:54:00:aa:bb:01', spa: '0.0.0.0' },
    ],
    [
      { kind: 'probe', mac: MAC, ip: IP },
      {
        op: 1,
        spa: '0.0.0.0',
        tpa: '192.0.2.100',
        tha: '00:00:00:00:00:00',
        flags: ['request', 'probe', 'broadcast'],
      },
    ],
    [
      { kind: 'learn', mac: MAC },
      {
        op: 1,
        spa: '0.0.0.0',
        tpa: '0.0.0.0',
        tha: 'ff:ff:ff:ff:ff:ff',
        flags: ['request', 'gratuitous', 'broadcast', 'learn'],
      },
    ],
  ];
  for (const [spec, expected] of cases) {
    test(`${spec.kind}: ${JSON.stringify(expected)}`, () => {
      const view = arpView(spec);
      assert.equal(view.ethSrc, '52:54:00:aa:bb:01');
      assert.equal(view.ethDst, 'ff:ff:ff:ff:ff:ff');
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(view[key as keyof typeof view], value, key);
      }
    });
  }

  test('overrides replace the Ethernet addresses and the targets; tags go on in order', () => {
    const other = parseMac('02:00:00:00:00:09');
    const frame = decodeFrame(
      sendFrame({
        kind: 'request',
        mac: MAC,
        ip: IP,
        ethSrc: other,
        ethDst: other,
        targetIp: parseIpv4('192.0.2.1'),
        targetMac: other,
        vlans: [
          { tpid: EtherType.QINQ, pcp: 0, dei: false, vid: 200 },
          { tpid: EtherType.VLAN, pcp: 5, dei: false, vid: 100 },
        ],
      }),
      'ethernet',
    );
    assert.equal(frame.source, other);
    assert.equal(frame.destination, other);
    assert.deepEqual(
      frame.vlans.map((t) => [t.vid, t.pcp]),
      [
        [200, 0],
        [100, 5],
      ],
    );
    assert.ok(frame.proto === 'arp');
    const arp = parseArp(frame.arp);
    assert.equal(arp.senderMac, MAC);
    assert.equal(arp.targetMac, other);
    assert.equal(formatIpv4(arp.targetIp), '192.0.2.1');
  });

  test('na: RFC 4861 §7.2.6 to all nodes, hop limit 255, O set, S clear, the MAC as TLLA', () => {
    for (const router of [false, true]) {
      const frame = decodeFrame(sendFrame({ kind: 'na', mac: MAC, ip: IP6, router }), 'ethernet');
      assert.ok(frame.proto === 'ndp');
      assert.equal(formatMac(frame.destination!), '33:33:00:00:00:01');
      assert.equal(frame.source, MAC);
      const { ip, nd, checksumOk } = frame.nd;
      assert.ok(checksumOk);
      assert.equal(ip.hopLimit, 255);
      assert.equal(ip.destination, parseIpv6('ff02::1'));
      assert.equal(ip.source, IP6);
      assert.ok(nd.type === 'na');
      assert.equal(nd.target, IP6);
      assert.equal(nd.targetLla, MAC);
      assert.deepEqual(
        ndFlagNames(frame.nd),
        router ? ['router', 'unsolicited', 'override'] : ['unsolicited', 'override'],
      );
    }
  });

  test('every kind makes a 60-byte frame or more', () => {
    for (const kind of SEND_KINDS) {
      const spec: SendSpec =
        kind === 'na' ? { kind, mac: MAC, ip: IP6 } : { kind, mac: MAC, ip: IP };
      assert.ok(sendFrame(spec).length >= 60, kind);
    }
  });
});
