// Sending without losing anything: a message shows at once as pending under its client message id, and stays on
// screen as failed, with retry, when the server refuses it or the connection drops. A retry reuses the id, so a
// send that did reach the server before the drop comes back as the same message instead of a second one.
import { RealtimeError } from "@realtime/client";
import type { ChatClient } from "./chat-client.js";
import type { Store } from "./store.js";

export class Outbox {
  constructor(
    private readonly store: Store,
    private readonly client: () => ChatClient | null,
    private readonly changed: (conversationId: string) => void,
  ) {}

  send(conversationId: string, content: string, replyToMessageId: string | null = null): void {
    const message = {
      conversationId,
      clientMessageId: crypto.randomUUID(),
      content,
      replyToMessageId,
      createdAt: new Date(),
      status: "pending" as const,
    };
    this.store.addOutgoing(message);
    this.changed(conversationId);
    void this.deliver(conversationId, message.clientMessageId);
  }

  retry(conversationId: string, clientMessageId: string): void {
    const message = this.store.findOutgoing(conversationId, clientMessageId);
    if (!message || message.status !== "failed") return;
    message.status = "pending";
    message.error = undefined;
    this.changed(conversationId);
    void this.deliver(conversationId, clientMessageId);
  }

  private async deliver(conversationId: string, clientMessageId: string): Promise<void> {
    const message = this.store.findOutgoing(conversationId, clientMessageId)!;
    try {
      const client = this.client();
      if (!client?.isConnected) throw new Error("Not connected.");
      this.store.addMessage(await client.send(conversationId, clientMessageId, message.content, message.replyToMessageId));
    } catch (error) {
      // Still outgoing means no copy of it arrived by another way (a resync) meanwhile.
      if (this.store.findOutgoing(conversationId, clientMessageId)) {
        message.status = "failed";
        message.error = reasonOf(error);
      }
    }
    this.changed(conversationId);
  }
}

/** A refusal carries the contract's sentence (RealtimeError); anything else is the connection failing. */
export function reasonOf(error: unknown): string {
  return error instanceof RealtimeError ? `Not sent: ${error.message}` : "Not sent: the connection dropped.";
}
