// The wire contract's objects as the page uses them (docs/contract.md). Under MessagePack times arrive as Date,
// under JSON as ISO strings, so every time is read through toDate in format.ts.
export type Time = string | Date;

export interface ConversationDto {
  id: string;
  title: string;
  memberIds: string[];
  createdAt: Time;
  lastSequence: number;
  lastReadSequence: number;
  unreadCount: number;
  /** Contract v2: a "direct" conversation is the one of a pair of users; its title is "". */
  kind: "group" | "direct";
  topic: string | null;
  members: MemberDto[];
}

export interface MemberDto {
  userId: string;
  role: "owner" | "admin" | "member";
}

export interface MessageDto {
  id: string;
  conversationId: string;
  sequence: number;
  senderId: string;
  clientMessageId: string;
  content: string;
  sentAt: Time;
}

export interface ReadReceiptDto {
  conversationId: string;
  userId: string;
  lastReadSequence: number;
  readAt: Time;
  /** Contract v2: the member's devices have the messages up to here (never below lastReadSequence). */
  lastDeliveredSequence: number;
}

export interface TypingDto {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}

export interface PresenceDto {
  userId: string;
  isOnline: boolean;
  lastSeenAt: Time | null;
}
