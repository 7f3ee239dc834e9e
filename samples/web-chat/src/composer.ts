// The message box: Enter sends, Shift+Enter starts a new line, the box grows with what is typed, and past the
// server's limit (Chat:MaxContentLength, from /web-chat/settings.json) a counter says so and sending waits, instead of anything being cut. The box is cleared the
// moment a message is handed to the outbox, so whatever is typed next is never touched by that send.
import { formatCount } from "./format.js";

const TYPING_REPEAT_MS = 3000;
const MAX_HEIGHT_PX = 180;

export interface ComposerActions {
  send(content: string): void;
  typing(isTyping: boolean): void;
}

export class Composer {
  private typingSentAt = 0;
  /** The counter shows from 95% of the limit on, so it never comes as a surprise. */
  private readonly counterFrom: number;

  constructor(
    form: HTMLFormElement,
    private readonly box: HTMLTextAreaElement,
    private readonly counter: HTMLElement,
    private readonly button: HTMLButtonElement,
    private readonly actions: ComposerActions,
    private readonly maxLength: number,
  ) {
    this.counterFrom = Math.floor(maxLength * 0.95);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    box.addEventListener("input", () => {
      this.update();
      if (box.value && Date.now() - this.typingSentAt > TYPING_REPEAT_MS) {
        this.typingSentAt = Date.now();
        actions.typing(true);
      }
    });
    box.addEventListener("blur", () => {
      if (this.typingSentAt) {
        this.typingSentAt = 0;
        actions.typing(false);
      }
    });
    this.update();
  }

  focus(): void {
    this.box.focus();
  }

  /** Puts text in the box (a message being edited), with the cursor at its end. */
  fill(text: string): void {
    this.box.value = text;
    this.update();
    this.box.focus();
    this.box.setSelectionRange(text.length, text.length);
  }

  private submit(): void {
    const content = this.box.value;
    if (!content.trim() || content.length > this.maxLength) return;
    this.box.value = "";
    // The server clears the typing indicator itself on a send.
    this.typingSentAt = 0;
    this.update();
    this.actions.send(content);
  }

  private update(): void {
    const length = this.box.value.length;
    const over = length > this.maxLength;
    this.counter.hidden = length < this.counterFrom;
    this.counter.textContent = over
      ? `${formatCount(length)} / ${formatCount(this.maxLength)}: ${formatCount(length - this.maxLength)} too many to send`
      : `${formatCount(length)} / ${formatCount(this.maxLength)}`;
    this.counter.classList.toggle("over", over);
    this.box.setAttribute("aria-invalid", String(over));
    this.button.disabled = over || !this.box.value.trim();
    // Grow with the text; while the box is not laid out (hidden) it measures 0, and keeps its natural height.
    this.box.style.height = "";
    const borders = this.box.offsetHeight - this.box.clientHeight;
    if (this.box.scrollHeight > 0) this.box.style.height = `${Math.min(this.box.scrollHeight + borders, MAX_HEIGHT_PX)}px`;
  }
}
