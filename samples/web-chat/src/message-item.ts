// One message as the reader sees it: who wrote it, the quoted message it replies to, its text (or that it was
// deleted), when, whether it was edited, its reactions with counts, and what the reader may do with it.
import type { MessageDto } from "./contract.js";
import { el } from "./dom.js";
import { clockTime } from "./format.js";

export interface Row {
  key: string;
  senderId: string;
  content: string;
  at: Date;
  sequence?: number;
  status: "sent" | "pending" | "failed";
  clientMessageId: string;
  error?: string;
  /** The stored message, for a sent row: its edits, deletion, reply and reactions. */
  message?: MessageDto;
  replyToMessageId?: string | null;
}

export interface MessageActions {
  retry(conversationId: string, clientMessageId: string): void;
  loadOlder(conversationId: string): void;
  atBottom(conversationId: string): void;
  reply(message: MessageDto): void;
  edit(message: MessageDto): void;
  remove(message: MessageDto): void;
  /** Opens the emoji picker beside `anchor`; the chosen emoji is added. */
  pickReaction(message: MessageDto, anchor: HTMLElement): void;
  toggleReaction(message: MessageDto, emoji: string): void;
}

/** What the item needs from the page beyond the row itself. */
export interface ItemContext {
  me: string;
  conversationId: string;
  /** Owners and admins may delete anyone's message. */
  mayDeleteOthers: boolean;
  /** The message a reply quotes, when the page holds it. */
  original(messageId: string): MessageDto | undefined;
  /** The mark beside the user's own sent message: sent, delivered or seen. */
  sentMark(sequence: number): HTMLElement;
  actions: MessageActions;
}

export const DELETED_TEXT = "Message deleted";
const QUOTE_LENGTH = 120;

export function renderItem(context: ItemContext, row: Row, continues: boolean, groupEnds: boolean, seen: string[] | undefined): HTMLElement {
  const mine = row.senderId === context.me;
  const message = row.message;
  const deleted = Boolean(message?.deletedAt);
  const classes = ["message", mine ? "mine" : "theirs", continues ? "continued" : "first", groupEnds ? "last" : "", row.status, deleted ? "deleted" : ""];
  const status = !mine ? null
    : row.status === "pending" ? el("span", { className: "status", text: "Sending…" })
    : row.status === "sent" && row.sequence ? context.sentMark(row.sequence)
    : null;
  const edited = message?.editedAt && !deleted ? el("span", { className: "edited", text: "edited", data: { testid: "edited" } }) : null;
  // A deleted reply loses its content, and with it the quote of what it answered.
  const replyTo = deleted ? null : message?.replyToMessageId ?? row.replyToMessageId ?? null;
  const item = el("li", { className: classes.filter(Boolean).join(" "), data: { testid: "message", status: row.status } },
    !mine && !continues && el("div", { className: "sender", text: row.senderId, data: { testid: "sender" } }),
    el("div", { className: "bubble" },
      replyTo && quote(context, replyTo),
      el("div", { className: deleted ? "content tombstone" : "content", text: deleted ? DELETED_TEXT : row.content, data: { testid: "content" } }),
      el("span", { className: "meta" }, edited, el("time", { text: clockTime(row.at), title: row.at.toLocaleString() }), status)));
  if (row.sequence) item.dataset.sequence = String(row.sequence);
  item.dataset.clientMessageId = row.clientMessageId;
  if (message) {
    item.dataset.messageId = message.id;
    item.dataset.deleted = String(deleted);
    if (!deleted) {
      if (message.reactions.length > 0) item.append(reactions(context, message));
      item.append(toolbar(context, message, mine));
      // Focusable, so a keyboard reaches its actions as a hovering pointer does (they show on focus-within).
      item.tabIndex = 0;
    }
  }
  if (row.status === "failed") {
    const retry = button("retry", "Retry", () => context.actions.retry(context.conversationId, row.clientMessageId));
    item.append(el("div", { className: "failed-note", data: { testid: "failed" } }, el("span", { text: row.error ?? "Not sent." }), retry));
  }
  if (seen && seen.length > 0) {
    item.append(el("div", { className: "seen", text: `Seen by ${seen.join(", ")}`, data: { testid: "seen-by" } }));
  }
  return item;
}

// A preview of the message replied to; clicking it brings the original into view when it is loaded.
function quote(context: ItemContext, messageId: string): HTMLElement {
  const original = context.original(messageId);
  const text = !original ? "An earlier message"
    : original.deletedAt ? DELETED_TEXT
    : original.content.replace(/\s+/g, " ");
  const shown = text.length > QUOTE_LENGTH ? `${text.slice(0, QUOTE_LENGTH)}…` : text;
  const block = el("button", { className: "quote", title: "Show the message replied to", data: { testid: "reply-quote" } },
    el("span", { className: "quote-sender", text: original ? (original.senderId === context.me ? "You" : original.senderId) : "" }),
    el("span", { className: "quote-text", text: shown, data: { testid: "reply-quote-text" } }));
  block.type = "button";
  block.addEventListener("click", () => {
    document.querySelector(`#messages [data-message-id="${CSS.escape(messageId)}"]`)?.scrollIntoView({ block: "center", behavior: "smooth" });
  });
  return block;
}

// Each emoji once with how many reacted; the reader's own are pressed, and pressing one toggles it.
function reactions(context: ItemContext, message: MessageDto): HTMLElement {
  return el("div", { className: "reactions", data: { testid: "reactions" } }, ...message.reactions.map((reaction) => {
    const mine = reaction.userIds.includes(context.me);
    const chip = button("reaction", `${reaction.emoji} ${reaction.userIds.length}`, () => context.actions.toggleReaction(message, reaction.emoji));
    chip.className = mine ? "reaction mine" : "reaction";
    chip.title = reaction.userIds.map((id) => (id === context.me ? "You" : id)).join(", ");
    chip.setAttribute("aria-pressed", String(mine));
    Object.assign(chip.dataset, { emoji: reaction.emoji, count: String(reaction.userIds.length), mine: String(mine) });
    return chip;
  }));
}

function toolbar(context: ItemContext, message: MessageDto, mine: boolean): HTMLElement {
  const { actions } = context;
  const react = button("react", "☺+", () => actions.pickReaction(message, react));
  react.title = "React";
  return el("div", { className: "message-actions", data: { testid: "message-actions" } },
    react,
    button("reply", "Reply", () => actions.reply(message)),
    mine && button("edit", "Edit", () => actions.edit(message)),
    (mine || context.mayDeleteOthers) && button("delete", "Delete", () => actions.remove(message)));
}

function button(testid: string, text: string, onClick: () => void): HTMLButtonElement {
  const element = el("button", { className: testid, text, data: { testid } });
  element.type = "button";
  element.addEventListener("click", onClick);
  return element;
}
