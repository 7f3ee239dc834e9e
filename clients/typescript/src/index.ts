export * from "./contract.js";
export { RealtimeClient, type RealtimeClientOptions, type RealtimeEvents, type ConnectionState, type SendOptions } from "./client.js";
export type { ConnectionOptions, Protocol } from "./link.js";
export type { RetryOptions } from "./backoff.js";
export type { SyncOptions } from "./sync.js";
export { ConversationOrder, type Position, type Delivery, type OrderingMode } from "./ordering.js";
export { RealtimeError } from "./errors.js";
