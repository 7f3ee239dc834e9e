// Changing a message that is already sent: edit, delete, react. Each answer is the message in its new state and is
// shown at once; the same change also reaches every other page (and this one again) as MessageUpdated, in
// revision order, through the SDK, and the store keeps whichever copy is newest.
import { RealtimeError } from "@realtime/client";
import type { ChatClient } from "./chat-client.js";
import type { MessageDto } from "./contract.js";
import type { Store } from "./store.js";

export class MessageCommands {
  constructor(
    private readonly store: Store,
    private readonly client: () => ChatClient | null,
    private readonly changed: (conversationId: string) => void,
    private readonly showError: (message: string | null) => void,
  ) {}

  edit(message: MessageDto, content: string): Promise<boolean> {
    if (content === message.content) return Promise.resolve(true);
    return this.run("Could not edit the message", (client) => client.edit(message.conversationId, message.id, content));
  }

  remove(message: MessageDto): Promise<boolean> {
    return this.run("Could not delete the message", (client) => client.remove(message.conversationId, message.id));
  }

  /** Adds the reaction, or takes it back when the user already has it. */
  toggleReaction(message: MessageDto, emoji: string): Promise<boolean> {
    const current = this.store.messageById(message.conversationId, message.id) ?? message;
    const mine = current.reactions.some((r) => r.emoji === emoji && r.userIds.includes(this.store.me));
    return this.react(current, emoji, !mine);
  }

  react(message: MessageDto, emoji: string, add: boolean): Promise<boolean> {
    return this.run("Could not react", (client) => client.react(message.conversationId, message.id, emoji, add));
  }

  private async run(failure: string, call: (client: ChatClient) => Promise<MessageDto>): Promise<boolean> {
    const client = this.client();
    if (!client?.isConnected) {
      this.showError(`${failure}: not connected.`);
      return false;
    }
    try {
      const updated = await call(client);
      this.showError(null);
      if (this.store.updateMessage(updated)) this.changed(updated.conversationId);
      return true;
    } catch (error) {
      this.showError(`${failure}: ${error instanceof RealtimeError ? error.message : "the connection dropped."}`);
      return false;
    }
  }
}
