// Conversations as people use them, in headless Debian Chromium on a two-node cluster (each user's page on its own
// node): the direct conversation a member's "message" button opens, owners and admins managing a group while the
// other pages follow live, and the sent / delivered / seen ticks under a sender's messages, before and after a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startCluster, uniqueUser } from "./harness.mjs";
import { DESKTOP, connected, launchBrowser, openConversation, openPage, screenshot, signIn, startConversation, typeAndSend, waitForSent } from "./browser-page.mjs";

let cluster;
let browser;
before(async () => {
  cluster = await startCluster();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await cluster?.stop();
});

const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
const member = (page, userId) => page.locator(`#details-members [data-testid=member][data-user-id="${userId}"]`);

async function openDetails(page) {
  await page.click("#details-toggle");
  await page.locator("[data-testid=details]").waitFor();
}

/** Clicks "message" next to `userId` in the open conversation's details; returns the direct conversation's id. */
async function messageMember(page, userId) {
  await openDetails(page);
  await member(page, userId).locator("[data-testid=message-member]").click();
  await page.locator("[data-testid=conversation-title]", { hasText: exactly(userId) }).waitFor();
  return page.locator("#conversations li.active[data-kind=direct]").getAttribute("data-id");
}

/** The tick under the user's own message with this text; with `tick` ("sent", "delivered", "seen") only that one. */
function tickOf(page, text, tick = null) {
  return page.locator("#messages [data-testid=message]", { has: page.locator("[data-testid=content]", { hasText: exactly(text) }) })
    .locator(tick ? `[data-testid=ticks][data-tick=${tick}]` : "[data-testid=ticks]");
}

test("the message button opens the one direct conversation of two users on both sides, named after the other, with their presence", async () => {
  const [one, two] = cluster.nodes;
  const aliceId = uniqueUser("alice");
  const bobId = uniqueUser("bob");
  const alice = await openPage(browser, one.url, DESKTOP);
  let bob = await openPage(browser, two.url, DESKTOP);
  try {
    await signIn(alice.page, aliceId);
    await signIn(bob.page, bobId, "messagepack");
    await startConversation(alice.page, "team room", [bobId]);
    await openConversation(bob.page, "team room");

    const fromAlice = await messageMember(alice.page, bobId);
    assert.ok(fromAlice, "the direct conversation is in alice's list, open");
    await alice.page.locator("[data-testid=conversation-presence][data-online=true]").waitFor();
    assert.equal(await alice.page.locator("[data-testid=conversation-subtitle]").textContent(), "Online");
    // Bob's list has it at once (ConversationUpdated), under alice's name, before he opens it himself.
    const bobsEntry = bob.page.locator(`[data-testid=conversation][data-id="${fromAlice}"]`);
    await bobsEntry.locator(".title", { hasText: exactly(aliceId) }).waitFor();

    const fromBob = await messageMember(bob.page, aliceId);
    assert.equal(fromBob, fromAlice, "both sides open the same conversation");
    await openConversation(alice.page, "team room");
    assert.equal(await messageMember(alice.page, bobId), fromAlice, "opening it again goes to the same one");
    for (const page of [alice.page, bob.page]) {
      assert.equal(await page.locator("#conversations [data-kind=direct]").count(), 1, "one direct conversation per pair");
    }

    // A direct conversation has no member management: no adding, removing, roles or leaving.
    await openDetails(alice.page);
    await member(alice.page, bobId).waitFor();
    assert.equal(await alice.page.locator("#add-member").isVisible(), false);
    assert.equal(await alice.page.locator("#leave").isVisible(), false);
    assert.equal(await alice.page.locator("#details-members button").count(), 0);
    await typeAndSend(alice.page, "just between us");
    await bob.page.locator("#messages [data-testid=content]", { hasText: "just between us" }).waitFor();
    await screenshot(alice.page, "direct-conversation");

    // Bob's page closes: alice sees him go offline, in the header, the details and the list; he comes back online.
    await bob.close();
    await alice.page.locator("[data-testid=conversation-presence][data-online=false]").waitFor();
    await member(alice.page, bobId).locator("[data-testid=member-presence][data-online=false]").waitFor();
    await alice.page.locator(`[data-testid=conversation][data-id="${fromAlice}"] [data-testid=presence][data-online=false]`).waitFor();
    assert.equal(await alice.page.locator("[data-testid=conversation-subtitle]").textContent(), "Offline");
    bob = await openPage(browser, two.url, DESKTOP);
    await signIn(bob.page, bobId);
    await alice.page.locator("[data-testid=conversation-presence][data-online=true]").waitFor();
    await bob.page.locator(`[data-testid=conversation][data-id="${fromAlice}"] .title`, { hasText: exactly(aliceId) }).waitFor();
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  } finally {
    await alice.close();
    await bob.close();
  }
});

