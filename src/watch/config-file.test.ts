import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { AnnounceIp } from '../announce/plan.js';
import { parseIpv4 } from '../wire/ipv4.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { ConfigError, formatConfigPath, loadConfig, parseConfigText } from './config-file.js';
import type { TriggerKind } from './watch-config.js';

const FILE = '/etc/arpkit/watch.yaml';
const CONTRIB = fileURLToPath(new URL('../../../contrib/watch.yaml', import.meta.url));

/** The layout of the file, every key given. */
const FULL = `announce:
  iface: [br0]
  all: false
  guests: [br0]
  ip: [192.0.2.10, 2001:db8::10]
  uplink: [bond0]
  mac-frame: learn
  rate: 500
watch:
  bonds: [bond0]
  links: [eth0]
  bridges: [br1]
  addresses: [192.0.2.20]
triggers:
  start: false
  carrier-up: [0, 1.1s, 5s, 15s]
  guest-learned: true
coalesce: 20ms
refresh: 100s
`;

/** The same as JSON. */
const FULL_JSON = JSON.stringify(
  {
    announce: {
      iface: ['br0'],
      all: false,
      guests: ['br0'],
      ip: ['192.0.2.10', '2001:db8::10'],
      uplink: ['bond0'],
      'mac-frame': 'learn',
      rate: 500,
    },
    watch: { bonds: ['bond0'], links: ['eth0'], bridges: ['br1'], addresses: ['192.0.2.20'] },
    triggers: { start: false, 'carrier-up': [0, '1.1s', '5s', '15s'], 'guest-learned': true },
    coalesce: '20ms',
    refresh: 100,
  },
  null,
  2,
);

const v4 = (text: string): AnnounceIp => ({ family: 'ipv4', ip: parseIpv4(text) });
const v6 = (text: string): AnnounceIp => ({ family: 'ipv6', ip: parseIpv6(text) });

/** Asserts that `text` is refused with exactly `message` (which starts with FILE). */
function refused(text: string, message: string): void {
  assert.throws(
    () => parseConfigText(text, FILE),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.message, message);
      return true;
    },
    text,
  );
}

