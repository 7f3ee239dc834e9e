// Who may do what in a conversation, as the server rules it (DESIGN.md §6): the page only offers a control the
// server would accept, and the server still checks every call. Direct conversations have no member management.
import type { ConversationDto, MemberDto } from "./contract.js";

export type Role = MemberDto["role"];

export function isDirect(conversation: ConversationDto): boolean {
  return conversation.kind === "direct";
}

export function roleOf(conversation: ConversationDto, userId: string): Role | null {
  return conversation.members?.find((m) => m.userId === userId)?.role ?? null;
}

/** Owners and admins of a group add and remove members and rename it. */
export function canManage(conversation: ConversationDto, me: string): boolean {
  const role = roleOf(conversation, me);
  return !isDirect(conversation) && (role === "owner" || role === "admin");
}

/** Either member of a direct conversation may update it (its title stays "", so only the topic shows). */
export function canEditDetails(conversation: ConversationDto, me: string): boolean {
  return isDirect(conversation) ? roleOf(conversation, me) !== null : canManage(conversation, me);
}

/** Nobody removes the owner; leaving is a separate control. */
export function canRemove(conversation: ConversationDto, me: string, userId: string): boolean {
  return userId !== me && canManage(conversation, me) && roleOf(conversation, userId) !== "owner";
}

/** Only the owner makes admins and takes it back, and not from themself. */
export function canSetRole(conversation: ConversationDto, me: string, userId: string): boolean {
  return !isDirect(conversation) && userId !== me && roleOf(conversation, me) === "owner" && roleOf(conversation, userId) !== null;
}

export function canLeave(conversation: ConversationDto, me: string): boolean {
  return !isDirect(conversation) && roleOf(conversation, me) !== null;
}

/** A direct conversation is named after the other user; a group by its title, or its members when it has none. */
export function displayName(conversation: ConversationDto, me: string): string {
  const others = conversation.memberIds.filter((id) => id !== me);
  if (isDirect(conversation)) return others[0] ?? me;
  return conversation.title || others.join(", ");
}
