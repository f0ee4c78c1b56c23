import ssh2 from 'ssh2'; // CommonJS: named exports are not visible to Node's ESM loader

/**
 * A new ed25519 key pair for a tenant's provisioning: the public key in `authorized_keys` form
 * (`ssh-ed25519 AAAA… comment`), the private key in OpenSSH format (unencrypted; seal it with a SecretBox).
 * @example generateProvisioningKeyPair('consort acme') // → { publicKey: 'ssh-ed25519 AAAAC3… consort acme', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----…' }
 */
export function generateProvisioningKeyPair(comment: string): { publicKey: string; privateKey: string } {
  // A comment is free text in authorized_keys; keep it on one line.
  const safeComment = comment.replace(/[^\x20-\x7e]/g, ' ').trim();
  const keys = ssh2.utils.generateKeyPairSync('ed25519', { comment: safeComment });
  return { publicKey: keys.public.trim(), privateKey: keys.private };
}
