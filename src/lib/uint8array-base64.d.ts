// The Uint8Array base64/hex methods workerd has (TC39 "Uint8Array to/from base64"), which neither
// TypeScript 5.9's lib nor the generated runtime types (worker-configuration.d.ts) declare yet.
interface Uint8Array {
  toHex(): string;
  toBase64(options?: { alphabet?: "base64" | "base64url"; omitPadding?: boolean }): string;
}
interface Uint8ArrayConstructor {
  fromBase64(string: string, options?: { alphabet?: "base64" | "base64url"; lastChunkHandling?: "loose" | "strict" | "stop-before-partial" }): Uint8Array;
}
