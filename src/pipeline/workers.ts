import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { QueueStore } from '../store/types.js';
import { deliverLeased, type DeliverDeps } from './deliver.js';

export interface WorkerOptions {
  readonly concurrency: number;
  readonly pollInterval: number;
  readonly leaseMs: number;
}

/**
 * Delivery workers: lease due messages (up to `concurrency` in flight) and deliver each.
 * They poll the queue, and `nudge()` wakes them at once when something new is committed.
 * `stop()` lets deliveries in flight finish and leases nothing more; a stopped set of workers is
 * not started again (the relay makes new ones).
 */
export class DeliveryWorkers {
  readonly owner = `relay-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborted by stop(): a delivery waiting to record its result gives up instead of holding the stop. */
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #polling = false;
  #again = false;

  constructor(
    private readonly deps: DeliverDeps & { readonly queue: QueueStore; readonly log: Logger },
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    this.#running = true;
    this.nudge();
  }

  /** Looks for due messages now (coalesced: concurrent nudges cause one extra poll). */
  nudge(): void {
    if (!this.#running) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    // Coalesce: every nudge in this turn of the event loop shares one poll.
    this.#polling = true;
    setImmediate(() => void this.#poll());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    if (this.#timer) clearTimeout(this.#timer);
    try {
      do {
        this.#again = false;
        const free = this.options.concurrency - this.#inFlight.size;
        if (free <= 0 || !this.#running) break;
        const leased = await this.deps.queue.leaseDue(this.owner, free, this.options.leaseMs, Date.now());
        for (const message of leased) this.#track(deliverLeased(this.deps, message, this.#stopping.signal), message.id);
        if (leased.length === free) this.#again = true;
      } while (this.#again && this.#running);
    } catch (err) {
      this.deps.log.error({ event: 'lease_failed', err: (err as Error).message }, 'could not lease messages');
    } finally {
      this.#polling = false;
      if (this.#running) this.#timer = setTimeout(() => this.nudge(), this.options.pollInterval);
    }
  }

  #track(delivery: Promise<void>, id: string): void {
    const tracked = delivery
      .catch((err: unknown) => {
        // The lease expires and the message is tried again: never lost, at worst delayed.
        this.deps.log.error({ event: 'delivery_error', id, err: (err as Error).message }, 'delivery attempt failed');
      })
      .finally(() => {
        this.#inFlight.delete(tracked);
        this.nudge();
      });
    this.#inFlight.add(tracked);
  }
}