describe('watch configuration file', () => {
  for (const [name, text] of [
    ['YAML', FULL],
    ['JSON', FULL_JSON],
  ] as const) {
    test(`every key (${name})`, () => {
      const config = parseConfigText(text, FILE);
      assert.deepEqual(config.announce, {
        options: {
          ifaces: ['br0'],
          all: false,
          guests: ['br0'],
          ips: [v4('192.0.2.10'), v6('2001:db8::10')],
          uplinks: ['bond0'],
          macFrame: 'learn',
          force: false,
        },
        rate: 500,
      });
      assert.deepEqual(config.watch, {
        bonds: ['bond0'],
        links: ['eth0', 'br0'],
        bridges: ['br1', 'br0'],
        addresses: [v4('192.0.2.20'), v4('192.0.2.10'), v6('2001:db8::10')],
      });
      assert.deepEqual(
        config.schedules,
        new Map<TriggerKind, number[]>([
          ['bond-failover', [0, 1100, 5000]],
          ['carrier-up', [0, 1100, 5000, 15_000]],
          ['port-change', [0, 1100, 5000]],
          ['mac-change', [0, 1100, 5000]],
          ['address-added', [0, 1100, 5000]],
          ['guest-learned', [0]],
          ['refresh', [0]],
        ]),
      );
      assert.equal(config.coalesceMs, 20);
      assert.equal(config.refreshMs, 100_000);
    });
  }

  test('defaults: a file naming only a bond', () => {
    const config = parseConfigText('watch:\n  bonds: [bond0]\n', FILE);
    assert.deepEqual(config.announce.options, {
      ifaces: [],
      all: true,
      guests: undefined,
      ips: [],
      uplinks: [],
      macFrame: 'rarp',
      force: false,
    });
    assert.equal(config.announce.rate, 1000);
    assert.deepEqual(
      [...config.schedules.keys()],
      ['start', 'bond-failover', 'carrier-up', 'port-change', 'mac-change', 'address-added'],
    );
    assert.deepEqual([config.coalesceMs, config.refreshMs], [50, undefined]);
  });

  test('keywords: guests true or false, bridges all, addresses any, refresh false', () => {
    const every = parseConfigText('announce: {guests: true}\nwatch: {addresses: any}\n', FILE);
    assert.equal(every.announce.options.guests, 'all');
    assert.deepEqual([every.watch.bridges, every.watch.addresses], ['all', 'any']);
    const none = parseConfigText(
      'announce: {guests: false}\nwatch: {bridges: all}\nrefresh: false',
      FILE,
    );
    assert.deepEqual([none.announce.options.guests, none.announce.options.all], [undefined, true]);
    assert.deepEqual([none.watch.bridges, none.refreshMs], ['all', undefined]);
  });

  test('contrib/watch.yaml, the commented example, loads', async () => {
    const config = await loadConfig(CONTRIB);
    assert.deepEqual(config.watch.bonds, ['bond0']);
    assert.deepEqual(config.schedules.get('carrier-up'), [0, 1100, 5000, 15_000, 30_000]);
    assert.equal(config.refreshMs, 600_000);
  });

  test('values: the builder names the key, the file and the line', () => {
    const table: [string, string][] = [
      [
        'watch: {bonds: [b]}\ntriggers:\n  carrier-up: [0, 1.1x]\n',
        `${FILE}:3: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)`,
      ],
      [
        'watch: {bonds: [b]}\ntriggers:\n  carrier-up:\n    - 0\n    - 1.1x\n',
        `${FILE}:5: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)`,
      ],
      [
        '{\n  "watch": {"bonds": ["b"]},\n  "triggers": {\n    "carrier-up": [\n      0,\n      "1.1x"\n    ]\n  }\n}',
        `${FILE}:6: triggers.carrier-up[1]: "1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)`,
      ],
      [
        '# addresses\nannounce:\n  ip:\n    - 192.0.2.1\n    - 192.0.2.300\n',
        `${FILE}:5: announce.ip[1]: "192.0.2.300" is not an IPv4 address (e.g. 192.0.2.1)`,
      ],
      [
        'watch:\n  bonds: [b]\n  bridges: every\n',
        `${FILE}:3: watch.bridges: "every" is not a list of bridge names (e.g. [br0]) or all`,
      ],
      [
        'watch: {bonds: [b]}\nannounce:\n  rate: 20000000\n',
        `${FILE}:3: announce.rate: expected a whole number from 0 to 10000000 (frames a second on each link; 0 is unpaced), not 20000000`,
      ],
      [
        'watch: {bonds: [b]}\nrefresh: 500ms\n',
        `${FILE}:2: refresh: "500ms" is not a refresh interval from 1s to 24h (e.g. 100s)`,
      ],
      [
        'watch: {bonds: [b]}\ncoalesce: 11s\n',
        `${FILE}:2: coalesce: "11s" is not a coalescing window from 0 to 10s (e.g. 50ms)`,
      ],
      [
        'watch: {bonds: [b]}\ntriggers:\n  start: [0, 2s, 1s]\n',
        `${FILE}:3: triggers.start[2]: "1s" is not after the round before it ("2s"); expected rising times`,
      ],
      [
        'announce:\n  all: false\n',
        `${FILE}:2: announce.all: nothing to announce: all is false and no iface, guests or ip is given`,
      ],
      [
        'announce:\n  all: true\n',
        `${FILE}: nothing to watch: name a bond, link, bridge or address to watch, or an iface, ip or guests to announce`,
      ],
      [
        'watch: {bonds: [b]}\ntriggers:\n  bond-failover: false\n  carrier-up: false\n  mac-change: false\n',
        `${FILE}:2: triggers: nothing to watch: no trigger that is on uses the bonds, links, bridges or addresses watched (bond-failover uses bonds; carrier-up and mac-change bonds, links and bridges; port-change and guest-learned bridges; address-added addresses)`,
      ],
    ];
    for (const [text, message] of table) refused(text, message);
  });

  test('shape: types and keywords in words, with what was found', () => {
    const table: [string, string][] = [
      [
        'watch:\n  links: eth0\n',
        `${FILE}:2: watch.links: expected a list of link names (e.g. [eth0]), not "eth0"`,
      ],
      [
        'watch:\n  links:\n',
        `${FILE}:2: watch.links: expected a list of link names (e.g. [eth0]), not an empty value`,
      ],
      ['watch:\n  links: [eth0, 5]\n', `${FILE}:2: watch.links[1]: expected a link name, not 5`],
      [
        'watch:\n  links:\n    - eth0\n    - ""\n',
        `${FILE}:4: watch.links[1]: expected a link name, not ""`,
      ],
      [
        '{"watch": {"bonds": ["b"]},\n "announce": {"mac-frame": "arp"}}',
        `${FILE}:2: announce.mac-frame: expected rarp or learn, not "arp"`,
      ],
      ['announce:\n  all: yes\n', `${FILE}:2: announce.all: expected true or false, not "yes"`],
      [
        'announce:\n  guests: br0\n',
        `${FILE}:2: announce.guests: expected true (every bridge), false or a list of bridge names (e.g. [br0]), not "br0"`,
      ],
      [
        'triggers:\n  carrier-up: 5s\n',
        `${FILE}:2: triggers.carrier-up: expected true, false or a schedule such as [0, 1.1s, 5s], not "5s"`,
      ],
      [
        'triggers:\n  carrier-up: [0, {a: 1}]\n',
        `${FILE}:2: triggers.carrier-up[1]: expected a duration (e.g. 200ms, 1.1s, 2m; a bare number is seconds), not a mapping`,
      ],
      [
        'refresh: true\n',
        `${FILE}:1: refresh: expected a duration from 1s to 24h (e.g. 100s) or false, not true`,
      ],
      [
        'coalesce: [1]\n',
        `${FILE}:1: coalesce: expected a duration from 0 to 10s (e.g. 50ms), not a list`,
      ],
      [
        '- watch\n',
        `${FILE}: expected a mapping of settings (announce, watch, triggers, coalesce, refresh), not a list`,
      ],
      [
        'watch: [bonds]\n',
        `${FILE}:1: watch: expected a mapping of what to watch (bonds, links, bridges, addresses), not a list`,
      ],
    ];
    for (const [text, message] of table) refused(text, message);
  });

  test('an unknown key is named, with the keys that belong there', () => {
    refused(
      'watch:\n  bonds: [bond0]\n  brdiges: [br0]\n',
      `${FILE}:3: watch: unknown key "brdiges" (keys here: bonds, links, bridges, addresses)`,
    );
    refused(
      '{\n  "watch": {\n    "brdiges": ["br0"]\n  }\n}',
      `${FILE}:3: watch: unknown key "brdiges" (keys here: bonds, links, bridges, addresses)`,
    );
    refused(
      '# top\nbonds: [bond0]\n',
      `${FILE}:2: unknown key "bonds" (keys here: announce, watch, triggers, coalesce, refresh; bonds goes under watch)`,
    );
    refused(
      'announce:\n  mac_frame: rarp\n',
      `${FILE}:2: announce: unknown key "mac_frame" (keys here: iface, all, guests, ip, uplink, mac-frame, rate)`,
    );
    refused(
      'triggers:\n  refresh: 10s\n',
      `${FILE}:2: triggers: unknown key "refresh" (keys here: start, bond-failover, carrier-up, port-change, mac-change, address-added, guest-learned; refresh goes at the top level)`,
    );
  });

  test('a duplicate key is an error, in YAML and in JSON', () => {
    refused(
      'watch:\n  bonds: [bond0]\n  links: [eth0]\n  bonds: [bond1]\n',
      `${FILE}:4: watch: duplicate key "bonds"`,
    );
    refused('{"watch": {"bonds": ["a"]},\n "watch": {}}', `${FILE}:2: duplicate key "watch"`);
  });

  test('YAML errors keep their line', () => {
    refused('watch:\n  bonds: "bond0\n', `${FILE}:2: invalid YAML: Missing closing "quote`);
    refused('watch:\n\t- x\n', `${FILE}:2: invalid YAML: Tabs are not allowed as indentation`);
    refused('watch: !bonds [b]\n', `${FILE}:1: invalid YAML: Unresolved tag: !bonds`);
    refused(
      'watch: {bonds: [a]}\n---\nwatch: {bonds: [b]}\n',
      `${FILE}:2: a second YAML document (after ---); expected one`,
    );
  });

  test('an empty file, or one of comments only, is an error', () => {
    const message = `${FILE}: no settings; expected a mapping of settings (announce, watch, triggers, coalesce, refresh)`;
    for (const text of ['', '\n', '# nothing yet\n', '---\n', '~\n']) refused(text, message);
  });

  test('an unreadable file: its path, cannot read, and why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arpkit-watch-'));
    try {
      const missing = join(dir, 'missing.yaml');
      await assert.rejects(loadConfig(missing), {
        name: 'ConfigError',
        message: `${missing}: cannot read: no such file (ENOENT)`,
      });
      await assert.rejects(loadConfig(dir), {
        message: `${dir}: cannot read: is a directory (EISDIR)`,
      });
      const good = join(dir, 'watch.json');
      await writeFile(good, '{"watch": {"links": ["eth0"]}}');
      assert.deepEqual((await loadConfig(good)).watch.links, ['eth0']);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('ConfigError fields and path text', () => {
    try {
      parseConfigText('watch: {bonds: [b]}\ntriggers:\n  start: [0, 1.1x]\n', 'w.yaml');
      assert.fail('no error');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        [error.file, error.line, error.path, error.reason],
        ['w.yaml', 3, ['triggers', 'start', 1], '"1.1x" is not a duration (e.g. 200ms, 1.1s, 2m)'],
      );
    }
    assert.equal(formatConfigPath([]), '');
    assert.equal(formatConfigPath(['announce', 'mac-frame']), 'announce.mac-frame');
    assert.equal(formatConfigPath(['triggers', 'carrier-up', 1]), 'triggers.carrier-up[1]');
  });

  test('a message stays on one line, whatever the input holds', () => {
    refused(
      'watch: {bonds: [b]}\ncoalesce: "1\\n2"\n',
      `${FILE}:2: coalesce: "1\\n2" is not a duration (e.g. 200ms, 1.1s, 2m)`,
    );
  });

  test('property: a rising schedule written in YAML is the right ms', () => {
    const written = (ms: number): fc.Arbitrary<string> => {
      const ways = [`${ms}ms`, `${ms / 1000}s`, `${ms / 1000}`, `"${ms / 1000}"`];
      if (ms % 60_000 === 0) ways.push(`${ms / 60_000}m`);
      return fc.constantFrom(...ways);
    };
    const schedule = fc
      .uniqueArray(fc.integer({ min: 1, max: 3_600_000 }), { maxLength: 20 })
      .map((rest) => [0, ...rest.sort((a, b) => a - b)]);
    fc.assert(
      fc.property(
        schedule.chain((ms) => fc.tuple(fc.constant(ms), fc.tuple(...ms.map(written)))),
        fc.boolean(),
        ([ms, rounds], block) => {
          const list = block
            ? rounds.map((round) => `\n    - ${round}`).join('')
            : ` [${rounds.join(', ')}]`;
          const config = parseConfigText(
            `watch: {links: [eth0]}\ntriggers:\n  mac-change:${list}\n`,
            FILE,
          );
          assert.deepEqual(config.schedules.get('mac-change'), ms);
        },
      ),
    );
  });

  test('property: garbage is refused with a one-line ConfigError, nothing else', () => {
    const token = fc.constantFrom(
      'announce',
      'watch',
      'triggers',
      'coalesce',
      'refresh',
      'iface',
      'guests',
      'bridges',
      'bonds',
      'links',
      'addresses',
      'carrier-up',
      'mac-frame',
      'rate',
      'all',
      'any',
      'true',
      'false',
      'null',
      '~',
      '0',
      '1.1s',
      '-1',
      '1e400',
      '192.0.2.1',
      '::1',
      ':',
      ': ',
      '- ',
      '\n',
      '\n  ',
      '\n    ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '"',
      "'",
      '#',
      '&a ',
      '*a',
      '!!str ',
      '!x ',
      '---\n',
      '? ',
      '|',
      '>',
      '\t',
      '__proto__',
      '<<: ',
      '%YAML 1.2\n',
      '\\',
      '@',
    );
    const text = fc.oneof(
      fc.array(token, { maxLength: 30 }).map((tokens) => tokens.join('')),
      fc.string({ maxLength: 60 }),
    );
    fc.assert(
      fc.property(text, (garbage) => {
        try {
          parseConfigText(garbage, FILE);
        } catch (error) {
          assert.ok(
            error instanceof ConfigError,
            `${String(error)} from ${JSON.stringify(garbage)}`,
          );
          assert.ok(!/[\n\r]/.test(error.message), error.message);
          assert.ok(error.message.startsWith(`${FILE}`), error.message);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
