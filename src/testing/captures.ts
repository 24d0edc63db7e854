/**
 * The public captures (GROUND_TRUTH.md and the files it describes) for tests: they live beside
 * the repository, in `../shared/captures`, not in it. The directory is found once, when a test
 * file imports this module, and a missing directory fails that file at once, saying where it
 * was looked for.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above this module holding package.json. */
function repoRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${here}`);
    dir = parent;
  }
  return dir;
}

/** `<repo>/../shared/captures`, absolute; importing this module throws if it is missing. */
export const CAPTURES_DIR = resolve(repoRoot(), '..', 'shared', 'captures');

if (!existsSync(CAPTURES_DIR)) {
  throw new Error(
    `public captures missing: no directory ${CAPTURES_DIR} (expected at <repo>/../shared/captures)`,
  );
}

/** The absolute path of the public capture `name`; throws, naming the directory, if missing. */
export function capturePath(name: string): string {
  const path = join(CAPTURES_DIR, name);
  if (!existsSync(path)) throw new Error(`public capture missing: no ${name} in ${CAPTURES_DIR}`);
  return path;
}
