import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { formatMac, writeMac } from '../wire/mac.js';
import { AsciiWriter, ascii } from './ascii-writer.js';

/** Runs `fill` on a writer and returns everything it handed to its sink. */
function written(fill: (w: AsciiWriter) => void): string {
  const chunks: string[] = [];
  const writer = new AsciiWriter({
    write: (chunk) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1'));
    },
  });
  fill(writer);
  writer.flush();
  return chunks.join('');
}

describe('ascii writer', () => {
  test('integers of any size, zero-padded fractions', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) =>
        assert.equal(
          written((w) => w.uint(n)),
          String(n),
        ),
      ),
    );
    assert.equal(
      written((w) => w.padded(42, 6)),
      '000042',
    );
  });

  test('MACs from numbers and from bytes, IPv4 from bytes', () => {
    fc.assert(
      fc.property(arbMac(), (mac) => {
        const bytes = new Uint8Array(8);
        writeMac(mac, bytes, 2);
        assert.equal(
          written((w) => w.mac(mac)),
          formatMac(mac),
        );
        assert.equal(
          written((w) => w.hexColons(bytes, 2, 6)),
          formatMac(mac),
        );
      }),
    );
    assert.equal(
      written((w) => w.ipv4(Uint8Array.of(9, 10, 0, 255, 1), 1)),
      '10.0.255.1',
    );
  });

  test('text, literals and bytes larger than the buffer arrive whole and in order', () => {
    const big = 'x'.repeat(3 << 20);
    const out = written((w) => {
      w.literal(ascii('a'));
      w.bytes(new TextEncoder().encode(big));
      w.text('é and more');
      for (let i = 0; i < 300_000; i++) w.literal(ascii('0123456789'));
    });
    assert.equal(out.length, 1 + big.length + Buffer.byteLength('é and more') + 3_000_000);
    assert.ok(out.startsWith(`a${big}`));
    assert.throws(() => ascii('é'), RangeError);
  });
});
