// Every member's read and delivered watermarks, from ReadReceiptUpdated live and GetReceipts on opening, so the
// ticks under the user's own messages say how far each one got: sent (the server acknowledged it), delivered (a
// device of another member has it) or seen (another member read it). Kept apart from the store's "seen by", which
// places names; this only compares sequences.
import type { ReadReceiptDto } from "./contract.js";

export type Tick = "sent" | "delivered" | "seen";

interface Watermarks {
  read: number;
  delivered: number;
}

export class ReceiptBook {
  private readonly byConversation = new Map<string, Map<string, Watermarks>>();

  /** Watermarks never move backwards, so a receipt that arrives late (or a reload's older answer) changes nothing. */
  apply(receipt: ReadReceiptDto): void {
    let members = this.byConversation.get(receipt.conversationId);
    if (!members) this.byConversation.set(receipt.conversationId, (members = new Map()));
    const known = members.get(receipt.userId) ?? { read: 0, delivered: 0 };
    const read = Math.max(known.read, receipt.lastReadSequence);
    // A server without delivery receipts sends no lastDeliveredSequence; reading a message means having it.
    const delivered = Math.max(known.delivered, receipt.lastDeliveredSequence ?? 0, read);
    members.set(receipt.userId, { read, delivered });
  }

  /** How far the message at `sequence` got with anyone other than `me` (its sender). */
  tick(conversationId: string, sequence: number, me: string): Tick {
    let tick: Tick = "sent";
    for (const [userId, marks] of this.byConversation.get(conversationId) ?? []) {
      if (userId === me) continue;
      if (marks.read >= sequence) return "seen";
      if (marks.delivered >= sequence) tick = "delivered";
    }
    return tick;
  }

  /** The caller's own delivered watermark as the server last told it (from any of their tabs). */
  deliveredBy(conversationId: string, userId: string): number {
    return this.byConversation.get(conversationId)?.get(userId)?.delivered ?? 0;
  }
}
