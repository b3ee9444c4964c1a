import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cdkArguments } from '../../../scripts/operations/cdk-stage';
import { deploySummary, outputsOfStack } from '../../../scripts/operations/deploy-summary';

/** Shaped like `cdk deploy --outputs-file` writes it, with made-up ids. */
const outputsFile = JSON.parse(readFileSync(new URL('../../fixtures/stack-outputs/leadflow-dev.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
const api = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';

describe('npm run deploy: what it prints', () => {
  it('prints the API URL, an embed snippet per form with the real URLs, and each webhook URL to register', () => {
    const summary = deploySummary(outputsOfStack(outputsFile, 'Leadflow-dev'));
    expect(summary).toContain(`API URL: ${api}/`);
    expect(summary).toContain(`<form data-leads-form="demo" action="${api}/forms/demo/submissions" method="post">`);
    expect(summary).toContain(`<form data-leads-form="emea-contact" action="${api}/forms/emea-contact/submissions" method="post">`);
    expect(summary).toContain(`<script src="${api}/embed.js" defer></script>`);
    expect(summary).toMatch(new RegExp(`^  meta +${api}/webhooks/meta$`, 'm'));
    expect(summary).toMatch(new RegExp(`^  generic/partner-acme +${api}/webhooks/generic/partner-acme$`, 'm'));
    expect(summary).toContain('Dashboard: Leadflow-dev');
  });

  it('says so when no platform is configured, and names a missing output', () => {
    const outputs = { ...outputsOfStack(outputsFile, 'Leadflow-dev'), WebhookUrls: '{}' };
    expect(deploySummary(outputs)).toContain('No ad platform is configured');
    const withoutApi = Object.fromEntries(Object.entries(outputs).filter(([name]) => name !== 'ApiUrl'));
    expect(() => deploySummary(withoutApi)).toThrow('The stack has no "ApiUrl" output');
    expect(() => outputsOfStack(outputsFile, 'Leadflow-prod')).toThrow('has no stack Leadflow-prod (it has: Leadflow-dev)');
  });
});

describe('npm run synth / deploy -- --stage', () => {
  it("passes the stage to cdk as context, dev when none is given, and writes a deploy's outputs per stage", () => {
    expect(cdkArguments('synth', [])).toEqual({ stage: 'dev', args: ['synth', '--quiet', '-c', 'stage=dev'] });
    expect(cdkArguments('synth', ['--stage', 'prod', '-o', 'out'])).toEqual({ stage: 'prod', args: ['synth', '--quiet', '-c', 'stage=prod', '-o', 'out'] });
    expect(cdkArguments('deploy', ['--stage=prod', '--require-approval', 'never'])).toEqual({
      stage: 'prod',
      args: ['deploy', '-c', 'stage=prod', '--outputs-file', 'cdk.out/outputs-prod.json', '--require-approval', 'never'],
      outputsFile: 'cdk.out/outputs-prod.json',
    });
    expect(() => cdkArguments('deploy', ['--stage'])).toThrow('--stage needs a stage name');
  });
});
