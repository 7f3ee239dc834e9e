// deploy/local/topology.sh driven from the JavaScript tests: nginx in front of three nodes, Redis and
// PostgreSQL, every port free on loopback and the state in a folder of its own.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { freePort, repoRoot, tempDir } from "./harness.mjs";

export class LocalTopology {
  constructor(env, port) {
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
  }

  /**
   * Starts on free loopback ports. A port found free can be taken before the node binds it, so a start that fails
   * is reported with the nodes' logs and tried once more on new ports.
   */
  static async start() {
    try {
      return await LocalTopology.startOnce();
    } catch (error) {
      console.error(`the local topology did not start; trying once more on other ports: ${error.message}`);
      return await LocalTopology.startOnce();
    }
  }

  static async startOnce() {
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
      error.message += topology.logTails();
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

  /** The end of each node's log, so a node that did not come up says why before its folder is removed. */
  logTails() {
    return [1, 2, 3].map((n) => path.join(this.env.REALTIME_LOCAL_STATE, `node${n}.log`)).filter(existsSync)
      .map((file) => `\n--- ${path.basename(file)}\n${readFileSync(file, "utf8").split("\n").slice(-25).join("\n")}`).join("");
  }

  async stop() {
    try {
      await this.run("stop");
    } finally {
      rmSync(this.env.REALTIME_LOCAL_STATE, { recursive: true, force: true });
    }
  }
}
