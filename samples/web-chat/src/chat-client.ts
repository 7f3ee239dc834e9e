// The page's only link to the hub, through the repository's TypeScript SDK (@realtime/client): it connects,
// reconnects for as long as it takes, and hands the page every message and every change to one (edit, delete,
// reaction) once and in revision order, reading back with GetChanges whatever a drop or a gap missed. This
// module only adapts the SDK's events to the page's and gives the page the few calls it makes.
import { RealtimeClient, type ConnectionState, type Position } from "@realtime/client";
import type { ConversationDto, MessageDto, PresenceDto, ReadReceiptDto, TypingDto } from "./contract.js";

export type Protocol = "json" | "messagepack";
export type { ConnectionState };

export interface ChatEvents {
  /** A message the page has not been handed before, in sequence order per conversation. */
  onMessage(message: MessageDto): void;
  /** A message in its new state after an edit, a delete or a reaction. */
  onMessageUpdated(message: MessageDto): void;
  onReceipt(receipt: ReadReceiptDto): void;
  onTyping(typing: TypingDto): void;
  onPresence(presence: PresenceDto): void;
  /** A conversation of the user, new or changed (title, members, roles). */
  onConversation(conversation: ConversationDto): void;
  /** The user left or was removed: nothing more comes for it. */
  onConversationRemoved(conversationId: string): void;
  onState(state: ConnectionState): void;
  /** After a reconnect, once every missed message and change went through the events above. */
  onResynced(conversations: ConversationDto[]): void;
}

export interface ChatClientOptions {
  baseUrl: string;
  accessToken: string;
  protocol: Protocol;
  events: ChatEvents;
}

// The page loads a conversation's history on demand (GetHistory), so the SDK starts at each conversation's
// current end instead of reading every conversation from its first message; what moves after this, even
// before the hub connection is up, is still read back by the SDK.
async function currentPositions(baseUrl: string, accessToken: string): Promise<Record<string, Position>> {
  const response = await fetch(`${baseUrl}/api/conversations`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!response.ok) throw new Error(`The server refused the session (${response.status}).`);
  const conversations = (await response.json()) as ConversationDto[];
  return Object.fromEntries(conversations.map((c) => [c.id, { sequence: c.lastSequence, revision: c.lastRevision ?? 0 }]));
}

export class ChatClient {
  private constructor(private readonly sdk: RealtimeClient) {}

  static async connect(options: ChatClientOptions): Promise<ChatClient> {
    const { events } = options;
    const sdk = new RealtimeClient({
      url: options.baseUrl,
      protocol: options.protocol,
      accessToken: () => options.accessToken,
      positions: await currentPositions(options.baseUrl, options.accessToken),
      retry: { initialDelayMs: 250, maxDelayMs: 5000 },
    });
    let reconnecting = false;
    sdk.on("message", (m) => events.onMessage(m));
    sdk.on("messageUpdated", (m) => events.onMessageUpdated(m));
    sdk.on("readReceipt", (r) => events.onReceipt(r));
    sdk.on("typing", (t) => events.onTyping(t));
    sdk.on("presence", (p) => events.onPresence(p));
    sdk.on("conversation", (c) => events.onConversation(c));
    sdk.on("conversationRemoved", (id) => events.onConversationRemoved(id));
    sdk.on("state", (state) => {
      events.onState(state);
      if (state === "reconnecting") reconnecting = true;
      if (state === "connected" && reconnecting) {
        reconnecting = false;
        events.onResynced(sdk.conversations);
      }
    });
    await sdk.start();
    return new ChatClient(sdk);
  }

  get isConnected(): boolean {
    return this.sdk.state === "connected" || this.sdk.state === "resyncing";
  }

  /** The conversations the user is a member of, as the SDK last listed them. */
  conversations(): ConversationDto[] {
    return this.sdk.conversations;
  }

  createConversation(title: string, memberIds: string[]): Promise<ConversationDto> {
    return this.sdk.hub.CreateConversation(title, memberIds);
  }

  /** Up to `limit` messages just before `beforeSequence` (null: the newest), ascending, in their current state. */
  history(conversationId: string, beforeSequence: number | null, limit: number): Promise<MessageDto[]> {
    return this.sdk.hub.GetHistory(conversationId, beforeSequence, limit);
  }

  /**
   * One attempt, no retry: the outbox shows a send cut off by a drop as failed and retries it itself with the
   * same clientMessageId, so a send that did reach the server comes back as the same message.
   */
  send(conversationId: string, clientMessageId: string, content: string, replyToMessageId: string | null = null): Promise<MessageDto> {
    return replyToMessageId === null
      ? this.sdk.hub.SendMessage(conversationId, clientMessageId, content)
      : this.sdk.hub.PostMessage(conversationId, { clientMessageId, content, replyToMessageId });
  }

  edit(conversationId: string, messageId: string, content: string): Promise<MessageDto> {
    return this.sdk.hub.EditMessage(conversationId, messageId, content);
  }

  remove(conversationId: string, messageId: string): Promise<MessageDto> {
    return this.sdk.hub.DeleteMessage(conversationId, messageId);
  }

  react(conversationId: string, messageId: string, emoji: string, add: boolean): Promise<MessageDto> {
    return this.sdk.hub.React(conversationId, messageId, emoji, add);
  }

  markRead(conversationId: string, sequence: number): Promise<ReadReceiptDto> {
    return this.sdk.hub.MarkRead(conversationId, sequence);
  }

  setTyping(conversationId: string, isTyping: boolean): Promise<void> {
    return this.sdk.hub.SetTyping(conversationId, isTyping);
  }

  presence(userIds: string[]): Promise<PresenceDto[]> {
    return userIds.length === 0 ? Promise.resolve([]) : this.sdk.hub.GetPresence(userIds);
  }

  /** Every member's read watermark, so "seen by" survives a reload. */
  receipts(conversationId: string): Promise<ReadReceiptDto[]> {
    return this.sdk.hub.GetReceipts(conversationId);
  }

  /** Any other hub method of the contract, by its wire name (the SDK types and decodes every one). */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return (this.sdk.hub as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[method]!(...args);
  }

  stop(): Promise<void> {
    return this.sdk.stop();
  }
}
