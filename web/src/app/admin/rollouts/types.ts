// The rollout API's shapes as the pages read them.
import type { Rollout } from '@consort/shared/provisioning/rollouts';

export type RolloutView = Rollout & {
  progress: {
    hosts: { total: number; waiting: number; running: number; done: number; failed: number; skipped: number };
    services: { total: number; applied: number; failed: number; remaining: number };
  };
};

export interface DryRun {
  dryRun: true;
  kind: string;
  services: number;
  hosts: { hostId: string; hostName: string; units: { backend: string; services: string[]; script: string }[] }[];
  unrouted: { serviceId: string; name: string; reason: string }[];
}
