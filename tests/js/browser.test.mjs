// Two users in headless Debian Chromium, driven by playwright-core, each page served by its own node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { startCluster, uniqueUser, repoRoot } from "./harness.mjs";

const screenshots = path.join(repoRoot, "artifacts", "screenshots");
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let cluster;
let browser;
before(async () => {
  mkdirSync(screenshots, { recursive: true });
  cluster = await startCluster();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await cluster?.stop();
});

async function signIn(page, url, userId, protocol) {
  await page.goto(url);
  await page.fill("#user-id", userId);
  await page.selectOption("#protocol", protocol);
  await page.click("#connect");
  await page.locator("[data-testid=connection-state]", { hasText: /^connected$/ }).waitFor();
}

test("two users chat both ways, see typing and read receipts, and a dropped connection loses nothing", async () => {
  const [one, two] = cluster.nodes;
  const aliceId = uniqueUser("alice");
  const bobId = uniqueUser("bob");
  const alice = await browser.newPage();
  const bob = await browser.newPage();
  try {
    await signIn(alice, one.url, aliceId, "json");
    await signIn(bob, two.url, bobId, "messagepack");

    await alice.fill("#new-title", "browser chat");
    await alice.fill("#new-members", bobId);
    await alice.click("#create");
    await alice.locator("#send-form").waitFor();

    const bobsEntry = bob.locator("[data-testid=conversation]", { hasText: "browser chat" });
    await bobsEntry.waitFor();
    await bob.locator(`.dot.online[data-user="${aliceId}"]`).waitFor();
    await bobsEntry.click();
    await bob.locator("#send-form").waitFor();

    await alice.type("#content", "hello bob <script>alert(1)</script>");
    await bob.locator("[data-testid=typing]", { hasText: `${aliceId} is typing` }).waitFor();
    await alice.click("#send");
    await bob.locator("#messages .content", { hasText: "hello bob <script>alert(1)</script>" }).waitFor();
    await bob.locator("[data-testid=typing]", { hasText: /^$/ }).waitFor();
    await alice.locator("[data-testid=seen-by]", { hasText: `Seen by ${bobId}` }).waitFor();

    await bob.fill("#content", "hi alice");
    await bob.click("#send");
    await alice.locator("#messages .content", { hasText: "hi alice" }).waitFor();
    await alice.screenshot({ path: path.join(screenshots, "alice-chatting.png") });
    await bob.screenshot({ path: path.join(screenshots, "bob-chatting.png") });

    // Alice's node dies; bob keeps writing through his; alice's node comes back and her page resyncs.
    await one.kill("SIGKILL");
    await alice.locator("[data-testid=connection-state]", { hasText: /^reconnecting$/ }).waitFor();
    await alice.screenshot({ path: path.join(screenshots, "alice-reconnecting.png") });
    for (const text of ["while you were away 1", "while you were away 2", "while you were away 3"]) {
      await bob.fill("#content", text);
      await bob.click("#send");
      await bob.locator("#messages .content", { hasText: text }).waitFor();
    }
    await one.startAgain();
    await alice.locator("[data-testid=connection-state]", { hasText: /^connected$/ }).waitFor({ timeout: 30000 });
    await alice.locator("#messages .content", { hasText: "while you were away 3" }).waitFor();

    // Viewing the conversation marks it read, so nothing is left unread.
    await alice.waitForFunction(() => document.querySelector("[data-testid=unread]")?.textContent === "");
    const sequences = await alice.locator("#messages li").evaluateAll((items) => items.map((li) => Number(li.dataset.sequence)));
    assert.deepEqual(sequences, [1, 2, 3, 4, 5], "every message once, in order");
    assert.equal(await alice.locator("#messages script").count(), 0, "content is shown as text, never run");
    await alice.screenshot({ path: path.join(screenshots, "alice-after-reconnect.png") });
  } finally {
    await alice.close();
    await bob.close();
  }
});
