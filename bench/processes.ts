import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { SinkReport, SinkRequest } from './sink.js';
import { LAUNCH_ENV, LAUNCH_FLAGS } from '../src/cli/launch-settings.js';
import { PRACTICE_DOMAIN } from './messages.js';

/** The built CLI and sink, relative to dist/bench/. */
export const CLI = resolve(import.meta.dirname, '../src/cli.js');

const SINK = resolve(import.meta.dirname, 'sink.js');

/** Waits for a child's exit; SIGKILL (by its PID) if SIGTERM has not ended it in time. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export class Sink {
  #seq = 0;
  readonly #pending = new Map<number, (r: Extract<SinkReport, { type: 'arrivals' }>) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (msg: SinkReport) => {
      if (msg.type !== 'arrivals') return;
      this.#pending.get(msg.seq)?.(msg);
      this.#pending.delete(msg.seq);
    });
  }

  static async start(): Promise<Sink> {
    const child = fork(SINK, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error('sink did not start in 15 s')), 15_000);
      child.on('message', (msg: SinkReport) => {
        if (msg.type !== 'ready') return;
        clearTimeout(timer);
        resolvePort(msg.port);
      });
      child.once('exit', (code) => reject(new Error(`sink exited (${String(code)}) before starting`)));
    });
    return new Sink(child, port);
  }

  /** Arrivals since the last collect (id → monotonic ms), and how many had no X-Bench-Id. */
  collect(): Promise<{ arrivals: [string, number][]; unmatched: number }> {
    const seq = ++this.#seq;
    return new Promise((resolveReport, reject) => {
      const timer = setTimeout(() => reject(new Error('sink did not answer in 10 s')), 10_000);
      this.#pending.set(seq, (r) => {
        clearTimeout(timer);
        resolveReport(r);
      });
      this.child.send({ type: 'collect', seq } satisfies SinkRequest);
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child, 5_000);
  }
}

export interface RelayOptions {
  readonly sinkPort: number;
  readonly dir: string;
  readonly logLevel: string;
  /** Extra node flags for the relay process (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Merged over the bench configuration (objects key by key), for experiments. */
  readonly configOverrides?: Record<string, unknown>;
  /** Saved as the default disclaimer (with the real CLI) before the relay starts; none: mail goes out unchanged. */
  readonly disclaimer?: { readonly text: string; readonly html: string } | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` merged into `base`: objects key by key, anything else replaced. */
function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merged(current, value) : value;
  }
  return out;
}

/** The real built relay (`node dist/src/cli.js start --config`) with one plain listener. */
export class RelayProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    /** The admin listener (/metrics). */
    readonly adminPort: number,
    private readonly log: { text: string },
  ) {}

  static async start(options: RelayOptions): Promise<RelayProcess> {
    const base = {
      practice: { name: 'Bench Practice', domains: [PRACTICE_DOMAIN] },
      dataDir: join(options.dir, 'data'),
      smtp: {
        hostname: 'relay.bench.test',
        listeners: [{ name: 'plain', host: '127.0.0.1', port: 0, mode: 'plain' }],
        trustedNetworks: ['127.0.0.1/32'],
        limits: { maxClients: 1000 },
      },
      upstream: { type: 'smtp', host: '127.0.0.1', port: options.sinkPort, secure: 'none', maxConnections: 10 },
      delivery: { concurrency: 50 },
      admin: { host: '127.0.0.1', port: 0 },
      log: { level: options.logLevel },
    };
    const config = merged(base, options.configOverrides ?? {});
    const configPath = join(options.dir, 'mouthguard.yaml');
    writeFileSync(configPath, stringify(config));
    if (options.disclaimer) saveDisclaimer(options.dir, configPath, options.disclaimer);
    // Started as every launcher starts it (src/cli/launch-settings.ts); --node-args come after and win.
    const child = spawn(process.execPath, [...LAUNCH_FLAGS, ...(options.nodeArgs ?? []), CLI, 'start', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.dir,
      env: { ...process.env, ...LAUNCH_ENV },
    });
    const log = { text: '' };
    const keep = (d: Buffer) => {
      log.text += d.toString();
      if (log.text.length > 64 * 1024) log.text = log.text.slice(-32 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      const { smtp, admin } = await findPorts(child, () => log.text);
      return new RelayProcess(child, smtp, admin, log);
    } catch (err) {
      await stopChild(child, 2_000);
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.log.text;
  }

  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRss(): number {
    return statusField(this.pid, 'VmHWM');
  }

  /** CPU time used so far (user + system), in ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 0, utime 11, stime 12 (clock ticks, 100 Hz on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** SIGTERM (graceful drain), SIGKILL after 20 s. */
  stop(): Promise<void> {
    return stopChild(this.child, 20_000);
  }
}

/** `mouthguard disclaimer set`, as a practice manager would run it. */
function saveDisclaimer(dir: string, configPath: string, disclaimer: { readonly text: string; readonly html: string }): void {
  const textFile = join(dir, 'disclaimer.txt');
  const htmlFile = join(dir, 'disclaimer.html');
  writeFileSync(textFile, disclaimer.text);
  writeFileSync(htmlFile, disclaimer.html);
  execFileSync(process.execPath, [CLI, 'disclaimer', 'set', '--config', configPath, '--text-file', textFile, '--html-file', htmlFile, '--note', 'bench'], { stdio: 'pipe' });
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/**
 * At log level warn the relay prints no `relay_started` line, so its ports are found from
 * /proc: the TCP sockets it listens on (its SMTP listener and the admin HTTP port); the one
 * that greets with 220 is the SMTP listener.
 */
/** The relay's two listeners: the one that greets is SMTP, the other the admin listener. */
async function findPorts(child: ChildProcess, output: () => string): Promise<{ smtp: number; admin: number }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`relay exited before listening:\n${output()}`);
    const ports = listeningPorts(child.pid!);
    if (ports.length >= 2) {
      for (const port of ports) {
        const admin = ports.find((p) => p !== port);
        if (admin !== undefined && (await greets(port))) return { smtp: port, admin };
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`relay did not start listening in 30 s:\n${output()}`);
}

function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue; // 0A: LISTEN
      ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Does the port greet with "220 " within 2 s? (An HTTP server says nothing.) */
export function greets(port: number): Promise<boolean> {
  return new Promise((resolveGreets) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      if (ok) socket.end('QUIT\r\n');
      else socket.destroy();
      resolveGreets(ok);
    };
    const timer = setTimeout(() => done(false), 2_000);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n')) done(text.startsWith('220 '));
    });
    socket.on('error', () => done(false));
  });
}
