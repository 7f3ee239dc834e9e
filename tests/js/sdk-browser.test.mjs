// The SDK's ES module in headless Chromium: connect, send, receive, and a resync after the connection is cut.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { ServerNode, startBlip, tempDir, uniqueUser, repoRoot } from "./harness.mjs";
import { startApp, serverLog, waitUntil } from "./sdk-app.mjs";

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--no-first-run", "--disable-quic", "--disable-sync",
];
const sdk = path.join(repoRoot, "clients/typescript");

// The page, the built package (as npm would install it) and SignalR's browser bundles, served by the
// server's own static files (WebChat:Root) so the page, its token and its hub connection share one origin.
function pageRoot() {
  const root = tempDir("realtime-sdk-page-");
  const copy = (from, to) => cpSync(from, path.join(root, "wwwroot", to), { recursive: true });
  copy(path.join(repoRoot, "tests/js/sdk-page.html"), "index.html");
  copy(path.join(sdk, "dist"), "sdk/dist");
  copy(path.join(sdk, "browser"), "sdk/browser");
  copy(path.join(sdk, "node_modules/@microsoft/signalr/dist/browser/signalr.js"), "vendor/signalr.js");
  copy(path.join(sdk, "node_modules/@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.js"), "vendor/signalr-protocol-msgpack.js");
  return root;
}

let node;
let database;
let root;
let blip;
let browser;
before(async () => {
  root = pageRoot();
  node = await ServerNode.start("sdk-browser", {
    "WebChat:Root": root,
    "Database:Provider": "Sqlite",
    "ConnectionStrings:Chat": `Data Source=${path.join((database = tempDir("realtime-sdk-browser-")), "chat.db")}`,
  });
  blip = await startBlip(node.port);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await blip?.close();
  await node?.kill("SIGTERM");
  for (const folder of [root, database]) if (folder) rmSync(folder, { recursive: true, force: true });
});

// Through the relay that can cut the connection: the page, the token route and the hub are the real server's.
async function openApp(userId, protocol) {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`page error at ${userId}: ${error.message}`));
  await page.goto(`${blip.url}/index.html`);
  await page.evaluate(([u, p]) => window.startApp(u, p), [userId, protocol]);
  return page;
}

const logOf = (page, conversationId) => page.evaluate((id) => window.app.log[id] ?? [], conversationId);

test("the SDK in Chromium connects, sends and receives on both protocols, and after its connection is cut resyncs the messages and the edit it missed", async () => {
  const aliceId = uniqueUser("alice");
  const carolId = uniqueUser("carol");
  const bob = await startApp(node.url, uniqueUser("bob"), "json");
  const alice = await openApp(aliceId, "json");
  const carol = await openApp(carolId, "messagepack");
  try {
    const chat = await bob.client.hub.CreateConversation("browser sdk", [aliceId, carolId]);
    await alice.evaluate((id) => window.app.client.send(id, "hello from chromium"), chat.id);
    await carol.evaluate((id) => window.app.client.send(id, "hello over messagepack"), chat.id);
    const first = await bob.client.send(chat.id, "hi both");
    for (const page of [alice, carol]) {
      await page.waitForFunction((id) => window.app.log[id]?.length === 3, chat.id);
    }

    // The relay drops both pages' connections and holds their reconnects while bob writes, starts a
    // conversation with alice and takes carol out of the first one.
    blip.cut();
    for (const page of [alice, carol]) await page.locator("[data-testid=state]", { hasText: /^reconnecting$/ }).waitFor();
    for (const text of ["away 1", "away 2", "away 3"]) await bob.client.send(chat.id, text);
    const edited = await bob.client.hub.EditMessage(chat.id, first.id, "hi both, edited while you were away");
    const later = await bob.client.hub.CreateConversation("started while alice was away", [aliceId]);
    await bob.client.send(later.id, "welcome back");
    await bob.client.hub.RemoveMember(chat.id, carolId);
    blip.letThrough();

    for (const page of [alice, carol]) await page.locator("[data-testid=state]", { hasText: /^connected$/ }).waitFor({ timeout: 20000 });
    const truth = (await serverLog(node.url, bob.userId, chat.id)).map((m) => m.id);
    assert.equal(truth.length, 6);
    await waitUntil(async () => (await logOf(alice, chat.id)).length === 6 && (await logOf(alice, later.id)).length === 1, "alice catches up");
    assert.deepEqual(await logOf(alice, chat.id), truth, "alice holds the server's log, in order, once each");
    assert.deepEqual(await logOf(alice, later.id), (await serverLog(node.url, bob.userId, later.id)).map((m) => m.id));
    await waitUntil(() => alice.evaluate(() => window.app.updates.length === 1), "alice is handed the edit");
    assert.deepEqual(await alice.evaluate(() => window.app.updates), [{ id: first.id, content: edited.content, revision: edited.revision }]);
    assert.deepEqual(await logOf(carol, chat.id), truth.slice(0, 3), "carol has what she had before she was taken out, and nothing after");
    assert.deepEqual(await carol.evaluate(() => window.app.removed), [chat.id]);
    for (const page of [alice, carol]) {
      assert.deepEqual(await page.evaluate(() => window.app.states), ["connecting", "resyncing", "connected", "reconnecting", "resyncing", "connected"]);
      assert.equal(await page.evaluate(() => window.app.client.orderingMode), "revision");
      assert.ok(await page.evaluate(() => window.app.tokenCalls) >= 2, "the token provider is asked again for the reconnect");
    }
  } finally {
    await alice.close();
    await carol.close();
    await bob.client.stop();
  }
});
