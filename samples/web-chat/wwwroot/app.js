// Browser chat on the Realtime hub. Every value from the server is rendered with textContent:
// the server stores content verbatim and the client is the one that encodes it.
"use strict";

const TYPING_EXPIRES_MS = 6000;
const TYPING_REPEAT_MS = 3000;
const PAGE = 200;

const $ = (id) => document.getElementById(id);
const state = {
  connection: null,
  me: null,
  conversations: new Map(), // id -> ConversationDto (the caller's view)
  messages: new Map(), // conversationId -> Map(sequence -> MessageDto)
  receipts: new Map(), // conversationId -> Map(userId -> lastReadSequence)
  presence: new Map(), // userId -> isOnline
  typing: new Map(), // conversationId -> Map(userId -> timer)
  current: null,
  lastTypingSentAt: 0,
};

function showError(error) {
  $("error").textContent = error ? String(error.message ?? error) : "";
}

function setState(name) {
  const badge = $("state");
  badge.textContent = name;
  badge.className = `badge ${name}`;
}

function newClientMessageId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

async function connect(userId, protocol) {
  const response = await fetch("/api/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(`${problem.code ?? response.status}: ${problem.detail ?? "could not get a token"}`);
  }
  const { accessToken } = await response.json();

  let builder = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/chat", { accessTokenFactory: () => accessToken })
    .withAutomaticReconnect([0, 500, 1000, 2000, 2000, 5000, 5000, 10000, 10000, 30000])
    .configureLogging(signalR.LogLevel.Warning);
  if (protocol === "messagepack") {
    builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
  }
  const connection = builder.build();
  state.connection = connection;
  state.me = userId;

  connection.on("MessageReceived", onMessage);
  connection.on("ReadReceiptUpdated", onReceipt);
  connection.on("TypingChanged", onTyping);
  connection.on("PresenceChanged", (p) => { state.presence.set(p.userId, p.isOnline); renderConversations(); });
  connection.on("ConversationUpdated", onConversationUpdated);
  connection.on("Notified", (n) => { $("error").textContent = `${n.title}: ${n.body}`; });
  connection.on("ProgressChanged", (p) => { $("error").textContent = `${p.operationId}: ${p.percent}% ${p.status}`; });
  connection.onreconnecting(() => setState("reconnecting"));
  connection.onreconnected(async () => { setState("connected"); await resyncAll(); });
  connection.onclose(() => setState("disconnected"));

  await connection.start();
  setState("connected");
  $("whoami").textContent = `${userId} · ${protocol}`;
  $("login").hidden = true;
  $("chat").hidden = false;
  for (const conversation of await connection.invoke("GetConversations")) {
    state.conversations.set(conversation.id, conversation);
  }
  await refreshPresence();
  renderConversations();
}

async function refreshPresence() {
  const everyone = new Set();
  for (const c of state.conversations.values()) c.memberIds.forEach((id) => everyone.add(id));
  everyone.delete(state.me);
  if (everyone.size === 0) return;
  for (const p of await state.connection.invoke("GetPresence", [...everyone])) state.presence.set(p.userId, p.isOnline);
}

function messagesOf(conversationId) {
  if (!state.messages.has(conversationId)) state.messages.set(conversationId, new Map());
  return state.messages.get(conversationId);
}

function lastContiguous(conversationId) {
  const held = messagesOf(conversationId);
  if (held.size === 0) return 0;
  let sequence = Math.min(...held.keys()) - 1;
  if (sequence > 0) return Math.max(...held.keys()); // history starts mid-way: resync from the newest we hold
  while (held.has(sequence + 1)) sequence++;
  return sequence;
}

// After a reconnect (or a hole in the sequence) fetch everything after what we hold; duplicates fold by sequence.
async function resync(conversationId) {
  let after = lastContiguous(conversationId);
  for (;;) {
    const page = await state.connection.invoke("GetMessages", conversationId, after, PAGE);
    page.forEach(store);
    if (page.length < PAGE) break;
    after = page[page.length - 1].sequence;
  }
}

async function resyncAll() {
  try {
    for (const conversation of await state.connection.invoke("GetConversations")) {
      state.conversations.set(conversation.id, conversation);
      if (state.messages.has(conversation.id)) await resync(conversation.id);
    }
    await refreshPresence();
    renderConversations();
    renderMessages();
    await markRead();
  } catch (error) {
    showError(error);
  }
}

function store(message) {
  const held = messagesOf(message.conversationId);
  const isNew = !held.has(message.sequence);
  held.set(message.sequence, message);
  return isNew;
}

async function onMessage(message) {
  const conversation = state.conversations.get(message.conversationId);
  const hole = conversation && message.sequence > conversation.lastSequence + 1 && state.messages.has(message.conversationId);
  const isNew = store(message);
  if (hole) await resync(message.conversationId);
  stopTypingOf(message.conversationId, message.senderId);
  if (message.conversationId === state.current) {
    renderMessages();
    await markRead();
  } else if (isNew && conversation && message.senderId !== state.me) {
    conversation.unreadCount += 1;
  }
  if (conversation) conversation.lastSequence = Math.max(conversation.lastSequence, message.sequence);
  renderConversations();
}

function onReceipt(receipt) {
  if (!state.receipts.has(receipt.conversationId)) state.receipts.set(receipt.conversationId, new Map());
  state.receipts.get(receipt.conversationId).set(receipt.userId, receipt.lastReadSequence);
  if (receipt.conversationId === state.current) renderMessages();
}

