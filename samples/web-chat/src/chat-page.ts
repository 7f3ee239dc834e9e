// The signed-in page: wires the connection's events into the store and the store into the views.
import { ChatClient, type ConnectionState, type Protocol } from "./chat-client.js";
import { Composer } from "./composer.js";
import { ConversationActions } from "./conversation-actions.js";
import type { ConversationDto, MessageDto } from "./contract.js";
import { DeliveryReporter } from "./delivery.js";
import { byId } from "./dom.js";
import { setUpCreateForm } from "./new-conversation.js";
import { LogActions } from "./log-actions.js";
import { Outbox } from "./outbox.js";
import { Store } from "./store.js";
import { TypingIndicator } from "./typing.js";
import { ConversationHead } from "./view-head.js";
import { renderConversationList } from "./view-list.js";
import { MessageView, type RenderReason } from "./view-messages.js";

const FIRST_PAGE = 50;
const OLDER_PAGE = 50;
const NARROW = window.matchMedia("(max-width: 720px)");

export class ChatPage {
  private client: ChatClient | null = null;
  private readonly store = new Store();
  private readonly typing = new TypingIndicator((id) => { if (id === this.store.current) this.renderTyping(); });
  private readonly outbox = new Outbox(this.store, () => this.client, (id) => this.changed(id, "own"));
  private readonly log: LogActions;
  private readonly messages: MessageView;
  private readonly loadingOlder = new Set<string>();
  private presenceRefresh: Promise<void> | null = null;
  private readonly delivery = new DeliveryReporter(() => this.client, (id) =>
    Math.max(this.store.conversations.get(id)?.lastReadSequence ?? 0, this.store.conversations.get(id)?.lastDeliveredSequence ?? 0,
      this.store.receipts.deliveredBy(id, this.store.me)));
  private readonly head = new ConversationHead(this.store,
    new ConversationActions(() => this.client, () => this.store.me, (c) => this.conversationChanged(c), (c) => this.conversationChanged(c)),
    (id) => this.open(id));

  constructor(
    private readonly showError: (message: string | null) => void,
    private readonly onState: (state: ConnectionState) => void,
    maxContentLength: number,
  ) {
    this.log = new LogActions(this.store, () => this.client, this.outbox, (id) => this.changed(id, "update"), showError);
    this.messages = new MessageView(byId("messages"), byId<HTMLButtonElement>("new-messages"), this.store, {
      retry: (id, clientMessageId) => this.outbox.retry(id, clientMessageId),
      loadOlder: (id) => void this.loadOlder(id),
      atBottom: (id) => void this.markRead(id),
      ...this.log.handlers,
    });
    this.log.attach(new Composer(byId<HTMLFormElement>("composer"), byId<HTMLTextAreaElement>("content"), byId("counter"), byId<HTMLButtonElement>("send"), {
      send: (content) => { if (this.store.current) this.log.submit(this.store.current, content); },
      typing: (isTyping) => {
        const id = this.store.current;
        if (id && this.client?.isConnected) this.client.setTyping(id, isTyping).catch(() => undefined);
      },
    }, maxContentLength));
    byId("back").addEventListener("click", () => this.showList());
    setUpCreateForm(() => this.client!, () => this.store.me, async (conversation) => {
      this.store.putConversation(conversation);
      await this.refreshPresence().catch(() => undefined);
      await this.open(conversation.id);
    });
    document.addEventListener("visibilitychange", () => { if (this.store.current) void this.markRead(this.store.current); });
  }

  async start(userId: string, accessToken: string, protocol: Protocol): Promise<void> {
    this.store.me = userId;
    this.client = await ChatClient.connect({
      baseUrl: location.origin,
      accessToken,
      protocol,
      events: {
        onMessage: (message) => this.received(message),
        onMessageUpdated: (message) => {
          this.log.updated(message);
          if (this.store.updateMessage(message)) this.changed(message.conversationId, "update");
        },
        onReceipt: (receipt) => {
          this.store.applyReceipt(receipt);
          this.changed(receipt.conversationId, "update");
        },
        onTyping: (typing) => this.typing.apply(typing),
        onPresence: (presence) => {
          this.store.presence.set(presence.userId, presence.isOnline);
          this.renderList();
          this.renderHead();
        },
        onConversation: (conversation) => this.conversationChanged(conversation),
        onConversationRemoved: (id) => this.conversationRemoved(id),
        onState: (state) => this.onState(state),
        onResynced: (conversations) => void this.resynced(conversations),
      },
    });
    const conversations = this.client.conversations();
    conversations.forEach((c) => this.store.putConversation(c));
    this.renderList();
    await Promise.all([this.refreshPresence(), ...conversations.map((c) => this.loadPreview(c.id))]);
    this.renderList();
  }

  stop(): Promise<void> {
    return this.client?.stop() ?? Promise.resolve();
  }

  private async loadPreview(id: string): Promise<void> {
    for (const message of await this.client!.history(id, null, 1)) {
      this.store.addMessage(message);
      if (message.senderId !== this.store.me) this.delivery.received(id, message.sequence);
    }
  }

