// The wire contract (v1 and v2) through the official JavaScript client under Node, on both protocols,
// against real server processes (two nodes, one Redis, one SQLite file).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, connect, uniqueUser, tokenFor, runNotifier } from "./harness.mjs";

const FIELDS = {
  conversation: ["id", "title", "memberIds", "createdAt", "lastSequence", "lastReadSequence", "unreadCount", "kind", "topic", "lastRevision", "members", "lastDeliveredSequence"],
  message: ["id", "conversationId", "sequence", "senderId", "clientMessageId", "content", "sentAt", "revision", "editedAt", "deletedAt", "replyToMessageId", "reactions"],
  reaction: ["emoji", "userIds"],
  member: ["userId", "role"],
  receipt: ["conversationId", "userId", "lastReadSequence", "readAt", "lastDeliveredSequence"],
  typing: ["conversationId", "userId", "isTyping"],
  presence: ["userId", "isOnline", "lastSeenAt"],
  notification: ["id", "kind", "title", "body", "data", "createdAt"],
  progress: ["operationId", "percent", "status", "message"],
};

function assertShape(value, kind) {
  assert.deepEqual(Object.keys(value).sort(), [...FIELDS[kind]].sort(), `${kind} fields`);
  for (const field of ["createdAt", "sentAt", "readAt", "editedAt", "deletedAt"]) {
    if (value[field] != null) assert.ok(!Number.isNaN(new Date(value[field]).getTime()), `${kind}.${field} is a time`);
  }
  if (kind === "message") value.reactions.forEach((r) => assertShape(r, "reaction"));
  if (kind === "conversation") value.members.forEach((m) => assertShape(m, "member"));
}

async function assertCode(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.match(error.message, new RegExp(`^${code}: .+`));
    return true;
  });
}

let cluster;
before(async () => { cluster = await startCluster(); });
after(async () => { await cluster?.stop(); });

