// The open conversation's messages: its own scrolling list that opens at the newest message, stays at the
// bottom as messages arrive, says "new messages" when the reader has scrolled up, and asks for older
// messages when they scroll to the top. A sender's consecutive messages are grouped under one name.
import { el } from "./dom.js";
import { clockTime, dayLabel, sameDay, toDate } from "./format.js";
import type { Store } from "./store.js";
import { tickMark } from "./view-ticks.js";

const GROUP_GAP_MS = 5 * 60_000;
const BOTTOM_SLACK_PX = 48;
const TOP_SLACK_PX = 120;

export type RenderReason = "open" | "update" | "own" | "older";

interface Row {
  key: string;
  senderId: string;
  content: string;
  at: Date;
  sequence?: number;
  status: "sent" | "pending" | "failed";
  clientMessageId: string;
  error?: string;
}

export interface MessageActions {
  retry(conversationId: string, clientMessageId: string): void;
  loadOlder(conversationId: string): void;
  atBottom(conversationId: string): void;
}

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
    this.list.replaceChildren(...this.items(conversationId, rows));

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
      sequence: m.sequence, status: "sent", clientMessageId: m.clientMessageId,
    }));
    const outgoing: Row[] = this.store.outgoingOf(conversationId).map((m) => ({
      key: `c${m.clientMessageId}`, senderId: this.store.me, content: m.content, at: m.createdAt,
      status: m.status, clientMessageId: m.clientMessageId, error: m.error,
    }));
    return [...sent, ...outgoing];
  }

  private items(conversationId: string, rows: Row[]): HTMLElement[] {
    const seenBy = this.store.seenBy(conversationId);
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
      items.push(this.item(conversationId, row, continues, groupEnds, row.sequence ? seenBy.get(row.sequence) : undefined));
    });
    return items;
  }

  private item(conversationId: string, row: Row, continues: boolean, groupEnds: boolean, seen: string[] | undefined): HTMLElement {
    const mine = row.senderId === this.store.me;
    const classes = ["message", mine ? "mine" : "theirs", continues ? "continued" : "first", groupEnds ? "last" : "", row.status];
    const status = !mine ? null
      : row.status === "pending" ? el("span", { className: "status", text: "Sending…" })
      : row.status === "sent" && row.sequence ? tickMark(this.store.receipts.tick(conversationId, row.sequence, this.store.me))
      : null;
    const item = el("li", { className: classes.filter(Boolean).join(" "), data: { testid: "message", status: row.status } },
      !mine && !continues && el("div", { className: "sender", text: row.senderId, data: { testid: "sender" } }),
      el("div", { className: "bubble" },
        el("div", { className: "content", text: row.content, data: { testid: "content" } }),
        el("span", { className: "meta" }, el("time", { text: clockTime(row.at), title: row.at.toLocaleString() }), status)));
    if (row.sequence) item.dataset.sequence = String(row.sequence);
    item.dataset.clientMessageId = row.clientMessageId;
    if (row.status === "failed") {
      const retry = el("button", { className: "retry", text: "Retry", data: { testid: "retry" } });
      retry.type = "button";
      retry.addEventListener("click", () => this.actions.retry(conversationId, row.clientMessageId));
      item.append(el("div", { className: "failed-note", data: { testid: "failed" } }, el("span", { text: row.error ?? "Not sent." }), retry));
    }
    if (seen && seen.length > 0) {
      item.append(el("div", { className: "seen", text: `Seen by ${seen.join(", ")}`, data: { testid: "seen-by" } }));
    }
    return item;
  }
}
