// What the page knows: conversations, their messages by sequence, the sends not yet acknowledged, receipts,
// presence and typing. It holds no DOM and no connection, so it can be reasoned about alone.
import type { ConversationDto, MessageDto, ReadReceiptDto } from "./contract.js";
import { toDate } from "./format.js";
import { ReceiptBook } from "./receipts.js";

export type SendStatus = "pending" | "failed";

/** A message the user sent that the server has not acknowledged (yet, or at all). */
export interface OutgoingMessage {
  conversationId: string;
  clientMessageId: string;
  content: string;
  replyToMessageId: string | null;
  createdAt: Date;
  status: SendStatus;
  error?: string;
}

export class Store {
  me = "";
  current: string | null = null;
  readonly conversations = new Map<string, ConversationDto>();
  private readonly messages = new Map<string, Map<number, MessageDto>>();
  private readonly outgoing = new Map<string, OutgoingMessage[]>();
  private readonly readers = new Map<string, Map<string, number>>();
  readonly presence = new Map<string, boolean>();
  /** Read and delivered watermarks of every member, for the ticks under the user's own messages. */
  readonly receipts = new ReceiptBook();
  /** Conversations whose first message is loaded, so scrolling up has nothing more to fetch. */
  readonly historyComplete = new Set<string>();

  putConversation(conversation: ConversationDto): void {
    const known = this.conversations.get(conversation.id);
    // ConversationUpdated carries the caller's view as of the change; what arrived since stays counted.
    if (known) {
      conversation.lastSequence = Math.max(conversation.lastSequence, known.lastSequence);
      conversation.lastReadSequence = Math.max(conversation.lastReadSequence, known.lastReadSequence);
      conversation.lastDeliveredSequence = Math.max(conversation.lastDeliveredSequence ?? 0, known.lastDeliveredSequence ?? 0);
    } else {
      // A new conversation's first messages can overtake the ConversationUpdated that announces it (they travel on
      // another channel): what the page already holds past the server's view is counted as addMessage would have.
      for (const message of this.messagesOf(conversation.id)) {
        if (message.sequence <= conversation.lastSequence) continue;
        conversation.lastSequence = message.sequence;
        if (message.senderId !== this.me && message.sequence > conversation.lastReadSequence) conversation.unreadCount += 1;
      }
    }
    this.conversations.set(conversation.id, conversation);
  }

  removeConversation(id: string): void {
    this.conversations.delete(id);
    if (this.current === id) this.current = null;
  }

  messagesOf(conversationId: string): MessageDto[] {
    return [...(this.messages.get(conversationId)?.values() ?? [])].sort((a, b) => a.sequence - b.sequence);
  }

  oldestSequence(conversationId: string): number | null {
    const held = this.messages.get(conversationId);
    return held && held.size > 0 ? Math.min(...held.keys()) : null;
  }

  lastMessage(conversationId: string): MessageDto | OutgoingMessage | undefined {
    const pending = this.outgoing.get(conversationId);
    if (pending && pending.length > 0) return pending[pending.length - 1];
    const held = this.messages.get(conversationId);
    if (!held || held.size === 0) return undefined;
    return held.get(Math.max(...held.keys()));
  }

  /**
   * Stores a message once per sequence; true when it is new. Its send, if this page made it, is done. A copy
   * that arrives by another way (history, the send's answer) replaces the held one only when it is not older.
   */
  addMessage(message: MessageDto): boolean {
    let held = this.messages.get(message.conversationId);
    if (!held) this.messages.set(message.conversationId, (held = new Map()));
    const known = held.get(message.sequence);
    const isNew = known === undefined;
    if (isNew || (message.revision ?? 0) >= (known.revision ?? 0)) held.set(message.sequence, message);
    if (message.sequence <= 1) this.historyComplete.add(message.conversationId);
    if (message.senderId === this.me) this.dropOutgoing(message.conversationId, message.clientMessageId);
    const conversation = this.conversations.get(message.conversationId);
    // Only what is past the conversation's last sequence is news: older messages are already in its unread count.
    if (conversation && isNew && message.sequence > conversation.lastSequence) {
      conversation.lastSequence = message.sequence;
      if (message.senderId !== this.me && message.sequence > conversation.lastReadSequence) conversation.unreadCount += 1;
    }
    return isNew;
  }

