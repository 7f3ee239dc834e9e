// The dev sign-in: a token from POST /api/dev/token, kept in sessionStorage so a reload stays signed in (and each
// tab may be someone else). The protocol is a setting of the browser, so it lives in localStorage.
import type { Protocol } from "./chat-client.js";

export interface Session {
  userId: string;
  accessToken: string;
  expiresAt: string;
}

const SESSION_KEY = "realtime.session";
const PROTOCOL_KEY = "realtime.protocol";
// A token about to run out would fail the reconnect that comes after it, so it is not reused.
const EXPIRY_MARGIN_MS = 60_000;

export async function signIn(userId: string): Promise<Session> {
  const response = await fetch("/api/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new Error(problem.detail ?? `Sign-in failed (${response.status}).`);
  }
  const { accessToken, expiresAt } = (await response.json()) as { accessToken: string; expiresAt: string };
  const session = { userId, accessToken, expiresAt: String(expiresAt) };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function savedSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null") as Session | null;
    if (session && Date.parse(session.expiresAt) - Date.now() > EXPIRY_MARGIN_MS) return session;
  } catch {
    // A damaged entry is the same as none.
  }
  forgetSession();
  return null;
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

export function savedProtocol(): Protocol {
  return localStorage.getItem(PROTOCOL_KEY) === "messagepack" ? "messagepack" : "json";
}

export function saveProtocol(protocol: Protocol): void {
  localStorage.setItem(PROTOCOL_KEY, protocol);
}
