// The wire contract's objects as the page uses them: the SDK's own types (@realtime/client), which the contract
// tests keep in step with src/Realtime.Contracts. The SDK hands every time over as an ISO 8601 string.
export type {
  ConversationDto, MemberDto, MessageDto, PresenceDto, ReactionDto, ReadReceiptDto, Timestamp as Time, TypingDto,
} from "@realtime/client";
