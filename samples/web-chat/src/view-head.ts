// The open conversation's header: its name (the other user's, for a direct conversation), their presence, its
// topic, and the details panel behind the "Details" button. Redrawn on conversation and presence changes.
import type { ConversationActions } from "./conversation-actions.js";
import { byId } from "./dom.js";
import { displayName, isDirect } from "./roles.js";
import type { Store } from "./store.js";
import { DetailsPanel } from "./view-details.js";

export class ConversationHead {
  private readonly details: DetailsPanel;

  constructor(private readonly store: Store, actions: ConversationActions, open: (conversationId: string) => Promise<void>) {
    this.details = new DetailsPanel(store, actions, open);
  }

  render(): void {
    const conversation = this.store.conversations.get(this.store.current ?? "");
    this.details.render(conversation);
    if (!conversation) return;
    const others = this.store.others(conversation);
    byId("conversation-title").textContent = displayName(conversation, this.store.me);
    const dot = byId("conversation-presence");
    const subtitle = byId("conversation-members");
    if (isDirect(conversation)) {
      // A direct conversation is about one person, so the header says whether they are there.
      const online = this.store.presence.get(others[0] ?? "") === true;
      dot.hidden = false;
      dot.className = online ? "presence-dot online" : "presence-dot";
      dot.dataset.online = String(online);
      dot.title = online ? "Online" : "Offline";
      subtitle.textContent = online ? "Online" : "Offline";
    } else {
      dot.hidden = true;
      delete dot.dataset.online;
      subtitle.textContent = others.length > 0 ? `You and ${others.join(", ")}` : "Only you";
    }
    const topic = byId("conversation-topic");
    topic.textContent = conversation.topic ?? "";
    topic.hidden = !conversation.topic;
  }
}
