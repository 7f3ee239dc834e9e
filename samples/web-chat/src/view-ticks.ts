// The mark under each of the user's own messages: one tick once the server has it, two once another member's
// device has it, two in colour once another member has read it. The words go in the title for screen readers.
import { el } from "./dom.js";
import type { Tick } from "./receipts.js";

const MARKS: Record<Tick, { text: string; title: string }> = {
  sent: { text: "✓", title: "Sent" },
  delivered: { text: "✓✓", title: "Delivered" },
  seen: { text: "✓✓", title: "Seen" },
};

export function tickMark(tick: Tick): HTMLElement {
  const mark = el("span", { className: `status tick-${tick}`, text: MARKS[tick].text, title: MARKS[tick].title, data: { testid: "ticks", tick } });
  mark.setAttribute("aria-label", MARKS[tick].title);
  return mark;
}
