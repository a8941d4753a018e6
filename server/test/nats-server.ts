// A nats-server of the test's own (JetStream, file storage in a temporary directory), so a
// test can kill it and start it again on the same port and store. The server binds a port the
// OS picks (`listen: …:-1`) and the test reads it from the server's log: no port is reserved
// ahead and then taken by someone else.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS_SERVER = process.env.TF_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/** Why JetStream tests cannot run here, or undefined when they can. */
export function natsServerMissing(): string | undefined {
  if (process.env.CI && !existsSync(NATS_SERVER))
    throw new Error(`${NATS_SERVER} is required in CI (apt-get install nats-server)`);
  return existsSync(NATS_SERVER)
    ? undefined
    : `${NATS_SERVER} is not installed: JetStream tests skipped (CI runs them)`;
}

export class TestNatsServer {
  private child: ChildProcess | undefined;

  /** -1 until the first start: nats-server then lets the OS pick the port. */
  private boundPort = -1;

  private constructor(
    private readonly dir: string,
    private readonly maxPayload: number | undefined,
  ) {}

  static async start(options: { maxPayload?: number } = {}): Promise<TestNatsServer> {
    const server = new TestNatsServer(mkdtempSync(join(tmpdir(), 'tf-nats-')), options.maxPayload);
    await server.restart();
    return server;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.boundPort}`;
  }

  /** Starts the server (again: on the port it got the first time, and the same store), and waits until it is ready. */
  async restart(): Promise<void> {
    const lines = [`listen: 127.0.0.1:${this.boundPort}`, `jetstream { store_dir: "${join(this.dir, 'store')}" }`];
    if (this.maxPayload) lines.push(`max_payload: ${this.maxPayload}`);
    writeFileSync(join(this.dir, 'nats.conf'), lines.join('\n'));
    const child = spawn(NATS_SERVER, ['-c', join(this.dir, 'nats.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.boundPort = await readyPort(child).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
  }

  /** SIGKILL: no clean shutdown, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The client port nats-server logged it listens on, once it logged that it is ready (for a
 * server started with an OS-picked port; the ingest benchmark's nats-server uses it too).
 */
export function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const settle = (err: Error | undefined, port = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(port);
    };
    const timer = setTimeout(() => settle(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    // Read to the end even after start-up, so the server never blocks on a full pipe.
    child.stderr!.on('data', (d: Buffer) => {
      if (settled) return;
      log += d.toString();
      const port = /Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1];
      if (port && log.includes('Server is ready')) settle(undefined, Number(port));
    });
    child.once('exit', (code) => settle(new Error(`nats-server exited with ${code}:\n${log}`)));
  });
}
