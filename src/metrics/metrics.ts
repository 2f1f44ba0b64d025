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
      help: 'SMTP connections accepted, by listener (its configured name) and mode',
      labelNames: ['listener', 'mode'] as const,
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
    smtpReceiveStageSeconds: new Histogram({
      name: 'mouthguard_smtp_receive_stage_seconds',
      help: 'Where receiving an accepted message takes its time: upload (DATA from the client into the spool), inspection (waiting for and running it), commit (to durable)',
      labelNames: ['stage'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
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
      help: 'Recipients reported failed to the sender in a DSN, by cause (rejected: refused with a 5xx; expired: still deferred at delivery.retry.maxAge)',
      labelNames: ['cause'] as const,
      ...on,
    }),
    disclaimerMessages: new Counter({
      name: 'mouthguard_disclaimer_messages_total',
      help: 'Messages through the disclaimer step, by outcome (inserted, wrapped, unchanged) and why unchanged',
      labelNames: ['outcome', 'reason'] as const,
      ...on,
    }),
    disclaimerRewriteSeconds: new Histogram({
      name: 'mouthguard_disclaimer_rewrite_seconds',
      help: 'Time to rewrite one message for its disclaimer (first pass)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      ...on,
    }),
    policyVerdicts: new Counter({
      name: 'mouthguard_policy_verdicts_total',
      help: 'Verdict reasons by action, rule and mode (monitor: recorded, not applied); rule "none" for plain deliveries',
      labelNames: ['action', 'rule', 'mode'] as const,
      ...on,
    }),
    policyActions: new Counter({
      name: 'mouthguard_policy_actions_total',
      help: 'Messages by the action applied to them',
      labelNames: ['action'] as const,
      ...on,
    }),
    policyFindings: new Counter({
      name: 'mouthguard_policy_findings_total',
      help: 'Findings at or above the policy confidence threshold, by kind',
      labelNames: ['kind'] as const,
      ...on,
    }),
    policyHeld: new Gauge({
      name: 'mouthguard_policy_held_messages',
      help: 'Messages held for review now, by the rule that held them (read from the store at scrape time)',
      labelNames: ['reason'] as const,
      ...on,
    }),
    policyOldestHeldAge: new Gauge({
      name: 'mouthguard_policy_oldest_held_age_seconds',
      help: 'Age of the oldest message waiting for a review decision',
      ...on,
    }),
    policyInspectionSeconds: new Histogram({
      name: 'mouthguard_policy_inspection_seconds',
      help: 'Time to inspect one message (parse, detectors, rules)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      ...on,
    }),
    policyInspectionFailures: new Counter({
      name: 'mouthguard_policy_inspection_failures_total',
      help: 'Inspections that failed or timed out (the message was held)',
      labelNames: ['cause'] as const,
      ...on,
    }),
    policyNotices: new Counter({
      name: 'mouthguard_policy_notices_total',
      help: 'Notices queued to senders, by type',
      labelNames: ['type'] as const,
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

/**
 * Process metrics (RSS, event loop lag, GC) with the project prefix: prom-client's names
 * already start with their subsystem (`process_cpu_…`, `nodejs_heap_…`), so these read
 * `mouthguard_process_cpu_user_seconds_total`, `mouthguard_nodejs_eventloop_lag_seconds`.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'mouthguard_' });
}
