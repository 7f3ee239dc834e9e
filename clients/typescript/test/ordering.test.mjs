// The SDK's ordering, with no server: messages out of order, twice, and gaps filled by a read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConversationOrder } from "../dist/ordering.js";

const message = (sequence, revision = sequence, extra = {}) => ({
  id: `m${sequence}`, conversationId: "c", sequence, revision, senderId: "u", clientMessageId: `k${sequence}`,
  content: `text ${sequence}`, sentAt: "2026-01-01T00:00:00Z", editedAt: null, deletedAt: null,
  replyToMessageId: null, reactions: [], ...extra,
});
const handed = (deliveries) => deliveries.map((d) => `${d.kind}:${d.message.sequence}@${d.message.revision}`);

test("live messages in order are handed at once, and one that arrives twice is handed once", () => {
  const order = new ConversationOrder("c");
  assert.deepEqual(handed(order.offerLive(message(1))), ["message:1@1"]);
  assert.deepEqual(handed(order.offerLive(message(2))), ["message:2@2"]);
  assert.deepEqual(order.offerLive(message(2)), []);
  assert.deepEqual(order.offerLive(message(1)), []);
  assert.equal(order.hasGap, false);
  assert.deepEqual(order.position, { sequence: 2, revision: 0 });
});

test("messages out of order are held until the one before them arrives, then handed in order", () => {
  const order = new ConversationOrder("c");
  assert.deepEqual(order.offerLive(message(3)), []);
  assert.deepEqual(order.offerLive(message(2)), []);
  assert.equal(order.hasGap, true);
  assert.equal(order.heldCount, 2);
  assert.deepEqual(handed(order.offerLive(message(1))), ["message:1@1", "message:2@2", "message:3@3"]);
  assert.equal(order.heldCount, 0);
});

test("a gap is filled by a read that overlaps held and already handed messages, and nothing is handed twice", () => {
  const order = new ConversationOrder("c");
  order.offerLive(message(1));
  assert.deepEqual(order.offerLive(message(4)), []);
  assert.deepEqual(order.offerLive(message(4)), []);
  assert.deepEqual(order.offerLive(message(6)), []);
  assert.equal(order.hasGap, true);
  assert.equal(order.readFrom(), 1);
  // The read returns 2..5 in two pages; 4 is also held, 6 waits behind 5.
  assert.deepEqual(handed(order.applyMessages([message(2), message(3)])), ["message:2@2", "message:3@3", "message:4@4"]);
  assert.deepEqual(handed(order.applyMessages([message(4), message(5)])), ["message:5@5", "message:6@6"]);
  order.readDone();
  assert.equal(order.hasGap, false);
  assert.deepEqual(order.offerLive(message(5)), []);
  assert.deepEqual(handed(order.offerLive(message(7))), ["message:7@7"]);
});

test("a read that ends before a held message leaves the gap open for another read", () => {
  const order = new ConversationOrder("c");
  order.offerLive(message(5));
  assert.deepEqual(handed(order.applyMessages([message(1), message(2), message(3)])), ["message:1@1", "message:2@2", "message:3@3"]);
  order.readDone();
  assert.equal(order.hasGap, true);
  assert.deepEqual(handed(order.applyMessages([message(4)])), ["message:4@4", "message:5@5"]);
  order.readDone();
  assert.equal(order.hasGap, false);
});

test("by revision, edits are ordered with new messages, and a stale or repeated change is dropped", () => {
  const order = new ConversationOrder("c", { sequence: 0, revision: 0 }, "revision");
  assert.deepEqual(handed(order.offerLive(message(1, 1))), ["message:1@1"]);
  assert.deepEqual(order.offerLive(message(1, 3, { content: "edited" }), true), []);
  assert.deepEqual(handed(order.offerLive(message(2, 2))), ["message:2@2", "update:1@3"]);
  assert.deepEqual(order.offerLive(message(1, 3, { content: "edited" }), true), []);
  assert.deepEqual(order.offerLive(message(2, 2)), []);
  assert.deepEqual(order.position, { sequence: 2, revision: 3 });
});

test("by revision, a read of changes hands new messages in sequence order and edits of known ones after them", () => {
  const order = new ConversationOrder("c", { sequence: 0, revision: 0 }, "revision");
  order.offerLive(message(1, 1));
  // Missed: 2 (rev 2), 3 (rev 3), an edit of 1 (rev 4), an edit of 2 (rev 5). Live resumes at rev 6.
  assert.deepEqual(order.offerLive(message(4, 6)), []);
  assert.equal(order.hasGap, true);
  assert.equal(order.readFrom(), 1);
  // GetChanges returns each message once in its current state, ascending by revision: 3@3, 1@4, 2@5, 4@6.
  const changes = [message(3, 3), message(1, 4, { content: "e" }), message(2, 5, { content: "e" }), message(4, 6)];
  assert.deepEqual(handed(order.applyChanges(changes)), ["message:2@5", "message:3@3", "message:4@6", "update:1@4"]);
  order.readDone();
  assert.equal(order.hasGap, false);
  assert.deepEqual(order.position, { sequence: 4, revision: 6 });
  assert.deepEqual(handed(order.offerLive(message(5, 7))), ["message:5@7"]);
});

test("by revision, a live message that skips a sequence is held even when its revision follows on", () => {
  const order = new ConversationOrder("c", { sequence: 1, revision: 1 }, "revision");
  assert.deepEqual(order.offerLive(message(3, 2)), []);
  assert.equal(order.hasGap, true);
  assert.deepEqual(handed(order.applyChanges([message(2, 2)])), ["message:2@2"]);
});

test("the server's summary tells whether a conversation moved", () => {
  const bySequence = new ConversationOrder("c", { sequence: 4, revision: 9 });
  assert.equal(bySequence.isBehind(4, 12), false);
  assert.equal(bySequence.isBehind(5, 12), true);
  const byRevision = new ConversationOrder("c", { sequence: 4, revision: 9 }, "revision");
  assert.equal(byRevision.isBehind(4, 12), true);
  assert.equal(byRevision.isBehind(4, 9), false);
});
