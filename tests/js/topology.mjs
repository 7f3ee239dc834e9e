// deploy/local/topology.sh driven from the JavaScript tests: nginx in front of three nodes, Redis and
// PostgreSQL, every port free on loopback and the state in a folder of its own.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import path from "node:path";
import { freePort, repoRoot, tempDir } from "./harness.mjs";

export class LocalTopology {
  constructor(env, port) {
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start() {
    const port = await freePort();
    const nodePorts = [await freePort(), await freePort(), await freePort()];
    const topology = new LocalTopology({
      REALTIME_LOCAL_STATE: tempDir("realtime-topology-"),
      REALTIME_LB_PORT: String(port),
      REALTIME_NODE_PORTS: nodePorts.join(" "),
      REALTIME_REDIS_PORT: String(await freePort()),
      REALTIME_PG_PORT: String(await freePort()),
    }, port);
    try {
      await topology.run("start", "--no-build");
    } catch (error) {
      await topology.stop();
      throw error;
    }
    return topology;
  }

  /** One topology.sh command (kill-node 2, stop-redis, ...); rejects with its output when it fails. */
  async run(...args) {
    const child = spawn("bash", [path.join(repoRoot, "deploy/local/topology.sh"), ...args], {
      env: { ...process.env, ...this.env }, stdio: ["ignore", "pipe", "pipe"],
    });
    const output = [];
    child.stdout.on("data", (c) => output.push(String(c)));
    child.stderr.on("data", (c) => output.push(String(c)));
    const [code] = await once(child, "exit");
    if (code !== 0) throw new Error(`topology.sh ${args.join(" ")} exited with ${code}: ${output.join("")}`);
  }

  async stop() {
    try {
      await this.run("stop");
    } finally {
      rmSync(this.env.REALTIME_LOCAL_STATE, { recursive: true, force: true });
    }
  }
}
