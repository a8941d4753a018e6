// Load generators as child processes (load-generator.ts), driven over IPC: configure, wait
// until ready, go, optionally stop early, collect the result. Shared by the benchmarks that
// send OTLP load without competing with the server for its event loop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, GeneratorConfig, GeneratorResult, ParentMessage, ReadyMessage } from './protocol.js';

const GENERATOR_JS = fileURLToPath(new URL('./load-generator.js', import.meta.url));
const children = new Set<ChildProcess>();

export interface Generator {
  child: ChildProcess;
  ready: Promise<ReadyMessage>;
  result: Promise<GeneratorResult>;
  send(msg: ParentMessage): void;
}

export function startGenerator(config: GeneratorConfig): Generator {
  // execArgv: [] so that `node --cpu-prof` on the benchmark profiles only the server.
  const child = fork(GENERATOR_JS, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let onReady: (m: ReadyMessage) => void = () => undefined;
  let onResult: (m: GeneratorResult) => void = () => undefined;
  let onError: (e: Error) => void = () => undefined;
  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`generator ${config.index} exited (${code}) before it was ready`)));
  });
  const result = new Promise<GeneratorResult>((resolve, reject) => {
    onResult = resolve;
    onError = reject;
    child.once('exit', (code) => reject(new Error(`generator ${config.index} exited (${code}) without a result`)));
  });
  ready.catch(() => undefined);
  result.catch(() => undefined);
  child.on('message', (msg: ChildMessage) => {
    if (msg.type === 'ready') onReady(msg);
    else if (msg.type === 'result') onResult(msg);
    else if (msg.type === 'error') onError(new Error(`generator ${msg.index} failed: ${msg.message}`));
  });
  child.send(config);
  return { child, ready, result, send: (msg) => child.send(msg) };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Ends every generator still running (on failure, or when the benchmark is done). */
export function killGenerators(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Runs a benchmark's `main` and exits with its code; a watchdog ends a run that takes longer
 * than `budgetMs` (exit 3), a failure exits 2. Generators never outlive the benchmark.
 */
export function runWithWatchdog(what: string, budgetMs: number, main: () => Promise<number>): void {
  const watchdog = setTimeout(() => {
    console.error(`${what} exceeded its ${Math.round(budgetMs / 1000)} s budget; aborting`);
    killGenerators();
    process.exit(3);
  }, budgetMs);
  main().then(
    (code) => {
      clearTimeout(watchdog);
      process.exit(code);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      killGenerators();
      process.exit(2);
    },
  );
}
