// The browser chat never loses what is typed: the box clears on send, not on the server's answer; quick sends all
// arrive whole and in order; too long a message is held with a counter instead of cut; a send that fails says so and
// retries under the same client message id; and only real, other people can be made members.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, startBlip, uniqueUser } from "./harness.mjs";
import {
  connected, launchBrowser, openConversation, openPage, screenshot, shownMessages, signIn, startConversation, startSingleNode, typeAndSend, waitForSent,
} from "./browser-page.mjs";

let server;
let browser;
before(async () => {
  server = await startSingleNode();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Alice in the browser with a conversation with bob, who listens through the JavaScript client. */
async function aliceAndBob(title, url = server.url) {
  const bob = await connect(server.url, uniqueUser("bob"), "messagepack");
  const alice = await openPage(browser, url);
  await signIn(alice.page, uniqueUser("alice"));
  await startConversation(alice.page, title, [bob.userId]);
  return { alice, bob, received: () => bob.of("MessageReceived").map((m) => m.content) };
}

test("text typed while a send is in flight survives, and ten quick sends all arrive whole and in order", async () => {
  const { alice, bob, received } = await aliceAndBob("quick sends");
  try {
    const { page } = alice;
    await typeAndSend(page, "first");
    await page.keyboard.type("typed while the first was on its way");
    await waitForSent(page, "first");
    assert.equal(await page.inputValue("#content"), "typed while the first was on its way", "the answer to the first send leaves the box alone");

    await page.fill("#content", "");
    const texts = Array.from({ length: 10 }, (_, i) => `quick ${i + 1}`);
    for (const text of texts) {
      await page.keyboard.type(text);
      await page.keyboard.press("Enter");
    }
    await waitForSent(page, "quick 10");
    await page.waitForFunction(() => document.querySelectorAll("#messages [data-status=sent]").length === 11);
    assert.deepEqual((await shownMessages(page)).map((m) => m.text), ["first", ...texts]);
    await bob.waitFor("MessageReceived", (m) => m.content === "quick 10");
    assert.deepEqual(received(), ["first", ...texts], "bob got every one, intact, once, in order");
    assert.equal(await page.inputValue("#content"), "");
    await screenshot(page, "quick-sends");
    assert.deepEqual(alice.problems, []);
  } finally {
    await alice.close();
    await bob.stop();
  }
});

test("shift+enter writes a new line and enter sends the lines as one message", async () => {
  const { alice, bob } = await aliceAndBob("lines");
  try {
    const { page } = alice;
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    assert.equal(await page.inputValue("#content"), "first line\nsecond line", "shift+enter did not send");
    await page.keyboard.press("Enter");
    const message = await bob.waitFor("MessageReceived");
    assert.equal(message.content, "first line\nsecond line");
  } finally {
    await alice.close();
    await bob.stop();
  }
});

test("a 5,000-character paste shows the counter and is not sent, and once it is within 4,000 it is sent whole", async () => {
  const { alice, bob, received } = await aliceAndBob("long paste");
  try {
    const { page } = alice;
    const long = "0123456789".repeat(500);
    // A real paste: the text on the clipboard, then Ctrl+V into the box.
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await page.evaluate((text) => navigator.clipboard.writeText(text), long);
    await page.focus("#content");
    await page.keyboard.press("Control+V");
    assert.equal((await page.inputValue("#content")).length, 5000, "nothing was cut");
    await page.locator("[data-testid=counter]", { hasText: "5,000 / 4,000" }).waitFor();
    assert.equal(await page.isDisabled("#send"), true);
    await page.keyboard.press("Enter");
    await screenshot(page, "counter-over-limit");
    assert.equal((await page.inputValue("#content")).length, 5000, "enter did not send or clear it");
    assert.equal(await page.locator("#messages [data-testid=message]").count(), 0, "nothing was sent");

    await page.fill("#content", long.slice(0, 4000));
    await page.locator("[data-testid=counter]", { hasText: /^4,000 \/ 4,000$/ }).waitFor();
    await page.keyboard.press("Enter");
    await waitForSent(page, "0123456789");
    await bob.waitFor("MessageReceived");
    assert.deepEqual(received().map((c) => c.length), [4000], "only the message within the limit, whole");
    assert.equal(received()[0], long.slice(0, 4000));
  } finally {
    await alice.close();
    await bob.stop();
  }
});

test("a send cut off by a dropped connection shows failed, and retry sends it once under the same client message id", async () => {
  const blip = await startBlip(server.node.port);
  const { alice, bob, received } = await aliceAndBob("retry", blip.url);
  try {
    const { page } = alice;
    blip.cut();
    await typeAndSend(page, "sent into the drop");
    await page.locator("[data-testid=failed]").waitFor();
    assert.equal(await page.inputValue("#content"), "", "the box was cleared when it was sent");
    assert.equal((await shownMessages(page)).at(-1).text, "sent into the drop", "the failed message stays on screen");
    await screenshot(page, "send-failed");
    const clientMessageId = await page.$eval("#messages [data-status=failed]", (item) => item.dataset.clientMessageId);

    blip.letThrough();
    await connected(page);
    await page.click("[data-testid=retry]");
    await waitForSent(page, "sent into the drop");
    const sent = await bob.waitFor("MessageReceived", (m) => m.content === "sent into the drop");
    assert.equal(sent.clientMessageId, clientMessageId, "the retry reused the id");
    assert.deepEqual(received(), ["sent into the drop"], "delivered once");
    assert.equal(await page.locator("[data-testid=failed]").count(), 0);
    assert.deepEqual((await shownMessages(page)).map((m) => m.status), ["sent"]);
  } finally {
    await alice.close();
    await bob.stop();
    await blip.close();
  }
});

test("members must be valid names of people who have signed in, other than oneself", async () => {
  const { alice, bob } = await aliceAndBob("first one");
  try {
    const { page } = alice;
    const me = await page.locator("[data-testid=whoami]").textContent();
    const tryMembers = async (members) => {
      await page.click("#new-conversation");
      await page.fill("#new-title", "should not exist");
      await page.fill("#new-members", members);
      await page.click("#create");
      const error = page.locator("[data-testid=create-error]");
      await error.waitFor();
      const text = await error.textContent();
      await page.click("#cancel-create");
      return text;
    };
    assert.match(await tryMembers("bob smith!"), /“smith!” is not a valid name: use 1 to 128 letters, digits or - _ \. : @ \|/);
    assert.match(await tryMembers(me), /other than yourself/);
    assert.match(await tryMembers(`${bob.userId}, never-${me}`), new RegExp(`“never-${me}” has never signed in`));
    assert.equal(await page.locator("[data-testid=conversation]", { hasText: "should not exist" }).count(), 0, "nothing was created");
    await page.click("#new-conversation");
    await page.fill("#new-members", "nobody-at-all");
    await page.click("#create");
    await screenshot(page, "unknown-member");
    assert.deepEqual(alice.problems, []);
  } finally {
    await alice.close();
    await bob.stop();
  }
});

test("a conversation another user starts appears in the list, ordered by its last message, with an unread badge", async () => {
  const { alice, bob } = await aliceAndBob("older");
  try {
    const { page } = alice;
    const newer = await bob.connection.invoke("CreateConversation", "newer", [await page.locator("[data-testid=whoami]").textContent()]);
    await page.locator("[data-testid=conversation]", { hasText: "newer" }).waitFor();
    await bob.connection.invoke("SendMessage", newer.id, "n1", "hello from the newer one");
    const newerEntry = page.locator("[data-testid=conversation]", { hasText: "newer" });
    await newerEntry.locator("[data-testid=unread]", { hasText: "1" }).waitFor();
    await newerEntry.locator("[data-testid=presence][data-online=true]").waitFor();
    assert.deepEqual(await page.locator("[data-testid=conversation] .title").allTextContents(), ["newer", "older"]);
    await typeAndSend(page, "and now the older one is newest");
    await waitForSent(page, "older one is newest");
    await page.waitForFunction(() => document.querySelector("[data-testid=conversation] .title").textContent === "older");
    assert.match(await newerEntry.locator("[data-testid=preview]").textContent(), /hello from the newer one/);
    await openConversation(page, "newer");
    await newerEntry.locator("[data-testid=unread]").waitFor({ state: "detached" });
    await screenshot(page, "conversation-list");
  } finally {
    await alice.close();
    await bob.stop();
  }
});
