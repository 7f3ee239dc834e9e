// The SignalR connection and the SDK's own reconnect loop. SignalR's automatic reconnect gives up after
// its schedule; this loop does not, so a server that is down for any length of time is waited out.
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { hubPath } from "./contract.js";
import { delay, retryDelay, type RetryOptions } from "./backoff.js";
import { normalize } from "./normalize.js";
import { toRealtimeError } from "./errors.js";

export type Protocol = "json" | "messagepack";

export interface ConnectionOptions {
  /** The server's base address, e.g. `https://chat.example.com`; the hub path is appended. */
  url: string;
  /** Called before every connect and reconnect, so a refreshed token is picked up. */
  accessToken?: () => string | Promise<string>;
  /** Wire protocol; the application sees the same objects with either. Default "json". */
  protocol?: Protocol;
  /** The SDK's reconnect backoff. */
  retry?: RetryOptions;
  /** SignalR's own log level. Default LogLevel.None. */
  logLevel?: signalR.LogLevel;
}

export interface LinkEvents {
  /** Connected, the first time (`again` false) or after a loss (`again` true). */
  connected(again: boolean): Promise<void>;
  /** The connection was lost; the link is trying again. */
  lost(error?: Error): void;
  /** One connect attempt failed; the link waits `retryInMs` and tries again. */
  attemptFailed(error: unknown, retryInMs: number): void;
}

export class HubLink {
  readonly connection: signalR.HubConnection;
  private readonly options: ConnectionOptions;
  private readonly events: LinkEvents;
  private running = false;
  private looping = false;
  private everConnected = false;
  private abort = new AbortController();
  private waiters: Array<() => void> = [];

  constructor(options: ConnectionOptions, events: LinkEvents) {
    this.options = options;
    this.events = events;
    const accessToken = options.accessToken;
    let builder = new signalR.HubConnectionBuilder()
      .withUrl(options.url.replace(/\/+$/, "") + hubPath, accessToken ? { accessTokenFactory: () => accessToken() } : {})
      .configureLogging(options.logLevel ?? signalR.LogLevel.None);
    if (options.protocol === "messagepack") builder = builder.withHubProtocol(new MessagePackHubProtocol());
    this.connection = builder.build();
    this.connection.onclose((error) => {
      if (!this.running) return;
      this.events.lost(error);
      void this.loop();
    });
  }

  get isConnected(): boolean {
    return this.connection.state === signalR.HubConnectionState.Connected;
  }

  /** Connects, retrying for as long as it takes; resolves once connected (and the first `connected` handler ran). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    await this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort(new Error("stopped"));
    await this.connection.stop();
  }

  /** Resolves when the connection is up (immediately if it is); rejects when `signal` aborts or the link stops. */
  whenConnected(signal?: AbortSignal): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => { signal?.removeEventListener("abort", onAbort); resolve(); };
      const onAbort = () => { this.waiters = this.waiters.filter((w) => w !== done); reject(signal?.reason); };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(done);
    });
  }

  /** One hub call; times are normalized and contract errors become RealtimeError. */
  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return normalize(await this.connection.invoke<T>(method, ...args));
    } catch (error) {
      throw toRealtimeError(error);
    }
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      for (let attempt = 0; this.running; attempt++) {
        if (attempt > 0) {
          try {
            await delay(retryDelay(attempt, this.options.retry), this.abort.signal);
          } catch {
            return;
          }
        }
        try {
          await this.connection.start();
        } catch (error) {
          if (!this.running) return;
          this.events.attemptFailed(error, retryDelay(attempt + 1, this.options.retry));
          continue;
        }
        const again = this.everConnected;
        this.everConnected = true;
        for (const waiter of this.waiters.splice(0)) waiter();
        this.looping = false;
        await this.events.connected(again);
        return;
      }
    } finally {
      this.looping = false;
    }
  }
}
