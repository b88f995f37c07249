const encoder = new TextEncoder();

// Hex and base64url by the runtime's own Uint8Array methods (lib/uint8array-base64.d.ts).
export const toHex = (bytes: ArrayBuffer | Uint8Array): string => (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toHex();

export async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(text));
}

export function randomBase64Url(byteLength: number): string {
  return crypto.getRandomValues(new Uint8Array(byteLength)).toBase64({ alphabet: "base64url", omitPadding: true });
}
