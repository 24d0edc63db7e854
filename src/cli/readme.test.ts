import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireNetns } from '../testing/netns.js';
import { peerToolGate } from '../testing/peer-tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Examples that run `./bin/arpkit` are checked. Those written with a bare `arpkit` ran on real
 * interfaces (root, a namespace) and show their output as captured; benchmarks vary by run.
 */
const CHECKED = /(^|[;&|]\s*)\.\/bin\/arpkit /;
/** In the README's expected output, a line `…` stands for any number of lines. */
const ELLIPSIS = '…';

interface Example {
  readonly commands: string[];
  readonly expected: string[];
}

/** Every `$ command` in a fenced block of the README, with the lines shown after it. */
function examples(readme: string): Example[] {
  const found: Example[] = [];
  for (const block of readme.split(/^```.*$/m).filter((_, i) => i % 2 === 1)) {
    let current: Example | undefined;
    for (const line of block.split('\n').filter((l) => l !== '')) {
      if (line.startsWith('$ ')) {
        if (current === undefined || current.expected.length > 0) {
          current = { commands: [], expected: [] };
          found.push(current);
        }
        current.commands.push(line.slice(2));
      } else if (current !== undefined) {
        current.expected.push(line);
      }
    }
  }
  return found.filter((e) => e.commands.some((c) => CHECKED.test(c)));
}

/** True when `actual` lines match `expected`, where `…` matches any run of lines. */
function matches(expected: readonly string[], actual: readonly string[]): boolean {
  const [head, ...rest] = expected;
  if (head === undefined) return actual.length === 0;
  if (head === ELLIPSIS) {
    for (let skip = 0; skip <= actual.length; skip++) {
      if (matches(rest, actual.slice(skip))) return true;
    }
    return false;
  }
  return actual[0] === head && matches(rest, actual.slice(1));
}

const tools = peerToolGate(['tcpdump'], 60_000);

describe('README examples print what the README shows', () => {
  const list = examples(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  test('the README has examples to check', () => {
    assert.ok(list.length >= 4, `found ${list.length}`);
  });

  for (const example of list) {
    test(example.commands.join(' && '), tools.options, (t) => {
      tools.require();
      // `arpkit demo` builds network namespaces: root, as for the namespace tests.
      if (example.commands.some((c) => / demo /.test(c)) && !requireNetns(t)) return;
      // A scratch directory with the repository's bin/, dist/, examples/ and contrib/ linked in, so
      // commands that write files (cut.pcap) leave the checkout alone.
      const dir = mkdtempSync(join(tmpdir(), 'arpkit-readme-'));
      try {
        for (const name of ['bin', 'dist', 'examples', 'contrib'])
          symlinkSync(join(ROOT, name), join(dir, name));
        const script = `{\n${example.commands.join('\n')}\n} 2>&1`;
        const output = execFileSync('sh', ['-c', script], {
          cwd: dir,
          env: { ...process.env, TZ: 'UTC' },
          encoding: 'utf8',
          timeout: 30_000,
        });
        const actual = output.split('\n').filter((line) => line !== '');
        assert.ok(
          matches(example.expected, actual),
          `README shows:\n${example.expected.join('\n')}\n\nbut the commands print:\n${actual.join('\n')}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
