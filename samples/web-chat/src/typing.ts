// Who is typing where. The contract lets a "typing" expire after 6 s unless repeated, and a send or a stop ends it.
import type { TypingDto } from "./contract.js";

const EXPIRES_MS = 6000;

export class TypingIndicator {
  private readonly typers = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  constructor(private readonly changed: (conversationId: string) => void) {}

  apply(typing: TypingDto): void {
    this.stop(typing.conversationId, typing.userId);
    if (!typing.isTyping) return;
    let typers = this.typers.get(typing.conversationId);
    if (!typers) this.typers.set(typing.conversationId, (typers = new Map()));
    typers.set(typing.userId, setTimeout(() => this.stop(typing.conversationId, typing.userId), EXPIRES_MS));
    this.changed(typing.conversationId);
  }

  stop(conversationId: string, userId: string): void {
    const typers = this.typers.get(conversationId);
    if (!typers?.has(userId)) return;
    clearTimeout(typers.get(userId));
    typers.delete(userId);
    this.changed(conversationId);
  }

  describe(conversationId: string | null): string {
    const names = [...(this.typers.get(conversationId ?? "")?.keys() ?? [])];
    if (names.length === 0) return "";
    if (names.length === 1) return `${names[0]} is typing…`;
    return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are typing…`;
  }
}
