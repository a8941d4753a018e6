// Real targets for the checks: HTTP and HTTPS servers with scripted answers, a TLS
// certificate made in the test (near expiry when asked), a TCP listener.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { generate } from 'selfsigned';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void;

export interface WebServer {
  /** `http(s)://host:port`. */
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

export interface TestCertificate {
  cert: string;
  key: string;
  notAfter: Date;
}

/** A self-signed certificate for localhost and 127.0.0.1 that expires `daysValid` days from now (negative: expired), issued 30 days before. */
export async function makeCertificate(daysValid: number): Promise<TestCertificate> {
  const notAfter = new Date(Math.floor((Date.now() + daysValid * DAY_MS) / 1000) * 1000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(notAfter.getTime() - 30 * DAY_MS),
    notAfterDate: notAfter,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private, notAfter };
}

function serve(server: Server, scheme: 'http' | 'https', handler: Handler, host: string): Promise<WebServer> {
  const seen: Seen[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      handler(s, res);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${scheme}://${host}:${port}`,
        port,
        seen,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}

export function startHttpServer(handler: Handler, host = '127.0.0.1'): Promise<WebServer> {
  return serve(createHttpServer(), 'http', handler, host);
}

export function startHttpsServer(handler: Handler, cert: TestCertificate, host = '127.0.0.1'): Promise<WebServer> {
  return serve(createHttpsServer({ cert: cert.cert, key: cert.key }), 'https', handler, host);
}

export interface TcpListener {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** Accepts connections (and closes them) until closed. */
export function startTcpListener(port = 0): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    listener.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.end();
  });
  const listener: TcpListener = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      listener.port = (server.address() as AddressInfo).port;
      resolve(listener);
    }),
  );
}
