// Applications built only on the TypeScript SDK chat through nginx and three nodes (deploy/local/topology.sh)
// while a node is killed, Redis is away for 10 s and every server restarts; each ends with the server's log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { LocalTopology } from "./topology.mjs";
import { uniqueUser } from "./harness.mjs";
import { startApp, serverLog, waitUntil } from "./sdk-app.mjs";

let topology;
before(async () => { topology = await LocalTopology.start(); });
after(async () => { await topology?.stop(); });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Sends until told to stop, each through the SDK's send (same clientMessageId on every retry).
async function chat(app, conversations, stopped, acknowledged) {
  for (let n = 0; !stopped(); n++) {
    const open = conversations().filter((id) => !app.removed.includes(id));
    const conversationId = open[n % open.length];
    try {
      acknowledged.push(await app.client.send(conversationId, `message ${n} from ${app.userId}`, { clientMessageId: `${app.userId}-${n}` }));
    } catch (error) {
      // Removed from the conversation while sending: the app moves on; anything else fails the test.
      if (error?.code !== "not_a_member") throw error;
    }
    await sleep(250 + Math.random() * 350);
  }
}

test("six SDK applications on JSON and MessagePack hold exactly the server's log after a node kill, a Redis outage and a restart of every server", async (t) => {
  const users = ["a", "b", "c", "d", "e", "f"].map((name) => uniqueUser(`sdk-${name}`));
  const apps = [];
  try {
    for (const [i, user] of users.entries()) apps.push(await startApp(topology.url, user, i % 2 === 0 ? "json" : "messagepack"));
    const everyone = await apps[0].client.hub.CreateConversation("everyone", users.slice(1));
    const some = await apps[1].client.hub.CreateConversation("some", [users[2], users[3]]);
    const pair = await apps[4].client.hub.CreateConversation("pair", [users[5]]);
    const memberships = new Map(users.map((u, i) => [u, [everyone.id, ...(i >= 1 && i <= 3 ? [some.id] : []), ...(i >= 4 ? [pair.id] : [])]]));
    await waitUntil(() => apps.every((app) => memberships.get(app.userId).every((id) => app.client.conversations.some((c) => c.id === id))),
      "every app lists its conversations");

    let stop = false;
    const acknowledged = [];
    const senders = apps.map((app) => chat(app, () => memberships.get(app.userId), () => stop, acknowledged));
    const clock = Date.now();
    const at = async (second, step) => { await sleep(Math.max(0, clock + second * 1000 - Date.now())); await step(); };

    await at(3, () => topology.run("kill-node", "2"));
    // Membership moves while some apps are reconnecting: f joins "some" from the start, d leaves it.
    await at(4, async () => {
      await apps[1].client.hub.AddMember(some.id, users[5]);
      memberships.get(users[5]).push(some.id);
      await apps[1].client.hub.RemoveMember(some.id, users[3]);
    });
    await at(5, () => topology.run("start-node", "2"));
    await at(9, () => topology.run("stop-redis"));
    await at(19, () => topology.run("start-redis"));
    await at(22, async () => {
      for (const node of ["1", "2", "3"]) await topology.run("stop-node", node);
      await sleep(3000);
      for (const node of ["1", "2", "3"]) await topology.run("start-node", node);
    });
    await at(Math.max(34, (Date.now() - clock) / 1000 + 4), () => { stop = true; });
    await Promise.all(senders);

    const expected = [[everyone.id, users[0], users], [some.id, users[1], [users[1], users[2], users[5]]], [pair.id, users[4], [users[4], users[5]]]];
    for (const [conversationId, reader, members] of expected) {
      const truth = await serverLog(topology.url, reader, conversationId);
      assert.deepEqual(truth.map((m) => m.sequence), truth.map((_, i) => i + 1), "the server's log is gap-free");
      const sent = acknowledged.filter((m) => m.conversationId === conversationId).map((m) => m.id);
      assert.deepEqual([...new Set(sent)].sort(), truth.map((m) => m.id).sort(), "the log holds exactly the acknowledged messages");
      t.diagnostic(`${conversationId}: ${truth.length} messages`);
      for (const app of apps.filter((a) => members.includes(a.userId))) {
        await waitUntil(() => app.ids(conversationId).length >= truth.length,
          () => `${app.userId} (${app.protocol}) has ${app.ids(conversationId).length} of ${truth.length} in ${conversationId}; states ${app.states.join(">")}`);
        assert.deepEqual(app.ids(conversationId), truth.map((m) => m.id), `${app.userId} (${app.protocol}) holds the server's log, in order, once each`);
        assert.ok(app.log.get(conversationId).every((m) => typeof m.sentAt === "string"), "times are strings on both protocols");
      }
    }

    // d left "some": it was told, and what it holds of it is the start of the log, once each, in order.
    const d = apps[3];
    assert.ok(d.removed.includes(some.id), "d is told it left 'some'");
    const someTruth = (await serverLog(topology.url, users[1], some.id)).map((m) => m.id);
    assert.deepEqual(d.ids(some.id), someTruth.slice(0, d.ids(some.id).length));
    assert.ok(d.ids(some.id).length < someTruth.length, "nothing of 'some' reaches d after it left");

    for (const app of apps) {
      t.diagnostic(`${app.userId} (${app.protocol}): ${app.states.join(" > ")}; token asked ${app.tokenCalls} times`);
      assert.equal(app.client.state, "connected");
      assert.equal(app.client.orderingMode, "revision", "the server answers GetChanges, so changes are ordered by revision");
      const path = app.states.join(">");
      assert.match(path, /reconnecting>resyncing>connected/, `${app.userId} went through a resync: ${path}`);
      assert.ok(app.tokenCalls >= 2, `${app.userId}: the token provider is called at every reconnect`);
    }
  } finally {
    await Promise.all(apps.map((app) => app.client.stop()));
  }
});