  // Coalesced: the SDK names every conversation at once after a (re)connect, and one GetPresence covers them all.
  private refreshPresence(): Promise<void> {
    this.presenceRefresh ??= Promise.resolve().then(async () => {
      this.presenceRefresh = null;
      if (!this.client) return;
      const everyone = new Set<string>();
      for (const c of this.store.conversations.values()) this.store.others(c).forEach((id) => everyone.add(id));
      for (const p of await this.client.presence([...everyone])) this.store.presence.set(p.userId, p.isOnline);
      this.renderList();
    });
    return this.presenceRefresh;
  }

  private received(message: MessageDto): void {
    const isNew = this.store.addMessage(message);
    this.typing.stop(message.conversationId, message.senderId);
    if (isNew) this.changed(message.conversationId, "update");
    if (message.senderId !== this.store.me) this.delivery.received(message.conversationId, message.sequence);
  }

  private conversationChanged(conversation: ConversationDto): void {
    // The answer to the user's own leave is the conversation without them.
    if (!conversation.memberIds.includes(this.store.me)) return this.conversationRemoved(conversation.id);
    this.store.putConversation(conversation);
    void this.refreshPresence().catch(() => undefined);
    this.renderList();
    if (conversation.id === this.store.current) this.renderHead();
  }

  private conversationRemoved(id: string): void {
    const wasOpen = this.store.current === id;
    this.store.removeConversation(id);
    this.delivery.forget(id);
    if (wasOpen) this.showList();
    this.renderList();
  }

  private async resynced(conversations: ConversationDto[]): Promise<void> {
    conversations.forEach((c) => this.store.putConversation(c));
    this.delivery.retry();
    await this.refreshPresence().catch(() => undefined);
    this.renderList();
    if (this.store.current) {
      this.messages.render(this.store.current, "update");
      await this.markRead(this.store.current);
    }
  }

  /** Redraws what shows a conversation after a change in it. */
  private changed(conversationId: string, reason: RenderReason): void {
    this.renderList();
    if (conversationId !== this.store.current) return;
    this.messages.render(conversationId, reason);
    this.renderTyping();
    if (reason === "update") void this.markRead(conversationId);
  }

  async open(id: string): Promise<void> {
    if (id !== this.store.current) this.log.left();
    this.store.current = id;
    byId("chat").dataset.view = "conversation";
    byId("conversation").hidden = false;
    byId("placeholder").hidden = true;
    this.renderHead();
    this.renderList();
    this.messages.render(id, "open");
    this.renderTyping();
    byId<HTMLTextAreaElement>("content").focus();
    const held = this.store.messagesOf(id).length;
    if (held < FIRST_PAGE && !this.store.historyComplete.has(id)) await this.loadOlder(id, FIRST_PAGE - held, "open");
    const receipts = await this.client!.receipts(id).catch(() => null);
    receipts?.forEach((r) => this.store.applyReceipt(r));
    if (this.store.current === id) this.messages.render(id, receipts ? "update" : "open");
    await this.markRead(id);
  }

  private showList(): void {
    this.log.left();
    this.store.current = null;
    byId("chat").dataset.view = "list";
    byId("conversation").hidden = true;
    byId("placeholder").hidden = false;
    this.messages.render(null, "open");
    this.renderList();
    this.renderHead();
  }

  private async loadOlder(id: string, limit = OLDER_PAGE, reason: RenderReason = "older"): Promise<void> {
    if (this.loadingOlder.has(id) || this.store.historyComplete.has(id)) return;
    this.loadingOlder.add(id);
    const state = byId("history-state");
    state.hidden = false;
    state.textContent = "Loading earlier messages…";
    try {
      const page = await this.client!.history(id, this.store.oldestSequence(id), limit);
      page.forEach((m) => this.store.addMessage(m));
      if (page.length < limit) this.store.historyComplete.add(id);
      if (this.store.current === id) this.messages.render(id, reason);
    } catch (error) {
      this.showError(`Could not load earlier messages: ${(error as Error).message}`);
    } finally {
      this.loadingOlder.delete(id);
      state.hidden = true;
    }
  }

  /** Marks what is on screen read, when it is; the receipt reaches the user's other tabs as ReadReceiptUpdated. */
  private async markRead(id: string): Promise<void> {
    const conversation = this.store.conversations.get(id);
    const newest = this.store.messagesOf(id).pop();
    const onScreen = document.visibilityState === "visible" && (!NARROW.matches || byId("chat").dataset.view === "conversation");
    if (!conversation || !newest || !onScreen || !this.client?.isConnected || id !== this.store.current) return;
    if (newest.sequence <= conversation.lastReadSequence || !this.messages.isAtBottom()) return;
    try {
      this.store.applyReceipt(await this.client.markRead(id, newest.sequence));
      this.renderList();
    } catch {
      // A receipt lost to a drop is sent again once the page has caught up after the reconnect.
    }
  }

  private renderList(): void {
    renderConversationList(byId("conversations"), this.store, (id) => void this.open(id).catch((e: Error) => this.showError(e.message)));
  }

  private renderHead(): void {
    this.head.render();
  }

  private renderTyping(): void {
    byId("typing").textContent = this.typing.describe(this.store.current);
  }
}
