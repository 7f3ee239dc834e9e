// The reaction picker: a few common emoji one tap away, and a field that takes any other (typed, pasted or from
// the system's emoji keyboard), checked against the contract's rule before it is sent.
import { el } from "./dom.js";

export const COMMON_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

// The contract: 1-32 UTF-16 code units, no whitespace, no control characters (joiners and variation selectors are fine).
const EMOJI_MAX_LENGTH = 32;

export function emojiProblem(text: string): string | null {
  if (text.length === 0) return "Pick or type an emoji.";
  if (text.length > EMOJI_MAX_LENGTH) return `A reaction is at most ${EMOJI_MAX_LENGTH} characters.`;
  if (/[\s\p{Cc}]/u.test(text)) return "A reaction has no spaces or control characters.";
  return null;
}

export class EmojiPicker {
  private readonly panel: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly problem: HTMLElement;
  private chosen: ((emoji: string) => void) | null = null;

  constructor(host: HTMLElement) {
    this.input = el("input", { className: "emoji-input", data: { testid: "emoji-input" } });
    this.input.placeholder = "Any emoji";
    this.input.setAttribute("aria-label", "Any emoji");
    this.input.spellcheck = false;
    this.problem = el("p", { className: "form-error", data: { testid: "emoji-error" } });
    this.problem.hidden = true;
    const add = el("button", { text: "Add", data: { testid: "emoji-add" } });
    add.type = "submit";
    const form = el("form", { className: "emoji-other" }, this.input, add);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.choose(this.input.value.trim());
    });
    const common = COMMON_EMOJI.map((emoji) => {
      const option = el("button", { className: "emoji-option", text: emoji, title: `React with ${emoji}`, data: { testid: "emoji-option", emoji } });
      option.type = "button";
      option.addEventListener("click", () => this.choose(emoji));
      return option;
    });
    this.panel = el("div", { className: "emoji-picker", data: { testid: "emoji-picker" } },
      el("div", { className: "emoji-common" }, ...common), form, this.problem);
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-label", "React");
    this.panel.hidden = true;
    host.append(this.panel);
    this.panel.addEventListener("keydown", (event) => { if (event.key === "Escape") this.close(); });
    // A press anywhere else closes it, as menus do.
    document.addEventListener("pointerdown", (event) => {
      if (!this.panel.hidden && !this.panel.contains(event.target as Node)) this.close();
    });
  }

  /** Shows the picker beside `anchor`; `chosen` is called once with a valid emoji. */
  open(anchor: HTMLElement, chosen: (emoji: string) => void): void {
    this.chosen = chosen;
    this.input.value = "";
    this.problem.hidden = true;
    this.panel.hidden = false;
    const box = anchor.getBoundingClientRect();
    const width = this.panel.offsetWidth;
    this.panel.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
    this.panel.style.top = `${Math.max(8, box.top - this.panel.offsetHeight - 6)}px`;
    this.panel.querySelector<HTMLButtonElement>(".emoji-option")?.focus();
  }

  close(): void {
    this.panel.hidden = true;
    this.chosen = null;
  }

  private choose(emoji: string): void {
    const problem = emojiProblem(emoji);
    if (problem) {
      this.problem.textContent = problem;
      this.problem.hidden = false;
      return;
    }
    const chosen = this.chosen;
    this.close();
    chosen?.(emoji);
  }
}
