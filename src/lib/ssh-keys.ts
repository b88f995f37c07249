/** Ed25519 key pairs in OpenSSH formats (the `ssh-ed25519 AAAA...` line and an unencrypted openssh-key-v1 PEM). */
const encoder = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const uint32 = (n: number) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
/** SSH wire "string": uint32 length, then the bytes. */
const sshString = (bytes: Uint8Array | string) => {
  const b = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  return concat(uint32(b.length), b);
};

const base64 = (bytes: Uint8Array) => bytes.toBase64();
const fromBase64Url = (s: string) => Uint8Array.fromBase64(s, { alphabet: "base64url" });

const KEY_TYPE = "ssh-ed25519";

export async function generateEd25519KeyPair(comment: string): Promise<{ publicKey: string; privateKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const pub = fromBase64Url(jwk.x!);
  const seed = fromBase64Url(jwk.d!);
  const publicBlob = concat(sshString(KEY_TYPE), sshString(pub));

  const check = crypto.getRandomValues(new Uint8Array(4));
  let privateSection = concat(
    check,
    check,
    sshString(KEY_TYPE),
    sshString(pub),
    sshString(concat(seed, pub)),
    sshString(comment),
  );
  const padding = Uint8Array.from({ length: (8 - (privateSection.length % 8)) % 8 }, (_, i) => i + 1);
  privateSection = concat(privateSection, padding);

  const body = concat(
    encoder.encode("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(new Uint8Array()),
    uint32(1),
    sshString(publicBlob),
    sshString(privateSection),
  );
  const lines = base64(body).match(/.{1,70}/g) ?? [];
  return {
    publicKey: `${KEY_TYPE} ${base64(publicBlob)} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}