  /** A message's new state (edit, delete, reaction); one the page has not loaded comes with its history later. */
  updateMessage(message: MessageDto): boolean {
    const held = this.messages.get(message.conversationId);
    const known = held?.get(message.sequence);
    if (!held || !known || message.revision < known.revision) return false;
    held.set(message.sequence, message);
    return true;
  }

  messageById(conversationId: string, messageId: string): MessageDto | undefined {
    for (const message of this.messages.get(conversationId)?.values() ?? []) if (message.id === messageId) return message;
    return undefined;
  }

  /** The caller's role in a conversation: owners and admins may delete anyone's message. */
  roleOf(conversationId: string): string {
    return this.conversations.get(conversationId)?.members?.find((m) => m.userId === this.me)?.role ?? "member";
  }

  outgoingOf(conversationId: string): OutgoingMessage[] {
    return this.outgoing.get(conversationId) ?? [];
  }

  addOutgoing(message: OutgoingMessage): void {
    const list = this.outgoing.get(message.conversationId) ?? [];
    list.push(message);
    this.outgoing.set(message.conversationId, list);
  }

  findOutgoing(conversationId: string, clientMessageId: string): OutgoingMessage | undefined {
    return this.outgoingOf(conversationId).find((m) => m.clientMessageId === clientMessageId);
  }

  private dropOutgoing(conversationId: string, clientMessageId: string): void {
    const list = this.outgoing.get(conversationId);
    if (list) this.outgoing.set(conversationId, list.filter((m) => m.clientMessageId !== clientMessageId));
  }

  /** A receipt from anyone; the caller's own (from any of their tabs) moves their read state. */
  applyReceipt(receipt: ReadReceiptDto): void {
    this.receipts.apply(receipt);
    let readers = this.readers.get(receipt.conversationId);
    if (!readers) this.readers.set(receipt.conversationId, (readers = new Map()));
    readers.set(receipt.userId, Math.max(readers.get(receipt.userId) ?? 0, receipt.lastReadSequence));
    const conversation = this.conversations.get(receipt.conversationId);
    if (conversation && receipt.userId === this.me) this.markReadLocally(conversation, receipt.lastReadSequence);
  }

  private markReadLocally(conversation: ConversationDto, sequence: number): void {
    // Only a read that moves on changes the count: the user's delivery receipts repeat the read watermark as it is.
    if (sequence <= conversation.lastReadSequence) return;
    conversation.lastReadSequence = sequence;
    conversation.unreadCount = sequence >= conversation.lastSequence
      ? 0
      : this.messagesOf(conversation.id).filter((m) => m.sequence > sequence && m.senderId !== this.me).length;
  }

  /** The members other than the caller who have read up to each sequence: the "seen by" of that message. */
  seenBy(conversationId: string): Map<number, string[]> {
    const held = this.messagesOf(conversationId);
    const seen = new Map<number, string[]>();
    for (const [userId, read] of this.readers.get(conversationId) ?? []) {
      if (userId === this.me) continue;
      // Their mark goes under the newest message of someone else's that they have read, unless they wrote after
      // it: a reply says they saw it.
      const at = held.filter((m) => m.sequence <= read && m.senderId !== userId).pop();
      if (!at || held.some((m) => m.senderId === userId && m.sequence > at.sequence)) continue;
      seen.set(at.sequence, [...(seen.get(at.sequence) ?? []), userId]);
    }
    return seen;
  }

  /** Most recent activity first: the last message, or the creation of a conversation with none. */
  conversationsByActivity(): ConversationDto[] {
    const activity = (c: ConversationDto) => {
      const last = this.lastMessage(c.id);
      return toDate(last ? ("sentAt" in last ? last.sentAt : last.createdAt) : c.createdAt).getTime();
    };
    return [...this.conversations.values()].sort((a, b) => activity(b) - activity(a));
  }

  others(conversation: ConversationDto): string[] {
    return conversation.memberIds.filter((id) => id !== this.me);
  }
}
