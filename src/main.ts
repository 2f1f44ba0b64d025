import type { Readable } from 'node:stream';
import type { Envelope } from './core/envelope.js';
import { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { AdminServer } from './admin/admin-server.js';
import { CaptureUpstream } from './delivery/capture-upstream.js';
import { SmtpUpstream } from './delivery/smtp-upstream.js';
import type { Upstream } from './delivery/upstream.js';
import { createLogger, type Logger } from './log/logger.js';
import { collectProcessMetrics, createMetrics, type Metrics } from './metrics/metrics.js';
import { InspectionPool } from './pipeline/inspection-pool.js';
import { noticeSettingsFrom } from './pipeline/policy-notice.js';
import { receiveMessage } from './pipeline/receive.js';
import { disclaimerPlanner } from './pipeline/disclaimer-plan.js';
import { loadPatientList, patientIndexOf, patientListStamp, type PatientListData } from './policies/patient-list.js';
import { relayNameOf } from './config/relay-name.js';
import { DeliveryWorkers } from './pipeline/workers.js';
import { FrontDoor, type BoundListener } from './smtp/front-door.js';
import { loadTlsMaterial } from './smtp/tls-material.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { openStore } from './store/open-store.js';
import type { QueueStore, Store } from './store/types.js';

export interface Relay {
  readonly listeners: readonly BoundListener[];
  readonly adminPort: number;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Graceful: stop accepting, finish SMTP transactions and deliveries in flight, close the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  /** How long SMTP transactions in progress may take to finish on stop. */
  readonly closeTimeout?: number;
}


function createUpstream(config: Readonly<Config>, relayName: string): Upstream {
  const up = config.upstream;
  return up.type === 'capture' ? new CaptureUpstream(up.dir ?? `${config.dataDir}/outbox`) : new SmtpUpstream(up, relayName);
}

/**
 * The composition root: config → objects → listeners. The SMTP listeners open last, once the
 * store, the inspection threads, the admin listener and the delivery workers are running, so
 * that nothing is answered 250 by a relay that cannot deliver it. If any step fails (a port in
 * use, a bad certificate), whatever was opened is closed again and the error is thrown.
 */
export async function startRelay(config: Readonly<Config>, options: StartOptions = {}): Promise<Relay> {
  const log = options.log ?? createLogger(config.log.level);
  /** What was opened, in order: closed in reverse if a later step fails, and by stop(). */
  const opened: (() => Promise<void> | void)[] = [];
  try {
    return await assemble(config, options, log, opened);
  } catch (err) {
    await closeInReverse(opened, () => undefined); // the original error is the one worth reporting
    log.error({ event: 'relay_start_failed', err: (err as Error).message }, 'the relay could not start');
    throw err;
  }
}

/** Closes what was opened, last first; a failing step stops the rest unless `onError` takes it. */
async function closeInReverse(opened: readonly (() => Promise<void> | void)[], onError?: (err: unknown) => void): Promise<void> {
  for (const close of [...opened].reverse()) {
    if (onError) await Promise.resolve().then(close).catch(onError);
    else await close();
  }
}

async function assemble(
  config: Readonly<Config>,
  options: StartOptions,
  log: Logger,
  opened: (() => Promise<void> | void)[],
): Promise<Relay> {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const metrics = createMetrics(registry);
  const relayName = relayNameOf(config);
  const unlock = lockDataDir(config.dataDir);
  opened.push(unlock);
  const storeOpened = await openStore(config, 'relay');
  const store = storeOpened.store;
  opened.push(() => store.close());
  const recovered = await storeOpened.recover();
  log.info({ event: 'store_open', engine: store.engine, ...recovered }, 'store ready');

  const upstream = createUpstream(config, relayName);
  opened.push(() => upstream.close());
  const workers = new DeliveryWorkers(
    {
      queue: store,
      upstream,
      retry: config.delivery.retry,
      relayName,
      bounceFrom: `postmaster@${config.practice.domains[0]}`,
      metrics,
      log,
      planDisclaimer: config.disclaimers.enabled ? disclaimerPlanner(store, config) : undefined,
    },
    { concurrency: config.delivery.concurrency, pollInterval: config.delivery.pollInterval, leaseMs: config.delivery.lease },
  );
  const threads = config.policy.inspection.workers > 0 && InspectionPool.available() ? new InspectionPool(config, log) : null;
  if (threads) opened.push(() => threads.close());
  if (!threads && config.policy.inspection.workers > 0) {
    log.warn({ event: 'inspection_on_main_thread' }, 'inspection threads need the built relay; inspecting on the main thread');
  }
  // Loaded only when the main thread inspects: see local-inspection.ts.
  const local = threads ? null : new (await import('./pipeline/local-inspection.js')).LocalInspection(config);
  const usePatientList = (list: PatientListData | null): void => {
    local?.setPatientIndex(patientIndexOf(list));
    threads?.setPatientList(list);
    log.info({ event: 'patient_list_loaded', entries: list?.hashes.size ?? 0 }, list ? 'patient list loaded for exact match' : 'no patient list imported');
  };
  const patientList = await loadPatientList(store);
  let patientListVersion = patientList.stamp;
  usePatientList(patientList.list);
  // A re-import (`mouthguard patients import`, another process) is picked up without a restart.
  const patientListWatch = watchPatientList(store, () => patientListVersion, (loaded) => {
    patientListVersion = loaded.stamp;
    usePatientList(loaded.list);
  }, log);
  opened.push(() => clearInterval(patientListWatch));
  const receiveDeps = {
    queue: store,
    limits: config.smtp.limits,
    relayName,
    metrics,
    log,
    inspect: (raw: Readable, envelope: Envelope, size: number) => (threads ? threads.inspect(raw, envelope, size) : local!.inspect(raw, envelope)),
    notices: noticeSettingsFrom(config, relayName),
    holdSealed: config.disclaimers.enabled && config.disclaimers.signed === 'hold' ? { skipMachineMail: config.disclaimers.skipMachineMail } : undefined,
  };
  const frontDoor = new FrontDoor({
    config,
    relayName,
    tls: await loadTlsMaterial(config.smtp.tls, config.dataDir, relayName, log),
    accounts: store,
    receive: async (input) => {
      const received = await receiveMessage(receiveDeps, input);
      workers.nudge();
      return received;
    },
    metrics,
    log,
    ...(options.closeTimeout !== undefined ? { closeTimeout: options.closeTimeout } : {}),
  });
  const admin = new AdminServer({
    registry,
    readiness: {
      store: () => store.ping(),
      smtp: () => (frontDoor.listening ? Promise.resolve() : Promise.reject(new Error('SMTP listeners are not accepting'))),
    },
    beforeScrape: () => refreshQueueGauges(store, metrics),
    log,
  });
  const adminPort = await admin.listen(config.admin.port, config.admin.host);
  opened.push(() => admin.close());
  workers.start();
  opened.push(() => workers.stop());
  opened.push(() => frontDoor.close()); // closes the listeners already open if a later one fails
  const listeners = await frontDoor.listen();
  const purge = () =>
    void store.purgeFinished(Date.now() - config.delivery.retention).catch((err: unknown) => {
      log.error({ event: 'purge_failed', err: (err as Error).message }, 'purging finished messages failed');
    });
  // A minute after start (a relay restarted more often than hourly still purges), then hourly.
  const firstPurge = setTimeout(purge, 60_000).unref();
  const housekeeping = setInterval(purge, 3_600_000).unref();
  opened.push(() => {
    clearTimeout(firstPurge);
    clearInterval(housekeeping);
  });
  log.info({ event: 'relay_started', adminPort, upstream: upstream.description, listeners }, 'mouthguard relay started');

  return {
    listeners,
    adminPort,
    metrics,
    log,
    async stop() {
      log.info({ event: 'relay_stopping' }, 'stopping: draining SMTP and deliveries');
      // The same steps a failed start takes back, in reverse: SMTP first, the store and lock last.
      await closeInReverse(opened);
      log.info({ event: 'relay_stopped' }, 'stopped');
    },
  };
}

/** How often the relay looks for a new patient list import. */
const PATIENT_LIST_CHECK_MS = 30_000;

/** Checks every 30 s whether the patient list changed (import time and count) and reloads it then. */
function watchPatientList(
  store: Store,
  loadedVersion: () => string,
  onChange: (loaded: Awaited<ReturnType<typeof loadPatientList>>) => void,
  log: Logger,
): NodeJS.Timeout {
  let checking = false;
  return setInterval(() => {
    if (checking) return;
    checking = true;
    store
      .patientListInfo()
      .then(async (info) => {
        if (patientListStamp(info) !== loadedVersion()) onChange(await loadPatientList(store));
      })
      .catch((err: unknown) => {
        log.error({ event: 'patient_list_reload_failed', err: (err as Error).message }, 'reloading the patient list failed; keeping the one loaded');
      })
      .finally(() => {
        checking = false;
      });
  }, PATIENT_LIST_CHECK_MS).unref();
}

async function refreshQueueGauges(queue: QueueStore, metrics: Metrics): Promise<void> {
  const stats = await queue.stats();
  for (const [state, count] of Object.entries(stats.byState)) metrics.queueDepth.set({ state }, count);
  metrics.queueOldestAge.set(stats.oldestQueuedAt === null ? 0 : (Date.now() - stats.oldestQueuedAt) / 1000);
  metrics.policyOldestHeldAge.set(stats.oldestHeldAt === null ? 0 : (Date.now() - stats.oldestHeldAt) / 1000);
  metrics.policyHeld.reset();
  for (const [rule, count] of Object.entries(stats.heldByRule)) metrics.policyHeld.set({ reason: rule }, count);
}
