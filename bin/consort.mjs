#!/usr/bin/env node
// `npx consort …` from the repository root: runs the TypeScript CLI through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../functions/src/cli/consort.ts');
