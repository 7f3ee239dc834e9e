// What the next press of Send means besides a new message: a reply to a message (shown as a quote above the box)
// or an edit of one of the user's own. The bar above the composer says which, and ✕ or Escape goes back to plain.
import type { MessageDto } from "./contract.js";
import { byId } from "./dom.js";
import { DELETED_TEXT } from "./message-item.js";

export type ComposerMode = { kind: "reply" | "edit"; message: MessageDto } | null;

const PREVIEW_LENGTH = 80;

export class ComposerContext {
  private current: ComposerMode = null;
  private readonly bar = byId("composer-context");
  private readonly label = byId("composer-context-label");
  private readonly preview = byId("composer-context-text");

  constructor(private readonly me: () => string, private readonly cleared: (wasEdit: boolean) => void) {
    byId("composer-context-cancel").addEventListener("click", () => this.clear());
    byId<HTMLTextAreaElement>("content").addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.current) {
        event.preventDefault();
        this.clear();
      }
    });
  }

  get mode(): ComposerMode {
    return this.current;
  }

  set(kind: "reply" | "edit", message: MessageDto): void {
    this.current = { kind, message };
    const who = message.senderId === this.me() ? "yourself" : message.senderId;
    this.label.textContent = kind === "edit" ? "Editing your message" : `Replying to ${who}`;
    const text = message.deletedAt ? DELETED_TEXT : message.content.replace(/\s+/g, " ");
    this.preview.textContent = text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
    this.bar.dataset.kind = kind;
    this.bar.hidden = false;
  }

  /** Back to a plain new message; after an edit the box is emptied of the old text. */
  clear(): void {
    const wasEdit = this.current?.kind === "edit";
    this.current = null;
    this.bar.hidden = true;
    delete this.bar.dataset.kind;
    this.cleared(wasEdit);
  }

  /** A message that was deleted, or a conversation left, ends an edit of it or a reply to it. */
  forget(conversationId: string, messageId?: string): void {
    const message = this.current?.message;
    if (message && message.conversationId === conversationId && (messageId === undefined || message.id === messageId)) this.clear();
  }
}
