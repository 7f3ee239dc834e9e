// Start-up: sign in (or pick the session up again after a reload), then hand over to the chat page.
import type { ConnectionState, Protocol } from "./chat-client.js";
import { ChatPage } from "./chat-page.js";
import { byId } from "./dom.js";
import { isValidUserId, USER_ID_PATTERN, USER_ID_RULE } from "./names.js";
import { forgetSession, savedProtocol, savedSession, saveProtocol, signIn, type Session } from "./session.js";

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Online",
  reconnecting: "Reconnecting…",
  // Connected again, and reading back what was missed (GetChanges) before saying so.
  resyncing: "Catching up…",
  disconnected: "Offline",
};

// The server's default, for a server that does not say (the page then learns a lower limit from a refused send).
const DEFAULT_MAX_CONTENT_LENGTH = 4000;

let page: ChatPage | null = null;
let maxContentLength = DEFAULT_MAX_CONTENT_LENGTH;

async function loadSettings(): Promise<void> {
  const response = await fetch("/web-chat/settings.json").catch(() => null);
  const settings = response?.ok ? ((await response.json()) as { maxContentLength?: number }) : {};
  if (typeof settings.maxContentLength === "number" && settings.maxContentLength > 0) maxContentLength = settings.maxContentLength;
}

function showError(message: string | null): void {
  const toast = byId("error");
  toast.textContent = message ?? "";
  toast.hidden = !message;
}

function showState(state: ConnectionState): void {
  const badge = byId("state");
  badge.dataset.state = state;
  badge.textContent = STATE_TEXT[state];
}

function showScreen(screen: "login" | "chat"): void {
  document.body.dataset.screen = screen;
  byId("login").hidden = screen !== "login";
  byId("chat").hidden = screen !== "chat";
  byId("sign-out").hidden = screen !== "chat";
  if (screen === "login") byId("whoami").textContent = "";
}

async function enter(session: Session): Promise<void> {
  page = new ChatPage(showError, showState, maxContentLength);
  byId("whoami").textContent = session.userId;
  try {
    await page.start(session.userId, session.accessToken, savedProtocol());
  } catch (error) {
    await page.stop().catch(() => undefined);
    page = null;
    byId("whoami").textContent = "";
    throw error;
  }
  showScreen("chat");
}

function setUpLogin(): void {
  const input = byId<HTMLInputElement>("user-id");
  input.pattern = USER_ID_PATTERN;
  input.maxLength = 128;
  input.title = `Your name: ${USER_ID_RULE}.`;
  byId<HTMLFormElement>("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    const userId = input.value.trim();
    if (!isValidUserId(userId)) {
      showError(`Use ${USER_ID_RULE} for your name.`);
      return;
    }
    const button = byId<HTMLButtonElement>("connect");
    button.disabled = true;
    try {
      await enter(await signIn(userId));
    } catch (error) {
      forgetSession();
      showState("disconnected");
      showError(`Could not sign in: ${(error as Error).message}`);
    } finally {
      button.disabled = false;
    }
  });
}

function setUpSettings(): void {
  const protocol = byId<HTMLSelectElement>("protocol");
  protocol.value = savedProtocol();
  protocol.addEventListener("change", () => {
    saveProtocol(protocol.value as Protocol);
    // The protocol is chosen when connecting: a signed-in page connects again with the new one.
    if (page) location.reload();
  });
  byId("sign-out").addEventListener("click", async () => {
    forgetSession();
    await page?.stop();
    location.reload();
  });
}

async function boot(): Promise<void> {
  setUpLogin();
  setUpSettings();
  showState("disconnected");
  await loadSettings();
  const session = savedSession();
  if (session) {
    try {
      await enter(session);
      return;
    } catch {
      // An expired or refused token: sign in again.
      forgetSession();
      showState("disconnected");
    }
  }
  showScreen("login");
  byId("user-id").focus();
}

void boot();
