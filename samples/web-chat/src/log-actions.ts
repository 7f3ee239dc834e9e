// What a reader does to messages already in the conversation: reply (the composer quotes the original), edit
// their own (the composer holds its text), delete, and react through the picker or by pressing a reaction.
import type { ChatClient } from "./chat-client.js";
import type { Composer } from "./composer.js";
import { ComposerContext } from "./composer-context.js";
import type { MessageDto } from "./contract.js";
import { EmojiPicker } from "./emoji-picker.js";
import { MessageCommands } from "./message-commands.js";
import type { MessageActions } from "./message-item.js";
import type { Outbox } from "./outbox.js";
import type { Store } from "./store.js";

export type LogActionHandlers = Pick<MessageActions, "reply" | "edit" | "remove" | "pickReaction" | "toggleReaction">;

export class LogActions {
  private readonly context: ComposerContext;
  private readonly picker = new EmojiPicker(document.body);
  private readonly commands: MessageCommands;
  private composer: Composer | null = null;

  constructor(
    private readonly store: Store,
    client: () => ChatClient | null,
    private readonly outbox: Outbox,
    changed: (conversationId: string) => void,
    showError: (message: string | null) => void,
  ) {
    this.commands = new MessageCommands(store, client, changed, showError);
    this.context = new ComposerContext(() => store.me, (wasEdit) => { if (wasEdit) this.composer?.fill(""); });
  }

  /** The composer is made after the message view that these actions are handed to. */
  attach(composer: Composer): void {
    this.composer = composer;
  }

  readonly handlers: LogActionHandlers = {
    reply: (message) => {
      if (this.context.mode?.kind === "edit") this.context.clear();
      this.context.set("reply", message);
      this.composer?.focus();
    },
    edit: (message) => {
      this.context.set("edit", message);
      this.composer?.fill(message.content);
    },
    remove: (message) => {
      this.context.forget(message.conversationId, message.id);
      void this.commands.remove(message);
    },
    pickReaction: (message, anchor) => this.picker.open(anchor, (emoji) => void this.commands.react(message, emoji, true)),
    toggleReaction: (message, emoji) => void this.commands.toggleReaction(message, emoji),
  };

  /** The composer's Send: a new message (perhaps a reply), or the new text of the message being edited. */
  submit(conversationId: string, content: string): void {
    const mode = this.context.mode?.message.conversationId === conversationId ? this.context.mode : null;
    if (mode?.kind === "edit") {
      const message = this.store.messageById(conversationId, mode.message.id) ?? mode.message;
      this.context.clear();
      void this.commands.edit(message, content).then((done) => {
        // The text is not lost to a refused edit: it goes back in the box, still editing.
        if (!done && !this.context.mode) {
          this.context.set("edit", message);
          this.composer?.fill(content);
        }
      });
      return;
    }
    this.outbox.send(conversationId, content, mode?.kind === "reply" ? mode.message.id : null);
    if (mode) this.context.clear();
  }

  /** A message's new state: an edit in progress of a message deleted meanwhile ends. */
  updated(message: MessageDto): void {
    if (message.deletedAt && this.context.mode?.kind === "edit") this.context.forget(message.conversationId, message.id);
  }

  /** Another conversation opened, or none: replies and edits belong to the one they started in. */
  left(): void {
    this.picker.close();
    if (this.context.mode) this.context.clear();
  }
}