for (const protocol of ["json", "messagepack"]) {
  describe(`wire contract over ${protocol}`, () => {
    test("every hub method and every client callback works, with camelCase fields", async () => {
      const [one, two] = cluster.nodes;
      const alice = await connect(one.url, uniqueUser("alice"), protocol);
      const bobId = uniqueUser("bob");
      const carolId = uniqueUser("carol");
      try {
        const conversation = await alice.connection.invoke("CreateConversation", "js contract", [bobId]);
        assertShape(conversation, "conversation");
        assert.deepEqual([...conversation.memberIds].sort(), [alice.userId, bobId].sort());
        assertShape(await alice.waitFor("ConversationUpdated", (c) => c.id === conversation.id), "conversation");

        const bob = await connect(two.url, bobId, protocol);
        assertShape(await alice.waitFor("PresenceChanged", (p) => p.userId === bobId && p.isOnline), "presence");

        const sent = await alice.connection.invoke("SendMessage", conversation.id, "c1", "héllo <b>&</b> 👋");
        assertShape(sent, "message");
        assert.equal(sent.sequence, 1);
        const received = await bob.waitFor("MessageReceived", (m) => m.id === sent.id);
        assertShape(received, "message");
        assert.equal(received.content, "héllo <b>&</b> 👋");
        await alice.waitFor("MessageReceived", (m) => m.id === sent.id);
        const again = await alice.connection.invoke("SendMessage", conversation.id, "c1", "héllo <b>&</b> 👋");
        assert.equal(again.id, sent.id, "a retry returns the original");

        await bob.connection.invoke("SetTyping", conversation.id, true);
        assertShape(await alice.waitFor("TypingChanged", (t) => t.userId === bobId && t.isTyping), "typing");

        const receipt = await bob.connection.invoke("MarkRead", conversation.id, 1);
        assertShape(receipt, "receipt");
        assert.equal(receipt.lastReadSequence, 1);
        assertShape(await alice.waitFor("ReadReceiptUpdated", (r) => r.userId === bobId), "receipt");

        const page = await bob.connection.invoke("GetMessages", conversation.id, 0, 10);
        assert.deepEqual(page.map((m) => m.id), [sent.id]);
        const history = await bob.connection.invoke("GetHistory", conversation.id, null, 10);
        assert.deepEqual(history.map((m) => m.sequence), [1]);
        const bobsView = (await bob.connection.invoke("GetConversations")).find((c) => c.id === conversation.id);
        assertShape(bobsView, "conversation");
        assert.equal(bobsView.lastReadSequence, 1);
        assert.equal(bobsView.unreadCount, 0);

        const presence = await alice.connection.invoke("GetPresence", [bobId, carolId]);
        presence.forEach((p) => assertShape(p, "presence"));
        assert.deepEqual(presence.map((p) => [p.userId, p.isOnline]), [[bobId, true], [carolId, false]]);

        const carol = await connect(one.url, carolId, protocol);
        const added = await alice.connection.invoke("AddMember", conversation.id, carolId);
        assert.ok(added.memberIds.includes(carolId));
        assertShape(await carol.waitFor("ConversationUpdated", (c) => c.id === conversation.id), "conversation");
        const removed = await alice.connection.invoke("RemoveMember", conversation.id, carolId);
        assert.ok(!removed.memberIds.includes(carolId));
        await carol.waitFor("ConversationUpdated", (c) => c.id === conversation.id && !c.memberIds.includes(carolId));

        const admin = await tokenFor(two.url, uniqueUser("admin"), ["admin"]);
        const pushed = await fetch(`${two.url}/api/notifications`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
          body: JSON.stringify({ userIds: [bobId], kind: "direct", title: "Hi", body: "for bob", data: { ticket: "42" } }),
        });
        assert.equal(pushed.status, 202);
        const notice = await bob.waitFor("Notified", (n) => n.kind === "direct");
        assertShape(notice, "notification");
        assert.equal(notice.data.ticket, "42");

        await runNotifier(cluster, "progress", "--user", alice.userId, "--operation", "js-job", "--steps", "2", "--delay-ms", "20");
        const done = await alice.waitFor("ProgressChanged", (p) => p.percent === 100);
        assertShape(done, "progress");
        assert.deepEqual(alice.of("ProgressChanged").map((p) => p.percent), [0, 50, 100]);

        await bob.stop();
        await carol.stop();
      } finally {
        await alice.stop();
      }
    });

    test("direct conversations, roles, topic and delivery receipts work across nodes", async () => {
      const [one, two] = cluster.nodes;
      const alice = await connect(one.url, uniqueUser("alice"), protocol);
      const bob = await connect(two.url, uniqueUser("bob"), protocol);
      const carol = await connect(one.url, uniqueUser("carol"), protocol);
      try {
        const direct = await alice.connection.invoke("OpenDirectConversation", bob.userId);
        assertShape(direct, "conversation");
        direct.members.forEach((m) => assertShape(m, "member"));
        assert.equal(direct.kind, "direct");
        assert.equal(direct.title, "");
        assert.equal(direct.topic, null);
        assert.deepEqual(direct.members.map((m) => m.role), ["member", "member"]);
        assert.deepEqual(direct.members.map((m) => m.userId), direct.memberIds);
        await bob.waitFor("ConversationUpdated", (c) => c.id === direct.id && c.kind === "direct");
        assert.equal((await bob.connection.invoke("OpenDirectConversation", alice.userId)).id, direct.id, "one conversation per pair");
        await assertCode(alice.connection.invoke("OpenDirectConversation", alice.userId), "invalid_argument");
        await assertCode(alice.connection.invoke("RemoveMember", direct.id, alice.userId), "forbidden");

        const group = await alice.connection.invoke("CreateConversation", "roles", [bob.userId, carol.userId]);
        assert.deepEqual(group.members.find((m) => m.userId === alice.userId).role, "owner");
        const promoted = await alice.connection.invoke("SetMemberRole", group.id, bob.userId, "admin");
        assertShape(promoted, "conversation");
        assert.equal(promoted.members.find((m) => m.userId === bob.userId).role, "admin");
        await bob.waitFor("ConversationUpdated", (c) => c.id === group.id && c.members.some((m) => m.userId === bob.userId && m.role === "admin"));
        await assertCode(alice.connection.invoke("SetMemberRole", group.id, bob.userId, "owner"), "invalid_argument");
        await assertCode(bob.connection.invoke("SetMemberRole", group.id, carol.userId, "admin"), "forbidden");

        const updated = await bob.connection.invoke("UpdateConversation", group.id, null, "the topic");
        assertShape(updated, "conversation");
        assert.equal(updated.title, "roles");
        assert.equal(updated.topic, "the topic");
        await carol.waitFor("ConversationUpdated", (c) => c.id === group.id && c.topic === "the topic");
        await assertCode(carol.connection.invoke("UpdateConversation", group.id, "mine", null), "forbidden");
        assert.equal((await alice.connection.invoke("UpdateConversation", group.id, "renamed", null)).topic, null, "a null topic clears it");

        const sent = await alice.connection.invoke("SendMessage", group.id, "d1", "tick");
        await bob.waitFor("MessageReceived", (m) => m.id === sent.id);
        const delivered = await bob.connection.invoke("MarkDelivered", group.id, 10);
        assertShape(delivered, "receipt");
        assert.equal(delivered.lastDeliveredSequence, 1, "clamped to the last message");
        assert.equal(delivered.lastReadSequence, 0);
        const heard = await alice.waitFor("ReadReceiptUpdated", (r) => r.conversationId === group.id && r.userId === bob.userId);
        assertShape(heard, "receipt");
        assert.equal(heard.lastDeliveredSequence, 1);
        const receipts = await carol.connection.invoke("GetReceipts", group.id);
        receipts.forEach((r) => assertShape(r, "receipt"));
        assert.deepEqual(receipts.map((r) => [r.userId, r.lastReadSequence, r.lastDeliveredSequence]), [[bob.userId, 0, 1]]);
        const bobsView = (await bob.connection.invoke("GetConversations")).find((c) => c.id === group.id);
        assert.equal(bobsView.topic, null);
        assert.equal(bobsView.kind, "group");
        assert.equal(bobsView.lastDeliveredSequence, 1, "GetConversations returns the caller's delivered watermark");
      } finally {
        await alice.stop();
        await bob.stop();
        await carol.stop();
      }
    });

    test("the conversation log: replies, edits, deletes and reactions arrive as MessageUpdated in revision order and resync with GetChanges", async () => {
      const [one, two] = cluster.nodes;
      const alice = await connect(one.url, uniqueUser("alice"), protocol);
      const bob = await connect(two.url, uniqueUser("bob"), protocol);
      try {
        const conversation = await alice.connection.invoke("CreateConversation", "js log", [bob.userId]);
        await bob.waitFor("ConversationUpdated", (c) => c.id === conversation.id);
        assert.equal(conversation.kind, "group");
        assert.deepEqual(conversation.members.find((m) => m.userId === alice.userId).role, "owner");

        const first = await alice.connection.invoke("PostMessage", conversation.id, { clientMessageId: "l1", content: "helo", replyToMessageId: null });
        assertShape(first, "message");
        assert.equal(first.revision, 1);
        const reply = await bob.connection.invoke("PostMessage", conversation.id, { clientMessageId: "l2", content: "hi", replyToMessageId: first.id });
        assert.equal(reply.replyToMessageId, first.id);
        const edited = await alice.connection.invoke("EditMessage", conversation.id, first.id, "hello");
        assertShape(edited, "message");
        assert.equal(edited.content, "hello");
        assert.ok(edited.editedAt);
        const reacted = await bob.connection.invoke("React", conversation.id, first.id, "👍", true);
        assert.deepEqual(reacted.reactions, [{ emoji: "👍", userIds: [bob.userId] }]);
        const same = await bob.connection.invoke("React", conversation.id, first.id, "👍", true);
        assert.equal(same.revision, reacted.revision, "a reaction one already has takes no revision");
        const unreacted = await bob.connection.invoke("React", conversation.id, first.id, "👍", false);
        assert.deepEqual(unreacted.reactions, []);
        const deleted = await bob.connection.invoke("DeleteMessage", conversation.id, reply.id);
        assert.equal(deleted.content, "");
        assert.ok(deleted.deletedAt);

        for (const member of [alice, bob]) {
          const updated = await member.waitFor("MessageUpdated", (m) => m.id === reply.id && m.deletedAt);
          assertShape(updated, "message");
          const log = [...member.of("MessageReceived"), ...member.of("MessageUpdated")].filter((m) => m.conversationId === conversation.id);
          assert.deepEqual(log.map((m) => m.revision).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
          assert.deepEqual(member.of("MessageUpdated").filter((m) => m.conversationId === conversation.id).map((m) => m.revision), [3, 4, 5, 6], "in revision order");
        }

        const changes = await bob.connection.invoke("GetChanges", conversation.id, 2, 10);
        assert.deepEqual(changes.map((m) => [m.id, m.revision]), [[first.id, 5], [reply.id, 6]]);
        assert.deepEqual(await bob.connection.invoke("GetChanges", conversation.id, 6, 10), []);
        await assertCode(alice.connection.invoke("EditMessage", conversation.id, reply.id, "not mine"), "forbidden");
        await assertCode(alice.connection.invoke("React", conversation.id, reply.id, "👍", true), "invalid_argument");
        await assertCode(alice.connection.invoke("React", conversation.id, first.id, "two words", true), "invalid_argument");

        const token = await tokenFor(two.url, bob.userId);
        const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
        const own = await bob.connection.invoke("SendMessage", conversation.id, "l3", "over rest soon");
        const patched = await fetch(`${two.url}/api/conversations/${conversation.id}/messages/${own.id}`, { method: "PATCH", headers, body: JSON.stringify({ content: "edited over REST" }) });
        assert.equal(patched.status, 200);
        assert.equal((await patched.json()).content, "edited over REST");
        const removed = await fetch(`${two.url}/api/conversations/${conversation.id}/messages/${own.id}`, { method: "DELETE", headers });
        assert.equal(removed.status, 200);
        assert.ok((await removed.json()).deletedAt);
        const overRest = await fetch(`${two.url}/api/conversations/${conversation.id}/changes?after=6&limit=10`, { headers });
        assert.deepEqual((await overRest.json()).map((m) => [m.id, m.revision]), [[own.id, 9]]);
        const forbidden = await fetch(`${two.url}/api/conversations/${conversation.id}/messages/${first.id}`, { method: "PATCH", headers, body: JSON.stringify({ content: "x" }) });
        assert.equal(forbidden.status, 403);
        assert.equal((await forbidden.json()).code, "forbidden");
      } finally {
        await alice.stop();
        await bob.stop();
      }
    });

    test("failures carry the contract's error codes and leave the connection usable", async () => {
      const [one] = cluster.nodes;
      const alice = await connect(one.url, uniqueUser("alice"), protocol);
      const mallory = await connect(one.url, uniqueUser("mallory"), protocol);
      try {
        const conversation = await alice.connection.invoke("CreateConversation", "errors", []);
        await assertCode(alice.connection.invoke("SendMessage", conversation.id, "k1", ""), "invalid_argument");
        await assertCode(alice.connection.invoke("SendMessage", conversation.id, "k2", null), "invalid_argument");
        await assertCode(alice.connection.invoke("GetMessages", conversation.id, "not a number", 10), "invalid_argument");
        await assertCode(alice.connection.invoke("GetMessages", conversation.id, -1, 10), "invalid_argument");
        await assertCode(alice.connection.invoke("SendMessage", conversation.id, "k3", "x".repeat(4001)), "payload_too_large");
        await assertCode(alice.connection.invoke("SendMessage", "no-such-conversation", "k4", "hi"), "not_found");
        await assertCode(alice.connection.invoke("NoSuchMethod", 1), "not_found");
        await assertCode(mallory.connection.invoke("GetMessages", conversation.id, 0, 10), "not_a_member");
        await assertCode(mallory.connection.invoke("SendMessage", conversation.id, "m1", "let me in"), "not_a_member");

        const flood = await Promise.allSettled(Array.from({ length: 150 }, () => mallory.connection.invoke("GetConversations")));
        const limited = flood.filter((r) => r.status === "rejected");
        assert.ok(limited.length > 0, "a flood hits the rate limit");
        for (const r of limited) assert.match(r.reason.message, /^rate_limited: .*retry after \d+ ms/);

        const plain = await tokenFor(one.url, uniqueUser("plain"));
        const refused = await fetch(`${one.url}/api/notifications`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${plain}` },
          body: JSON.stringify({ all: true, kind: "x", title: "t", body: "b" }),
        });
        assert.equal(refused.status, 403);
        assert.equal((await refused.json()).code, "forbidden");

        const ok = await alice.connection.invoke("SendMessage", conversation.id, "fine", "still works");
        assert.equal(ok.sequence, 1, "nothing that failed was written");
      } finally {
        await alice.stop();
        await mallory.stop();
      }
    });

    test("a client whose node goes away reconnects and resyncs exactly the missed messages", async () => {
      const [one, two] = cluster.nodes;
      const alice = await connect(one.url, uniqueUser("alice"), protocol);
      const bob = await connect(two.url, uniqueUser("bob"), protocol);
      try {
        const conversation = await alice.connection.invoke("CreateConversation", "resync", [bob.userId]);
        await bob.waitFor("ConversationUpdated", (c) => c.id === conversation.id);
        const first = await alice.connection.invoke("SendMessage", conversation.id, "r1", "before");
        await alice.waitFor("MessageReceived", (m) => m.id === first.id);
        const lastSeen = Math.max(...alice.of("MessageReceived").map((m) => m.sequence));

        const reconnecting = new Promise((resolve) => alice.connection.onreconnecting(resolve));
        const reconnected = new Promise((resolve) => alice.connection.onreconnected(resolve));
        await one.kill("SIGKILL");
        await reconnecting;

        await bob.connection.invoke("SendMessage", conversation.id, "r2", "missed one");
        await bob.connection.invoke("SendMessage", conversation.id, "r3", "missed two");
        const rest = await fetch(`${two.url}/api/conversations/${conversation.id}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${await tokenFor(two.url, bob.userId)}` },
          body: JSON.stringify({ clientMessageId: "r4", content: "missed over REST" }),
        });
        assert.equal(rest.status, 201);

        await one.startAgain();
        await reconnected;
        const missed = await alice.connection.invoke("GetMessages", conversation.id, lastSeen, 100);
        assert.deepEqual(missed.map((m) => m.content), ["missed one", "missed two", "missed over REST"]);

        const held = new Map([...alice.of("MessageReceived"), ...missed].map((m) => [m.id, m]));
        assert.deepEqual([...held.values()].map((m) => m.sequence).sort((a, b) => a - b), [1, 2, 3, 4]);
      } finally {
        await alice.stop();
        await bob.stop();
      }
    });
  });
}
