// What the browser chat shows, at 1280 px and at 400 px: nothing hidden shows, a long conversation opens at its
// newest message with the message box in view, older messages load on scrolling up, nothing overflows sideways,
// and no internals are on screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, uniqueUser } from "./harness.mjs";
import {
  DESKTOP, PHONE, isInView, launchBrowser, openConversation, openPage, screenshot, signIn, startConversation, startSingleNode, typeAndSend, waitForSent,
} from "./browser-page.mjs";

let server;
let browser;
before(async () => {
  // A limit of its own, to show the page takes the server's and not a number of its own.
  server = await startSingleNode({ "Chat:MaxContentLength": "1000" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A user with a conversation of `count` messages from a bot, sent through the JavaScript client. */
async function longConversation(title, count) {
  const reader = uniqueUser("reader");
  const bot = await connect(server.url, uniqueUser("bot"), "json");
  // The reader has to have signed in once to be a member the page accepts; the bot makes the conversation for them.
  const once = await connect(server.url, reader, "json");
  await once.stop();
  const conversation = await bot.connection.invoke("CreateConversation", title, [reader]);
  for (let i = 1; i <= count; i++) {
    await bot.connection.invoke("SendMessage", conversation.id, `seed-${i}`, `message ${i} of ${count}`);
  }
  return { reader, bot, conversation };
}

test("the login screen shows only the sign-in form, and the chat shows no conversation or message box until one is open", async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const { page, problems, close } = await openPage(browser, server.url, viewport);
    try {
      await page.locator("#login-form").waitFor();
      for (const selector of ["#chat", "#conversation", "#composer", "#create-form", "#new-messages", "#protocol", "#sign-out"]) {
        assert.equal(await page.locator(selector).isVisible(), false, `${selector} is hidden on the login screen at ${viewport.width} px`);
      }
      await screenshot(page, `login-${viewport.width}`);
      await signIn(page, uniqueUser("nobody"));
      assert.equal(await page.locator("#login").isVisible(), false, "the login form goes once signed in");
      for (const selector of ["#conversation", "#composer", "#create-form", "#new-messages"]) {
        assert.equal(await page.locator(selector).isVisible(), false, `${selector} is hidden with no conversation open at ${viewport.width} px`);
      }
      assert.equal(await page.locator("#conversations").isVisible(), true);
      await screenshot(page, `no-conversation-${viewport.width}`);
      assert.deepEqual(problems, [], "no console errors and no failed requests, the favicon included");
    } finally {
      await close();
    }
  }
});

test("the name field's pattern is the server's rule and compiles as browsers compile patterns (with the v flag)", async () => {
  const { page, problems, close } = await openPage(browser, server.url);
  try {
    const pattern = await page.getAttribute("#user-id", "pattern");
    assert.doesNotThrow(() => new RegExp(`^(?:${pattern})$`, "v"), "the pattern is valid with the v flag");
    const rule = new RegExp(`^(?:${pattern})$`, "v");
    for (const good of ["alice", "a-b_c.d:e@f|g", "x".repeat(128)]) assert.ok(rule.test(good), good);
    for (const bad of ["bob smith", "", "x".repeat(129), "ünïcode", "a/b"]) assert.ok(!rule.test(bad), bad);
    await page.fill("#user-id", "bob smith");
    assert.equal(await page.$eval("#user-id", (input) => input.validity.patternMismatch), true, "the browser itself refuses a bad name");
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("a long conversation opens at its newest message with the message box in view, and scrolling up loads the older ones", async () => {
  const { reader, bot, conversation } = await longConversation("long one", 80);
  const { page, problems, close } = await openPage(browser, server.url, DESKTOP);
  try {
    await signIn(page, reader);
    await page.locator("[data-testid=conversation] [data-testid=unread]", { hasText: "80" }).waitFor();
    await openConversation(page, "long one");
    await page.locator("#messages [data-testid=content]", { hasText: "message 80 of 80" }).waitFor();
    assert.ok(await isInView(page, "#messages [data-testid=message]:last-child", "#messages"), "the newest message is in view");
    assert.ok(await isInView(page, "#content"), "the message box is in view");
    assert.ok(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1), "the page itself does not scroll");
    assert.equal(await page.locator("#messages [data-testid=content]", { hasText: /^message 1 of 80$/ }).count(), 0, "only the newest page is loaded at first");
    await screenshot(page, "long-conversation-open");

    // A new message while at the bottom comes into view by itself.
    await bot.connection.invoke("SendMessage", conversation.id, "live-1", "a new one at the bottom");
    await page.locator("#messages [data-testid=content]", { hasText: "a new one at the bottom" }).waitFor();
    await page.waitForFunction(() => {
      const list = document.querySelector("#messages");
      return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    });
    assert.equal(await page.locator("#new-messages").isVisible(), false);

    // Scrolled up, the oldest load, and a new message shows the marker instead of pulling the reader down.
    await page.$eval("#messages", (list) => { list.scrollTop = 0; });
    await page.locator("#messages [data-testid=content]", { hasText: /^message 1 of 80$/ }).waitFor();
    const texts = await page.locator("#messages [data-testid=content]").allTextContents();
    assert.deepEqual(texts.slice(0, 80), Array.from({ length: 80 }, (_, i) => `message ${i + 1} of 80`), "every message once, in order");
    await page.$eval("#messages", (list) => { list.scrollTop = 0; });
    await bot.connection.invoke("SendMessage", conversation.id, "live-2", "another while scrolled up");
    await page.locator("#new-messages").waitFor();
    await screenshot(page, "new-messages-marker");
    await page.click("#new-messages");
    assert.ok(await isInView(page, "#messages [data-testid=message]:last-child", "#messages"), "the marker takes the reader to the newest");
    await page.locator("[data-testid=new-messages]").waitFor({ state: "hidden" });
    assert.deepEqual(problems, []);
  } finally {
    await close();
    await bot.stop();
  }
});

test("at 400 px the list and the conversation are separate views, and a long word wraps instead of widening the page", async () => {
  const { reader, bot, conversation } = await longConversation("narrow", 3);
  const { page, problems, close } = await openPage(browser, server.url, PHONE);
  try {
    await signIn(page, reader);
    assert.equal(await page.locator("#conversations").isVisible(), true);
    assert.equal(await page.locator("#conversation").isVisible(), false, "no conversation beside the list");
    await screenshot(page, "phone-list");
    await openConversation(page, "narrow");
    assert.equal(await page.locator("#conversations").isVisible(), false, "the list gives way to the conversation");
    await bot.connection.invoke("SendMessage", conversation.id, "long-word", `long${"o".repeat(400)}ng word`);
    await typeAndSend(page, `mine${"e".repeat(300)} and emoji 😀🎉👍`);
    await page.locator("#messages [data-testid=content]", { hasText: "ng word" }).waitFor();
    await waitForSent(page, "emoji");
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      list: document.querySelector("#messages").scrollWidth,
      listBox: document.querySelector("#messages").clientWidth,
      widestBubble: Math.max(...[...document.querySelectorAll("#messages .bubble")].map((b) => b.getBoundingClientRect().right)),
    }));
    assert.ok(widths.page <= 400, `the page is ${widths.page} px wide`);
    assert.ok(widths.list <= widths.listBox, `the message list is ${widths.list} px wide in ${widths.listBox} px`);
    assert.ok(widths.widestBubble <= 400, `a bubble reaches ${widths.widestBubble} px`);
    assert.ok(await isInView(page, "#content"), "the message box is in view");
    await screenshot(page, "phone-conversation");
    await page.click("#back");
    assert.equal(await page.locator("#conversations").isVisible(), true, "back shows the list again");
    assert.equal(await page.locator("#conversation").isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await close();
    await bot.stop();
  }
});

test("messages read like a chat app's: one sender's run grouped under one name, a day heading, clock times, and no internals", async () => {
  const alice = uniqueUser("alice");
  const bob = uniqueUser("bob");
  const a = await openPage(browser, server.url, DESKTOP);
  const b = await openPage(browser, server.url, DESKTOP);
  try {
    await signIn(a.page, alice);
    await signIn(b.page, bob, "messagepack");
    await startConversation(a.page, "grouping", [bob]);
    for (const text of ["one", "two", "three"]) await typeAndSend(a.page, text);
    await waitForSent(a.page, "three");
    await openConversation(b.page, "grouping");
    await typeAndSend(b.page, "line one\nline two");
    await a.page.locator("#messages [data-testid=content]", { hasText: "line two" }).waitFor();
    await b.page.locator("#messages [data-testid=content]", { hasText: "three" }).waitFor();

    const view = await b.page.$$eval("#messages > li", (items) => items.map((item) => ({
      day: item.dataset.testid === "day" ? item.textContent : null,
      sender: item.querySelector("[data-testid=sender]")?.textContent ?? null,
      text: item.querySelector("[data-testid=content]")?.textContent ?? null,
      time: item.querySelector("time")?.textContent ?? null,
    })));
    assert.deepEqual(view.map((v) => v.day ?? v.text), ["Today", "one", "two", "three", "line one\nline two"]);
    assert.deepEqual(view.slice(1).map((v) => v.sender), [alice, null, null, null], "alice's run under her name once; bob's own unnamed");
    for (const { time } of view.slice(1)) assert.match(time, /^\d{1,2}:\d{2}(\s?[AP]M)?$/, "a clock time");
    const preview = await a.page.locator("[data-testid=conversation] [data-testid=preview]").first().textContent();
    assert.equal(preview, `${bob}: line one line two`, "the list shows the last message");
    assert.match(await a.page.locator("[data-testid=conversation] .when").first().textContent(), /^\d{1,2}:\d{2}/);

    const screen = await b.page.locator("body").innerText();
    assert.doesNotMatch(screen, /#\d+/, "no sequence numbers");
    assert.doesNotMatch(screen, /json|messagepack/i, "no protocol on screen");
    assert.equal(await b.page.locator("#protocol").isVisible(), false, "the protocol sits in the settings corner");
    await b.page.click("#settings summary");
    assert.equal(await b.page.locator("#protocol").inputValue(), "messagepack");
    await screenshot(b.page, "settings-open");
    await b.page.click("#settings summary");
    await screenshot(a.page, "grouped-conversation");
    assert.deepEqual([...a.problems, ...b.problems], []);
  } finally {
    await a.close();
    await b.close();
  }
});

test("day headings and list times read as people say them: today's clock time, Yesterday, a weekday, then a date", async () => {
  const { page, close } = await openPage(browser, server.url);
  try {
    const labels = await page.evaluate(async () => {
      const { dayLabel, listTime } = await import("/js/format.js");
      const now = new Date(2026, 5, 17, 15, 30);
      const at = (days, hours = 9) => new Date(2026, 5, 17 - days, hours, 5);
      return {
        days: [0, 1, 3, 200].map((d) => dayLabel(at(d), now)),
        lastYear: dayLabel(new Date(2025, 11, 24, 9), now),
        list: [0, 1, 3, 30].map((d) => listTime(at(d), now)),
      };
    });
    assert.deepEqual(labels.days.slice(0, 2), ["Today", "Yesterday"]);
    assert.match(labels.days[2], /^Sunday/, "within the week, the weekday");
    assert.match(labels.days[3], /November/, "further back, the date");
    assert.match(labels.lastYear, /2025/, "another year says which");
    assert.match(labels.list[0], /^9:05\s?AM$/);
    assert.deepEqual(labels.list.slice(1, 3), ["Yesterday", "Sun"]);
    assert.match(labels.list[3], /^(May 18|18 May)$/);
  } finally {
    await close();
  }
});

test("the message box's counter and limit are the server's Chat:MaxContentLength", async () => {
  const { reader, bot, conversation } = await longConversation("limit", 1);
  const { page, problems, close } = await openPage(browser, server.url);
  try {
    await signIn(page, reader);
    await openConversation(page, "limit");
    await page.fill("#content", "x".repeat(1001));
    await page.locator("[data-testid=counter]", { hasText: "1,001 / 1,000" }).waitFor();
    assert.equal(await page.isDisabled("#send"), true);
    await page.press("#content", "Backspace");
    await page.locator("[data-testid=counter]", { hasText: /^1,000 \/ 1,000$/ }).waitFor();
    await page.press("#content", "Enter");
    await waitForSent(page, "xxxx");
    const stored = await bot.connection.invoke("GetHistory", conversation.id, null, 5);
    assert.deepEqual(stored.map((m) => m.content), ["message 1 of 1", "x".repeat(1000)]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
    await bot.stop();
  }
});
