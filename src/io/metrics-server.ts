/**
 * The HTTP endpoint Prometheus scrapes (`arpkit watch` and `arpkit monitor` `--metrics ADDRESS`), as exporters serve
 * it: `GET /metrics` is the exposition text, `GET /` a page that links to it, anything else 404
 * or 405. Closing drops open connections at once, so a stopping daemon never waits for a
 * scraper's keep-alive connection to time out.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type AddressInfo } from 'node:net';

/** Where to listen: `host` is '' for every address (`:PORT`), port 0 for any free one. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** What the server exposes: `WatchMetrics`, or anything with its `text` and `contentType`. */
export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The bound address, `host:port` (`[v6]:port`), with the port chosen when 0 was asked for. */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening and closes every connection, idle or not; resolves once closed. */
  close(): Promise<void>;
}

/** Optional behaviour of `serveMetrics`. */
interface ServeOptions {
  /** Called with an error of the running server (failed accept), which is otherwise ignored. */
  readonly onError?: (error: Error) => void;
  /** The program named on the page at `/`; default `arpkit`. */
  readonly title?: string;
}

/** A listen address a person must fix: the CLI turns it into a usage error (exit 2). */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** The endpoint could not bind its address (in use, no permission): a runtime failure. */
export class MetricsServeError extends Error {
  /** The errno name (`EADDRINUSE`), when the system gave one. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'MetricsServeError';
    this.code = code;
  }
}

/** What every listen-address error ends with. */
const EXPECTED = 'expected HOST:PORT, [IPv6]:PORT or :PORT (e.g. 127.0.0.1:9468 or :9468)';

/** A DNS host name (RFC 1123 §2.1 labels), an optional final dot. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Connections served at once: Prometheus keeps one; the cap keeps a flood from eating fds. */
const MAX_CONNECTIONS = 64;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every address, as Prometheus exporters take
 * it). `option` names the flag in the error, which echoes the input and says what was expected.
 */
export function parseListen(text: string, option = '--metrics'): ListenAddress {
  const fail = (reason: string): never => {
    throw new ListenError(`${option}: ${JSON.stringify(text)} ${reason}; ${EXPECTED}`);
  };
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const match = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
    if (match === null) return fail('is not a bracketed IPv6 address and a port');
    host = match[1]!;
    portText = match[2]!;
    if (!isIPv6(host)) return fail(`has ${JSON.stringify(host)} in brackets, not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return fail('has no port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return fail('needs brackets around its IPv6 address');
    const numeric = /^[0-9.]+$/.test(host);
    if (host !== '' && (numeric ? !isIPv4(host) : !HOST_NAME.test(host))) {
      return fail(`has ${JSON.stringify(host)}, neither an IPv4 address nor a host name`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText)) {
    return fail(portText === '' ? 'has no port' : 'has a port that is not a number');
  }
  const port = Number(portText);
  if (port > 65535) return fail(`has port ${port}, out of range 0-65535`);
  return { host, port };
}

/** `host:port` as a person writes it: `[v6]:port`, and `:port` for every address. */
export function formatListen(listen: ListenAddress): string {
  return listen.host.includes(':')
    ? `[${listen.host}]:${listen.port}`
    : `${listen.host}:${listen.port}`;
}

/**
 * Serves `metrics` on `listen`. Rejects with a one-line `MetricsServeError` naming the address
 * when it cannot be bound. Node's HTTP server checks its connections for timeouts every 30 s
 * (`connectionsCheckingInterval`): the only timer it keeps, too rare to matter to an idle daemon.
 */
export async function serveMetrics(
  listen: ListenAddress,
  metrics: MetricsSource,
  options: ServeOptions = {},
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    // A request must never take the daemon down: whatever escapes drops that connection alone.
    respond(request, response, metrics, options.title ?? 'arpkit').catch(() => response.destroy());
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      reject(listenFailure(listen, error));
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    if (listen.host === '') server.listen(listen.port);
    else server.listen(listen.port, listen.host);
  });
  server.on('error', (error) => options.onError?.(error));
  const bound = server.address() as AddressInfo;
  return new RunningServer(
    server,
    formatListen({ host: bound.address, port: bound.port }),
    bound.port,
  );
}

/** A listening server and how to stop it. */
class RunningServer implements MetricsServer {
  readonly address: string;
  readonly port: number;
  readonly #server: Server;
  #closed: Promise<void> | undefined;

  constructor(server: Server, address: string, port: number) {
    this.#server = server;
    this.address = address;
    this.port = port;
  }

  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => {
      this.#server.close(() => resolve());
      // close() alone ends idle keep-alive connections but waits for busy ones (a scrape half
      // sent) until their timeouts; a stopping daemon drops them.
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }
}

/** The page at `/`, as node_exporter has one: a person who opens the address finds the link. */
const indexPage = (title: string): string => `<!DOCTYPE html>
<html>
<head><title>${title}</title></head>
<body>
<h1>${title}</h1>
<p><a href="/metrics">Metrics</a></p>
</body>
</html>
`;

/** Answers one request. */
async function respond(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: MetricsSource,
  title: string,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path !== '/' && path !== '/metrics') return reply(response, 404, 'not found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return reply(response, 405, 'method not allowed\n');
  }
  if (path === '/') return reply(response, 200, indexPage(title), 'text/html; charset=utf-8');
  let text: string;
  try {
    text = await metrics.text();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return reply(response, 500, `cannot collect metrics: ${message.replace(/\s+/g, ' ')}\n`);
  }
  reply(response, 200, text, metrics.contentType);
}

/** Sends `body` with `status` (Node leaves the body out for HEAD). */
function reply(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Why `listen` could not be bound, in one line that names it. */
function listenFailure(listen: ListenAddress, error: NodeJS.ErrnoException): MetricsServeError {
  const reasons: Readonly<Record<string, string>> = {
    EADDRINUSE: 'address already in use',
    EACCES: 'permission denied (a port below 1024 needs CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'no such address on this host',
    EAFNOSUPPORT: 'address family not supported',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
  };
  const code = error.code;
  const reason = (code !== undefined ? reasons[code] : undefined) ?? error.message;
  const where = formatListen(listen);
  return new MetricsServeError(
    `cannot serve metrics on ${where}: ${reason.replace(/\s+/g, ' ')}${code !== undefined ? ` (${code})` : ''}`,
    code,
  );
}
