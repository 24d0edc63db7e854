import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4 } from '../testing/arbitraries.js';
import { type Ipv4, parseIpv4 } from '../wire/ipv4.js';
import { formatCidr, parseCidr, prefixMask, SubnetError, Subnets } from './subnets.js';

const ip = (text: string): number => parseIpv4(text);

describe('parseCidr', () => {
  test('reads the network and prefix', () => {
    assert.deepEqual(parseCidr('192.0.2.0/24'), { network: ip('192.0.2.0'), prefix: 24 });
    assert.deepEqual(parseCidr(' 10.0.0.0/8 '), { network: ip('10.0.0.0'), prefix: 8 });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { network: 0, prefix: 0 });
    assert.deepEqual(parseCidr('198.51.100.7/32'), { network: ip('198.51.100.7'), prefix: 32 });
  });

  test('clears host bits, as an interface address is written', () => {
    assert.deepEqual(parseCidr('192.0.2.77/24'), { network: ip('192.0.2.0'), prefix: 24 });
    assert.deepEqual(parseCidr('255.255.255.255/1'), { network: ip('128.0.0.0'), prefix: 1 });
  });

  for (const bad of [
    '',
    '192.0.2.0',
    '192.0.2.0/',
    '192.0.2.0/33',
    '192.0.2.0/-1',
    '192.0.2.0/024',
    '192.0.2.0/2 4',
    '192.0.2/24',
    '256.0.0.0/8',
    '192.0.2.0/24/1',
    'fe80::/64',
    'abc',
  ]) {
    test(`rejects ${JSON.stringify(bad)} with one line naming it`, () => {
      assert.throws(
        () => parseCidr(bad),
        (error: unknown) =>
          error instanceof SubnetError &&
          error.input === bad &&
          error.message === `"${bad}" is not an IPv4 network (e.g. 192.0.2.0/24)`,
      );
    });
  }

  test('formatCidr round-trips every prefix', () => {
    for (let prefix = 0; prefix <= 32; prefix++) {
      const text = formatCidr(parseCidr(`203.0.113.255/${prefix}`));
      assert.deepEqual(parseCidr(text), parseCidr(`203.0.113.255/${prefix}`));
    }
  });
});

describe('prefixMask', () => {
  test('edges', () => {
    assert.equal(prefixMask(0), 0);
    assert.equal(prefixMask(1), 0x8000_0000);
    assert.equal(prefixMask(24), 0xffff_ff00);
    assert.equal(prefixMask(31), 0xffff_fffe);
    assert.equal(prefixMask(32), 0xffff_ffff);
  });
});

describe('Subnets', () => {
  test('an empty set contains nothing and says so', () => {
    const nets = Subnets.parse([]);
    assert.equal(nets.isEmpty, true);
    assert.equal(nets.size, 0);
    assert.equal(nets.contains(ip('192.0.2.1')), false);
    assert.equal(nets.describe(), 'none');
  });

  test('contains: the first and last address in, one either side out', () => {
    const nets = Subnets.parse(['192.0.2.0/24', '10.0.0.0/8']);
    assert.equal(nets.isEmpty, false);
    assert.equal(nets.contains(ip('192.0.2.0')), true);
    assert.equal(nets.contains(ip('192.0.2.255')), true);
    assert.equal(nets.contains(ip('192.0.1.255')), false);
    assert.equal(nets.contains(ip('192.0.3.0')), false);
    assert.equal(nets.contains(ip('10.255.255.255')), true);
    assert.equal(nets.contains(ip('11.0.0.0')), false);
    assert.equal(nets.contains(ip('9.255.255.255')), false);
  });

  test('/0 holds everything, /32 one address (the sign bit too)', () => {
    assert.equal(Subnets.parse(['0.0.0.0/0']).contains(ip('255.255.255.255')), true);
    const one = Subnets.parse(['255.255.255.254/32']);
    assert.equal(one.contains(ip('255.255.255.254')), true);
    assert.equal(one.contains(ip('255.255.255.255')), false);
    assert.equal(Subnets.parse(['128.0.0.0/1']).contains(ip('200.1.2.3')), true);
  });

  test('learns an interface network; duplicates are not added twice', () => {
    const nets = Subnets.parse(['192.0.2.0/24']);
    assert.equal(nets.learn(ip('198.51.100.7') as Ipv4, 24), true);
    assert.equal(nets.learn(ip('198.51.100.9') as Ipv4, 24), false);
    assert.equal(nets.add(parseCidr('192.0.2.0/24')), false);
    assert.equal(nets.size, 2);
    assert.equal(nets.contains(ip('198.51.100.200')), true);
    assert.deepEqual(nets.list(), ['192.0.2.0/24', '198.51.100.0/24']);
    assert.equal(nets.describe(), '192.0.2.0/24, 198.51.100.0/24 (learned)');
    assert.throws(() => nets.learn(ip('1.2.3.4') as Ipv4, 33), RangeError);
  });

  test('the first bad text stops parse', () => {
    assert.throws(() => Subnets.parse(['192.0.2.0/24', 'x/8']), /"x\/8" is not an IPv4 network/);
  });

  test('property: contains agrees with a string-free reference', () => {
    fc.assert(
      fc.property(arbIpv4(), fc.integer({ min: 0, max: 32 }), arbIpv4(), (net, prefix, probe) => {
        const nets = new Subnets();
        nets.learn(net, prefix);
        const shift = 32 - prefix;
        const same =
          prefix === 0 || Math.floor(net / 2 ** shift) === Math.floor(probe / 2 ** shift);
        assert.equal(nets.contains(probe), same);
      }),
    );
  });
});
