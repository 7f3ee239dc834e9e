// SignalR's stateful reconnect: a client whose socket drops for a moment gets what it missed replayed by
// the server, without calling GetMessages and without going through a reconnect of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, startBlip, connect, uniqueUser } from "./harness.mjs";

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

for (const protocol of ["json", "messagepack"]) {
  test(`a ${protocol} client whose socket drops for a moment gets every message it missed, from its own node and across the backplane`, async () => {
    const [near, far] = cluster.nodes;
    const blip = await startBlip(near.port);
    const alice = await connect(blip.url, uniqueUser("alice"), protocol, { stateful: true, reconnect: false, tokenUrl: near.url });
    const bob = await connect(near.url, uniqueUser("bob"), protocol);
    const carol = await connect(far.url, uniqueUser("carol"), protocol);
    let reconnects = 0;
    alice.connection.onreconnecting(() => { reconnects++; });
    try {
      const conversation = await alice.connection.invoke("CreateConversation", "blip", [bob.userId, carol.userId]);
      await bob.waitFor("ConversationUpdated", (c) => c.id === conversation.id);
      await carol.waitFor("ConversationUpdated", (c) => c.id === conversation.id);

      blip.cut();
      const sent = [];
      sent.push(await bob.connection.invoke("SendMessage", conversation.id, "b1", "from alice's node"));
      sent.push(await carol.connection.invoke("SendMessage", conversation.id, "c1", "from the other node"));
      sent.push(await bob.connection.invoke("SendMessage", conversation.id, "b2", "from alice's node again"));
      // The far node's message must reach alice's node while her socket is still down.
      await bob.waitFor("MessageReceived", (m) => m.id === sent[1].id);
      blip.letThrough();

      const last = sent.at(-1);
      await alice.waitFor("MessageReceived", (m) => m.id === last.id, 10000);
      const received = alice.of("MessageReceived").filter((m) => m.conversationId === conversation.id);
      assert.deepEqual(received.map((m) => m.id), sent.map((m) => m.id), "every missed message, in order, once");
      assert.equal(reconnects, 0, "the socket came back under the same connection");
      assert.equal(alice.connection.state, "Connected");
    } finally {
      await Promise.allSettled([alice.stop(), bob.stop(), carol.stop()]);
      await blip.close();
    }
  });
}
