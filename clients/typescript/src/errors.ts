import type { ErrorCode } from "./contract.js";

const codes: readonly ErrorCode[] = [
  "invalid_argument", "not_found", "not_a_member", "forbidden", "rate_limited", "payload_too_large", "unavailable",
];

/** A hub call the server refused, with the contract's stable code (`not_found`, `forbidden`, ...). */
export class RealtimeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "RealtimeError";
    this.code = code;
  }
}

// The server's HubException text reaches the client as "... HubException: <code>: <sentence>".
const codePattern = new RegExp(`(?:^|HubException: )(${codes.join("|")}): ?(.*)$`, "s");

/** The contract error inside a failed invocation, or the error itself when it is not one (a lost connection). */
export function toRealtimeError(error: unknown): unknown {
  if (error instanceof RealtimeError || !(error instanceof Error)) return error;
  const match = codePattern.exec(error.message);
  return match ? new RealtimeError(match[1] as ErrorCode, match[2] ?? error.message) : error;
}

/** A server that does not have the method at all: an older server without the v2 calls. */
export function isMissingMethod(error: unknown): boolean {
  return error instanceof Error && /Method does not exist/i.test(error.message);
}

/** Worth trying again with the same arguments: the connection broke, or the server asked to come back later. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RealtimeError) return error.code === "unavailable" || error.code === "rate_limited";
  return !isMissingMethod(error);
}
