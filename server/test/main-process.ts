// `node server/dist/src/main.js` as a child process, the way operators run it. Every port is
// 0 (the OS picks a free one); the URLs are read from the process's "TelemetryFlow started"
// log line, so no port is reserved ahead and then taken by someone else.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEnv } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const running = new Set<ChildProcess>();

export interface MainProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set for the roles that serve them. */
  apiUrl: string;
  otlpHttpUrl: string;
  otlpGrpcAddress: string;
  metricsUrl: string;
}

interface StartedLine {
  msg: string;
  api?: string;
  otlpHttp?: string;
  otlpGrpc?: string;
  metrics: string;
}

function startedLine(out: string): StartedLine | undefined {
  for (const line of out.split('\n')) {
    if (!line.includes('"msg":"TelemetryFlow started"')) continue;
    return JSON.parse(line) as StartedLine;
  }
  return undefined;
}

export async function launchMain(
  args: readonly string[],
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<MainProcess> {
  const env = { ...process.env, ...testEnv(dataDir, extraEnv) };
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + 60_000;
  let started: StartedLine | undefined;
  while (!(started = startedLine(out))) {
    if (child.exitCode !== null)
      throw new Error(`main.js ${args.join(' ')} exited with ${child.exitCode} before it started:\n${out}`);
    if (Date.now() > deadline) throw new Error(`main.js ${args.join(' ')} did not start within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => out,
    exited,
    apiUrl: started.api ?? '',
    otlpHttpUrl: started.otlpHttp ?? '',
    otlpGrpcAddress: started.otlpGrpc ?? '',
    metricsUrl: started.metrics.replace(/\/metrics$/, ''),
  };
}

/** SIGKILLs every child still running (a test's `after`). */
export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
}
