import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../testing/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../../contrib/watch.yaml', import.meta.url));

describe('arpkit watch (without sockets: --check, --help, usage errors)', () => {
  it('--check prints what the flags mean: watched, announced, triggers and schedules', async () => {
    const run = await runCli(['watch', '--bond', 'bond0', '--guests', 'br0', '--check']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      'flags: ok: watching bonds bond0; bridges br0; announcing --guests br0 --rate 1000; ' +
        'triggers start 0,1.1s,5s, bond-failover 0,1.1s,5s, carrier-up 0,1.1s,5s,15s, ' +
        'port-change 0,1.1s,5s, mac-change 0,1.1s,5s, address-added 0,1.1s,5s; coalescing 50ms\n',
    );
  });

  it('flags change schedules, turn kinds off and on, and set coalescing and refresh', async () => {
    const run = await runCli([
      'watch',
      '--link',
      'eth0',
      '--address',
      '192.0.2.10',
      '--schedule',
      'carrier-up=0,2s,10s',
      '--off',
      'start',
      '--learn-guests',
      '--coalesce',
      '20ms',
      '--refresh',
      '100s',
      '--check',
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^flags: ok: watching links eth0; addresses 192\.0\.2\.10; announcing --all /,
    );
    assert.match(run.stdout, /triggers bond-failover 0,1\.1s,5s, carrier-up 0,2s,10s,/);
    assert.match(run.stdout, /guest-learned 0, refresh 0; coalescing 20ms; refresh every 100s\n$/);
    assert.doesNotMatch(run.stdout, /start/);
  });

  it('--check loads the shipped example configuration', async () => {
    const run = await runCli(['watch', '--config', EXAMPLE, '--check']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /watch\.yaml: ok: watching bonds bond0;/);
  });

  it('a configuration file error names the file, the line and what was expected', async () => {
    const file = join(tmpdir(), `arpkit-watch-test-${process.pid}.yaml`);
    await writeFile(file, 'watch:\n  bonds: [bond0]\n  brdiges: [br0]\n');
    const run = await runCli(['watch', '--config', file, '--check']);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `arpkit: ${file}:3: watch: unknown key "brdiges" (keys here: bonds, links, bridges, addresses)\n`,
    );
  });

  it('refuses bad flags with one line naming the flag, exit 2', async () => {
    const table: [string[], string][] = [
      [
        [],
        'nothing to watch: name a bond, link, bridge or address to watch, or an iface, ip or guests to announce',
      ],
      [
        ['--bond', 'b', '--schedule', 'carrier-up=0,1x'],
        '--schedule carrier-up: "1x" is not a duration (e.g. 200ms, 1.1s, 2m)',
      ],
      [
        ['--bond', 'b', '--schedule', 'carrier-up'],
        '--schedule: "carrier-up" is not KIND=LIST (e.g. carrier-up=0,1.1s,5s,15s)',
      ],
      [
        ['--bond', 'b', '--off', 'refresh'],
        '--off: "refresh" is not a trigger kind (use --refresh DURATION) (kinds: start, bond-failover, carrier-up, port-change, mac-change, address-added, guest-learned)',
      ],
      [
        ['--bond', 'b', '--rate', 'fast'],
        '--rate: "fast" is not a whole number of frames a second',
      ],
      [
        ['--address', '192.0.2.300'],
        '--address: "192.0.2.300" is not an IPv4 address (e.g. 192.0.2.1)',
      ],
      [
        ['--bond', 'b', '--metrics', '9100'],
        '--metrics: "9100" has no port; expected HOST:PORT, [IPv6]:PORT or :PORT (e.g. 127.0.0.1:9468 or :9468)',
      ],
      [
        ['--config', EXAMPLE, '--bond', 'b', '--rate', '5'],
        '--config: the file says what to watch; drop --rate, --bond',
      ],
    ];
    for (const [args, message] of table) {
      const run = await runCli(['watch', ...args, '--check']);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr, `arpkit: ${message}\n`, args.join(' '));
    }
  });

  it('--help lists every trigger kind with its default schedule', async () => {
    const run = await runCli(['watch', '--help']);
    assert.equal(run.status, 0);
    for (const line of [
      /start +once, when arpkit watch starts +0,1\.1s,5s/,
      /carrier-up .*\n.*0,1\.1s,5s,15s/,
      /guest-learned +\(off unless --learn-guests\)/,
      /SIGHUP reloads it/,
    ]) {
      assert.match(run.stdout, line);
    }
  });
});
