import type { MemoryMap } from './memory-map.js';
import type { Stage } from './relay-stages.js';

/** The bench's results, as run.ts measures them and dist/bench-results.json keeps them. */

/** Where a load was sent: the relay, the sink directly (the ceiling) or Postfix (the reference). */
export type Target = 'relay' | 'sink' | 'postfix';

/** One load on one target. */
export interface Side {
  readonly target: Target;
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly firstFailure: string | null;
  readonly wallMs: number;
  readonly msgPerSec: number;
  /** Messages in full at the sink ÷ time from the start to the last arrival (sustained delivery rate). */
  readonly deliveredPerSec: number;
  readonly dataTo250Ms: { p50: number; p99: number; max: number };
  /** 250 at the client → message in full at the sink (relay only). */
  readonly toSinkMs: { p50: number; p99: number; max: number } | null;
  readonly missingAtSink: number;
  readonly peakRssBytes: number | null;
  /** What the resident memory was made of at its heaviest reading (relay, large messages only). */
  readonly peakMemoryMap: MemoryMap | null;
  readonly cpuMsPerMsg: number | null;
  /** The relay's own receive stages for the measured messages (its /metrics histogram; relay only). */
  readonly stagesMs: Record<Stage, { p50: number; p99: number }> | null;
}

/** One scenario (message size × clients) on every target. */
export interface ScenarioResult {
  readonly message: string;
  readonly key: string;
  readonly messageBytes: number;
  readonly clients: number;
  readonly total: number;
  readonly relay: Side;
  readonly sink: Side;
  /** The same load through Postfix in this run (null: not available or --postfix=off). */
  readonly postfix: Side | null;
  readonly ratio: number;
  /** With --repeat: every round, this result being the median one. */
  readonly rounds?: readonly ScenarioResult[];
}
