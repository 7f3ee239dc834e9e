// Starting a conversation: the members are checked against the server's rule for names, the caller is never
// their own only member, and everyone named must have signed in at least once (the server knows a user only
// from their presence: GetPresence answers lastSeenAt null for a name nobody has used).
import type { ChatClient } from "./chat-client.js";
import type { ConversationDto } from "./contract.js";
import { byId } from "./dom.js";
import { isValidUserId, parseMemberList, USER_ID_RULE } from "./names.js";

export const TITLE_MAX_LENGTH = 200;

export async function createConversation(client: ChatClient, me: string, title: string, membersText: string): Promise<ConversationDto> {
  const names = parseMemberList(membersText);
  const invalid = names.filter((name) => !isValidUserId(name));
  if (invalid.length > 0) throw new Error(`${quoteAll(invalid)} ${invalid.length === 1 ? "is not a valid name" : "are not valid names"}: use ${USER_ID_RULE}.`);
  const others = names.filter((name) => name !== me);
  if (others.length === 0) throw new Error("Add at least one person other than yourself.");
  const unknown = (await client.presence(others)).filter((p) => !p.isOnline && p.lastSeenAt == null).map((p) => p.userId);
  if (unknown.length > 0) throw new Error(`${quoteAll(unknown)} ${unknown.length === 1 ? "has" : "have"} never signed in here.`);
  const trimmed = title.trim() || others.join(", ");
  return client.createConversation(trimmed, others);
}

function quoteAll(names: string[]): string {
  return names.map((name) => `“${name}”`).join(", ");
}

/** The sidebar's "New" form: checks and creates the conversation, says why when it cannot, and hands it on. */
export function setUpCreateForm(client: () => ChatClient, me: () => string, created: (conversation: ConversationDto) => Promise<void>): void {
  const form = byId<HTMLFormElement>("create-form");
  const error = byId("create-error");
  const title = byId<HTMLInputElement>("new-title");
  const members = byId<HTMLInputElement>("new-members");
  const toggle = (show: boolean) => {
    form.hidden = !show;
    error.hidden = true;
    error.textContent = "";
    if (show) members.focus();
  };
  byId("new-conversation").addEventListener("click", () => toggle(true));
  byId("cancel-create").addEventListener("click", () => toggle(false));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    error.textContent = "";
    try {
      const conversation = await createConversation(client(), me(), title.value, members.value);
      title.value = "";
      members.value = "";
      toggle(false);
      await created(conversation);
    } catch (failure) {
      error.textContent = String((failure as Error).message).replace(/^[a-z_]+:\s*/, "");
      error.hidden = false;
    }
  });
}
