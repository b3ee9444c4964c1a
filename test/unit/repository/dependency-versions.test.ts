import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string }> };

describe('Powertools for AWS Lambda', () => {
  it('is one exact version throughout, so every utility shares one copy of its commons', () => {
    const declared = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith('@aws-lambda-powertools/'));
    expect(declared.length).toBeGreaterThan(0);
    expect(new Set(declared.map(([, version]) => version)).size).toBe(1);
    expect(declared[0]?.[1]).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = Object.entries(lock.packages).filter(([path]) => path.includes('node_modules/@aws-lambda-powertools/'));
    expect(new Set(installed.map(([, entry]) => entry.version))).toEqual(new Set([declared[0]?.[1]]));
  });
});
