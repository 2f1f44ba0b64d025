import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { greets } from './processes.js';

/**
 * Postfix, the reference issue 2 names ("at least what Postfix with its disk queue does here"),
 * measured in the same run as the relay so that both see the same machine: this machine's speed
 * changes several-fold between sessions, so a fixed msg/s figure compares days, not relays.
 *
 * A private instance lives in its own directory (configuration, queue, data, log), listens on
 * 127.0.0.1 and relays everything to the bench's sink; the system's Postfix configuration is
 * only read (its master.cf is the template), never changed. Defaults are Postfix's own, apart
 * from what a smarthost relay on loopback needs: no local delivery, no DNS, no reverse lookups,
 * the same 40 MB size limit as the relay, and its connections to the relayhost cached as the
 * relay pools its own (the sink, like any smtp-server, greets a new connection only after
 * 100 ms). Its queue files are fsynced before its 250, as ours are.
 *
 * Needs Debian's postfix package (`apt-get install -y postfix`) and root: Postfix's master
 * process starts as root and its daemons run as the `postfix` user.
 */

const POSTFIX = '/usr/sbin/postfix';
const TEMPLATE_MASTER_CF = '/etc/postfix/master.cf';

/** Why Postfix cannot be the baseline on this machine, or null if it can. */
export function postfixUnavailable(): string | null {
  if (!existsSync(POSTFIX) || !existsSync(TEMPLATE_MASTER_CF)) return 'Postfix is not installed (apt-get install -y postfix)';
  if (process.getuid?.() !== 0) return 'Postfix needs root to start its master process';
  if (postfixUid() === null) return 'there is no postfix user';
  return null;
}

function postfixUid(): number | null {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postfix:'));
  const uid = Number(line?.split(':')[2]);
  return Number.isInteger(uid) ? uid : null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

function mainCf(dir: string, sinkPort: number): string {
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${join(dir, 'queue')}`,
    `data_directory = ${join(dir, 'data')}`,
    `maillog_file = ${join(dir, 'maillog')}`,
    `maillog_file_prefixes = ${dir}`,
    'myhostname = postfix.bench.test',
    'mydestination =',
    'local_transport = error:local delivery is off in the bench',
    'alias_maps =',
    'alias_database =',
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = permit_mynetworks, reject',
    `relayhost = [127.0.0.1]:${sinkPort}`,
    'smtp_connection_cache_destinations = $relayhost',
    'smtp_dns_support_level = disabled',
    'smtpd_peername_lookup = no',
    'message_size_limit = 41943040',
    'biff = no',
    '',
  ].join('\n');
}

/** Debian's master.cf with its SMTP listener moved to 127.0.0.1:`port` and no chroot (the queue is not laid out for one). */
function masterCf(port: number): string {
  return readFileSync(TEMPLATE_MASTER_CF, 'utf8')
    .split('\n')
    .map((line) => {
      const fields = line.split(/\s+/);
      if (line.startsWith('#') || line.startsWith(' ') || fields.length < 8) return line;
      if (fields[1] === 'inet' && fields[0] === 'smtp') fields[0] = `127.0.0.1:${port}`;
      fields[4] = 'n';
      return fields.join(' ');
    })
    .join('\n');
}

export class PostfixProcess {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly masterPid: number,
  ) {}

  static async start(options: { readonly sinkPort: number; readonly dir: string }): Promise<PostfixProcess> {
    const { dir } = options;
    const uid = postfixUid();
    if (uid === null) throw new Error('there is no postfix user');
    const port = await freePort();
    for (const sub of ['etc', 'queue', 'data']) mkdirSync(join(dir, sub), { recursive: true });
    chmodSync(dir, 0o755); // the postfix user works inside it
    chownSync(join(dir, 'data'), uid, -1);
    writeFileSync(join(dir, 'etc', 'main.cf'), mainCf(dir, options.sinkPort));
    writeFileSync(join(dir, 'etc', 'master.cf'), masterCf(port));
    try {
      execFileSync(POSTFIX, ['-c', join(dir, 'etc'), 'start'], { stdio: 'pipe', timeout: 30_000 });
      const masterPid = masterPidOf(dir);
      if (masterPid === null) throw new Error('no master.pid');
      const instanceReady = Date.now() + 10_000;
      while (!(await greets(port))) {
        if (Date.now() > instanceReady) throw new Error(`not listening on ${port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return new PostfixProcess(dir, port, masterPid);
    } catch (err) {
      // Whatever did start is stopped before the caller removes the directory.
      await stopInstance(dir, masterPidOf(dir));
      throw new Error(`postfix did not start: ${String(err)}\n${logTail(dir)}`);
    }
  }

  /** CPU time of the master and its daemons so far (those that ended count in the master's), in ms. */
  cpuMs(): number {
    let ticks = processTicks(this.masterPid, true);
    for (const pid of childrenOf(this.masterPid)) ticks += processTicks(pid, true);
    return ticks * 10;
  }

  log(): string {
    return logTail(this.dir);
  }

  stop(): Promise<void> {
    return stopInstance(this.dir, this.masterPid);
  }
}

function masterPidOf(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * `postfix stop` (the master ends its daemons); if the master lingers, SIGKILL to its process
 * group (it called setsid: the group is its PID, and holds its daemons).
 */
async function stopInstance(dir: string, masterPid: number | null): Promise<void> {
  try {
    execFileSync(POSTFIX, ['-c', join(dir, 'etc'), 'stop'], { stdio: 'pipe', timeout: 30_000 });
  } catch {
    // not running, or stopping failed: the PID check below decides
  }
  if (masterPid === null) return;
  const deadline = Date.now() + 10_000;
  while (alive(masterPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!alive(masterPid)) return;
  try {
    process.kill(-masterPid, 'SIGKILL');
  } catch {
    process.kill(masterPid, 'SIGKILL');
  }
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'maillog'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no postfix log)';
  }
}

/** Running, and not a zombie waiting for a parent that does not reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** utime + stime (+ reaped children's) of a process, in clock ticks (100 Hz); 0 if it has gone. */
function processTicks(pid: number, withReaped: boolean): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // After "pid (comm) ": state is field 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(f[11]) + Number(f[12]);
  return withReaped ? own + Number(f[13]) + Number(f[14]) : own;
}

function childrenOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) pids.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}
