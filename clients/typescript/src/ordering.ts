// Per-conversation ordering with no I/O: what the application may be handed now, what must wait for
// the gap before it to be read back, and what it already has. The sync layer feeds it live messages
// and fetched ones; everything here is synchronous so it can be tested without a server.
import type { MessageDto } from "./contract.js";

/** How far the application has been handed a conversation: its last sequence and last revision. */
export interface Position {
  sequence: number;
  revision: number;
}

/**
 * "sequence": a server without GetChanges; messages are ordered and deduplicated by sequence.
 * "revision": every change (new message, edit, delete, reaction) is ordered by the conversation's revision.
 */
export type OrderingMode = "sequence" | "revision";

/** One thing to hand the application: a message it has not seen, or a new state of one it has. */
export interface Delivery {
  kind: "message" | "update";
  message: MessageDto;
}

export class ConversationOrder {
  readonly conversationId: string;
  private readonly current: Position;
  private mode: OrderingMode;
  // Live messages that arrived after a gap, by the key they are ordered on (sequence or revision).
  private readonly held = new Map<number, { message: MessageDto; isUpdate: boolean }>();
  private gap = false;

  constructor(conversationId: string, start: Position = { sequence: 0, revision: 0 }, mode: OrderingMode = "sequence") {
    this.conversationId = conversationId;
    this.current = { ...start };
    this.mode = mode;
  }

  get position(): Position {
    return { ...this.current };
  }

  get orderingMode(): OrderingMode {
    return this.mode;
  }

  /** True when a live message showed that something before it is missing: read it back. */
  get hasGap(): boolean {
    return this.gap;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Switches to revision ordering once the server is known to answer GetChanges; held messages are re-read. */
  setMode(mode: OrderingMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    if (this.held.size > 0) this.gap = true;
    this.held.clear();
  }

  /** Whether the server's summary (ConversationDto) shows changes the application has not been handed. */
  isBehind(lastSequence: number, lastRevision: number | undefined): boolean {
    if (this.mode === "revision" && typeof lastRevision === "number") return lastRevision > this.current.revision;
    return lastSequence > this.current.sequence;
  }

  /** The argument of the next read: GetMessages' afterSequence or GetChanges' afterRevision. */
  readFrom(): number {
    return this.mode === "revision" ? this.current.revision : this.current.sequence;
  }

  /** A message pushed by the server (MessageReceived, or MessageUpdated when `isUpdate`). */
  offerLive(message: MessageDto, isUpdate = false): Delivery[] {
    if (this.mode === "sequence") {
      if (isUpdate) {
        // Without revisions an update cannot be ordered; one for a message not handed yet is read back in its current state.
        if (message.sequence <= this.current.sequence) return [{ kind: "update", message }];
        this.gap = true;
        return [];
      }
      if (message.sequence <= this.current.sequence) return [];
    } else if (!(typeof message.revision === "number") || message.revision <= this.current.revision) {
      return [];
    }
    const key = this.keyOf(message);
    if (key !== this.nextKey() || !this.fitsSequence(message)) {
      this.held.set(key, { message, isUpdate });
      this.gap = true;
      return [];
    }
    const out: Delivery[] = [];
    this.deliver(message, out);
    this.drain(out);
    return out;
  }

  /** One page of GetMessages (sequence mode), ascending; may be applied page by page. */
  applyMessages(page: readonly MessageDto[]): Delivery[] {
    const out: Delivery[] = [];
    for (const message of [...page].sort((a, b) => a.sequence - b.sequence)) {
      if (message.sequence === this.current.sequence + 1) this.deliver(message, out);
    }
    this.drain(out);
    return out;
  }

  /**
   * The complete answer of GetChanges (every page): new messages are handed in sequence order, changes to
   * messages already handed in revision order; the position moves to the last revision read.
   */
  applyChanges(changes: readonly MessageDto[]): Delivery[] {
    const out: Delivery[] = [];
    const fresh = changes.filter((m) => m.revision > this.current.revision);
    const known = this.current.sequence;
    const added = fresh.filter((m) => m.sequence > known).sort((a, b) => a.sequence - b.sequence);
    const updated = fresh.filter((m) => m.sequence <= known).sort((a, b) => a.revision - b.revision);
    let lastRevision = this.current.revision;
    for (const message of [...added, ...updated]) lastRevision = Math.max(lastRevision, message.revision);
    for (const message of added) {
      if (message.sequence > this.current.sequence) out.push({ kind: "message", message });
      this.current.sequence = Math.max(this.current.sequence, message.sequence);
    }
    for (const message of updated) out.push({ kind: "update", message });
    this.current.revision = lastRevision;
    this.drain(out);
    return out;
  }

  /** Called when a read is complete: the gap stays only if held messages still wait behind one. */
  readDone(): void {
    this.gap = this.held.size > 0;
  }

  private keyOf(message: MessageDto): number {
    return this.mode === "revision" ? message.revision : message.sequence;
  }

  private nextKey(): number {
    return (this.mode === "revision" ? this.current.revision : this.current.sequence) + 1;
  }

  // In revision mode a new message must also be the next sequence; otherwise one before it is missing.
  private fitsSequence(message: MessageDto): boolean {
    return this.mode === "sequence" || message.sequence <= this.current.sequence + 1;
  }

  private deliver(message: MessageDto, out: Delivery[]): void {
    const isNew = message.sequence > this.current.sequence;
    out.push({ kind: isNew ? "message" : "update", message });
    this.current.sequence = Math.max(this.current.sequence, message.sequence);
    if (this.mode === "revision") this.current.revision = Math.max(this.current.revision, message.revision);
  }

  private drain(out: Delivery[]): void {
    const floor = this.mode === "revision" ? this.current.revision : this.current.sequence;
    for (const key of [...this.held.keys()]) if (key <= floor) this.held.delete(key);
    for (;;) {
      const next = this.held.get(this.nextKey());
      if (!next || !this.fitsSequence(next.message)) break;
      this.held.delete(this.nextKey());
      this.deliver(next.message, out);
    }
  }
}
