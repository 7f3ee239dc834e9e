// Tells the server which messages this page has received (MarkDelivered), so their senders' ticks can say
// "delivered" before anyone reads them. One call at a time per conversation, always for the highest sequence
// held: a burst of messages (a catch-up page) costs one or two calls, not one per message.
import type { ChatClient } from "./chat-client.js";

export class DeliveryReporter {
  /** The highest sequence the server has confirmed per conversation. */
  private readonly confirmed = new Map<string, number>();
  /** A higher sequence waiting for its call: a newer message while one is in flight, or one lost with the connection. */
  private readonly wanted = new Map<string, number>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly client: () => ChatClient | null,
    /** What the server already counts as delivered (a read receipt raises it too), so a reload does not repeat it. */
    private readonly known: (conversationId: string) => number,
  ) {}

  /** The page now holds the conversation's messages up to `sequence`. */
  received(conversationId: string, sequence: number): void {
    const floor = Math.max(this.confirmed.get(conversationId) ?? 0, this.wanted.get(conversationId) ?? 0, this.known(conversationId));
    if (sequence <= floor) return;
    this.wanted.set(conversationId, sequence);
    void this.flush(conversationId);
  }

  /** After a reconnect: sends what a dropped connection kept from reaching the server. */
  retry(): void {
    for (const conversationId of [...this.wanted.keys()]) void this.flush(conversationId);
  }

  forget(conversationId: string): void {
    this.confirmed.delete(conversationId);
    this.wanted.delete(conversationId);
  }

  private async flush(conversationId: string): Promise<void> {
    const sequence = this.wanted.get(conversationId);
    const client = this.client();
    if (sequence === undefined || this.inFlight.has(conversationId) || !client?.isConnected) return;
    this.inFlight.add(conversationId);
    this.wanted.delete(conversationId);
    let sent = false;
    try {
      // The answer needs no handling here: the server broadcasts the receipt to the conversation, this page included.
      await client.call("MarkDelivered", conversationId, sequence);
      this.confirmed.set(conversationId, Math.max(this.confirmed.get(conversationId) ?? 0, sequence));
      sent = true;
    } catch {
      // Kept for retry(); a conversation the user has left is forgotten with it.
      this.wanted.set(conversationId, Math.max(this.wanted.get(conversationId) ?? 0, sequence));
    } finally {
      this.inFlight.delete(conversationId);
    }
    if (sent && this.wanted.has(conversationId)) await this.flush(conversationId);
  }
}
