import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The unit, from `dist/src/watch/`. */
const UNIT_PATH = fileURLToPath(
  new URL('../../../contrib/systemd/arpkit-watch.service', import.meta.url),
);
/** The repository's own entry point, which stands in for the installed one when verifying. */
const BIN_PATH = fileURLToPath(new URL('../../../bin/arpkit', import.meta.url));
const UNIT_NAME = 'arpkit-watch.service';

/** A unit file: each section's keys, each with its values in order (a key may repeat). */
type Unit = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/**
 * Parses a unit file as systemd.syntax(7) describes it: `[Section]` headers, `Key=Value` lines,
 * comments starting with `#` or `;`, a trailing `\` continuing a line. An empty value resets
 * the key, as systemd does for list settings.
 */
function parseUnit(text: string): Unit {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      sections.set(header[1]!, section);
      return;
    }
    const pair = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(line);
    assert.ok(pair !== null && section !== undefined, `line ${index + 1}: ${JSON.stringify(raw)}`);
    const [, key, value] = pair as unknown as [string, string, string];
    if (value === '') section.set(key, []);
    else section.set(key, [...(section.get(key) ?? []), value]);
  });
  return sections;
}

const unit = parseUnit(readFileSync(UNIT_PATH, 'utf8'));

/** The values of `key` in `section`, in order ([] when absent). */
function values(section: string, key: string): readonly string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The one value of `key` in `section`, which must be set once. */
function only(section: string, key: string): string {
  const all = values(section, key);
  assert.equal(all.length, 1, `${section}.${key} set ${all.length} times`);
  return all[0]!;
}

/** The words of a space-separated list setting, over every line of it. */
function words(section: string, key: string): string[] {
  return values(section, key).flatMap((value) => value.split(/\s+/).filter((w) => w !== ''));
}

/** Whether a boolean setting is on (systemd.syntax(7): 1, yes, true, on). */
function isOn(value: string): boolean {
  return ['1', 'yes', 'true', 'on'].includes(value.toLowerCase());
}

describe('contrib/systemd/arpkit-watch.service', () => {
  test('has the sections of a service, and nothing else', () => {
    assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  });

  test('runs `arpkit watch --config /etc/arpkit/watch.yaml` from /usr/local/bin', () => {
    assert.ok(['exec', 'simple'].includes(only('Service', 'Type')));
    assert.deepEqual(only('Service', 'ExecStart').split(/\s+/), [
      '/usr/local/bin/arpkit',
      'watch',
      '--config',
      '/etc/arpkit/watch.yaml',
    ]);
    assert.equal(only('Service', 'Restart'), 'on-failure');
  });

  test('reloads by sending SIGHUP to the main process', () => {
    const [command, ...args] = only('Service', 'ExecReload').split(/\s+/);
    assert.match(command ?? '', /^\/(usr\/)?bin\/kill$/);
    const signal = args[0] === '-s' ? `-${args[1]}` : args[0];
    assert.ok(['-HUP', '-SIGHUP', '-1'].includes(signal ?? ''), `signal ${signal}`);
    assert.match(args.at(-1) ?? '', /^\$(MAINPID|\{MAINPID\})$/);
  });

  test('holds CAP_NET_RAW and CAP_NET_ADMIN, and no other capability', () => {
    const expected = ['CAP_NET_ADMIN', 'CAP_NET_RAW'];
    assert.deepEqual(words('Service', 'AmbientCapabilities').sort(), expected);
    assert.deepEqual(words('Service', 'CapabilityBoundingSet').sort(), expected);
    assert.ok(isOn(only('Service', 'NoNewPrivileges')));
    const dynamic = values('Service', 'DynamicUser').some(isOn);
    const user = values('Service', 'User').filter((name) => name !== 'root' && name !== '0');
    assert.ok(dynamic || user.length > 0, 'runs as root');
  });

  test('sees the host network: no PrivateNetwork, PrivateUsers or netns of its own', () => {
    for (const key of ['PrivateNetwork', 'PrivateUsers']) {
      assert.ok(!values('Service', key).some(isOn), `${key} is on`);
    }
    assert.deepEqual(values('Service', 'NetworkNamespacePath'), []);
    assert.deepEqual(values('Service', 'JoinsNamespaceOf'), []);
    assert.deepEqual(words('Service', 'RestrictAddressFamilies').sort(), [
      'AF_INET',
      'AF_INET6',
      'AF_NETLINK',
      'AF_PACKET',
      'AF_UNIX',
    ]);
  });

  test('is hardened, without what would break Node (W^X) or the network', () => {
    for (const key of [
      'ProtectHome',
      'PrivateTmp',
      'PrivateDevices',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectControlGroups',
      'RestrictNamespaces',
      'LockPersonality',
    ]) {
      assert.ok(isOn(only('Service', key)), `${key} is not on`);
    }
    assert.equal(only('Service', 'ProtectSystem'), 'strict');
    assert.ok(!values('Service', 'MemoryDenyWriteExecute').some(isOn), 'V8 needs W+X memory');
    assert.deepEqual(values('Service', 'ProcSubset'), []);
    // A system call outside the filter fails instead of killing the daemon (V8's pkey_alloc).
    assert.equal(only('Service', 'SystemCallErrorNumber'), 'EPERM');
  });

  test('starts after network-pre.target, with multi-user.target', () => {
    assert.ok(words('Unit', 'After').includes('network-pre.target'));
    assert.deepEqual(words('Install', 'WantedBy'), ['multi-user.target']);
  });

  test('systemd-analyze verify accepts it', async (t) => {
    // Verification checks that ExecStart= names an executable, and /usr/local/bin/arpkit is not
    // installed here: a copy naming the repository's bin/arpkit is verified, the rest unchanged.
    const dir = mkdtempSync(join(tmpdir(), 'arpkit-unit-'));
    try {
      const copy = join(dir, UNIT_NAME);
      const text = readFileSync(UNIT_PATH, 'utf8');
      writeFileSync(copy, text.replaceAll('/usr/local/bin/arpkit ', `${BIN_PATH} `));
      const result = await run('systemd-analyze', ['verify', copy]);
      if (result.missing) {
        t.skip('systemd-analyze is not installed: the unit was checked by parsing alone');
        return;
      }
      // verify exits 0 on unknown keys and bad values, which it only prints: any line about
      // this unit fails the test.
      const about = result.output.split('\n').filter((line) => line.includes(UNIT_NAME));
      assert.deepEqual(about, [], result.output);
      assert.equal(result.code, 0, result.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs `command`: its exit code and output, or `missing` when it is not installed. */
function run(
  command: string,
  args: readonly string[],
): Promise<{ missing: boolean; code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return resolve({ missing: true, code: -1, output: '' });
      const exit = typeof error?.code === 'number' ? error.code : error === null ? 0 : 1;
      resolve({ missing: false, code: exit, output: `${stdout}${stderr}` });
    });
  });
}
