import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConsort, readOptions } from '../../infra/lib/consort';
import { assembleStandalone, hasStandaloneBuild } from '../../infra/lib/web-asset';
import { createTestConsort, testContext } from './consort-app';

describe('web stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(createTestConsort().stacks.web!);
  });

  it('runs Next.js behind the Lambda Web Adapter with a streaming function URL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'run.sh',
      Runtime: 'nodejs22.x',
      Layers: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':753240598075:layer:LambdaAdapterLayerX86:30')])] }],
      Environment: {
        Variables: Match.objectLike({
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
          AWS_LWA_INVOKE_MODE: 'response_stream',
          CONSORT_API_URL: Match.anyValue(),
          NEXTAUTH_SECRET: Match.anyValue(),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
  });

  it('serves it through CloudFront over HTTPS, with logs, caching only /_next/static', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', FunctionAssociations: Match.anyValue() }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/_next/static/*' })],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  it('uses TLSv1.2_2021 and sets NEXTAUTH_URL when a custom domain is given', () => {
    const { stacks } = createTestConsort({
      webDomainName: 'panel.example.org',
      webCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    });
    const custom = Template.fromStack(stacks.web!);
    custom.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['panel.example.org'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NEXTAUTH_URL: 'https://panel.example.org' }) },
    });
  });

  it('wants a domain and its certificate together', () => {
    expect(() => createTestConsort({ webDomainName: 'panel.example.org' })).toThrow(/together/);
  });

  it('is left out with skipWeb, and refuses to guess when the build is missing', () => {
    expect(createTestConsort({ skipWeb: 'true' }).stacks.web).toBeUndefined();
    if (!hasStandaloneBuild()) {
      const app = new App({ context: { ...testContext(), webPlaceholder: undefined } });
      expect(() => createConsort(app, readOptions(app))).toThrow(/web\/\.next\/standalone is missing/);
    }
  });

  it('assembles a monorepo standalone build: server under web/, static and public copied, executable run.sh', () => {
    const root = mkdtempSync(join(tmpdir(), 'consort-web-'));
    const webDir = join(root, 'web');
    const standalone = join(webDir, '.next', 'standalone');
    mkdirSync(join(standalone, 'web'), { recursive: true });
    mkdirSync(join(standalone, 'node_modules', 'next'), { recursive: true });
    writeFileSync(join(standalone, 'web', 'server.js'), '');
    mkdirSync(join(webDir, '.next', 'static', 'chunks'), { recursive: true });
    writeFileSync(join(webDir, '.next', 'static', 'chunks', 'app.js'), '');
    mkdirSync(join(webDir, 'public'), { recursive: true });
    writeFileSync(join(webDir, 'public', 'favicon.ico'), '');
    const out = join(root, 'out');
    mkdirSync(out);

    assembleStandalone(webDir, out);

    expect(readFileSync(join(out, 'run.sh'), 'utf8')).toContain('exec node web/server.js');
    expect(statSync(join(out, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(out, 'web', '.next', 'static', 'chunks', 'app.js')).isFile()).toBe(true);
    expect(statSync(join(out, 'web', 'public', 'favicon.ico')).isFile()).toBe(true);
  });
});
