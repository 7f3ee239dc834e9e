// Reads back what live delivery missed: after a (re)connect every conversation that moved, and a single
// conversation whenever its live messages show a gap. No SignalR here: it talks to the hub through `Hub`.
import type { ConversationDto, MessageDto } from "./contract.js";
import { ConversationOrder, type Delivery, type OrderingMode, type Position } from "./ordering.js";
import { isMissingMethod, isRetryable } from "./errors.js";
import { delay, retryDelay, type RetryOptions } from "./backoff.js";

export interface SyncHub {
  isConnected(): boolean;
  invoke<T>(method: string, ...args: unknown[]): Promise<T>;
}

export interface SyncSink {
  deliver(conversationId: string, delivery: Delivery): void;
  conversationChanged(conversation: ConversationDto): void;
  conversationRemoved(conversationId: string): void;
}

export interface SyncOptions {
  /** Messages per GetMessages/GetChanges call. Default 200 (the server clamps it). */
  pageSize?: number;
  /** Conversations read back at the same time after a reconnect. Default 4. */
  concurrency?: number;
  /** Where to resume, e.g. positions saved from an earlier session. Default: every conversation from the start. */
  positions?: Record<string, Position>;
  retry?: RetryOptions;
}

export class SyncEngine {
  private readonly orders = new Map<string, ConversationOrder>();
  private readonly active = new Map<string, ConversationDto>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly rereadWanted = new Set<string>();
  private mode: OrderingMode = "sequence";
  private changesAnswered: boolean | undefined;
  private full: Promise<void> | undefined;
  private fullAgain = false;

  constructor(private readonly hub: SyncHub, private readonly sink: SyncSink, private readonly options: SyncOptions = {}) {
    for (const [id, position] of Object.entries(options.positions ?? {})) this.orders.set(id, new ConversationOrder(id, position));
  }

  /** "revision" once the server has answered GetChanges, "sequence" before that or on a server without it. */
  get orderingMode(): OrderingMode {
    return this.mode;
  }

  conversations(): ConversationDto[] {
    return [...this.active.values()];
  }

  positions(): Record<string, Position> {
    return Object.fromEntries([...this.orders].map(([id, order]) => [id, order.position]));
  }

  /** A live MessageReceived / MessageUpdated. */
  live(message: MessageDto, isUpdate: boolean): void {
    const order = this.orders.get(message.conversationId);
    if (!order || !this.active.has(message.conversationId)) {
      // A conversation this client does not know yet: the list says whether it is ours, and reads it from the start.
      void this.syncAll().catch(() => undefined);
      return;
    }
    this.hand(order, order.offerLive(message, isUpdate));
    if (order.hasGap) void this.read(order.conversationId);
  }

  /** Learns from GetConversations which conversations moved, then reads just those, concurrently; coalesced. */
  syncAll(): Promise<void> {
    if (this.full) {
      this.fullAgain = true;
      return this.full;
    }
    this.full = (async () => {
      try {
        do {
          this.fullAgain = false;
          await this.syncOnce();
        } while (this.fullAgain && this.hub.isConnected());
      } finally {
        this.full = undefined;
      }
    })();
    return this.full;
  }

  private async syncOnce(): Promise<void> {
    const list = await this.hub.invoke<ConversationDto[]>("GetConversations");
    if (this.changesAnswered === undefined && list.some((c) => typeof c.lastRevision === "number")) {
      await this.probeChanges(list.find((c) => typeof c.lastRevision === "number")!.id);
    }
    const seen = new Set<string>();
    const moved: string[] = [];
    for (const conversation of list) {
      seen.add(conversation.id);
      let order = this.orders.get(conversation.id);
      if (!order) this.orders.set(conversation.id, (order = new ConversationOrder(conversation.id, undefined, this.mode)));
      order.setMode(this.mode);
      const before = this.active.get(conversation.id);
      this.active.set(conversation.id, conversation);
      if (!before || JSON.stringify(before) !== JSON.stringify(conversation)) this.sink.conversationChanged(conversation);
      if (order.isBehind(conversation.lastSequence, conversation.lastRevision) || order.hasGap) moved.push(conversation.id);
    }
    for (const id of [...this.active.keys()]) {
      if (!seen.has(id)) {
        this.active.delete(id);
        this.sink.conversationRemoved(id);
      }
    }
    const workers = Math.max(1, this.options.concurrency ?? 4);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(workers, moved.length) }, async () => {
      while (next < moved.length) await this.read(moved[next++]!);
    }));
  }

  // The server answers GetChanges (v2) or says it has no such method (v1): sequences only, then.
  private async probeChanges(conversationId: string): Promise<void> {
    try {
      await this.hub.invoke<MessageDto[]>("GetChanges", conversationId, Number.MAX_SAFE_INTEGER, 1);
      this.changesAnswered = true;
      this.mode = "revision";
    } catch (error) {
      if (!isMissingMethod(error)) throw error;
      this.changesAnswered = false;
    }
  }

  /** Reads one conversation until its gap is filled; one read per conversation at a time, re-run if asked again. */
  private read(conversationId: string): Promise<void> {
    const running = this.reading.get(conversationId);
    if (running) {
      this.rereadWanted.add(conversationId);
      return running;
    }
    const work = (async () => {
      try {
        for (let round = 0; ; round++) {
          // A gap that outlives a complete read is a change still on its way; give it a moment before reading again.
          if (round > 0 && !this.rereadWanted.has(conversationId)) await delay(retryDelay(round, this.options.retry));
          this.rereadWanted.delete(conversationId);
          if (!this.active.has(conversationId) || !this.hub.isConnected()) break;
          await this.readOnce(conversationId);
          if (!(this.rereadWanted.has(conversationId) || this.orders.get(conversationId)?.hasGap)) break;
        }
      } finally {
        this.reading.delete(conversationId);
      }
    })();
    this.reading.set(conversationId, work);
    // A read that fails because the connection went away is redone by the resync after the reconnect.
    work.catch(() => undefined);
    return work;
  }

  private async readOnce(conversationId: string): Promise<void> {
    const order = this.orders.get(conversationId);
    if (!order || !this.active.has(conversationId)) return;
    const limit = this.options.pageSize ?? 200;
    for (let attempt = 0; ; attempt++) {
      try {
        if (order.orderingMode === "revision") {
          const changes: MessageDto[] = [];
          for (let after = order.readFrom(); ;) {
            const page = await this.hub.invoke<MessageDto[]>("GetChanges", conversationId, after, limit);
            changes.push(...page);
            if (page.length < limit) break;
            after = page[page.length - 1]!.revision;
          }
          this.hand(order, order.applyChanges(changes));
        } else {
          for (;;) {
            const page = await this.hub.invoke<MessageDto[]>("GetMessages", conversationId, order.readFrom(), limit);
            this.hand(order, order.applyMessages(page));
            if (page.length < limit) break;
          }
        }
        order.readDone();
        return;
      } catch (error) {
        if (!isRetryable(error) || !this.hub.isConnected()) throw error;
        await delay(retryDelay(attempt + 1, this.options.retry));
      }
    }
  }

  private hand(order: ConversationOrder, deliveries: Delivery[]): void {
    for (const delivery of deliveries) this.sink.deliver(order.conversationId, delivery);
  }
}
