// The conversation log in the browser chat (contract v2): two users on two nodes of a cluster edit, delete, react
// and reply through the page, each seeing the other's changes; then one page loses its connection while the other
// changes things, and once it is back it shows exactly the server's state, read back by the SDK with GetChanges.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBlip, startCluster, tokenFor, uniqueUser } from "./harness.mjs";
import { DESKTOP, connected, launchBrowser, openConversation, openPage, screenshot, signIn, startConversation, typeAndSend, waitForSent } from "./browser-page.mjs";

let cluster;
let browser;
let blip;
before(async () => {
  cluster = await startCluster();
  // Alice's node sits behind a relay that can cut her connection and hold her reconnects.
  blip = await startBlip(cluster.nodes[0].port);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await blip?.close();
  await cluster?.stop();
});

const DELETED = "Message deleted";

/** The open conversation as the reader sees it: per message its text, marks, quote and reactions. */
function readShownLog() {
  return [...document.querySelectorAll("#messages [data-testid=message][data-message-id]")].map((li) => ({
    id: li.dataset.messageId,
    text: li.querySelector("[data-testid=content]").textContent,
    deleted: li.dataset.deleted === "true",
    edited: li.querySelector("[data-testid=edited]") !== null,
    quote: li.querySelector("[data-testid=reply-quote-text]")?.textContent ?? null,
    reactions: [...li.querySelectorAll("[data-testid=reaction]")].map((r) => `${r.dataset.emoji} ${r.dataset.count} ${r.dataset.mine}`),
  }));
}

