// A nats-server of the test's own (JetStream, file storage in a temporary directory), so a
// test can kill it and start it again on the same port and store.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers.js';

const NATS_SERVER = process.env.TF_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/** Why JetStream tests cannot run here, or undefined when they can. */
export function natsServerMissing(): string | undefined {
  if (process.env.CI && !existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is required in CI (apt-get install nats-server)`);
  return existsSync(NATS_SERVER) ? undefined : `${NATS_SERVER} is not installed: JetStream tests skipped (CI runs them)`;
}

export class TestNatsServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(options: { maxPayload?: number } = {}): Promise<TestNatsServer> {
    const dir = mkdtempSync(join(tmpdir(), 'tf-nats-'));
    const port = await freePort();
    const lines = [`listen: 127.0.0.1:${port}`, `jetstream { store_dir: "${join(dir, 'store')}" }`];
    if (options.maxPayload) lines.push(`max_payload: ${options.maxPayload}`);
    writeFileSync(join(dir, 'nats.conf'), lines.join('\n'));
    const server = new TestNatsServer(port, dir);
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on the same port and store, and waits until it listens. */
  async restart(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-c', join(this.dir, 'nats.conf')], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await listening(this.port))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
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

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
