import { describe, expect, it } from 'vitest';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

describe('configuration', () => {
  it('accepts the shipped demo: a demo form, four or more reps over two regions, two pools', () => {
    const config = demoConfiguration();
    expect(config.forms.map((form) => form.id)).toContain('demo');
    expect(config.reps.filter((rep) => rep.active).length).toBeGreaterThanOrEqual(4);
    expect(new Set(config.reps.flatMap((rep) => rep.regions)).size).toBeGreaterThanOrEqual(2);
    expect(config.pools.length).toBeGreaterThanOrEqual(2);
  });

  it('names the field of a reference to an unknown pool', () => {
    const document = demoConfiguration();
    document.forms[0].poolId = 'nowhere';
    expect(configurationIssues(document)).toEqual(['forms[0].poolId: unknown pool "nowhere"']);
  });

  it('names each offending field in the message', () => {
    const document = demoConfiguration() as unknown as { reps: Array<Record<string, unknown>>; pools: Array<{ members: string[] }> };
    document.reps[1].email = 'not-an-email';
    document.reps[2].timeZone = 'Mars/Olympus';
    document.pools[1].members.push('rep-ghost');
    const issues = configurationIssues(document);
    expect(issues).toContainEqual(expect.stringMatching(/^reps\[1\]\.email: /));
    expect(issues).toContainEqual(expect.stringMatching(/^reps\[2\]\.timeZone: must be an IANA time zone/));
    expect(issues).toContainEqual('pools[1].members[2]: unknown rep "rep-ghost"');
  });

  it('rejects duplicate ids, unknown keys, and a form nobody could contact', () => {
    const document = demoConfiguration() as unknown as Record<string, any>;
    document.reps[1].id = document.reps[0].id;
    document.forms[1].colour = 'blue';
    document.forms[1].fields = [{ name: 'note', label: 'Note' }];
    const issues = configurationIssues(document);
    expect(issues).toContainEqual(`reps[1].id: duplicate id "${document.reps[0].id}"`);
    expect(issues).toContainEqual(expect.stringMatching(/^forms\[1\]\.colour: Unrecognized key: "colour"/));
    expect(issues).toContainEqual(expect.stringMatching(/^forms\[1\]\.fields: a form needs a field that maps to "email" or "phone"/));
  });

  it("takes a form's allowed origins only as browsers send them, naming each one that never would match", () => {
    const document = demoConfiguration();
    document.forms[0].allowedOrigins = ['https://northwind.example', 'http://localhost:3000', '*', 'https://northwind.example/', 'https://Northwind.example', 'null', 'northwind.example', 'https://northwind.example:443'];
    expect(configurationIssues(document)).toEqual(
      [3, 4, 5, 6, 7].map((index) => `forms[0].allowedOrigins[${index}]: must be an origin such as "https://www.example.com" (scheme, host and port only, lower case, no trailing slash) or "*"`),
    );
  });

  it('says which field when the document is not an object at all', () => {
    expect(configurationIssues([])).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
