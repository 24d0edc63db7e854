import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DUMP_FILES } from '../testing/record-netlink.js';
import { WireError } from '../wire/error.js';
import { parseAddressDump } from './address-message.js';
import { parseBridgeVlanDump } from './bridge-vlans.js';
import { parseFdbDump } from './fdb-message.js';
import { parseLinkDump } from './link-message.js';

const FIXTURES = fileURLToPath(new URL('../../../src/host/fixtures/', import.meta.url));

/** Each dump's parser with its recorded datagrams. */
const DUMPS = [
  { name: 'links', parse: parseLinkDump, bytes: DUMP_FILES.links },
  { name: 'bridge VLANs', parse: parseBridgeVlanDump, bytes: DUMP_FILES.bridgeVlans },
  { name: 'addresses', parse: parseAddressDump, bytes: DUMP_FILES.addresses },
  { name: 'fdb', parse: parseFdbDump, bytes: DUMP_FILES.fdb },
].map((dump) => ({ ...dump, bytes: new Uint8Array(readFileSync(`${FIXTURES}${dump.bytes}`)) }));

/** Parses, and lets nothing but a WireError through. */
function parsesOrWireError(parse: (datagrams: Uint8Array[]) => unknown, bytes: Uint8Array): void {
  try {
    parse([bytes]);
  } catch (error) {
    assert.ok(error instanceof WireError, `not a WireError: ${String(error)}`);
  }
}

describe('dump parsers on broken input', () => {
  test('random bytes: a result or a WireError, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const { parse } of DUMPS) parsesOrWireError(parse, bytes);
      }),
      { numRuns: 500 },
    );
  });

  test('recorded dumps with bytes overwritten: a result or a WireError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DUMPS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        ({ parse, bytes }, changes) => {
          const broken = bytes.slice();
          for (const [at, value] of changes) broken[at % broken.length] = value;
          parsesOrWireError(parse, broken);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('recorded dumps cut anywhere: a result or a WireError', () => {
    for (const { name, parse, bytes } of DUMPS) {
      for (let length = 0; length < bytes.length; length++) {
        try {
          parse([bytes.subarray(0, length)]);
        } catch (error) {
          assert.ok(error instanceof WireError, `${name} cut at ${length}: ${String(error)}`);
        }
      }
    }
  });

  test('headers claiming more than there is: truncated or malformed, at the right offset', () => {
    const links = DUMPS[0]!.bytes.slice();
    new DataView(links.buffer).setUint32(0, links.length + 4, true);
    assert.throws(
      () => parseLinkDump([links]),
      (e: unknown) => e instanceof WireError && e.kind === 'malformed' && e.offset === 0,
    );
  });
});
