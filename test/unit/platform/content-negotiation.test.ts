import { describe, expect, it } from 'vitest';
import { prefersHtml, prefersMediaType } from '@leadflow/platform';

const withAccept = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } });

describe('prefersMediaType', () => {
  it('prefers a type the Accept header names above 0 and above the fallback, or as high as a fallback only a wildcard covers', () => {
    const prefersCsv = (accept?: string) => prefersMediaType(withAccept(accept), 'text/csv', 'application/json');
    expect(prefersCsv('text/csv')).toBe(true);
    expect(prefersCsv('TEXT/CSV; Q=1')).toBe(true);
    expect(prefersCsv('text/csv, */*')).toBe(true);
    expect(prefersCsv('application/json;q=0.5, text/csv;q=0.9')).toBe(true);
    expect(prefersCsv('text/csv;charset=utf-8;q=0.8, */*;q=0.5')).toBe(true);
    // No preference stated, or the fallback preferred as much and named: the fallback.
    expect(prefersCsv(undefined)).toBe(false);
    expect(prefersCsv('*/*')).toBe(false);
    expect(prefersCsv('text/*')).toBe(false);
    expect(prefersCsv('text/csv, application/json')).toBe(false);
    expect(prefersCsv('text/csv;q=0.5, */*;q=0.8')).toBe(false);
  });

  it('reads q=0 as a refusal of the type, however the rest of the header reads', () => {
    const prefersCsv = (accept: string) => prefersMediaType(withAccept(accept), 'text/csv', 'application/json');
    expect(prefersCsv('text/csv;q=0, application/json')).toBe(false);
    expect(prefersCsv('text/csv;q=0')).toBe(false);
    expect(prefersCsv('text/csv;q=0.000, application/json;q=0')).toBe(false);
  });
});

describe('prefersHtml', () => {
  it('is a browser posting a form, and not an API client or a client refusing HTML', () => {
    expect(prefersHtml(withAccept('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'))).toBe(true);
    expect(prefersHtml(withAccept('text/html'))).toBe(true);
    expect(prefersHtml(withAccept('application/json'))).toBe(false);
    expect(prefersHtml(withAccept('text/html, application/json'))).toBe(false);
    expect(prefersHtml(withAccept('text/html;q=0, */*'))).toBe(false);
    expect(prefersHtml(withAccept('*/*'))).toBe(false);
  });
});