test("the owner adds a member and makes them admin, who renames the conversation and removes a member; the other pages follow, and a plain member sees no controls", async () => {
  const [one, two] = cluster.nodes;
  const ownerId = uniqueUser("olga");
  const memberId = uniqueUser("max");
  const newcomerId = uniqueUser("nina");
  const owner = await openPage(browser, one.url, DESKTOP);
  const plain = await openPage(browser, two.url, DESKTOP);
  const newcomer = await openPage(browser, two.url, DESKTOP);
  try {
    await signIn(owner.page, ownerId);
    await signIn(plain.page, memberId);
    await signIn(newcomer.page, newcomerId);
    await startConversation(owner.page, "project", [memberId]);
    await openConversation(plain.page, "project");

    // A plain member sees the members and their roles, and may leave, but has no management controls.
    await openDetails(plain.page);
    await member(plain.page, ownerId).locator("[data-testid=member-role]", { hasText: "owner" }).waitFor();
    assert.equal(await plain.page.locator("#details-form").isVisible(), false);
    assert.equal(await plain.page.locator("#add-member").isVisible(), false);
    assert.equal(await plain.page.locator("#details-members [data-testid=set-role], #details-members [data-testid=remove-member]").count(), 0);
    assert.equal(await plain.page.locator("#leave").isVisible(), true);

    await openDetails(owner.page);
    await owner.page.fill("#add-member-name", newcomerId);
    await owner.page.click("#add-member-submit");
    await member(owner.page, newcomerId).waitFor();
    await member(plain.page, newcomerId).waitFor();
    await newcomer.page.locator("[data-testid=conversation]", { hasText: "project" }).waitFor();
    await openConversation(newcomer.page, "project");
    await openDetails(newcomer.page);
    assert.equal(await newcomer.page.locator("#add-member").isVisible(), false, "a new member starts as a plain member");

    await member(owner.page, newcomerId).locator("[data-testid=set-role]", { hasText: "Make admin" }).click();
    await member(plain.page, newcomerId).locator("[data-testid=member-role]", { hasText: "admin" }).waitFor();
    // The new admin's controls appear live: adding and removing members (never the owner), but no roles.
    await newcomer.page.locator("#add-member").waitFor();
    await member(newcomer.page, memberId).locator("[data-testid=remove-member]").waitFor();
    assert.equal(await member(newcomer.page, ownerId).locator("[data-testid=remove-member]").count(), 0);
    assert.equal(await newcomer.page.locator("#details-members [data-testid=set-role]").count(), 0);
    assert.equal(await newcomer.page.locator("#details-form").isVisible(), true);

    await newcomer.page.fill("#details-title", "project renamed");
    await newcomer.page.fill("#details-topic", "ship contract v2");
    await newcomer.page.click("#details-save");
    for (const page of [owner.page, plain.page, newcomer.page]) {
      await page.locator("[data-testid=conversation-title]", { hasText: exactly("project renamed") }).waitFor();
      await page.locator("[data-testid=conversation-topic]", { hasText: exactly("ship contract v2") }).waitFor();
      await page.locator("[data-testid=conversation] .title", { hasText: exactly("project renamed") }).waitFor();
    }
    await plain.page.locator("[data-testid=details-topic-view]", { hasText: exactly("ship contract v2") }).waitFor();
    await screenshot(owner.page, "conversation-details-owner");

    // The admin removes the plain member, whose page drops the conversation.
    await member(newcomer.page, memberId).locator("[data-testid=remove-member]").click();
    await plain.page.locator("[data-testid=conversation]", { hasText: "project renamed" }).waitFor({ state: "detached" });
    await member(owner.page, memberId).waitFor({ state: "detached" });
    // Back to member: the controls go again.
    await member(owner.page, newcomerId).locator("[data-testid=set-role]", { hasText: "Remove admin" }).click();
    await newcomer.page.locator("#add-member").waitFor({ state: "hidden" });
    assert.equal(await member(newcomer.page, newcomerId).locator("[data-testid=member-role]").count(), 0);
    // Anyone may leave a group: the newcomer does, and is gone from the owner's members and from their own list.
    await newcomer.page.click("#leave");
    await newcomer.page.locator("[data-testid=conversation]", { hasText: "project renamed" }).waitFor({ state: "detached" });
    await member(owner.page, newcomerId).waitFor({ state: "detached" });
    assert.deepEqual(await owner.page.locator("#details-members [data-testid=member]").evaluateAll((items) => items.map((li) => li.dataset.userId)), [ownerId]);
    assert.deepEqual([...owner.problems, ...plain.problems, ...newcomer.problems], []);
  } finally {
    await owner.close();
    await plain.close();
    await newcomer.close();
  }
});

