// The conversation list: most recent activity first, each with who is online, the last message and its time,
// and how many are unread.
import { el } from "./dom.js";
import { listTime, toDate } from "./format.js";
import { DELETED_TEXT } from "./message-item.js";
import { displayName } from "./roles.js";
import type { Store } from "./store.js";

export function renderConversationList(list: HTMLElement, store: Store, open: (id: string) => void): void {
  const items = store.conversationsByActivity().map((conversation) => {
    const others = store.others(conversation);
    const name = displayName(conversation, store.me);
    const online = others.filter((id) => store.presence.get(id));
    const last = store.lastMessage(conversation.id);
    const preview = !last
      ? "No messages yet"
      : `${"senderId" in last && last.senderId !== store.me ? last.senderId : "You"}: ${"deletedAt" in last && last.deletedAt ? DELETED_TEXT : last.content.replace(/\s+/g, " ")}`;
    const when = last ? ("sentAt" in last ? toDate(last.sentAt) : last.createdAt) : toDate(conversation.createdAt);
    const unread = conversation.unreadCount > 0 && conversation.id !== store.current ? conversation.unreadCount : 0;

    const button = el("button", { className: "conversation-button", title: others.length ? `With ${others.join(", ")}` : "" },
      el("span", { className: online.length > 0 ? "avatar online" : "avatar", text: initialOf(name), data: { testid: "presence", online: String(online.length > 0) } }),
      el("span", { className: "summary" },
        el("span", { className: "title-row" },
          el("span", { className: "title", text: name }),
          el("time", { className: "when", text: listTime(when) })),
        el("span", { className: "preview-row" },
          el("span", { className: "preview", text: preview, data: { testid: "preview" } }),
          unread > 0 && el("span", { className: "unread", text: unread > 99 ? "99+" : String(unread), data: { testid: "unread" } }))));
    button.addEventListener("click", () => open(conversation.id));
    const item = el("li", { className: conversation.id === store.current ? "active" : "", data: { testid: "conversation", id: conversation.id, kind: conversation.kind ?? "group" } }, button);
    item.dataset.online = online.join(" ");
    return item;
  });
  list.replaceChildren(...items);
  list.toggleAttribute("data-empty", items.length === 0);
}

function initialOf(title: string): string {
  return ([...title.trim()][0] ?? "#").toUpperCase();
}
