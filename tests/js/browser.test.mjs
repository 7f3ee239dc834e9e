// Two and three users in headless Debian Chromium, each page served by its own node of a two-node cluster: chatting
// both ways on both protocols, a node dying under a page, a reload, and one user's two tabs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, startCluster, uniqueUser } from "./harness.mjs";
import {
  DESKTOP, PHONE, connected, launchBrowser, openConversation, openPage, screenshot, shownMessages, signIn, startConversation, typeAndSend, waitForSent,
} from "./browser-page.mjs";

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

test("two users chat both ways, see typing and read receipts, and a dropped connection loses nothing", async () => {
  const [one, two] = cluster.nodes;
  const aliceId = uniqueUser("alice");
  const bobId = uniqueUser("bob");
  const alice = await openPage(browser, one.url, DESKTOP);
  const bob = await openPage(browser, two.url, PHONE);
  try {
    await signIn(alice.page, aliceId, "json");
    await signIn(bob.page, bobId, "messagepack");
    await startConversation(alice.page, "browser chat", [bobId]);

    const bobsEntry = bob.page.locator("[data-testid=conversation]", { hasText: "browser chat" });
    await bobsEntry.locator("[data-testid=presence][data-online=true]").waitFor();
    await openConversation(bob.page, "browser chat");

    await alice.page.type("#content", "hello bob <script>alert(1)</script> 👋");
    await bob.page.locator("[data-testid=typing]", { hasText: `${aliceId} is typing` }).waitFor();
    await alice.page.click("#send");
    await bob.page.locator("#messages [data-testid=content]", { hasText: "hello bob <script>alert(1)</script> 👋" }).waitFor();
    await bob.page.locator("[data-testid=typing]", { hasText: /^$/ }).waitFor();
    await alice.page.locator("[data-testid=seen-by]", { hasText: `Seen by ${bobId}` }).waitFor();

    await typeAndSend(bob.page, "hi alice 🙂");
    await alice.page.locator("#messages [data-testid=content]", { hasText: "hi alice" }).waitFor();
    await screenshot(alice.page, "alice-chatting");
    await screenshot(bob.page, "bob-chatting-phone");

    // Alice's node dies; bob keeps writing through his; alice's node comes back and her page catches up.
    await one.kill("SIGKILL");
    await alice.page.locator("[data-testid=connection-state][data-state=reconnecting]").waitFor();
    await screenshot(alice.page, "alice-reconnecting");
    for (const text of ["while you were away 1", "while you were away 2", "while you were away 3"]) {
      await typeAndSend(bob.page, text);
      await waitForSent(bob.page, text);
    }
    await one.startAgain();
    await alice.page.locator("[data-testid=connection-state][data-state=connected]").waitFor({ timeout: 30000 });
    await alice.page.locator("#messages [data-testid=content]", { hasText: "while you were away 3" }).waitFor();

    const sequences = await alice.page.locator("#messages [data-testid=message]").evaluateAll((items) => items.map((li) => Number(li.dataset.sequence)));
    assert.deepEqual(sequences, [1, 2, 3, 4, 5], "every message once, in order");
    assert.equal(await alice.page.locator("#messages script").count(), 0, "content is shown as text, never run");
    // Viewing the conversation marks it read, so bob sees it seen and nothing is left unread.
    await bob.page.locator("[data-testid=seen-by]", { hasText: `Seen by ${aliceId}` }).waitFor();
    assert.equal(await alice.page.locator("[data-testid=unread]").count(), 0);
    await screenshot(alice.page, "alice-after-reconnect");

    // The README's picture: a conversation going on, and another one waiting with an unread message.
    await bob.page.click("#back");
    await startConversation(bob.page, "lunch", [aliceId]);
    await typeAndSend(bob.page, "Lunch at 12:30? 🍜");
    await bob.page.click("#back");
    await openConversation(bob.page, "browser chat");
    await typeAndSend(bob.page, "Glad that came through.\nShall we try the phone view next? 📱");
    await alice.page.locator("#messages [data-testid=content]", { hasText: "phone view" }).waitFor();
    await typeAndSend(alice.page, "Yes! It is the same page at 400 px 👍");
    await bob.page.locator("#messages [data-testid=content]", { hasText: "same page" }).waitFor();
    await alice.page.locator("[data-testid=conversation]", { hasText: "lunch" }).locator("[data-testid=unread]").waitFor();
    await screenshot(alice.page, "web-chat");
    await screenshot(bob.page, "web-chat-phone");
  } finally {
    await alice.close();
    await bob.close();
  }
});

