/** Delays for the SDK's own retries: exponential from `initialMs` to `maxMs`, with jitter, never giving up. */
export interface RetryOptions {
  /** First delay after a failure; the first reconnect attempt is immediate. Default 250 ms. */
  initialDelayMs?: number;
  /** Ceiling of the delay between attempts. Default 5000 ms. */
  maxDelayMs?: number;
}

export function retryDelay(attempt: number, options: RetryOptions = {}): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5000;
  if (attempt <= 0) return 0;
  const base = Math.min(max, initial * 2 ** (attempt - 1));
  // Jitter spreads the clients of a restarted node over the window instead of all at once.
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason ?? new Error("aborted")); };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
