// For pages without a bundler: after <script src=".../signalr-protocol-msgpack.js"> (the UMD bundle), an import
// map entry "@microsoft/signalr-protocol-msgpack": ".../browser/signalr-protocol-msgpack.js" serves the SDK.
const msgpack = globalThis.signalR?.protocols?.msgpack;
if (!msgpack) throw new Error("@realtime/client: load @microsoft/signalr-protocol-msgpack's dist/browser bundle before the SDK");
export const { MessagePackHubProtocol } = msgpack;
