import type { Clock } from './clock';
import type { CryptoPort, KeyPairGenerator, ProvisioningQueue } from '../ports/crypto';
import type { Store } from '../ports/store';
import type { SecretBox } from '../ports/transport';

/** What use cases need; composition roots (functions/src/lib/deps.ts, local runtime) build it. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  crypto: CryptoPort;
  keyPairs: KeyPairGenerator;
  secrets: SecretBox;
  queue: ProvisioningQueue;
}
