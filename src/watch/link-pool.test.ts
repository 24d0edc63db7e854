import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../link/link.js';
import { memoryLinkPair } from '../link/memory-link.js';
import { SnapshotBuilder } from '../testing/snapshots.js';
import { LinkPool } from './link-pool.js';

/** A pool whose opener records each open and refuses names it is told to. */
function pool(refuse: ReadonlySet<string> = new Set()) {
  const opened: string[] = [];
  const closed: string[] = [];
  const links = new LinkPool(async (name): Promise<Link> => {
    if (refuse.has(name)) throw new Error(`no interface "${name}"`);
    opened.push(name);
    const [link] = memoryLinkPair();
    const close = link.close.bind(link);
    link.close = async () => {
      closed.push(name);
      await close();
    };
    return link;
  });
  return { links, opened, closed };
}

const HOST = new SnapshotBuilder().link('eth0', 'physical').link('eth1', 'physical').build();
/** eth0 deleted and created again: the same name with a new index. */
const RECREATED = new SnapshotBuilder().link('eth1', 'physical').link('eth0', 'physical').build();

describe('LinkPool', () => {
  it('opens a link once and keeps it for the next announcements', async () => {
    const { links, opened } = pool();
    const first = await links.get(['eth0', 'eth1'], HOST);
    const again = await links.get(['eth0'], HOST);
    assert.deepEqual(opened, ['eth0', 'eth1']);
    assert.equal(again.links.get('eth0'), first.links.get('eth0'));
  });

  it('opens a new socket when the name comes back with another index', async () => {
    const { links, opened, closed } = pool();
    const before = await links.get(['eth0'], HOST);
    const after = await links.get(['eth0'], RECREATED);
    assert.deepEqual(opened, ['eth0', 'eth0']);
    assert.deepEqual(closed, ['eth0']);
    assert.notEqual(after.links.get('eth0'), before.links.get('eth0'));
  });

  it('closes the link of a deleted index, and everything on close()', async () => {
    const { links, closed } = pool();
    await links.get(['eth0', 'eth1'], HOST);
    await links.forget(HOST.linkNamed('eth1')!.index);
    assert.deepEqual(closed, ['eth1']);
    await links.close();
    assert.deepEqual(closed, ['eth1', 'eth0']);
  });

  it('reports a link it cannot open and still returns the others', async () => {
    const { links } = pool(new Set(['eth1']));
    const got = await links.get(['eth0', 'eth1'], HOST);
    assert.deepEqual([...got.links.keys()], ['eth0']);
    assert.deepEqual([...got.failures], [['eth1', 'no interface "eth1"']]);
  });
});