test("a reload keeps the user signed in, on the same protocol, with the read state the server holds", async () => {
  const [one, two] = cluster.nodes;
  const carolId = uniqueUser("carol");
  const daveId = uniqueUser("dave");
  const carol = await openPage(browser, one.url, DESKTOP);
  const dave = await openPage(browser, two.url, DESKTOP);
  try {
    await signIn(carol.page, carolId, "messagepack");
    await signIn(dave.page, daveId);
    await startConversation(dave.page, "kept", [carolId]);
    await startConversation(dave.page, "unread after reload", [carolId]);
    await typeAndSend(dave.page, "read this one");
    await openConversation(dave.page, "kept");
    await typeAndSend(dave.page, "and this one");
    await openConversation(carol.page, "kept");
    await carol.page.locator("#messages [data-testid=content]", { hasText: "and this one" }).waitFor();
    await dave.page.locator("[data-testid=seen-by]", { hasText: `Seen by ${carolId}` }).waitFor();

    await carol.page.reload();
    await connected(carol.page);
    assert.equal(await carol.page.locator("#login").isVisible(), false, "no sign-in after a reload");
    assert.equal(await carol.page.locator("[data-testid=whoami]").textContent(), carolId);
    const unread = carol.page.locator("[data-testid=conversation]", { hasText: "unread after reload" }).locator("[data-testid=unread]");
    await unread.waitFor();
    assert.equal(await unread.textContent(), "1", "the unread conversation still counts its message");
    assert.equal(await carol.page.locator("[data-testid=conversation]", { hasText: "kept" }).locator("[data-testid=unread]").count(), 0, "the read one stays read");
    await carol.page.click("#settings summary");
    assert.equal(await carol.page.locator("#protocol").inputValue(), "messagepack");
    // Switching the protocol while signed in connects again with it, still signed in.
    await Promise.all([carol.page.waitForEvent("load"), carol.page.selectOption("#protocol", "json")]);
    await connected(carol.page);
    assert.equal(await carol.page.locator("[data-testid=whoami]").textContent(), carolId);
    assert.equal(await carol.page.locator("#protocol").inputValue(), "json");
    await openConversation(carol.page, "kept");
    assert.deepEqual((await shownMessages(carol.page)).map((m) => m.text), ["and this one"]);
    await screenshot(carol.page, "after-reload");
    assert.deepEqual(carol.problems, []);

    await carol.page.click("#settings summary");
    await carol.page.click("#sign-out");
    await carol.page.locator("#login-form").waitFor();
    await carol.page.reload();
    await carol.page.locator("#login-form").waitFor();
    assert.equal(await carol.page.locator("#chat").isVisible(), false, "signing out is kept over a reload too");
  } finally {
    await carol.close();
    await dave.close();
  }
});

test("\"seen by\" is still shown after a reload, from the server's receipts (contract v2 GetReceipts)", async () => {
  const [one, two] = cluster.nodes;
  const ginaId = uniqueUser("gina");
  const hankId = uniqueUser("hank");
  const gina = await openPage(browser, one.url, DESKTOP);
  const hank = await openPage(browser, two.url, DESKTOP);
  try {
    await signIn(gina.page, ginaId);
    await signIn(hank.page, hankId);
    await startConversation(gina.page, "seen after reload", [hankId]);
    await typeAndSend(gina.page, "did you see this?");
    await openConversation(hank.page, "seen after reload");
    await gina.page.locator("[data-testid=seen-by]", { hasText: `Seen by ${hankId}` }).waitFor();
    await gina.page.reload();
    await connected(gina.page);
    await openConversation(gina.page, "seen after reload");
    await gina.page.locator("[data-testid=seen-by]", { hasText: `Seen by ${hankId}` }).waitFor();
    assert.deepEqual(gina.problems, []);
  } finally {
    await gina.close();
    await hank.close();
  }
});

test("one user's two tabs agree on what is read: reading in one clears the badge in the other", async () => {
  const [one, two] = cluster.nodes;
  const erinId = uniqueUser("erin");
  const frankId = uniqueUser("frank");
  const frank = await openPage(browser, two.url, DESKTOP);
  const context = await browser.newContext({ viewport: DESKTOP });
  const first = await openPage(browser, one.url, DESKTOP, context);
  const second = await openPage(browser, two.url, DESKTOP, context);
  try {
    await signIn(frank.page, frankId);
    await signIn(first.page, erinId);
    await signIn(second.page, erinId);
    await startConversation(frank.page, "two tabs", [erinId]);
    await startConversation(frank.page, "elsewhere", [erinId]);
    await openConversation(second.page, "elsewhere");
    await openConversation(frank.page, "two tabs");
    await typeAndSend(frank.page, "read me in one tab");

    const badge = second.page.locator("[data-testid=conversation]", { hasText: "two tabs" }).locator("[data-testid=unread]");
    await badge.waitFor();
    await screenshot(second.page, "second-tab-unread");
    await openConversation(first.page, "two tabs");
    await first.page.locator("#messages [data-testid=content]", { hasText: "read me in one tab" }).waitFor();
    await badge.waitFor({ state: "detached" });
    await screenshot(second.page, "second-tab-read-elsewhere");
    await second.page.reload();
    await connected(second.page);
    await second.page.locator("[data-testid=conversation]", { hasText: "two tabs" }).waitFor();
    assert.equal(await badge.count(), 0, "still read after a reload");
    assert.deepEqual([...first.problems, ...second.problems], []);
  } finally {
    await frank.close();
    await context.close();
  }
});
