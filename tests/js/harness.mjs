// Real processes for the JavaScript tests: redis-server and Realtime.Server nodes on free loopback ports.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const configuration = process.env.CONFIGURATION ?? "Release";
export const serverDll = process.env.REALTIME_SERVER_DLL
  ?? path.join(repoRoot, "src/Realtime.Server/bin", configuration, "net10.0/Realtime.Server.dll");
export const notifierDll = path.join(repoRoot, "samples/notifier/bin", configuration, "net10.0/Realtime.Notifier.dll");
export const signingKey = "js-test-signing-key-that-is-long-enough-for-hs256";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function until(condition, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class Redis {
  constructor(port) { this.port = port; this.connectionString = `127.0.0.1:${port}`; }

  static async start() {
    const redis = new Redis(await freePort());
    await redis.startAgain();
    return redis;
  }

  async startAgain() {
    this.process = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await until(() => new Promise((resolve) => {
      const socket = net.connect(this.port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    }), "redis-server accepts connections");
  }

  async stop() {
    if (this.process && this.process.exitCode === null) {
      this.process.kill("SIGKILL");
      await once(this.process, "exit");
    }
  }
}

/** One Realtime.Server process; kill() is SIGKILL, startAgain() comes back on the same port. */
export class ServerNode {
  constructor(name, port, settings) {
    this.name = name;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.settings = settings;
    this.output = [];
  }

  static async start(name, settings) {
    if (!existsSync(serverDll)) throw new Error(`${serverDll} is missing: build the solution first (./build.sh test does).`);
    const node = new ServerNode(name, await freePort(), settings);
    await node.startAgain();
    return node;
  }

  async startAgain() {
    const env = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: "Development",
      Auth__Issuer: "realtime-js-test",
      Auth__Audience: "realtime",
      Auth__SigningKey: signingKey,
      Auth__DevTokens: "true",
      Logging__LogLevel__Default: "Warning",
      WebChat__Root: path.join(repoRoot, "samples/web-chat"),
      Shutdown__DrainDelay: "00:00:00",
    };
    for (const [key, value] of Object.entries(this.settings)) env[key.replaceAll(":", "__")] = value;
    this.process = spawn("dotnet", [serverDll, "--urls", this.url], { env, stdio: ["ignore", "pipe", "pipe"] });
    this.process.stdout.on("data", (chunk) => this.output.push(String(chunk)));
    this.process.stderr.on("data", (chunk) => this.output.push(String(chunk)));
    await until(async () => {
      if (this.process.exitCode !== null) throw new Error(`node ${this.name} exited:\n${this.output.join("")}`);
      try {
        return (await fetch(`${this.url}/health/ready`)).ok;
      } catch {
        return false;
      }
    }, `node ${this.name} is ready`, 60000);
  }

  async kill(signal = "SIGKILL") {
    if (this.process && this.process.exitCode === null) {
      this.process.kill(signal);
      await once(this.process, "exit");
    }
  }
}

/** Two nodes sharing one SQLite file and one Redis: enough to take a node away while the other keeps serving. */
export async function startCluster(extraSettings = {}) {
  const directory = tempDir("realtime-js-");
  const redis = await Redis.start();
  const settings = {
    "Database:Provider": "Sqlite",
    "ConnectionStrings:Chat": `Data Source=${path.join(directory, "chat.db")};Default Timeout=30`,
    "Redis:ConnectionString": redis.connectionString,
    "Redis:ChannelPrefix": "js-test",
    ...extraSettings,
  };
  const first = await ServerNode.start("1", settings);
  const second = await ServerNode.start("2", settings);
  return {
    redis,
    nodes: [first, second],
    settings,
    async stop() {
      for (const node of [first, second]) await node.kill("SIGTERM");
      await redis.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function tokenFor(baseUrl, userId, roles = []) {
  const response = await fetch(`${baseUrl}/api/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, roles }),
  });
  if (!response.ok) throw new Error(`dev token: ${response.status}`);
  return (await response.json()).accessToken;
}

export function uniqueUser(name) {
  return `${name}-${Math.random().toString(36).slice(2, 10)}`;
}

/** A started @microsoft/signalr connection that records every server call, by method name. */
export async function connect(baseUrl, userId, protocol, { reconnect = true, stateful = false, tokenUrl = baseUrl } = {}) {
  const token = await tokenFor(tokenUrl, userId);
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(`${baseUrl}/hubs/chat`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None);
  if (reconnect) builder = builder.withAutomaticReconnect([0, 250, 500, 1000, 1000, 2000, 2000, 2000, 2000, 2000, 5000, 5000]);
  if (stateful) builder = builder.withStatefulReconnect();
  if (protocol === "messagepack") builder = builder.withHubProtocol(new MessagePackHubProtocol());
  const connection = builder.build();
  const events = [];
  const waiters = new Set();
  for (const method of ["MessageReceived", "MessageUpdated", "ReadReceiptUpdated", "TypingChanged", "PresenceChanged", "ConversationUpdated", "Notified", "ProgressChanged"]) {
    connection.on(method, (payload) => {
      events.push({ method, payload });
      for (const waiter of waiters) waiter();
    });
  }
  await connection.start();
  return {
    userId,
    connection,
    events,
    of: (method) => events.filter((e) => e.method === method).map((e) => e.payload),
    /** Resolves with the first recorded payload of `method` matching `predicate`; rejects after `timeoutMs`. */
    waitFor(method, predicate = () => true, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.method === method && predicate(e.payload));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found.payload);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${method} at ${userId}; got ${events.map((e) => e.method).join(", ")}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    stop: () => connection.stop(),
  };
}

export async function runNotifier(cluster, ...args) {
  const child = spawn("dotnet", [notifierDll, ...args,
    "--Redis:ConnectionString", cluster.settings["Redis:ConnectionString"],
    "--Redis:ChannelPrefix", cluster.settings["Redis:ChannelPrefix"]], { stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  child.stdout.on("data", (c) => output.push(String(c)));
  child.stderr.on("data", (c) => output.push(String(c)));
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`notifier exited with ${code}: ${output.join("")}`);
}

/**
 * A TCP relay in front of a node that can cut every connection through it, as a network blip would,
 * and hold the connections that come next until it is let through again.
 */
export async function startBlip(targetPort) {
  const sockets = new Set();
  const held = [];
  let holding = false;
  const server = net.createServer((client) => {
    const open = () => {
      const upstream = net.connect(targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (holding) held.push(open);
    else open();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Drops every connection at once; new ones wait for letThrough(). */
    cut() {
      holding = true;
      for (const socket of sockets) socket.destroy();
    },
    letThrough() {
      holding = false;
      for (const open of held.splice(0)) open();
    },
    close: () => new Promise((resolve) => { for (const socket of sockets) socket.destroy(); server.close(resolve); }),
  };
}
