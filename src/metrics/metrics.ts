import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the relay exports, on an injected registry so each test starts fresh.
 * Names are `mouthguard_<subsystem>_<name>`; labels are bounded enums, never addresses or ids.
 */
export function createMetrics(registry: Registry = new Registry()) {
  const on = { registers: [registry] };
  return {
    registry,
    smtpSessions: new Counter({
      name: 'mouthguard_smtp_sessions_total',
      help: 'SMTP connections accepted, by listener mode',
      labelNames: ['listener'] as const,
      ...on,
    }),
    smtpActiveSessions: new Gauge({
      name: 'mouthguard_smtp_active_sessions',
      help: 'SMTP connections open now',
      ...on,
    }),
    smtpRejects: new Counter({
      name: 'mouthguard_smtp_rejects_total',
      help: 'SMTP replies refusing a command or message, by reason (reply table name)',
      labelNames: ['reason'] as const,
      ...on,
    }),
    smtpAuthFailures: new Counter({
      name: 'mouthguard_smtp_auth_failures_total',
      help: 'Failed AUTH attempts, by outcome',
      labelNames: ['outcome'] as const,
      ...on,
    }),
    smtpMessagesAccepted: new Counter({
      name: 'mouthguard_smtp_messages_accepted_total',
      help: 'Messages answered 250 and committed to the queue',
      ...on,
    }),
    smtpMessageSize: new Histogram({
      name: 'mouthguard_smtp_message_size_bytes',
      help: 'Size of accepted messages',
      buckets: [1e3, 1e4, 1e5, 1e6, 5e6, 1e7, 2.5e7, 5e7],
      ...on,
    }),
    smtpCommitSeconds: new Histogram({
      name: 'mouthguard_smtp_commit_seconds',
      help: 'Time from end of DATA to the durable commit (250)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      ...on,
    }),
    queueDepth: new Gauge({
      name: 'mouthguard_queue_messages',
      help: 'Messages in the store, by state',
      labelNames: ['state'] as const,
      ...on,
    }),
    queueOldestAge: new Gauge({
      name: 'mouthguard_queue_oldest_age_seconds',
      help: 'Age of the oldest message waiting for delivery',
      ...on,
    }),
    deliveryAttempts: new Counter({
      name: 'mouthguard_delivery_attempts_total',
      help: 'Delivery attempts per recipient, by result',
      labelNames: ['result'] as const,
      ...on,
    }),
    deliveryUpstreamSeconds: new Histogram({
      name: 'mouthguard_delivery_upstream_seconds',
      help: 'Time the upstream took for one delivery attempt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ...on,
    }),
    deliveryBounces: new Counter({
      name: 'mouthguard_delivery_bounces_total',
      help: 'Delivery status notifications generated, by cause',
      labelNames: ['cause'] as const,
      ...on,
    }),
    storeErrors: new Counter({
      name: 'mouthguard_store_errors_total',
      help: 'Store operations that failed, by operation',
      labelNames: ['operation'] as const,
      ...on,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Process metrics (RSS, event loop lag, GC) with the project prefix. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'mouthguard_process_' });
}