test("a sender's ticks go sent, delivered, seen as the other page receives and reads, and are the same after a reload", async () => {
  const [one, two] = cluster.nodes;
  const senderId = uniqueUser("sam");
  const readerId = uniqueUser("rita");
  const sender = await openPage(browser, one.url, DESKTOP);
  let reader = await openPage(browser, two.url, DESKTOP);
  try {
    await signIn(sender.page, senderId);
    await signIn(reader.page, readerId, "messagepack");
    await startConversation(sender.page, "ticks", [readerId]);
    await reader.page.locator("[data-testid=conversation]", { hasText: "ticks" }).waitFor();
    await reader.close();

    // Nobody else has it: acknowledged only.
    await typeAndSend(sender.page, "while you were out");
    await waitForSent(sender.page, "while you were out");
    assert.equal(await tickOf(sender.page, "while you were out").getAttribute("data-tick"), "sent");

    // The reader's page starts and receives it without opening the conversation: delivered, not seen.
    reader = await openPage(browser, two.url, DESKTOP);
    await signIn(reader.page, readerId, "messagepack");
    await tickOf(sender.page, "while you were out", "delivered").waitFor();
    await typeAndSend(sender.page, "and now live");
    await tickOf(sender.page, "and now live", "delivered").waitFor();
    assert.equal(await tickOf(sender.page, "while you were out").getAttribute("data-tick"), "delivered");
    await screenshot(sender.page, "ticks-delivered");

    await sender.page.reload();
    await connected(sender.page);
    await openConversation(sender.page, "ticks");
    await tickOf(sender.page, "and now live", "delivered").waitFor();
    assert.equal(await tickOf(sender.page, "while you were out").getAttribute("data-tick"), "delivered", "delivered is kept over a reload");

    // The reader opens it: both are seen.
    await openConversation(reader.page, "ticks");
    await tickOf(sender.page, "and now live", "seen").waitFor();
    await tickOf(sender.page, "while you were out", "seen").waitFor();
    await screenshot(sender.page, "ticks-seen");

    await sender.page.reload();
    await connected(sender.page);
    await openConversation(sender.page, "ticks");
    await tickOf(sender.page, "and now live", "seen").waitFor();
    assert.deepEqual(await sender.page.locator("#messages [data-testid=ticks]").evaluateAll((marks) => marks.map((m) => m.dataset.tick)),
      ["seen", "seen"], "seen is kept over a reload");
    assert.equal(await reader.page.locator("#messages [data-testid=ticks]").count(), 0, "ticks go under one's own messages only");
    assert.deepEqual([...sender.problems, ...reader.problems], []);
  } finally {
    await sender.close();
    await reader.close();
  }
});
