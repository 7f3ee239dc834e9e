// The SDK's own reconnect loop: it does not give up on a server that is not there yet, and contract errors
// reach the application with their code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { RealtimeClient, RealtimeError } from "../../clients/typescript/dist/index.js";
import { ServerNode, freePort, tempDir, tokenFor, uniqueUser } from "./harness.mjs";
import { waitUntil } from "./sdk-app.mjs";

test("an SDK client started before its server keeps trying past SignalR's schedule and connects once the server is up", async () => {
  const directory = tempDir("realtime-sdk-retry-");
  const node = new ServerNode("sdk-retry", await freePort(), {
    "Database:Provider": "Sqlite",
    "ConnectionStrings:Chat": `Data Source=${path.join(directory, "chat.db")}`,
  });
  const userId = uniqueUser("early");
  const failures = [];
  const states = [];
  const client = new RealtimeClient({
    url: node.url,
    accessToken: () => tokenFor(node.url, userId),
    retry: { initialDelayMs: 20, maxDelayMs: 100 },
  });
  client.on("state", (state, error) => { if (error) failures.push(error); else states.push(state); });
  try {
    const started = client.start();
    // SignalR's own automatic reconnect stops after four attempts; this is well past that.
    await waitUntil(() => failures.length >= 10, () => `ten failed attempts, saw ${failures.length}`);
    assert.deepEqual(states, ["connecting"]);
    await node.startAgain();
    await started;
    assert.equal(client.state, "connected");
    assert.deepEqual(states, ["connecting", "resyncing", "connected"]);

    const conversation = await client.hub.CreateConversation("early bird", []);
    await assert.rejects(client.hub.GetMessages("no-such-conversation", 0, 10),
      (error) => error instanceof RealtimeError && ["not_found", "not_a_member"].includes(error.code));
    await assert.rejects(client.send(conversation.id, ""), (error) => error instanceof RealtimeError && error.code === "invalid_argument");
    const sent = await client.send(conversation.id, "hello");
    assert.equal(sent.sequence, 1);
  } finally {
    await client.stop();
    await node.kill("SIGTERM");
    rmSync(directory, { recursive: true, force: true });
  }
});
