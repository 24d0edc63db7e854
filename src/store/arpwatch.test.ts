import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseArpDat } from './arpwatch.js';

describe('parseArpDat', () => {
  test('Debian’s lines (MAC with leading zeros, empty hostname, interface)', () => {
    // As arpwatch 2.1a15-8 wrote them on exit in a namespace (see db-netns.test.ts).
    const text = '02:0a:00:0b:0c:02\t10.99.0.2\t1795329742\t\teth0\n';
    assert.deepEqual(parseArpDat(text), {
      entries: [
        {
          line: 1,
          mac: '02:0a:00:0b:0c:02',
          ip: '10.99.0.2',
          lastSeen: 1795329742,
          hostname: '',
          iface: 'eth0',
        },
      ],
      bad: [],
    });
  });

  test('upstream lines: MAC without leading zeros, upper case, hostname, no interface', () => {
    const { entries, bad } = parseArpDat('0:1B:21:a:b:c\t192.0.2.7\t1700000000\tprinter\n');
    assert.deepEqual(bad, []);
    assert.deepEqual(
      entries.map((e) => [e.mac, e.ip, e.lastSeen, e.hostname, e.iface]),
      [['00:1b:21:0a:0b:0c', '192.0.2.7', 1700000000, 'printer', '']],
    );
  });

  test('comments, empty lines and CRLF endings are not lines; numbering counts every line', () => {
    const text = '# arpwatch\r\n\r\n0:0:0:0:0:1\t192.0.2.1\t5\r\n\n0:0:0:0:0:2\t192.0.2.2\t6';
    const { entries, bad } = parseArpDat(text);
    assert.deepEqual(bad, []);
    assert.deepEqual(
      entries.map((e) => [e.line, e.mac, e.lastSeen]),
      [
        [3, '00:00:00:00:00:01', 5],
        [5, '00:00:00:00:00:02', 6],
      ],
    );
  });

  test('fields past the interface are ignored, as arpwatch ignores them', () => {
    const { entries } = parseArpDat('0:0:0:0:0:1\t192.0.2.1\t5\th\teth0\textra\n');
    assert.equal(entries[0]?.iface, 'eth0');
  });

  const bad: [string, string][] = [
    [
      'no tabs at all',
      'expected MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME[<TAB>INTERFACE]], got no tab: "no tabs at all"',
    ],
    [
      '0:0:0:0:0:1\t192.0.2.1',
      'expected MAC<TAB>IP<TAB>EPOCH[<TAB>HOSTNAME[<TAB>INTERFACE]], got 2 fields: "0:0:0:0:0:1\\t192.0.2.1"',
    ],
    ['0:0:0:0:1\t192.0.2.1\t5', 'expected a MAC (e.g. 0:1b:21:a:b:c) first, got "0:0:0:0:1"'],
    [
      '0:0:0:0:0:100\t192.0.2.1\t5',
      'expected a MAC (e.g. 0:1b:21:a:b:c) first, got "0:0:0:0:0:100"',
    ],
    ['0:0:0:0:0:1\tgateway\t5', 'expected an IPv4 address second, got "gateway"'],
    ['0:0:0:0:0:1\t192.0.2.256\t5', 'expected an IPv4 address second, got "192.0.2.256"'],
    ['0:0:0:0:0:1\t192.0.2.1\t', 'expected epoch seconds third, got ""'],
    ['0:0:0:0:0:1\t192.0.2.1\t-5', 'expected epoch seconds third, got "-5"'],
    ['0:0:0:0:0:1\t192.0.2.1\t17e8', 'expected epoch seconds third, got "17e8"'],
  ];
  for (const [line, message] of bad) {
    test(`a bad line is listed with what was expected: ${JSON.stringify(line)}`, () => {
      const text = `0:0:0:0:0:9\t192.0.2.9\t1\n${line}\n0:0:0:0:0:a\t192.0.2.10\t2\n`;
      const result = parseArpDat(text);
      assert.deepEqual(result.bad, [{ line: 2, message }]);
      assert.deepEqual(
        result.entries.map((e) => e.line),
        [1, 3],
      );
    });
  }

  test('a very long bad field is cut in the message', () => {
    const [bad] = parseArpDat(`${'x'.repeat(500)}\t192.0.2.1\t5\n`).bad;
    assert.equal(
      bad?.message,
      `expected a MAC (e.g. 0:1b:21:a:b:c) first, got "${'x'.repeat(60)}…"`,
    );
  });
});
