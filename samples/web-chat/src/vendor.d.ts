// The SignalR client and its MessagePack protocol load as classic scripts from /vendor (node_modules, never a CDN)
// and put themselves on window; these declarations give them their packages' own types.
import type * as SignalR from "@microsoft/signalr";
import type * as MessagePack from "@microsoft/signalr-protocol-msgpack";

declare global {
  const signalR: typeof SignalR & { protocols: { msgpack: typeof MessagePack } };
}
