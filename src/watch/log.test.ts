import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { VirtualClock } from '../time/virtual-clock.js';
import { isJournalStream, type LogFields, type LogLevel, WatchLog } from './log.js';

/** 2026-11-22T10:00:00.123Z. */
const NOW = Date.UTC(2026, 10, 22, 10, 0, 0, 123);

/** A log writing into an array, one entry per `write`. */
function capture(options: { json: boolean; journal?: boolean }): {
  log: WatchLog;
  writes: string[];
} {
  const writes: string[] = [];
  const clock = new VirtualClock(NOW + 0.456); // sub-millisecond time is cut, not rounded
  const log = new WatchLog({ write: (text) => void writes.push(text) }, { ...options, clock });
  return { log, writes };
}

/** Calls the method of `level`. */
function record(log: WatchLog, level: LogLevel, event: string, text: string, fields: LogFields) {
  log[level](event, text, fields);
}

/** Characters some reader takes for the end of a line. */
const LINE_BREAK = /[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/;

describe('WatchLog, plain', () => {
  test('writes the text alone, one line per record, fields left out', () => {
    const { log, writes } = capture({ json: false });
    log.info('trigger', 'trigger bond-failover: bond0 now on eth1', { link: 'bond0' });
    log.warn('send', 'eth1: round 2: 3 frames not sent: No buffer space available', {});
    log.error('read', 'cannot read the host', {});
    assert.deepEqual(writes, [
      'trigger bond-failover: bond0 now on eth1\n',
      'eth1: round 2: 3 frames not sent: No buffer space available\n',
      'cannot read the host\n',
    ]);
  });

  test('prefixes the sd-daemon priority when stderr is the journal', () => {
    const { log, writes } = capture({ json: false, journal: true });
    log.info('trigger', 'a', {});
    log.warn('overrun', 'b', {});
    log.error('read', 'c', {});
    assert.deepEqual(writes, ['<6>a\n', '<4>b\n', '<3>c\n']);
  });

  test('escapes line breaks and control characters, keeps tabs and other text', () => {
    const { log, writes } = capture({ json: false });
    log.info('x', 'one\ntwo\r\nthree\u2028four\u0085five\u0000\tsix é ✓', {});
    assert.deepEqual(writes, ['one\\ntwo\\r\\nthree\\u2028four\\u0085five\\u0000\tsix é ✓\n']);
  });

  test('an empty text writes the event name', () => {
    const { log, writes } = capture({ json: false });
    log.info('reload', '', {});
    assert.deepEqual(writes, ['reload\n']);
  });
});

describe('WatchLog, JSON', () => {
  test('writes time, level, event, the fields in order, then the message', () => {
    const { log, writes } = capture({ json: true });
    log.info('trigger', 'trigger bond-failover: bond0', {
      kind: 'bond-failover',
      link: 'bond0',
      missing: undefined,
      rounds: 3,
      restart: false,
      links: ['eth0', 'eth1'],
    });
    assert.deepEqual(writes, [
      '{"time":"2026-11-22T10:00:00.123Z","level":"info","event":"trigger",' +
        '"kind":"bond-failover","link":"bond0","rounds":3,"restart":false,' +
        '"links":["eth0","eth1"],"message":"trigger bond-failover: bond0"}\n',
    ]);
  });

  test('levels are named info, warn and error', () => {
    const { log, writes } = capture({ json: true });
    log.info('a', 'a', {});
    log.warn('b', 'b', {});
    log.error('c', 'c', {});
    assert.deepEqual(
      writes.map((line) => JSON.parse(line).level),
      ['info', 'warn', 'error'],
    );
  });

  test('a field named like a member of the record is renamed, never overwrites it', () => {
    const { log, writes } = capture({ json: true });
    log.warn('send', 'text', { time: 1, level: 'x', event: 'y', message: 'z', time_: 2 });
    assert.deepEqual(JSON.parse(writes[0]!), {
      time: '2026-11-22T10:00:00.123Z',
      level: 'warn',
      event: 'send',
      time__: 1,
      level_: 'x',
      event_: 'y',
      message_: 'z',
      time_: 2,
      message: 'text',
    });
  });

  test('a field named __proto__ stays a field', () => {
    const { log, writes } = capture({ json: true });
    const fields = JSON.parse('{"__proto__":"x"}') as LogFields;
    log.info('e', 't', fields);
    const parsed = JSON.parse(writes[0]!) as Record<string, unknown>;
    assert.equal(Object.hasOwn(parsed, '__proto__'), true);
    assert.equal(parsed['__proto__'], 'x');
  });
});

describe('WatchLog, property', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 });
  const value = fc.oneof(
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(undefined),
    fc.array(text, { maxLength: 3 }),
  );
  const fields = fc.dictionary(
    fc.oneof(text, fc.constantFrom('time', 'level', 'event', 'message', 'time_', '__proto__')),
    value,
    { maxKeys: 5 },
  );
  const level = fc.constantFrom<LogLevel>('info', 'warn', 'error');

  test('every record is exactly one line, whatever its text and fields', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        level,
        text,
        text,
        fields,
        (json, journal, lvl, event, message, record_) => {
          const { log, writes } = capture({ json, journal });
          record(log, lvl, event, message, record_);
          assert.equal(writes.length, 1);
          const line = writes[0]!;
          assert.ok(line.endsWith('\n'));
          assert.doesNotMatch(line.slice(0, -1), LINE_BREAK);
        },
      ),
    );
  });

  test('a JSON record gives back the event, the message and every defined field', () => {
    fc.assert(
      fc.property(level, text, text, fields, (lvl, event, message, record_) => {
        const { log, writes } = capture({ json: true });
        record(log, lvl, event, message, record_);
        const parsed = JSON.parse(writes[0]!) as Record<string, unknown>;
        assert.equal(parsed['event'], event);
        assert.equal(parsed['message'], message);
        assert.equal(parsed['level'], lvl);
        assert.equal(parsed['time'], '2026-11-22T10:00:00.123Z');
        const written = Object.values(parsed).length - 4;
        const defined = Object.values(record_).filter((v) => v !== undefined);
        assert.equal(written, defined.length);
        for (const [name, v] of Object.entries(record_)) {
          if (v === undefined || ['time', 'level', 'event', 'message'].includes(name)) continue;
          // JSON has no NaN or infinities (null) nor -0 (0), and lone surrogates come back as is.
          assert.deepEqual(parsed[name], JSON.parse(JSON.stringify(v)));
        }
      }),
    );
  });

  test('a plain line without control characters is the text itself', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'grapheme', minLength: 1 })
          .filter((t) => !/[\p{Cc}\u2028\u2029]/u.test(t)),
        (message) => {
          const { log, writes } = capture({ json: false });
          log.info('e', message, {});
          assert.deepEqual(writes, [`${message}\n`]);
        },
      ),
    );
  });
});

describe('isJournalStream', () => {
  test('matches the device and inode of the descriptor, and nothing else', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      const { dev, ino } = fstatSync(fd, { bigint: true });
      assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev}:${ino}` }, fd), true);
      assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev}:${ino + 1n}` }, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev + 1n}:${ino}` }, fd), false);
      assert.equal(isJournalStream({}, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: '' }, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev}:${ino}x` }, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev}` }, fd), false);
    } finally {
      closeSync(fd);
    }
  });

  test('a closed descriptor is not the journal', () => {
    const fd = openSync('/dev/null', 'r');
    const { dev, ino } = fstatSync(fd, { bigint: true });
    closeSync(fd);
    assert.equal(isJournalStream({ JOURNAL_STREAM: `${dev}:${ino}` }, fd), false);
  });
});
