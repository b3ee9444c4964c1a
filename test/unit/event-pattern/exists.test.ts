import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "Exists matching" in the EventBridge user guide: it works on the presence or absence of a field, and only on
// leaf nodes, not on intermediate nodes.

describe('exists', () => {
  it('true matches any value, null and empty string included', () => {
    for (const value of ['x', '', 0, false, null, ['a']]) {
      expect(matches({ f: [{ exists: true }] }, { f: value })).toBe(true);
    }
  });

  it('true does not match a missing field, an empty array or an object', () => {
    expect(matches({ f: [{ exists: true }] }, { g: 1 })).toBe(false);
    expect(matches({ f: [{ exists: true }] }, { f: [] })).toBe(false);
    expect(matches({ f: [{ exists: true }] }, { f: { g: 1 } })).toBe(false);
    expect(matches({ f: [{ exists: true }] }, { f: {} })).toBe(false);
  });

  it('true matches a leaf nested under the path', () => {
    expect(matches({ f: { g: [{ exists: true }] } }, { f: { g: 'x' } })).toBe(true);
    expect(matches({ f: { g: [{ exists: true }] } }, { f: [{ h: 1 }, { g: 'x' }] })).toBe(true);
  });

  it('false matches a missing field and nothing else', () => {
    expect(matches({ f: [{ exists: false }] }, { g: 1 })).toBe(true);
    expect(matches({ f: [{ exists: false }] }, { f: null })).toBe(false);
    expect(matches({ f: [{ exists: false }] }, { f: '' })).toBe(false);
    expect(matches({ a: { b: { c: [{ exists: false }] } } }, { a: { b: { c: 'v' } } })).toBe(false);
    expect(matches({ a: { b: { c: [{ exists: false }] } } }, { a: { b: { d: 'v' } } })).toBe(true);
  });

  it('false treats intermediate nodes and empty arrays as absent, because only leaves exist', () => {
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, { detail: { 'c-count': { c1: 100 } } })).toBe(true);
    expect(matches({ f: [{ exists: false }] }, { f: [] })).toBe(true);
  });

  it('can be one alternative among others', () => {
    const pattern = { S: [{ 'anything-but': ['roses'] }, { exists: false }] };
    expect(matches(pattern, { N: '1' })).toBe(true);
    expect(matches(pattern, { S: 'tulips' })).toBe(true);
    expect(matches(pattern, { S: 'roses' })).toBe(false);
  });

  it('combines with other fields', () => {
    const pattern = { source: ['app'], detail: { key: [{ exists: false }] } };
    expect(matches(pattern, { source: 'app', detail: { other: 1 } })).toBe(true);
    expect(matches(pattern, { source: 'app', detail: { key: 1 } })).toBe(false);
    expect(matches(pattern, { source: 'other', detail: {} })).toBe(false);
  });
});
