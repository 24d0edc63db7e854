/**
 * Test fixture: reads the host snapshot of the network namespace it is started in
 * (`ip netns exec NS node host-fixture.js`), because an rtnetlink socket answers for the
 * namespace that opens it, and prints it as one JSON line in the shape of `host-json.ts`.
 */
import { readHostSnapshot } from '../host/discover.js';
import { snapshotJson } from './host-json.js';

process.stdout.write(`${JSON.stringify(snapshotJson(readHostSnapshot()))}\n`);
