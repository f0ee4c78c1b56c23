import ssh2 from 'ssh2'; // CommonJS: named exports are not visible to Node's ESM loader

/** Tries before giving up; a bad pair comes about once in 256, so 16 failures in a row mean something else is wrong. */
const MAX_ATTEMPTS = 16;

/**
 * A new ed25519 key pair for a tenant's provisioning: the public key in `authorized_keys` form
 * (`ssh-ed25519 AAAA… comment`), the private key in OpenSSH format (unencrypted; seal it with a SecretBox).
 *
 * ssh2's generator drops leading zero bytes from an ed25519 public key (mscdex/ssh2 #1390, #1513), so about one pair
 * in 256 cannot be read back — by ssh2 itself when it signs in ("Malformed OpenSSH private key"), and the tenant could
 * never provision. Each pair is therefore read back with ssh2's parser before it is used, and both halves must name
 * the same public key; a pair that fails is thrown away and another is made (leaving out those keys costs nothing
 * that matters: 1/256 of the key space).
 * @example generateProvisioningKeyPair('consort acme') // → { publicKey: 'ssh-ed25519 AAAAC3… consort acme', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----…' }
 */
export function generateProvisioningKeyPair(comment: string): { publicKey: string; privateKey: string } {
  // A comment is free text in authorized_keys; keep it on one line.
  const safeComment = comment.replace(/[^\x20-\x7e]/g, ' ').trim();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const keys = ssh2.utils.generateKeyPairSync('ed25519', { comment: safeComment });
    if (readsBack(keys.public, keys.private)) return { publicKey: keys.public.trim(), privateKey: keys.private };
  }
  throw new Error(`ssh2 made ${MAX_ATTEMPTS} ed25519 key pairs in a row that it cannot read back`);
}

/** Whether ssh2 parses both halves of a pair and they hold the same public key. */
export function readsBack(publicKey: string, privateKey: string): boolean {
  const pub = ssh2.utils.parseKey(publicKey);
  const priv = ssh2.utils.parseKey(privateKey);
  if (pub instanceof Error || priv instanceof Error) return false;
  const one = (k: ssh2.ParsedKey | ssh2.ParsedKey[]) => (Array.isArray(k) ? k[0] : k);
  const a = one(pub);
  const b = one(priv);
  return Boolean(a && b && a.type === 'ssh-ed25519' && a.getPublicSSH().equals(b.getPublicSSH()));
}
