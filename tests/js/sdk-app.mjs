// An application built only on the TypeScript SDK (clients/typescript): it keeps what the SDK hands it,
// per conversation, and has no resync code of its own. Also: the server's log, read by a fresh client.
import { RealtimeClient } from "../../clients/typescript/dist/index.js";
import { connect, tokenFor } from "./harness.mjs";

export async function startApp(baseUrl, userId, protocol, options = {}) {
  const app = { userId, protocol, log: new Map(), updates: [], states: [], removed: [], added: new Set(), tokenCalls: 0 };
  app.client = new RealtimeClient({
    url: baseUrl,
    protocol,
    accessToken: async () => { app.tokenCalls++; return tokenFor(options.tokenUrl ?? baseUrl, userId); },
    retry: { initialDelayMs: 100, maxDelayMs: 1000 },
    ...options,
  });
  app.client.on("message", (m) => {
    if (!app.log.has(m.conversationId)) app.log.set(m.conversationId, []);
    app.log.get(m.conversationId).push(m);
  });
  app.client.on("messageUpdated", (m) => app.updates.push(m));
  app.client.on("state", (state) => { if (app.states.at(-1) !== state) app.states.push(state); });
  app.client.on("conversation", (c) => app.added.add(c.id));
  app.client.on("conversationRemoved", (id) => app.removed.push(id));
  app.ids = (conversationId) => (app.log.get(conversationId) ?? []).map((m) => m.id);
  await app.client.start();
  return app;
}

/** Every message of a conversation, as GetMessages pages it to a client that connects just for this. */
export async function serverLog(baseUrl, memberId, conversationId, protocol = "json") {
  const reader = await connect(baseUrl, memberId, protocol, { reconnect: false });
  try {
    const all = [];
    for (;;) {
      const page = await reader.connection.invoke("GetMessages", conversationId, all.at(-1)?.sequence ?? 0, 100);
      all.push(...page);
      if (page.length < 100) return all;
    }
  } finally {
    await reader.stop();
  }
}

/** Resolves once `condition()` holds; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(condition, describe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${typeof describe === "function" ? describe() : describe}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
