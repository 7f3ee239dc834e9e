// The open conversation's messages: its own scrolling list that opens at the newest message, stays at the
// bottom as messages arrive, says "new messages" when the reader has scrolled up, and asks for older
// messages when they scroll to the top. A sender's consecutive messages are grouped under one name.
import { el } from "./dom.js";
import { dayLabel, sameDay, toDate } from "./format.js";
import { renderItem, type ItemContext, type MessageActions, type Row } from "./message-item.js";
import type { Store } from "./store.js";
import { tickMark } from "./view-ticks.js";

const GROUP_GAP_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 48;
const TOP_SLACK_PX = 120;

export type RenderReason = "open" | "update" | "own" | "older";

/** Where the keyboard's focus was in the log: a message, and the control in it if not the message itself. */
type Focus = { key: string; control: DOMStringMap | undefined };

export class MessageView {
  private conversationId: string | null = null;
  private lastKey: string | undefined;

  constructor(
    private readonly list: HTMLElement,
    private readonly marker: HTMLButtonElement,
    private readonly store: Store,
    private readonly actions: MessageActions,
  ) {
    list.addEventListener("scroll", () => this.scrolled(), { passive: true });
    marker.addEventListener("click", () => this.scrollToBottom());
  }

  /** The message (and the control in it) that has the keyboard's focus, so a re-render does not take it away. */
  private focused(): Focus | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.list.contains(active)) return null;
    const item = active.closest<HTMLElement>("[data-testid=message]");
    const key = item?.dataset.clientMessageId;
    return key ? { key, control: active === item ? undefined : active.dataset } : null;
  }

  private refocus(focus: Focus | null): void {
    if (!focus) return;
    const item = this.list.querySelector<HTMLElement>(`[data-testid=message][data-client-message-id="${CSS.escape(focus.key)}"]`);
    // A message can hold several reactions: the emoji tells which one had the focus.
    const { testid, emoji } = focus.control ?? {};
    const selector = testid && `[data-testid="${CSS.escape(testid)}"]${emoji ? `[data-emoji="${CSS.escape(emoji)}"]` : ""}`;
    const control = selector ? item?.querySelector<HTMLElement>(selector) : null;
    (control ?? item)?.focus({ preventScroll: true });
  }

  isAtBottom(): boolean {
    const { scrollHeight, scrollTop, clientHeight } = this.list;
    return scrollHeight - scrollTop - clientHeight < BOTTOM_SLACK_PX;
  }

  render(conversationId: string | null, reason: RenderReason): void {
    if (conversationId !== this.conversationId) reason = "open";
    this.conversationId = conversationId;
    if (!conversationId) {
      this.list.replaceChildren();
      this.marker.hidden = true;
      return;
    }
    const wasAtBottom = this.isAtBottom();
    const fromBottom = this.list.scrollHeight - this.list.scrollTop;
    const rows = this.rows(conversationId);
    const newest = rows[rows.length - 1];
    const grew = newest !== undefined && newest.key !== this.lastKey;
    this.lastKey = newest?.key;
    const focus = this.focused();
    this.list.replaceChildren(...this.items(conversationId, rows));
    this.refocus(focus);

    if (reason === "older") {
      this.list.scrollTop = this.list.scrollHeight - fromBottom;
    } else if (reason === "open" || reason === "own" || wasAtBottom) {
      this.scrollToBottom();
    } else if (grew && newest.senderId !== this.store.me) {
      this.marker.hidden = false;
    }
  }

  private scrollToBottom(): void {
    this.list.scrollTop = this.list.scrollHeight;
    this.marker.hidden = true;
  }

  private scrolled(): void {
    const id = this.conversationId;
    if (!id) return;
    if (this.isAtBottom()) {
      this.marker.hidden = true;
      this.actions.atBottom(id);
    }
    if (this.list.scrollTop < TOP_SLACK_PX && !this.store.historyComplete.has(id)) this.actions.loadOlder(id);
  }

  private rows(conversationId: string): Row[] {
    const sent: Row[] = this.store.messagesOf(conversationId).map((m) => ({
      key: `s${m.sequence}`, senderId: m.senderId, content: m.content, at: toDate(m.sentAt),
      sequence: m.sequence, status: "sent", clientMessageId: m.clientMessageId, message: m,
    }));
    const outgoing: Row[] = this.store.outgoingOf(conversationId).map((m) => ({
      key: `c${m.clientMessageId}`, senderId: this.store.me, content: m.content, at: m.createdAt,
      status: m.status, clientMessageId: m.clientMessageId, error: m.error, replyToMessageId: m.replyToMessageId,
    }));
    return [...sent, ...outgoing];
  }

  private items(conversationId: string, rows: Row[]): HTMLElement[] {
    const seenBy = this.store.seenBy(conversationId);
    const role = this.store.roleOf(conversationId);
    const context: ItemContext = {
      me: this.store.me,
      conversationId,
      mayDeleteOthers: role === "owner" || role === "admin",
      original: (messageId) => this.store.messageById(conversationId, messageId),
      sentMark: (sequence) => tickMark(this.store.receipts.tick(conversationId, sequence, this.store.me)),
      actions: this.actions,
    };
    const items: HTMLElement[] = [];
    rows.forEach((row, index) => {
      const previous = rows[index - 1];
      if (!previous || !sameDay(previous.at, row.at)) {
        items.push(el("li", { className: "day", data: { testid: "day" } }, el("span", { text: dayLabel(row.at) })));
      }
      const continues = previous !== undefined && previous.senderId === row.senderId && sameDay(previous.at, row.at)
        && row.at.getTime() - previous.at.getTime() < GROUP_GAP_MS;
      const next = rows[index + 1];
      const groupEnds = !next || next.senderId !== row.senderId;
      items.push(renderItem(context, row, continues, groupEnds, row.sequence ? seenBy.get(row.sequence) : undefined));
    });
    return items;
  }
}
