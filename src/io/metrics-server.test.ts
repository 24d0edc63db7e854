import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import {
  formatListen,
  ListenError,
  type MetricsServer,
  MetricsServeError,
  type MetricsSource,
  parseListen,
  serveMetrics,
} from './metrics-server.js';

/** A source whose text is fixed, and counts its scrapes. */
class FixedSource implements MetricsSource {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  scrapes = 0;
  constructor(readonly body = '# TYPE up gauge\nup 1\n') {}
  text(): Promise<string> {
    this.scrapes++;
    return Promise.resolve(this.body);
  }
}

/** Runs `body` with a server on 127.0.0.1 and a free port, closed afterwards. */
async function withServer(
  source: MetricsSource,
  body: (server: MetricsServer, base: string) => Promise<void>,
): Promise<void> {
  const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, source);
  try {
    await body(server, `http://${server.address}`);
  } finally {
    await server.close();
  }
}

describe('parseListen', () => {
  test('takes HOST:PORT, [IPv6]:PORT and :PORT', () => {
    const cases: [string, string, number][] = [
      ['127.0.0.1:9250', '127.0.0.1', 9250],
      ['localhost:9250', 'localhost', 9250],
      ['exporter.example.org.:80', 'exporter.example.org.', 80],
      ['[::1]:9250', '::1', 9250],
      ['[fe80::1%eth0]:9250', 'fe80::1%eth0', 9250],
      ['[::]:0', '::', 0],
      [':9250', '', 9250],
      [':65535', '', 65535],
      ['0.0.0.0:09250', '0.0.0.0', 9250],
    ];
    for (const [text, host, port] of cases) {
      assert.deepEqual(parseListen(text), { host, port }, text);
    }
  });

  test('refuses anything else with one line naming the option, the input and the forms', () => {
    const cases: [string, RegExp][] = [
      ['9250', /"9250" has no port/],
      ['localhost', /"localhost" has no port/],
      ['localhost:', /"localhost:" has no port/],
      ['', /"" has no port/],
      ['::1:9250', /needs brackets around its IPv6 address/],
      ['[::1]9250', /is not a bracketed IPv6 address and a port/],
      ['[::1]:', /has no port/],
      ['[127.0.0.1]:80', /has "127.0.0.1" in brackets, not an IPv6 address/],
      ['[::1', /is not a bracketed IPv6 address and a port/],
      ['host:http', /has a port that is not a number/],
      [':-1', /has a port that is not a number/],
      [':+80', /has a port that is not a number/],
      [':9250 ', /has a port that is not a number/],
      [':65536', /has port 65536, out of range 0-65535/],
      [':123456', /has a port that is not a number/],
      ['300.1.1.1:80', /has "300.1.1.1", neither an IPv4 address nor a host name/],
      ['bad_host:80', /has "bad_host", neither/],
      ['-lead:80', /neither/],
      ['a b:80', /neither/],
      ['line\nbreak:80', /neither/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseListen(text),
        (error: unknown) => {
          assert.ok(error instanceof ListenError, text);
          assert.equal(error.name, 'ListenError');
          assert.ok(error.message.startsWith(`--metrics: ${JSON.stringify(text)} `), error.message);
          assert.match(error.message, reason);
          assert.match(error.message, /; expected HOST:PORT, \[IPv6\]:PORT or :PORT \(e\.g\. /);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    }
  });

  test('names another option when told', () => {
    assert.throws(() => parseListen('x', 'metrics.listen'), /^ListenError: metrics\.listen: "x"/);
  });

  test('formatListen writes what parseListen reads', () => {
    for (const text of ['127.0.0.1:9250', '[::1]:9250', ':9250', 'localhost:1']) {
      assert.equal(formatListen(parseListen(text)), text);
    }
  });
});

describe('serveMetrics', () => {
  test('GET /metrics answers the exposition text with its content type', async () => {
    const source = new FixedSource();
    await withServer(source, async (server, base) => {
      assert.match(server.address, /^127\.0\.0\.1:\d+$/);
      assert.equal(server.address, `127.0.0.1:${server.port}`);
      assert.ok(server.port > 0);
      const response = await fetch(`${base}/metrics`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), source.contentType);
      assert.equal(await response.text(), source.body);
      const query = await fetch(`${base}/metrics?name[]=up`);
      assert.equal(query.status, 200);
      assert.equal(await query.text(), source.body);
      assert.equal(source.scrapes, 2);
    });
  });

  test('HEAD /metrics answers the headers alone', async () => {
    const source = new FixedSource();
    await withServer(source, async (_, base) => {
      const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-length'), String(source.body.length));
      assert.equal(await response.text(), '');
    });
  });

  test('GET / is a page that links to /metrics', async () => {
    await withServer(new FixedSource(), async (_, base) => {
      const response = await fetch(`${base}/`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await response.text(), /<a href="\/metrics">/);
    });
  });

  test('other paths are 404, other methods 405 with Allow', async () => {
    const source = new FixedSource();
    await withServer(source, async (_, base) => {
      for (const path of ['/metrics/', '/favicon.ico', '/Metrics', '/index.html']) {
        const response = await fetch(`${base}${path}`);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
      for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
        for (const path of ['/', '/metrics']) {
          const response = await fetch(`${base}${path}`, {
            method,
            ...(method === 'POST' || method === 'PUT' ? { body: 'x=1' } : {}),
          });
          assert.equal(response.status, 405, `${method} ${path}`);
          assert.equal(response.headers.get('allow'), 'GET, HEAD');
          await response.body?.cancel();
        }
      }
      assert.equal(source.scrapes, 0);
    });
  });

  test('a source that fails gives 500 and one line', async () => {
    const failing: MetricsSource = {
      contentType: 'text/plain',
      text: () => Promise.reject(new Error('collector broke\nbadly')),
    };
    await withServer(failing, async (_, base) => {
      const response = await fetch(`${base}/metrics`);
      assert.equal(response.status, 500);
      assert.equal(await response.text(), 'cannot collect metrics: collector broke badly\n');
    });
  });

  test('an address in use rejects with one line naming it', async () => {
    await withServer(new FixedSource(), async (server) => {
      await assert.rejects(
        serveMetrics({ host: '127.0.0.1', port: server.port }, new FixedSource()),
        (error: unknown) => {
          assert.ok(error instanceof MetricsServeError);
          assert.equal(error.code, 'EADDRINUSE');
          assert.equal(
            error.message,
            `cannot serve metrics on 127.0.0.1:${server.port}: address already in use (EADDRINUSE)`,
          );
          return true;
        },
      );
    });
  });
});

/** Resolves when `socket` has connected. */
function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when `socket` is closed by the other end (held in the loop: agents unref theirs). */
function ended(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.ref();
    socket.resume();
  });
}

/** How long `close()` took, in ms. */
async function timeClose(server: MetricsServer): Promise<number> {
  const start = performance.now();
  await server.close();
  return performance.now() - start;
}

describe('MetricsServer.close', () => {
  test('closes at once while a keep-alive connection is open', async () => {
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, new FixedSource());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let socket: Socket | undefined;
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/metrics', agent },
        (res) => {
          socket = res.socket;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.ok(socket !== undefined && !socket.destroyed, 'the connection is kept alive');
    const closing = ended(socket);
    const ms = await timeClose(server);
    await closing;
    agent.destroy();
    assert.ok(ms < 500, `close() took ${ms} ms`);
  });

  test('closes at once while a request is half sent', async () => {
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, new FixedSource());
    const socket = await connected(server.port);
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // headers never end
    await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = ended(socket);
    const ms = await timeClose(server);
    await closing;
    assert.ok(ms < 500, `close() took ${ms} ms`);
  });

  test('a second close() resolves too, and the port is free again', async () => {
    const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, new FixedSource());
    await server.close();
    await server.close();
    const again = await serveMetrics({ host: '127.0.0.1', port: server.port }, new FixedSource());
    await again.close();
  });
});
