// The open conversation's details: its members with their presence and role, a "message" button that opens the
// direct conversation with one of them, and, for those whose role allows it, renaming, adding and removing
// members and making admins. Redrawn on every ConversationUpdated, so another page's change shows here at once.
import type { ConversationActions } from "./conversation-actions.js";
import type { ConversationDto, MemberDto } from "./contract.js";
import { byId, el } from "./dom.js";
import { canEditDetails, canLeave, canManage, canRemove, canSetRole, isDirect } from "./roles.js";
import type { Store } from "./store.js";

export class DetailsPanel {
  private readonly panel = byId("details");
  private readonly toggleButton = byId<HTMLButtonElement>("details-toggle");
  private readonly title = byId<HTMLInputElement>("details-title");
  private readonly topic = byId<HTMLInputElement>("details-topic");
  private readonly error = byId("details-error");
  /** The conversation the open panel shows; another one opening closes it. */
  private shownFor: string | null = null;
  /** Once the user types in the form, a live update no longer overwrites what they typed. */
  private dirty = false;

  constructor(
    private readonly store: Store,
    private readonly actions: ConversationActions,
    private readonly open: (conversationId: string) => Promise<void>,
  ) {
    this.toggleButton.addEventListener("click", () => (this.panel.hidden ? this.show() : this.close()));
    byId("details-close").addEventListener("click", () => this.close());
    for (const input of [this.title, this.topic]) input.addEventListener("input", () => { this.dirty = true; });
    byId<HTMLFormElement>("details-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.attempt(async (c) => {
        await this.actions.update(c.id, isDirect(c) ? null : this.title.value, this.topic.value);
        this.dirty = false;
      });
    });
    byId<HTMLFormElement>("add-member").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = byId<HTMLInputElement>("add-member-name");
      void this.attempt(async (c) => {
        await this.actions.addMember(c.id, name.value);
        name.value = "";
      });
    });
    byId("leave").addEventListener("click", () => void this.attempt((c) => this.actions.removeMember(c.id, this.store.me)));
  }

  /** Redraws the panel for the open conversation (or closes it when there is none, or it is another one). */
  render(conversation: ConversationDto | undefined): void {
    if (!conversation || (this.shownFor !== null && this.shownFor !== conversation.id)) this.close();
    if (!conversation || this.panel.hidden) return;
    const me = this.store.me;
    const editable = canEditDetails(conversation, me);
    byId("details-form").hidden = !editable;
    byId("details-title-label").hidden = isDirect(conversation);
    if (!this.dirty) {
      this.title.value = conversation.title;
      this.topic.value = conversation.topic ?? "";
    }
    const topicView = byId("details-topic-view");
    topicView.textContent = conversation.topic ?? "";
    topicView.hidden = editable || !conversation.topic;
    byId("details-members-head").textContent = `Members (${conversation.memberIds.length})`;
    byId("details-members").replaceChildren(...this.memberItems(conversation));
    byId("add-member").hidden = !canManage(conversation, me);
    byId("leave").hidden = !canLeave(conversation, me);
  }

  private show(): void {
    const conversation = this.current();
    if (!conversation) return;
    this.panel.hidden = false;
    this.toggleButton.setAttribute("aria-expanded", "true");
    this.shownFor = conversation.id;
    this.dirty = false;
    this.showError(null);
    this.render(conversation);
  }

  private close(): void {
    this.panel.hidden = true;
    this.toggleButton.setAttribute("aria-expanded", "false");
    this.shownFor = null;
    this.dirty = false;
    this.showError(null);
  }

  private memberItems(conversation: ConversationDto): HTMLElement[] {
    // memberIds carries the order; members the roles (a server without roles sends none).
    const roles = new Map((conversation.members ?? []).map((m) => [m.userId, m.role]));
    return conversation.memberIds.map((userId) => this.memberItem(conversation, { userId, role: roles.get(userId) ?? "member" }));
  }

  private memberItem(conversation: ConversationDto, member: MemberDto): HTMLElement {
    const me = this.store.me;
    const online = member.userId === me || this.store.presence.get(member.userId) === true;
    const buttons: HTMLButtonElement[] = [];
    if (member.userId !== me && !isDirect(conversation)) {
      buttons.push(this.button("Message", "message-member", async () => {
        const direct = await this.actions.openDirect(member.userId);
        await this.open(direct.id);
      }));
    }
    if (canSetRole(conversation, me, member.userId)) {
      const next = member.role === "admin" ? "member" : "admin";
      buttons.push(this.button(next === "admin" ? "Make admin" : "Remove admin", "set-role", async (c) => {
        await this.actions.setRole(c.id, member.userId, next);
      }));
    }
    if (canRemove(conversation, me, member.userId)) {
      buttons.push(this.button("Remove", "remove-member", async (c) => {
        await this.actions.removeMember(c.id, member.userId);
      }));
    }
    return el("li", { className: "member", data: { testid: "member", userId: member.userId, role: member.role } },
      el("span", { className: online ? "presence-dot online" : "presence-dot", data: { testid: "member-presence", online: String(online) } }),
      el("span", { className: "member-name", text: member.userId === me ? `${member.userId} (you)` : member.userId, data: { testid: "member-name" } }),
      member.role !== "member" && el("span", { className: `role role-${member.role}`, text: member.role, data: { testid: "member-role" } }),
      el("span", { className: "member-actions" }, ...buttons));
  }

  private button(text: string, testid: string, action: (conversation: ConversationDto) => Promise<void>): HTMLButtonElement {
    const button = el("button", { className: "ghost small", text, data: { testid } });
    button.type = "button";
    button.addEventListener("click", () => void this.attempt(action));
    return button;
  }

  /** Runs a change for the open conversation; a refusal is shown in the panel, which stays as it was. */
  private async attempt(action: (conversation: ConversationDto) => Promise<unknown>): Promise<void> {
    const conversation = this.current();
    if (!conversation) return;
    this.showError(null);
    try {
      await action(conversation);
    } catch (error) {
      this.showError((error as Error).message);
    }
  }

  private current(): ConversationDto | undefined {
    return this.store.conversations.get(this.store.current ?? "");
  }

  private showError(message: string | null): void {
    this.error.textContent = message ?? "";
    this.error.hidden = !message;
  }
}
