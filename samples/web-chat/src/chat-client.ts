// The page's only link to the hub: the connection, reconnecting, and catching up on what a drop or a gap
// missed. Everything else in the page talks to this narrow interface, so the repository's TypeScript SDK
// can take its place without the rest changing.
import type { HubConnection } from "@microsoft/signalr";
import type { ConversationDto, MessageDto, PresenceDto, ReadReceiptDto, TypingDto } from "./contract.js";

export type Protocol = "json" | "messagepack";
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

export interface ChatEvents {
  /** A message, live or caught up after a gap or a reconnect; the same one may come twice, so key it by sequence. */
  onMessage(message: MessageDto): void;
  onReceipt(receipt: ReadReceiptDto): void;
  onTyping(typing: TypingDto): void;
  onPresence(presence: PresenceDto): void;
  onConversation(conversation: ConversationDto): void;
  onState(state: ConnectionState): void;
  /** After a reconnect: the conversations as they are now, once every missed message went through onMessage. */
  onResynced(conversations: ConversationDto[]): void;
}

export interface ChatClientOptions {
  baseUrl: string;
  accessToken: string;
  protocol: Protocol;
  events: ChatEvents;
}

const RECONNECT_DELAYS_MS = [0, 500, 1000, 2000, 2000, 5000, 5000, 10000, 10000, 30000];
const CATCH_UP_PAGE = 200;

export class ChatClient {
  /** Per conversation, the highest sequence received with nothing missing before it since the page started. */
  private readonly contiguous = new Map<string, number>();
  private readonly catchingUp = new Map<string, Promise<void>>();
  private receiptsOffered = true;

  private constructor(private readonly connection: HubConnection, private readonly events: ChatEvents) {}

  static async connect(options: ChatClientOptions): Promise<ChatClient> {
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(`${options.baseUrl}/hubs/chat`, { accessTokenFactory: () => options.accessToken })
      .withAutomaticReconnect(RECONNECT_DELAYS_MS)
      // The page shows the connection's state itself; the client's own console lines would only repeat it.
      .configureLogging(signalR.LogLevel.None);
    if (options.protocol === "messagepack") {
      builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
    }
    const client = new ChatClient(builder.build(), options.events);
    client.listen();
    options.events.onState("connecting");
    await client.connection.start();
    options.events.onState("connected");
    return client;
  }

  get isConnected(): boolean {
    return this.connection.state === signalR.HubConnectionState.Connected;
  }

  /** The caller's conversations; from here on every one of them is followed for gaps. */
  async conversations(): Promise<ConversationDto[]> {
    const conversations = await this.connection.invoke<ConversationDto[]>("GetConversations");
    conversations.forEach((c) => this.follow(c));
    return conversations;
  }

  async createConversation(title: string, memberIds: string[]): Promise<ConversationDto> {
    const conversation = await this.connection.invoke<ConversationDto>("CreateConversation", title, memberIds);
    this.follow(conversation);
    return conversation;
  }

  /** Up to `limit` messages just before `beforeSequence` (null: the newest), ascending. */
  history(conversationId: string, beforeSequence: number | null, limit: number): Promise<MessageDto[]> {
    return this.connection.invoke<MessageDto[]>("GetHistory", conversationId, beforeSequence, limit);
  }

  /** Sending again with the same clientMessageId returns the first message and is never delivered twice. */
  async send(conversationId: string, clientMessageId: string, content: string): Promise<MessageDto> {
    const message = await this.connection.invoke<MessageDto>("SendMessage", conversationId, clientMessageId, content);
    this.received(message);
    return message;
  }

  markRead(conversationId: string, sequence: number): Promise<ReadReceiptDto> {
    return this.connection.invoke<ReadReceiptDto>("MarkRead", conversationId, sequence);
  }

  setTyping(conversationId: string, isTyping: boolean): Promise<void> {
    return this.connection.invoke("SetTyping", conversationId, isTyping);
  }

  presence(userIds: string[]): Promise<PresenceDto[]> {
    return userIds.length === 0 ? Promise.resolve([]) : this.connection.invoke<PresenceDto[]>("GetPresence", userIds);
  }

  /** Every member's read watermark (contract v2's GetReceipts); null from a server that does not offer it yet. */
  async receipts(conversationId: string): Promise<ReadReceiptDto[] | null> {
    if (!this.receiptsOffered) return null;
    try {
      return await this.connection.invoke<ReadReceiptDto[]>("GetReceipts", conversationId);
    } catch (error) {
      // The server answers "not_found: No such hub method." for a call it does not have.
      if (!/no such hub method|method does not exist/i.test(String((error as Error).message))) throw error;
      this.receiptsOffered = false;
      return null;
    }
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }

  /** Any other hub method of the contract, by its wire name: calls whose answers need no catching up afterwards. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.connection.invoke<T>(method, ...args);
  }

  private listen(): void {
    const { connection, events } = this;
    connection.on("MessageReceived", (message: MessageDto) => this.received(message));
    connection.on("ReadReceiptUpdated", (receipt: ReadReceiptDto) => events.onReceipt(receipt));
    connection.on("TypingChanged", (typing: TypingDto) => events.onTyping(typing));
    connection.on("PresenceChanged", (presence: PresenceDto) => events.onPresence(presence));
    connection.on("ConversationUpdated", (conversation: ConversationDto) => {
      this.follow(conversation);
      events.onConversation(conversation);
    });
    connection.onreconnecting(() => events.onState("reconnecting"));
    connection.onreconnected(() => {
      events.onState("connected");
      this.resync().catch(() => events.onState(this.isConnected ? "connected" : "reconnecting"));
    });
    connection.onclose(() => events.onState("disconnected"));
  }

  private follow(conversation: ConversationDto): void {
    if (!this.contiguous.has(conversation.id)) this.contiguous.set(conversation.id, conversation.lastSequence);
  }

  private received(message: MessageDto): void {
    const last = this.contiguous.get(message.conversationId);
    this.events.onMessage(message);
    if (last === undefined || message.sequence === last + 1) {
      this.contiguous.set(message.conversationId, Math.max(last ?? 0, message.sequence));
    } else if (message.sequence > last + 1) {
      void this.catchUp(message.conversationId);
    }
  }

  /** Fetches what came after the last contiguous sequence; one fetch at a time per conversation. */
  private catchUp(conversationId: string): Promise<void> {
    const previous = this.catchingUp.get(conversationId) ?? Promise.resolve();
    const next = previous.then(() => this.fetchAfter(conversationId)).catch(() => undefined);
    this.catchingUp.set(conversationId, next);
    return next;
  }

  private async fetchAfter(conversationId: string): Promise<void> {
    for (;;) {
      const after = this.contiguous.get(conversationId) ?? 0;
      const page = await this.connection.invoke<MessageDto[]>("GetMessages", conversationId, after, CATCH_UP_PAGE);
      page.forEach((message) => this.received(message));
      if (page.length < CATCH_UP_PAGE) return;
    }
  }

  private async resync(): Promise<void> {
    const conversations = await this.connection.invoke<ConversationDto[]>("GetConversations");
    const missed = conversations.filter((c) => this.contiguous.has(c.id) && c.lastSequence > this.contiguous.get(c.id)!);
    conversations.forEach((c) => this.follow(c));
    await Promise.all(missed.map((c) => this.catchUp(c.id)));
    this.events.onResynced(conversations);
  }
}