function onTyping(typing) {
  if (!state.typing.has(typing.conversationId)) state.typing.set(typing.conversationId, new Map());
  const typers = state.typing.get(typing.conversationId);
  clearTimeout(typers.get(typing.userId));
  typers.delete(typing.userId);
  if (typing.isTyping) {
    typers.set(typing.userId, setTimeout(() => { typers.delete(typing.userId); renderTyping(); }, TYPING_EXPIRES_MS));
  }
  renderTyping();
}

function stopTypingOf(conversationId, userId) {
  const typers = state.typing.get(conversationId);
  if (typers?.has(userId)) {
    clearTimeout(typers.get(userId));
    typers.delete(userId);
    renderTyping();
  }
}

async function onConversationUpdated(conversation) {
  if (!conversation.memberIds.includes(state.me)) {
    state.conversations.delete(conversation.id);
    if (state.current === conversation.id) state.current = null;
  } else {
    state.conversations.set(conversation.id, conversation);
    await refreshPresence();
  }
  renderConversations();
  renderMessages();
}

async function openConversation(id) {
  state.current = id;
  const history = await state.connection.invoke("GetHistory", id, null, 50);
  history.forEach(store);
  await resync(id);
  renderConversations();
  renderMessages();
  await markRead();
}

async function markRead() {
  const conversation = state.conversations.get(state.current);
  const held = messagesOf(state.current ?? "");
  if (!conversation || held.size === 0) return;
  const last = Math.max(...held.keys());
  if (last <= conversation.lastReadSequence) return;
  const receipt = await state.connection.invoke("MarkRead", conversation.id, last);
  conversation.lastReadSequence = receipt.lastReadSequence;
  conversation.unreadCount = 0;
  renderConversations();
}

function renderConversations() {
  const list = $("conversations");
  list.replaceChildren();
  for (const c of state.conversations.values()) {
    const item = document.createElement("li");
    item.dataset.id = c.id;
    item.dataset.testid = "conversation";
    item.className = c.id === state.current ? "active" : "";
    const name = document.createElement("span");
    for (const member of c.memberIds.filter((m) => m !== state.me)) {
      const dot = document.createElement("span");
      dot.className = state.presence.get(member) ? "dot online" : "dot";
      dot.title = member;
      dot.dataset.user = member;
      name.append(dot);
    }
    name.append(document.createTextNode(c.title));
    const unread = document.createElement("span");
    unread.className = "unread";
    unread.dataset.testid = "unread";
    unread.textContent = c.unreadCount > 0 ? String(c.unreadCount) : "";
    item.append(name, unread);
    item.addEventListener("click", () => openConversation(c.id).catch(showError));
    list.append(item);
  }
}

function renderMessages() {
  const list = $("messages");
  list.replaceChildren();
  const conversation = state.conversations.get(state.current);
  $("send-form").hidden = !conversation;
  $("conversation-title").textContent = conversation ? `${conversation.title} — ${conversation.memberIds.join(", ")}` : "Pick a conversation";
  if (!conversation) return;
  const messages = [...messagesOf(conversation.id).values()].sort((a, b) => a.sequence - b.sequence);
  const receipts = state.receipts.get(conversation.id) ?? new Map();
  messages.forEach((m, index) => {
    const item = document.createElement("li");
    item.className = m.senderId === state.me ? "mine" : "";
    item.dataset.sequence = String(m.sequence);
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `#${m.sequence} ${m.senderId} · ${new Date(m.sentAt).toLocaleTimeString()}`;
    const text = document.createElement("div");
    text.className = "content";
    text.textContent = m.content;
    item.append(meta, text);
    if (index === messages.length - 1) {
      const seenBy = [...receipts].filter(([user, seq]) => user !== m.senderId && user !== state.me && seq >= m.sequence).map(([user]) => user);
      if (seenBy.length > 0) {
        const seen = document.createElement("div");
        seen.className = "seen";
        seen.dataset.testid = "seen-by";
        seen.textContent = `Seen by ${seenBy.join(", ")}`;
        item.append(seen);
      }
    }
    list.append(item);
  });
  list.scrollTop = list.scrollHeight;
}

function renderTyping() {
  const typers = [...(state.typing.get(state.current)?.keys() ?? [])];
  $("typing").textContent = typers.length === 0 ? "" : `${typers.join(", ")} ${typers.length === 1 ? "is" : "are"} typing…`;
}

async function setTyping(isTyping) {
  if (!state.current || state.connection?.state !== signalR.HubConnectionState.Connected) return;
  state.lastTypingSentAt = isTyping ? Date.now() : 0;
  await state.connection.invoke("SetTyping", state.current, isTyping);
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  showError(null);
  connect($("user-id").value.trim(), $("protocol").value).catch(showError);
});

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  try {
    const members = $("new-members").value.split(",").map((s) => s.trim()).filter(Boolean);
    const conversation = await state.connection.invoke("CreateConversation", $("new-title").value.trim(), members);
    state.conversations.set(conversation.id, conversation);
    $("new-title").value = "";
    $("new-members").value = "";
    await openConversation(conversation.id);
  } catch (error) {
    showError(error);
  }
});

$("send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("content");
  const content = input.value;
  if (!content.trim() || !state.current) return;
  showError(null);
  try {
    // The server clears the typing indicator itself when we send.
    state.lastTypingSentAt = 0;
    const message = await state.connection.invoke("SendMessage", state.current, newClientMessageId(), content);
    store(message);
    input.value = "";
    renderMessages();
  } catch (error) {
    showError(error);
  }
});

$("content").addEventListener("input", () => {
  if (Date.now() - state.lastTypingSentAt > TYPING_REPEAT_MS) setTyping(true).catch(showError);
});
$("content").addEventListener("blur", () => {
  if (state.lastTypingSentAt) setTyping(false).catch(showError);
});
