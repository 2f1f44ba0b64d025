import type { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import type { PatientIndex } from '../policies/patient-list.js';
import { detectorsFor } from '../policies/registry.js';
import { attachmentBudget, inspectMessage, type InspectDeps, type InspectionResult } from './inspect-message.js';

/**
 * Inspection on the main thread (`policy.inspection.workers: 0`, or no built thread script).
 * A module of its own so that the relay loads mailparser, html-to-text and the detectors into
 * the main thread only when it inspects there: with inspection threads they would be
 * megabytes of heap and code nobody uses.
 */
export class LocalInspection {
  readonly #budget;
  #deps: InspectDeps;

  constructor(private readonly config: Readonly<Config>) {
    this.#budget = attachmentBudget(config.policy.inspection);
    this.#deps = { config, detectors: detectorsFor(config), budget: this.#budget };
  }

  /** Messages from now on use this patient list (null: none). */
  setPatientIndex(index: PatientIndex | null): void {
    this.#deps = { config: this.config, detectors: detectorsFor(this.config, index), budget: this.#budget };
  }

  inspect(raw: Readable, envelope: { readonly mailFrom: string; readonly rcptTo: readonly string[] }): Promise<InspectionResult> {
    return inspectMessage(raw, envelope, this.#deps);
  }
}
