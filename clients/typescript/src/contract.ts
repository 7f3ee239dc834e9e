// The wire contract (shared/DESIGN.md §4 v1, §6 v2), field for field and method for method as in
// src/Realtime.Contracts. tests/Realtime.Tests/Contracts/TypeScriptContractTests.cs reads this file
// and fails when a DTO field, hub method or callback exists on one side only, so keep one member per
// line in the form `name: type;` / `Name(parameter: type, ...): Promise<type>;`.

/** An ISO 8601 UTC time. The SDK turns MessagePack timestamps into the same strings JSON carries. */
export type Timestamp = string;

export interface ConversationDto {
  id: string;
  title: string;
  memberIds: string[];
  createdAt: Timestamp;
  lastSequence: number;
  lastReadSequence: number;
  unreadCount: number;
  kind: "group" | "direct";
  topic: string | null;
  lastRevision: number;
  members: MemberDto[];
  lastDeliveredSequence: number;
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
  sentAt: Timestamp;
  revision: number;
  editedAt: Timestamp | null;
  deletedAt: Timestamp | null;
  replyToMessageId: string | null;
  reactions: ReactionDto[];
}

export interface ReactionDto {
  emoji: string;
  userIds: string[];
}

export interface NewMessageDto {
  clientMessageId: string;
  content: string;
  replyToMessageId: string | null;
}

export interface ReadReceiptDto {
  conversationId: string;
  userId: string;
  lastReadSequence: number;
  readAt: Timestamp;
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
  lastSeenAt: Timestamp | null;
}

export interface NotificationDto {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, string> | null;
  createdAt: Timestamp;
}

export interface ProgressDto {
  operationId: string;
  percent: number;
  status: string;
  message: string | null;
}

/** Client-to-server calls; the method names are the wire names. */
export interface ChatHub {
  CreateConversation(title: string, memberIds: string[]): Promise<ConversationDto>;
  AddMember(conversationId: string, userId: string): Promise<ConversationDto>;
  RemoveMember(conversationId: string, userId: string): Promise<ConversationDto>;
  GetConversations(): Promise<ConversationDto[]>;
  SendMessage(conversationId: string, clientMessageId: string, content: string): Promise<MessageDto>;
  GetMessages(conversationId: string, afterSequence: number, limit: number): Promise<MessageDto[]>;
  GetHistory(conversationId: string, beforeSequence: number | null, limit: number): Promise<MessageDto[]>;
  MarkRead(conversationId: string, sequence: number): Promise<ReadReceiptDto>;
  SetTyping(conversationId: string, isTyping: boolean): Promise<void>;
  GetPresence(userIds: string[]): Promise<PresenceDto[]>;
  PostMessage(conversationId: string, message: NewMessageDto): Promise<MessageDto>;
  EditMessage(conversationId: string, messageId: string, content: string): Promise<MessageDto>;
  DeleteMessage(conversationId: string, messageId: string): Promise<MessageDto>;
  React(conversationId: string, messageId: string, emoji: string, add: boolean): Promise<MessageDto>;
  GetChanges(conversationId: string, afterRevision: number, limit: number): Promise<MessageDto[]>;
  OpenDirectConversation(userId: string): Promise<ConversationDto>;
  UpdateConversation(conversationId: string, title: string | null, topic: string | null): Promise<ConversationDto>;
  SetMemberRole(conversationId: string, userId: string, role: string): Promise<ConversationDto>;
  MarkDelivered(conversationId: string, sequence: number): Promise<ReadReceiptDto>;
  GetReceipts(conversationId: string): Promise<ReadReceiptDto[]>;
}

/** Server-to-client calls; the method names are the wire names. */
export interface ChatClient {
  MessageReceived(message: MessageDto): void;
  ReadReceiptUpdated(receipt: ReadReceiptDto): void;
  TypingChanged(typing: TypingDto): void;
  PresenceChanged(presence: PresenceDto): void;
  ConversationUpdated(conversation: ConversationDto): void;
  Notified(notification: NotificationDto): void;
  ProgressChanged(progress: ProgressDto): void;
  MessageUpdated(message: MessageDto): void;
}

/** The stable codes that start every hub error message. */
export type ErrorCode =
  | "invalid_argument"
  | "not_found"
  | "not_a_member"
  | "forbidden"
  | "rate_limited"
  | "payload_too_large"
  | "unavailable";

export const hubPath = "/hubs/chat";
