/**
 * The Consort CDK app (`npx cdk synth|deploy` from the repository root; cdk.json runs this with tsx).
 * Context flags are documented in docs/aws.md; cdk-nag's AWS Solutions pack fails synth on any
 * unacknowledged finding.
 */
import { App } from 'aws-cdk-lib';
import { createConsort, readOptions } from '../lib/consort';
import { addNagChecks } from '../lib/nag';

const app = new App();
createConsort(app, readOptions(app));
addNagChecks(app);
app.synth();
