import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { LAUNCH_ENV, LAUNCH_FLAGS } from '../../src/cli/launch-settings.js';

export const CLI = resolve(import.meta.dirname, '../../dist/src/cli.js');

/** Node started as every launcher starts the relay (src/cli/launch-settings.ts), running the CLI. */
function spawnCli(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...LAUNCH_FLAGS, CLI, ...args], { stdio: 'pipe', env: { ...process.env, ...LAUNCH_ENV } });
}

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly configPath: string;
  /** Port of the named listener. */
  port(name: string): number;
  readonly adminPort: number;
  readonly output: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

interface StartedLine {
  event?: string;
  adminPort?: number;
  listeners?: { name: string; port: number }[];
}

/** Starts the real `mouthguard start` (built CLI) with the given raw config; waits until it listens. */
export async function startRelayProcess(rawConfig: Record<string, unknown>, dir: string, timeoutMs = 15_000): Promise<RelayProcess> {
  const configPath = join(dir, 'mouthguard.yaml');
  writeFileSync(configPath, stringify({ ...rawConfig, log: { level: 'info' } }));
  const child = spawnCli(['start', '--config', configPath]);
  child.stdin.end(); // the relay reads nothing from it
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? 0)));
  const started = await new Promise<StartedLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const scan = () => {
      for (const line of output.split('\n')) {
        if (!line.includes('"relay_started"')) continue;
        clearTimeout(timer);
        child.stdout.off('data', scan);
        resolve(JSON.parse(line) as StartedLine);
        return;
      }
    };
    child.stdout.on('data', scan);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${String(code)}) before starting:\n${output}`));
    });
  });
  const ports = new Map((started.listeners ?? []).map((l) => [l.name, l.port]));
  return {
    child,
    configPath,
    port(name: string) {
      const p = ports.get(name);
      if (p === undefined) throw new Error(`no listener ${name}`);
      return p;
    },
    adminPort: started.adminPort ?? 0,
    output: () => output,
    exited,
  };
}

/** Runs a CLI command to completion; returns its exit code and output. */
export function runCli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawnCli(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin ?? '');
    child.on('exit', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** SIGTERM (graceful), then SIGKILL after `graceMs` if it is still running; resolves once it has exited. */
export async function stopRelayProcess(relay: RelayProcess, graceMs = 20_000): Promise<void> {
  const { child } = relay;
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  if (!running()) return;
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => {
    if (running()) process.kill(child.pid!, 'SIGKILL');
  }, graceMs);
  await relay.exited;
  clearTimeout(timer);
}
