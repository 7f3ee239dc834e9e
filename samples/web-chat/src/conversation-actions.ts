// The conversation calls of contract v2 behind the page's controls: the direct conversation with a user, members
// added and removed, roles, title and topic. Names are checked before they are sent, as when starting a
// conversation, and every answer is applied at once (the ConversationUpdated that follows changes nothing more).
import type { ChatClient } from "./chat-client.js";
import type { ConversationDto } from "./contract.js";
import { isValidUserId, USER_ID_RULE } from "./names.js";
import type { Role } from "./roles.js";

export class ConversationActions {
  constructor(
    private readonly client: () => ChatClient | null,
    private readonly me: () => string,
    private readonly applied: (conversation: ConversationDto) => void | Promise<void>,
    /** The user left: the answer is the conversation without them, which the page drops instead of showing. */
    private readonly left: (conversation: ConversationDto) => void | Promise<void>,
  ) {}

  /** The one direct conversation with `userId`; the server creates it on the first call from either side. */
  openDirect(userId: string): Promise<ConversationDto> {
    return this.run("OpenDirectConversation", userId);
  }

  async addMember(conversationId: string, typed: string): Promise<ConversationDto> {
    const userId = typed.trim();
    if (!isValidUserId(userId)) throw new Error(`Use ${USER_ID_RULE} for a name.`);
    if (userId === this.me()) throw new Error("You are already a member.");
    // The server knows a user from their presence only: a name nobody signed in with is almost surely a typo.
    const [presence] = await this.connected().presence([userId]);
    if (presence && !presence.isOnline && presence.lastSeenAt == null) throw new Error(`“${userId}” has never signed in here.`);
    return this.run("AddMember", conversationId, userId);
  }

  /** Removing oneself is leaving. */
  removeMember(conversationId: string, userId: string): Promise<ConversationDto> {
    return this.run("RemoveMember", conversationId, userId);
  }

  setRole(conversationId: string, userId: string, role: Exclude<Role, "owner">): Promise<ConversationDto> {
    return this.run("SetMemberRole", conversationId, userId, role);
  }

  /** A null title keeps the title (a direct conversation has none); an empty topic clears it. */
  async update(conversationId: string, title: string | null, topic: string): Promise<ConversationDto> {
    const trimmedTitle = title === null ? null : title.trim();
    if (trimmedTitle === "") throw new Error("Give the conversation a title.");
    return this.run("UpdateConversation", conversationId, trimmedTitle, topic.trim() || null);
  }

  private connected(): ChatClient {
    const client = this.client();
    if (!client?.isConnected) throw new Error("Not connected: try again once the page is back online.");
    return client;
  }

  private async run(method: string, ...args: unknown[]): Promise<ConversationDto> {
    let conversation: ConversationDto;
    try {
      conversation = await this.connected().call<ConversationDto>(method, ...args);
    } catch (error) {
      throw new Error(reasonOf(error));
    }
    await (conversation.memberIds.includes(this.me()) ? this.applied(conversation) : this.left(conversation));
    return conversation;
  }
}

/** The hub's refusals are "code: sentence"; people are shown the sentence. */
export function reasonOf(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const refusal = /^(?:HubException:\s*)?[a-z_]+:\s*(.+)$/s.exec(text);
  return refusal ? refusal[1]! : text;
}
