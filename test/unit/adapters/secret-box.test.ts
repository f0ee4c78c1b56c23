import { randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsSecretBox } from '@consort/shared/adapters/aws/kms-secret-box';
import { AesSecretBox } from '@consort/shared/adapters/crypto/aes-secret-box';
import ssh2 from 'ssh2';
import { generateProvisioningKeyPair, readsBack } from '@consort/shared/adapters/ssh/keys';
import { DomainError, TransientError } from '@consort/shared/core/errors';

describe('AesSecretBox', () => {
  const box = new AesSecretBox(randomBytes(32));

  it('seals to v1.<iv>.<tag>.<ciphertext> with a fresh IV and opens it again', async () => {
    const { privateKey } = generateProvisioningKeyPair('consort test');
    const a = await box.seal(privateKey);
    const b = await box.seal(privateKey);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('OPENSSH');
    expect(await box.open(a)).toBe(privateKey);
    expect(await box.open(await box.seal(''))).toBe('');
    expect(await box.open(await box.seal('ünïcødé'))).toBe('ünïcødé');
  });

  it('refuses tampered data, another key and unknown formats', async () => {
    const sealed = await box.seal('secret');
    const [v, iv, tag, ct] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0]! ^= 1;
    await expect(box.open([v, iv, tag, flipped.toString('base64url')].join('.'))).rejects.toMatchObject({ code: 'secret_unreadable' });
    await expect(new AesSecretBox(randomBytes(32)).open(sealed)).rejects.toMatchObject({ code: 'secret_unreadable' });
    await expect(box.open(`v2.${iv}.${tag}.${ct}`)).rejects.toThrow(/unknown format/);
    await expect(box.open('secret')).rejects.toBeInstanceOf(DomainError);
  });

  it('needs a 32-byte key', () => {
    expect(() => new AesSecretBox(randomBytes(16))).toThrow(/32-byte/);
  });
});

describe('KmsSecretBox', () => {
  /** A stand-in for KMSClient.send: "encrypts" by reversing bytes, and records the commands it got. */
  function fakeKms(fail?: { name: string; status?: number }) {
    const calls: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        calls.push({ name: command.constructor.name, input: command.input });
        if (fail) throw Object.assign(new Error(fail.name), { name: fail.name, $metadata: { httpStatusCode: fail.status ?? 400 } });
        if (command.constructor.name === 'EncryptCommand')
          return { CiphertextBlob: Uint8Array.from(command.input.Plaintext as Uint8Array).reverse() };
        return { Plaintext: Uint8Array.from(command.input.CiphertextBlob as Uint8Array).reverse() };
      },
    };
    return { client: client as unknown as KMSClient, calls };
  }

  it('encrypts with the key id and an encryption context, and decrypts with the same', async () => {
    const { client, calls } = fakeKms();
    const box = new KmsSecretBox(client, 'alias/consort');
    const sealed = await box.seal('private key');
    expect(sealed).toMatch(/^kms1\.[\w-]+$/);
    expect(await box.open(sealed)).toBe('private key');
    expect(calls.map((c) => c.name)).toEqual(['EncryptCommand', 'DecryptCommand']);
    for (const call of calls)
      expect(call.input).toMatchObject({ KeyId: 'alias/consort', EncryptionContext: { purpose: 'consort-secret-box' } });
  });

  it('maps throttling to TransientError and a refused ciphertext to secret_unreadable', async () => {
    await expect(new KmsSecretBox(fakeKms({ name: 'ThrottlingException' }).client, 'k').seal('x')).rejects.toBeInstanceOf(TransientError);
    await expect(new KmsSecretBox(fakeKms({ name: 'InternalFailure', status: 503 }).client, 'k').seal('x')).rejects.toBeInstanceOf(
      TransientError,
    );
    await expect(new KmsSecretBox(fakeKms({ name: 'InvalidCiphertextException' }).client, 'k').open('kms1.AAAA')).rejects.toMatchObject({
      code: 'secret_unreadable',
    });
    await expect(new KmsSecretBox(fakeKms().client, 'k').open('v1.a.b.c')).rejects.toThrow(/not sealed with KMS/);
    await expect(new KmsSecretBox(fakeKms().client, 'k').seal('x'.repeat(5000))).rejects.toMatchObject({ code: 'secret_too_large' });
  });
});

describe('generateProvisioningKeyPair', () => {
  it('makes an ed25519 pair in authorized_keys and OpenSSH formats with a one-line comment', () => {
    const { publicKey, privateKey } = generateProvisioningKeyPair('consort acme\nextra');
    expect(publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ consort acme extra$/);
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/);
    expect(generateProvisioningKeyPair('consort acme').privateKey).not.toBe(privateKey);
  });

  it('catches the pairs ssh2 makes but cannot read back (about 1 in 256: mscdex/ssh2 #1513)', () => {
    // The defect is still in the ssh2 we ship: find such a pair straight from its generator.
    let bad: { public: string; private: string } | undefined;
    for (let i = 0; i < 20_000 && !bad; i++) {
      const pair = ssh2.utils.generateKeyPairSync('ed25519');
      if (!readsBack(pair.public, pair.private)) bad = pair;
    }
    expect(bad, 'ssh2 made no unreadable pair in 20,000 tries (fixed upstream? then the check can stay)').toBeDefined();
    const parsed = [ssh2.utils.parseKey(bad!.public), ssh2.utils.parseKey(bad!.private)];
    expect(parsed.some((p) => p instanceof Error)).toBe(true);
  }, 60_000);

  it('only hands out pairs ssh2 reads back, whose private half signs what the public half verifies', () => {
    const data = Buffer.from('consort');
    // 2,000 pairs: ssh2's own generator would hand out an unreadable one among them with probability 1 − (255/256)^2000.
    for (let i = 0; i < 2_000; i++) {
      const { publicKey, privateKey } = generateProvisioningKeyPair(`consort t${i}`);
      const pub = ssh2.utils.parseKey(publicKey);
      const priv = ssh2.utils.parseKey(privateKey);
      if (pub instanceof Error || priv instanceof Error) throw new Error(`pair ${i} unreadable: ${String(pub)} / ${String(priv)}`);
      const [p, k] = [Array.isArray(pub) ? pub[0]! : pub, Array.isArray(priv) ? priv[0]! : priv];
      expect(p.verify(data, k.sign(data))).toBe(true);
    }
  }, 60_000); // about 2 s idle; CI runs it beside everything else
});
