/** Real-socket test helpers: free ports, polling, child peers. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

/** A UDP port that was free a moment ago (bind 0, read, close). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '0.0.0.0', () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Polls `check` every 10 ms until it returns true; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - start;
}

export interface ChildLine {
  readonly event: string;
  readonly at: number;
  readonly [key: string]: unknown;
}

export interface ChildPeer {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: ChildLine[];
  readonly stderr: string[];
  /** Resolves when the child has exited. */
  readonly exited: Promise<number | null>;
}

const REGISTER_TS = fileURLToPath(new URL('./fixtures/register-ts.mjs', import.meta.url));

/**
 * Runs a TypeScript file from this repo in a new Node process, through the
 * transpile-on-load hooks in fixtures/ts-hooks.mjs, collecting its JSON stdout lines.
 */
export function spawnTs(script: URL, args: readonly string[]): ChildPeer {
  const proc = spawn(process.execPath, ['--import', REGISTER_TS, fileURLToPath(script), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: ChildLine[] = [];
  const stderr: string[] = [];
  let buf = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line) as ChildLine);
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, stderr, exited };
}
