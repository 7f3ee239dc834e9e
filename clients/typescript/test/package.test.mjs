// `npm pack` gives a tarball that installs and imports as a package, and the README's example compiles
// against the types it ships.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = path.join(packageDir, "node_modules/.bin/tsc");

test("npm pack makes a tarball that installs, imports, and type-checks the README's example", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "realtime-sdk-pack-"));
  try {
    const [{ filename, files }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: packageDir, encoding: "utf8" }));
    const names = files.map((f) => f.path);
    for (const expected of ["README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/ordering.js", "dist/contract.d.ts", "browser/signalr.js"]) {
      assert.ok(names.includes(expected), `the tarball has ${expected}`);
    }
    assert.ok(!names.some((n) => n.startsWith("src/") || n.startsWith("test/")), "sources and tests stay out");

    // Installed as npm would lay it out, next to its peer dependencies.
    const modules = path.join(work, "app/node_modules");
    mkdirSync(path.join(modules, "@realtime/client"), { recursive: true });
    execFileSync("tar", ["-xzf", path.join(work, filename), "-C", path.join(modules, "@realtime/client"), "--strip-components=1"]);
    for (const peer of ["@microsoft", "@msgpack"]) symlinkSync(path.join(packageDir, "node_modules", peer), path.join(modules, peer));
    const app = path.join(work, "app");
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
    const exported = execFileSync("node", ["--input-type=module", "-e",
      "const sdk = await import('@realtime/client'); const o = await import('@realtime/client/ordering'); console.log(JSON.stringify([Object.keys(sdk).sort(), typeof o.ConversationOrder]))"],
    { cwd: app, encoding: "utf8" });
    assert.deepEqual(JSON.parse(exported), [["ConversationOrder", "RealtimeClient", "RealtimeError", "hubPath"], "function"]);

    const readme = readFileSync(path.join(packageDir, "README.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(readme)[1];
    assert.ok(example.trim().split("\n").length <= 10, "the example is ten lines at most");
    writeFileSync(path.join(app, "example.ts"), `${example}
declare function getToken(): Promise<string>;
declare function show(conversationId: string, senderId: string, content: string): void;
declare function listConversation(c: import("@realtime/client").ConversationDto): void;
declare function hideConversation(id: string): void;
declare function showState(state: import("@realtime/client").ConnectionState): void;
`);
    writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, lib: ["es2022", "dom"], types: [] },
      files: ["example.ts"],
    }));
    assert.ok(existsSync(tsc), "typescript is installed (npm ci)");
    execFileSync(tsc, ["-p", "tsconfig.json"], { cwd: app, encoding: "utf8" });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
