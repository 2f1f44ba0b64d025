export interface RetryPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
  readonly maxAge: number;
}

/** Delay before the next try after `attempts` tries: initial, then times factor, capped. */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(policy.maxDelay, Math.round(policy.initialDelay * policy.factor ** exponent));
}

/** True once a message is too old to try again: its deferred recipients bounce. */
export function isExpired(policy: RetryPolicy, receivedAt: number, now: number): boolean {
  return now - receivedAt >= policy.maxAge;
}
