// For pages without a bundler: after <script src=".../signalr.js"> (the UMD bundle that sets window.signalR),
// an import map entry "@microsoft/signalr": ".../browser/signalr.js" lets the SDK's ES module import it.
const signalR = globalThis.signalR;
if (!signalR) throw new Error("@realtime/client: load @microsoft/signalr's dist/browser/signalr.js before the SDK");
export const {
  AbortError, DefaultHttpClient, HttpClient, HttpError, HttpTransportType, HubConnection, HubConnectionBuilder,
  HubConnectionState, JsonHubProtocol, LogLevel, MessageType, NullLogger, Subject, TimeoutError, TransferFormat, VERSION,
} = signalR;
