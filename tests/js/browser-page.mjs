// The browser chat driven as a user would, in headless Debian Chromium (playwright-core): one page per user,
// each watched for console errors and failed requests, with a screenshot of each state it goes through.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { ServerNode, repoRoot, tempDir } from "./harness.mjs";

export const screenshots = path.join(repoRoot, "artifacts", "screenshots");
export const DESKTOP = { width: 1280, height: 720 };
export const PHONE = { width: 400, height: 760 };

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export async function launchBrowser() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** One server node on SQLite, no Redis: enough for everything the page does that is not about a node dying. */
export async function startSingleNode(extraSettings = {}) {
  const directory = tempDir("realtime-browser-");
  const node = await ServerNode.start("web", {
    "Database:Provider": "Sqlite",
    "ConnectionStrings:Chat": `Data Source=${path.join(directory, "chat.db")};Default Timeout=30`,
    ...extraSettings,
  });
  return {
    url: node.url,
    node,
    async stop() {
      await node.kill("SIGTERM");
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A page in its own browser context (its own sessionStorage, as another person's window would be), recording
 * every console error, page error and failed or 4xx/5xx request.
 */
export async function openPage(browser, url, viewport = DESKTOP, context = null) {
  const owned = context === null;
  context ??= await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => { if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`); });
  await page.goto(url);
  return {
    page,
    context,
    problems,
    async close() { owned ? await context.close() : await page.close(); },
  };
}

export async function connected(page) {
  await page.locator("[data-testid=connection-state][data-state=connected]").waitFor();
}

export async function signIn(page, userId, protocol = "json") {
  if (protocol !== "json") {
    await page.click("#settings summary");
    await page.selectOption("#protocol", protocol);
    await page.click("#settings summary");
  }
  await page.fill("#user-id", userId);
  await page.click("#connect");
  await connected(page);
  await page.locator("#chat").waitFor();
}

export async function startConversation(page, title, members) {
  await page.click("#new-conversation");
  await page.fill("#new-title", title);
  await page.fill("#new-members", members.join(", "));
  await page.click("#create");
  await page.locator("[data-testid=conversation-title]", { hasText: title }).waitFor();
}

export async function openConversation(page, title) {
  const heading = page.locator("[data-testid=conversation-title]", { hasText: title });
  // The list is ordered by activity: a message arriving between finding the item and the click can move another
  // conversation under the pointer, as it can for a person, who then clicks again where the item now is.
  for (let attempt = 1; attempt < 3; attempt++) {
    await page.locator("[data-testid=conversation]", { hasText: title }).click();
    if (await heading.waitFor({ timeout: 5000 }).then(() => true, () => false)) return;
  }
  await page.locator("[data-testid=conversation]", { hasText: title }).click();
  await heading.waitFor();
}

/** Types and sends with Enter, as a user does; returns at once, without waiting for the server. */
export async function typeAndSend(page, text) {
  await page.fill("#content", text);
  await page.press("#content", "Enter");
}

/** The text of every message in the open conversation, in order, and its state (sent, pending, failed). */
export function shownMessages(page) {
  return page.locator("#messages [data-testid=message]").evaluateAll((items) =>
    items.map((item) => ({ text: item.querySelector("[data-testid=content]").textContent, status: item.dataset.status })));
}

export async function waitForSent(page, text) {
  await page.locator("#messages [data-testid=message][data-status=sent]", { has: page.locator("[data-testid=content]", { hasText: text }) }).first().waitFor();
}

export function screenshot(page, name) {
  return page.screenshot({ path: path.join(screenshots, `${name}.png`) });
}

/** Whether an element's box lies inside the window (and, when given, inside a scrolling container's box). */
export function isInView(page, selector, within = null) {
  return page.evaluate(([selector, within]) => {
    const box = document.querySelector(selector)?.getBoundingClientRect();
    if (!box || box.height === 0) return false;
    const inWindow = box.top >= 0 && box.bottom <= window.innerHeight + 1 && box.left >= 0 && box.right <= window.innerWidth + 1;
    if (!within) return inWindow;
    const outer = document.querySelector(within).getBoundingClientRect();
    return inWindow && box.top >= outer.top - 1 && box.bottom <= outer.bottom + 1;
  }, [selector, within]);
}
