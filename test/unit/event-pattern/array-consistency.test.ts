import { describe, expect, it } from 'vitest';
import { matches } from '@leadflow/event-pattern';

// "JSON Array Matching" in the aws/event-ruler README (the matcher behind EventBridge): arrays are crushed out of
// the event, but fields that sit in different elements of the same array never combine to satisfy one pattern.

const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

describe('array consistency', () => {
  it('matches fields of array elements as if they were fields of the parent', () => {
    expect(matches({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
  });

  it('requires fields of one pattern to come from the same array element', () => {
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(false);
  });

  it('backtracks over candidate elements instead of taking the first match', () => {
    const event = {
      items: [
        { kind: 'a', size: 1 },
        { kind: 'a', size: 2 },
        { kind: 'b', size: 3 },
      ],
    };
    expect(matches({ items: { kind: ['a'], size: [2] } }, event)).toBe(true);
    expect(matches({ items: { kind: ['b'], size: [{ numeric: ['<', 3] }] } }, event)).toBe(false);
  });

  it('applies to multi-level arrays', () => {
    const event = {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['John'], lastName: ['Smith'] } }, event)).toBe(false);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('lets fields outside the array combine with any element', () => {
    const event = { source: 's', items: [{ id: 1 }, { id: 2 }] };
    expect(matches({ source: ['s'], items: { id: [2] } }, event)).toBe(true);
  });

  it('lets values of different arrays combine freely', () => {
    const event = { a: [{ x: 1 }, { x: 2 }], b: [{ y: 1 }, { y: 2 }] };
    expect(matches({ a: { x: [2] }, b: { y: [1] } }, event)).toBe(true);
  });

  it('looks for exists:false only in the element chosen for the fields before it', () => {
    const event = { items: [{ id: 'a', flag: true }, { id: 'b' }] };
    // "flag" sorts before "id": it is checked first, against the whole array, and exists in element 0.
    expect(matches({ items: { id: ['b'], flag: [{ exists: false }] } }, event)).toBe(false);
    // "zz" sorts after "id": it is checked in the element chosen for "id".
    const laterEvent = { items: [{ id: 'a', zz: true }, { id: 'b' }] };
    expect(matches({ items: { id: ['b'], zz: [{ exists: false }] } }, laterEvent)).toBe(true);
    expect(matches({ items: { id: ['a'], zz: [{ exists: false }] } }, laterEvent)).toBe(false);
  });

  it('matches a list of objects by a nested field', () => {
    const event = { detail: { automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] } };
    expect(matches({ detail: { automations: { id: [{ exists: true }] } } }, event)).toBe(true);
  });
});