/** The same view computed from the server's own state of the conversation (GET .../changes from revision 0). */
async function serverLog(baseUrl, userId, conversationId) {
  const token = await tokenFor(baseUrl, userId);
  const response = await fetch(`${baseUrl}/api/conversations/${conversationId}/changes?after=0&limit=200`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  const messages = (await response.json()).sort((a, b) => a.sequence - b.sequence);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const textOf = (m) => (m.deletedAt ? DELETED : m.content);
  return messages.map((m) => ({
    id: m.id,
    text: textOf(m),
    deleted: m.deletedAt !== null,
    edited: m.editedAt !== null && m.deletedAt === null,
    quote: m.replyToMessageId && !m.deletedAt ? textOf(byId.get(m.replyToMessageId)) : null,
    reactions: m.reactions.map((r) => `${r.emoji} ${r.userIds.length} ${r.userIds.includes(userId)}`),
  }));
}

async function showsServerLog(page, baseUrl, userId, conversationId) {
  const expected = await serverLog(baseUrl, userId, conversationId);
  await page.waitForFunction(`JSON.stringify((${readShownLog})()) === ${JSON.stringify(JSON.stringify(expected))}`, null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(readShownLog), expected);
  return expected;
}

const messageWith = (page, text) =>
  page.locator("#messages [data-testid=message]", { has: page.locator("[data-testid=content]", { hasText: text }) }).first();

/** Hovers a message (its actions show on hover, as in chat apps) and presses one of them. */
async function act(page, text, action) {
  const message = messageWith(page, text);
  await message.hover();
  await message.locator(`[data-testid=${action}]`).click();
}

async function edit(page, text, newText) {
  await act(page, text, "edit");
  await page.locator("[data-testid=composer-context][data-kind=edit]").waitFor();
  assert.equal(await page.inputValue("#content"), text, "the box holds the text being edited");
  await page.fill("#content", newText);
  await page.press("#content", "Enter");
  await messageWith(page, newText).locator("[data-testid=edited]").waitFor();
}

async function reply(page, text, replyText) {
  await act(page, text, "reply");
  await page.locator("[data-testid=composer-context][data-kind=reply]", { hasText: text }).waitFor();
  await typeAndSend(page, replyText);
  await waitForSent(page, replyText);
  await page.locator("[data-testid=composer-context]").waitFor({ state: "hidden" });
}

async function remove(page, text) {
  await act(page, text, "delete");
  await page.locator("#messages [data-testid=message][data-deleted=true]", { hasText: DELETED }).first().waitFor();
  await messageWith(page, text).waitFor({ state: "detached" });
}

async function pick(page, text, emoji, { typed = false } = {}) {
  await act(page, text, "react");
  const picker = page.locator("[data-testid=emoji-picker]");
  await picker.waitFor();
  if (typed) {
    await picker.locator("[data-testid=emoji-input]").fill(emoji);
    await picker.locator("[data-testid=emoji-add]").click();
  } else {
    await picker.locator(`[data-testid=emoji-option][data-emoji="${emoji}"]`).click();
  }
  await picker.waitFor({ state: "hidden" });
}

const reaction = (page, text, emoji) => messageWith(page, text).locator(`[data-testid=reaction][data-emoji="${emoji}"]`);

test("edits, deletes, reactions and replies made on one node's page show on the other's, and a page that was cut off ends with exactly the server's state", async () => {
  const [one, two] = cluster.nodes;
  const aliceId = uniqueUser("alice");
  const bobId = uniqueUser("bob");
  const alice = await openPage(browser, blip.url, DESKTOP);
  const bob = await openPage(browser, two.url, DESKTOP);
  // Every hub call the page makes (JSON protocol, so the frames are text): the resync must be GetChanges.
  const invoked = [];
  alice.page.on("websocket", (socket) => socket.on("framesent", ({ payload }) => {
    for (const frame of String(payload).split("\u001e")) {
      const target = /"target":"(\w+)"/.exec(frame)?.[1];
      if (target) invoked.push(target);
    }
  }));
  try {
    await signIn(alice.page, aliceId, "json");
    await signIn(bob.page, bobId, "messagepack");
    await startConversation(alice.page, "the log", [bobId]);
    const id = await conversationId(alice.page);
    await openConversation(bob.page, "the log");
    for (const text of ["first draft", "sent to the wrong chat"]) {
      await typeAndSend(alice.page, text);
      await waitForSent(alice.page, text);
    }
    await typeAndSend(bob.page, "bob says hi");
    await alice.page.locator("#messages [data-testid=content]", { hasText: "bob says hi" }).waitFor();

    // Only the sender may edit; bob is a member, so alice's messages offer him no edit or delete, and she, who
    // started the conversation (its owner), may delete his.
    const alicesFirst = messageWith(bob.page, "first draft");
    await alicesFirst.hover();
    assert.equal(await alicesFirst.locator("[data-testid=edit]").count(), 0);
    assert.equal(await alicesFirst.locator("[data-testid=delete]").count(), 0);
    await typeAndSend(bob.page, "bob posts something off-topic");
    await remove(alice.page, "bob posts something off-topic");
    await bob.page.locator("#messages [data-testid=message][data-deleted=true].mine").waitFor();
    assert.equal(await messageWith(bob.page, "off-topic").count(), 0, "the owner deleted bob's message for everyone");

    await edit(alice.page, "first draft", "first, corrected");
    await messageWith(bob.page, "first, corrected").locator("[data-testid=edited]").waitFor();
    await remove(alice.page, "sent to the wrong chat");
    await messageWith(bob.page, "sent to the wrong chat").waitFor({ state: "detached" });
    assert.equal(await bob.page.locator("#messages [data-testid=message][data-deleted=true]", { hasText: DELETED }).count(), 2, "the deleted text is gone everywhere");

    await pick(bob.page, "first, corrected", "👍");
    await reaction(alice.page, "first, corrected", "👍").and(alice.page.locator("[data-count='1'][data-mine=false]")).waitFor();
    await reaction(bob.page, "first, corrected", "👍").and(bob.page.locator("[data-mine=true]")).waitFor();
    // Any emoji, not only the common ones; a space is refused before it is sent.
    await act(alice.page, "bob says hi", "react");
    await alice.page.locator("[data-testid=emoji-input]").fill("not one");
    await alice.page.locator("[data-testid=emoji-add]").click();
    await alice.page.locator("[data-testid=emoji-error]").waitFor();
    await alice.page.keyboard.press("Escape");
    await pick(alice.page, "bob says hi", "🦀", { typed: true });
    // The keyboard reaches a message's actions too: focusing the message shows them, and an update that
    // redraws the log meanwhile (bob reacting) leaves the focus, and so the actions, where they were.
    await reaction(alice.page, "bob says hi", "🦀").waitFor();
    await messageWith(alice.page, "first, corrected").focus();
    await messageWith(alice.page, "first, corrected").locator("[data-testid=reply]").waitFor({ state: "visible" });
    await pick(bob.page, "bob says hi", "😮");
    await reaction(alice.page, "bob says hi", "😮").waitFor();
    assert.ok(await messageWith(alice.page, "first, corrected").locator("[data-testid=reply]").isVisible(), "the focused message keeps its focus through a redraw");
    // A focused reaction keeps it too, the same reaction of several.
    await reaction(alice.page, "bob says hi", "😮").focus();
    await pick(bob.page, "bob says hi", "❤️");
    await reaction(alice.page, "bob says hi", "❤️").waitFor();
    assert.equal(await alice.page.evaluate(() => document.activeElement?.dataset.emoji), "😮", "the focused reaction keeps its focus through a redraw");
    await reaction(bob.page, "bob says hi", "🦀").and(bob.page.locator("[data-count='1']")).waitFor();
    // Pressing a reaction adds one's own to it, and pressing it again takes it back.
    await reaction(alice.page, "first, corrected", "👍").click();
    await reaction(bob.page, "first, corrected", "👍").and(bob.page.locator("[data-count='2']")).waitFor();
    await reaction(alice.page, "first, corrected", "👍").and(alice.page.locator("[data-count='2'][data-mine=true]")).waitFor();

    await reply(bob.page, "first, corrected", "a reply to that");
    const quoted = messageWith(alice.page, "a reply to that").locator("[data-testid=reply-quote-text]");
    await quoted.waitFor();
    assert.equal(await quoted.textContent(), "first, corrected", "the reply quotes the original");
    await screenshot(alice.page, "log-before-drop");
    const before = await showsServerLog(alice.page, one.url, aliceId, id);
    await showsServerLog(bob.page, two.url, bobId, id);

    // Alice's connection drops and her reconnects are held while bob changes the conversation.
    blip.cut();
    await alice.page.locator("[data-testid=connection-state][data-state=reconnecting]").waitFor();
    const sentBefore = invoked.length;
    await edit(bob.page, "bob says hi", "bob says hi, edited while you were away");
    await pick(bob.page, "first, corrected", "🎉");
    await reaction(bob.page, "first, corrected", "👍").click();
    await reaction(bob.page, "first, corrected", "👍").and(bob.page.locator("[data-count='1'][data-mine=false]")).waitFor();
    await typeAndSend(bob.page, "sent while you were away");
    await waitForSent(bob.page, "sent while you were away");
    await reply(bob.page, "sent while you were away", "and a reply to it");
    await remove(bob.page, "a reply to that");
    await screenshot(alice.page, "log-while-away");

    blip.letThrough();
    await connected(alice.page);
    const after = await showsServerLog(alice.page, one.url, aliceId, id);
    assert.equal(after.length, before.length + 2, "the two messages sent meanwhile arrived, each once");
    assert.ok(invoked.slice(sentBefore).includes("GetChanges"), `the page read back with GetChanges; it called ${invoked.slice(sentBefore).join(", ")}`);
    assert.ok(after.some((m) => m.text === "bob says hi, edited while you were away" && m.edited));
    assert.ok(after.some((m) => m.reactions.includes("🎉 1 false") && m.reactions.includes("👍 1 true")));
    await showsServerLog(bob.page, two.url, bobId, id);
    await screenshot(alice.page, "log-after-reconnect");
    assert.deepEqual(bob.problems, []);
  } finally {
    await alice.close();
    await bob.close();
  }
});

/** The open conversation's id, as the list marks the active one. */
function conversationId(page) {
  return page.$eval("[data-testid=conversation].active", (item) => item.dataset.id);
}
