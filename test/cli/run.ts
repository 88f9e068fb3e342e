/** Runs the fieldsync CLI as a child process, as a user would. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Children still running; killed after each test so a failed assertion never leaves a server behind. */
const running = new Set<ChildProcess>();

/** Kills every CLI child a test started and did not stop. */
export function killRunningClis(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

const root = path.resolve(import.meta.dirname, '..', '..');
const main = path.join(root, 'lib', 'cli', 'main.ts');
// Node itself with tsx as a loader, not the `tsx` wrapper: killing the wrapper leaves its node child
// running with this process's pipes, which keeps the test run alive after its last test.
const node = [process.execPath, '--import', 'tsx', main] as const;

/** What a finished command printed and its exit code. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `fieldsync <args>` to completion. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(node[0], [...node.slice(1), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('close', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `fieldsync serve`, with the URL it printed. */
export interface RunningServe {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Sends SIGINT and waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `fieldsync serve <args>` and resolves once it printed its URL. */
export function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServe> {
  return new Promise((resolve, reject) => {
    const child = spawn(node[0], [...node.slice(1), 'serve', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    running.add(child);
    const exited = new Promise<number | null>((done) => child.once('close', (code) => { running.delete(child); done(code); }));
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        resolve({
          child,
          url: match[1],
          output: () => output,
          stop: () => { child.kill('SIGINT'); return exited; },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${output}`)));
  });
}
