// The SDK's public face: connect, be handed every message once and in order, send with retries.
import type {
  ChatHub, ConversationDto, MessageDto, NotificationDto, PresenceDto, ProgressDto, ReadReceiptDto, TypingDto,
} from "./contract.js";
import { Emitter } from "./emitter.js";
import { HubLink, type ConnectionOptions } from "./link.js";
import { SyncEngine, type SyncOptions } from "./sync.js";
import type { OrderingMode, Position } from "./ordering.js";
import { delay, retryDelay } from "./backoff.js";
import { isRetryable } from "./errors.js";
import { normalize } from "./normalize.js";

/** connecting -> resyncing -> connected; on a loss: reconnecting -> resyncing -> connected; stop(): disconnected. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "resyncing" | "disconnected";

export interface RealtimeClientOptions extends ConnectionOptions, SyncOptions {
  /** How long send() keeps retrying (same clientMessageId) before it gives up. Default 120000 ms. */
  sendTimeoutMs?: number;
}

export interface RealtimeEvents {
  /** A message the application has not been handed before; per conversation in sequence order, each once. */
  message(message: MessageDto): void;
  /** A new state (edit, delete, reaction) of a message already handed, in revision order. */
  messageUpdated(message: MessageDto): void;
  /** A conversation of the user, newly joined or changed, as GetConversations lists it (also after a reconnect). */
  conversation(conversation: ConversationDto): void;
  /** The user is no longer a member; nothing more comes for it. */
  conversationRemoved(conversationId: string): void;
  state(state: ConnectionState, error?: unknown): void;
  readReceipt(receipt: ReadReceiptDto): void;
  typing(typing: TypingDto): void;
  presence(presence: PresenceDto): void;
  notification(notification: NotificationDto): void;
  progress(progress: ProgressDto): void;
}

export interface SendOptions {
  /** The idempotency key; generated when omitted. Retries reuse it, so a message is stored once. */
  clientMessageId?: string;
  /** Makes the message a reply (PostMessage, contract v2). */
  replyToMessageId?: string;
  signal?: AbortSignal;
}

export class RealtimeClient extends Emitter<RealtimeEvents> {
  /** Every hub method of the contract, typed; contract errors reject with RealtimeError. No retries. */
  readonly hub: ChatHub;
  private readonly link: HubLink;
  private readonly sync: SyncEngine;
  private readonly options: RealtimeClientOptions;
  private currentState: ConnectionState = "disconnected";

  constructor(options: RealtimeClientOptions) {
    super();
    this.options = options;
    this.link = new HubLink(options, {
      connected: () => this.resync(),
      lost: (error) => this.setState("reconnecting", error),
      attemptFailed: (error) => this.emit("state", this.currentState, error),
    });
    this.sync = new SyncEngine({ isConnected: () => this.link.isConnected, invoke: (m, ...a) => this.link.invoke(m, ...a) }, {
      deliver: (_, d) => (d.kind === "message" ? this.emit("message", d.message) : this.emit("messageUpdated", d.message)),
      conversationChanged: (c) => this.emit("conversation", c),
      conversationRemoved: (id) => this.emit("conversationRemoved", id),
    }, options);
    this.hub = new Proxy({} as ChatHub, {
      get: (_, method) => (typeof method === "string" ? (...args: unknown[]) => this.link.invoke(method, ...args) : undefined),
    });
    const connection = this.link.connection;
    connection.on("MessageReceived", (m: MessageDto) => this.sync.live(normalize(m), false));
    connection.on("MessageUpdated", (m: MessageDto) => this.sync.live(normalize(m), true));
    connection.on("ConversationUpdated", () => void this.sync.syncAll().catch(() => undefined));
    connection.on("ReadReceiptUpdated", (r: ReadReceiptDto) => this.emit("readReceipt", normalize(r)));
    connection.on("TypingChanged", (t: TypingDto) => this.emit("typing", normalize(t)));
    connection.on("PresenceChanged", (p: PresenceDto) => this.emit("presence", normalize(p)));
    connection.on("Notified", (n: NotificationDto) => this.emit("notification", normalize(n)));
    connection.on("ProgressChanged", (p: ProgressDto) => this.emit("progress", normalize(p)));
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** "revision" on a server that answers GetChanges (contract v2): edits, deletes and reactions are ordered too. */
  get orderingMode(): OrderingMode {
    return this.sync.orderingMode;
  }

  /** The conversations the user is a member of, as last listed or pushed. */
  get conversations(): ConversationDto[] {
    return this.sync.conversations();
  }

  /** Per conversation, what the application has been handed; pass it back as `positions` to resume. */
  positions(): Record<string, Position> {
    return this.sync.positions();
  }

  /** Connects (retrying for as long as it takes) and hands the application everything it has not seen. */
  async start(): Promise<void> {
    this.setState("connecting");
    await this.link.start();
  }

  async stop(): Promise<void> {
    await this.link.stop();
    this.setState("disconnected");
  }

  /**
   * Sends a message and resolves with it once it is durable. A lost connection or `unavailable` is retried
   * with the same clientMessageId until `sendTimeoutMs`, so the message is stored exactly once.
   */
  async send(conversationId: string, content: string, options: SendOptions = {}): Promise<MessageDto> {
    const clientMessageId = options.clientMessageId ?? newId();
    const deadline = AbortSignal.timeout(this.options.sendTimeoutMs ?? 120_000);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    for (let attempt = 0; ; attempt++) {
      await this.link.whenConnected(signal);
      try {
        return options.replyToMessageId === undefined
          ? await this.hub.SendMessage(conversationId, clientMessageId, content)
          : await this.hub.PostMessage(conversationId, { clientMessageId, content, replyToMessageId: options.replyToMessageId });
      } catch (error) {
        if (!isRetryable(error) || signal.aborted) throw error;
        await delay(retryDelay(attempt + 1, this.options.retry), signal);
      }
    }
  }

  private async resync(): Promise<void> {
    this.setState("resyncing");
    try {
      await this.sync.syncAll();
      this.setState("connected");
    } catch (error) {
      // The connection broke under the resync: the reconnect loop runs it again. Anything else is retried here.
      if (this.link.isConnected) {
        await delay(retryDelay(1, this.options.retry));
        if (this.link.isConnected) return this.resync();
      }
      this.emit("state", this.currentState, error);
    }
  }

  private setState(state: ConnectionState, error?: unknown): void {
    if (state === this.currentState && error === undefined) return;
    this.currentState = state;
    this.emit("state", state, error);
  }
}

function newId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return crypto?.randomUUID ? crypto.randomUUID().replaceAll("-", "") : `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 14)}`;
}
