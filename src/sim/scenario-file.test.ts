import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../watch/config-file.js';
import { loadScenarioFile, parseScenarioText } from './scenario-file.js';

const FILE = 'sim.yaml';

/** The ConfigError `text` raises, or a failure if it parses. */
function error(text: string): ConfigError {
  try {
    parseScenarioText(text, FILE);
  } catch (thrown) {
    assert.ok(thrown instanceof ConfigError, String(thrown));
    return thrown;
  }
  assert.fail(`parsed:\n${text}`);
}

describe('scenario files', () => {
  test('a YAML file: scenario, seed, typed set values in order, a range sweep', () => {
    const file = parseScenarioText(
      [
        'scenario: bond-failover',
        'seed: 7',
        'set:',
        '  announce: bonding',
        '  guests: 8',
        '  peer.retrans_time_ms: 500',
        'sweep: { key: num_grat_arp, from: 0, to: 4, step: 2 }',
      ].join('\n'),
      FILE,
    );
    assert.equal(file.scenario.name, 'bond-failover');
    assert.equal(file.seed, 7);
    assert.deepEqual(
      [...file.set],
      [
        ['announce', 'bonding'],
        ['guests', 8],
        ['peer.retrans_time_ms', 500],
      ],
    );
    assert.deepEqual(file.sweep, { key: 'num_grat_arp', values: [0, 2, 4] });
    assert.equal(file.lineOf(['set', 'guests']), 5);
  });

  test('the same as JSON, a list sweep, no seed', () => {
    const json = JSON.stringify({
      scenario: 'bond-failover',
      set: { guests: 2 },
      sweep: { key: 'announce', values: ['none', 'arpkit'] },
    });
    const file = parseScenarioText(json, 'sim.json');
    assert.equal(file.seed, undefined);
    assert.deepEqual([...file.set], [['guests', 2]]);
    assert.deepEqual(file.sweep, { key: 'announce', values: ['none', 'arpkit'] });
  });

  test('a range sweep without a step: whole numbers 1 apart, at most 11 values', () => {
    const file = parseScenarioText(
      'scenario: bond-failover\nsweep: {key: guests, from: 1, to: 3}',
      FILE,
    );
    assert.deepEqual(file.sweep?.values, [1, 2, 3]);
  });

  test('errors name the file, the line and the key', () => {
    const cases: [string, RegExp][] = [
      [
        'scenario: bond-failover\nguests: 4',
        /^sim\.yaml:2: unknown key "guests" \(keys here: scenario, seed, set, sweep; parameters go under set\)$/,
      ],
      ['seed: 3', /^sim\.yaml:1: no scenario; expected a mapping with scenario/],
      [
        'scenario: nope',
        /^sim\.yaml:1: scenario: "nope" is not a scenario \(scenarios: bond-failover, /,
      ],
      [
        'scenario: bond-failover\nseed: -1',
        /^sim\.yaml:2: seed: expected a whole number from 0 to 4294967295, not -1$/,
      ],
      [
        'scenario: bond-failover\nset:\n  guests: many',
        /^sim\.yaml:3: set\.guests: "many" is not an integer in 0\.\.100000$/,
      ],
      [
        'scenario: bond-failover\nset:\n  announce: maybe',
        /^sim\.yaml:3: set\.announce: "maybe" is not one of none, bonding, arpkit$/,
      ],
      [
        'scenario: bond-failover\nset:\n  gusts: 4',
        /^sim\.yaml:3: set\.gusts: scenario bond-failover has no such parameter/,
      ],
      [
        'scenario: bond-failover\nset:\n  guests: [1, 2]',
        /^sim\.yaml:3: set\.guests: expected a number, true, false or text, not a list$/,
      ],
      [
        'scenario: bond-failover\nset:\n  guests: 1\n  guests: 2',
        /^sim\.yaml:4: set: duplicate key "guests"$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: guests',
        /^sim\.yaml:2: sweep: expected from and to \(and step\), or values$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: guests\n  from: 1\n  values: [1]',
        /^sim\.yaml:5: sweep\.values: give either values or from and to, not both$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: guests\n  from: 3\n  to: 1',
        /^sim\.yaml:2: sweep: guests: 3\.\.1 is not a range from low to high$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: announce\n  values: [none, maybe]',
        /^sim\.yaml:4: sweep\.values\[1\]: announce: "maybe" is not one of/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: wat\n  from: 1\n  to: 2',
        /^sim\.yaml:3: sweep\.key: "wat": scenario bond-failover has no such parameter$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: guests\n  from: 1\n  to: 2\n  step: 0',
        /^sim\.yaml:6: sweep\.step: expected a number above 0, not 0$/,
      ],
      [
        'scenario: bond-failover\nsweep:\n  key: guests\n  from: 1\n  to: 2\n  by: 1',
        /^sim\.yaml:6: sweep: unknown key "by" \(keys here: key, from, to, step, values\)$/,
      ],
      ['scenario: [bond-failover', /^sim\.yaml:1: invalid YAML: /],
      [
        'scenario: bond-failover\n---\nscenario: storm',
        /^sim\.yaml:2: a second YAML document \(after ---\); expected one$/,
      ],
      ['', /^sim\.yaml: empty; expected a mapping/],
      ['- bond-failover', /^sim\.yaml:1: expected a mapping with scenario: NAME .*, not a list$/],
    ];
    for (const [text, expected] of cases) {
      const thrown = error(text);
      assert.match(thrown.message, expected, text);
      assert.ok(!thrown.message.includes('\n'), text);
    }
  });

  test('a file that cannot be read is named with the reason', async () => {
    await assert.rejects(loadScenarioFile('/nonexistent/sim.yaml'), {
      message: '/nonexistent/sim.yaml: cannot read: no such file (ENOENT)',
    });
    const dir = await mkdtemp(join(tmpdir(), 'arpkit-scenario-file-'));
    try {
      const path = join(dir, 'ok.yaml');
      await writeFile(path, 'scenario: storm\nset: { hosts: 3 }\n');
      const file = await loadScenarioFile(path);
      assert.equal(file.file, path);
      assert.equal(file.scenario.name, 'storm');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
