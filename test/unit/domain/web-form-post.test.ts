import { describe, expect, it } from 'vitest';
import { prepareIntake, readWebFormPost } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const form = config.forms.find((candidate) => candidate.id === 'demo')!;
const now = new Date('2026-03-02T10:15:00.000Z');
const contact = { name: 'Ada Lovelace', email: 'ada@example.com' };

const quarantineReasonOf = (body: Record<string, unknown>) => {
  const post = readWebFormPost(form, { ...contact, ...body }, { now });
  if (!post.ok) throw new Error(`refused: ${JSON.stringify(post.issues)}`);
  return post.submission.quarantineReason;
};

describe('readWebFormPost, fill time', () => {
  it('quarantines a post sent sooner after the form was shown than minFillSeconds', () => {
    expect(quarantineReasonOf({ _started_at: now.getTime() - 500 })).toBe('the form was filled in 500 ms, faster than the 3 s a person needs');
    expect(quarantineReasonOf({ _started_at: now.getTime() - 60_000 })).toBeUndefined();
  });

  it('does not read a start time in the future (a visitor clock running ahead) as a fast fill', () => {
    // A browser clock 5 minutes fast and a 60 s fill: the form "appeared" 240 s from now.
    expect(quarantineReasonOf({ _started_at: now.getTime() + 240_000 })).toBeUndefined();
    // Within the tolerance it is still a post sent at once.
    expect(quarantineReasonOf({ _started_at: now.getTime() + 1_000 })).toBe('the form was filled in 0 ms, faster than the 3 s a person needs');
  });

  it('prefers the fill time the browser measured, whatever its clock says', () => {
    expect(quarantineReasonOf({ _fill_ms: 500, _started_at: now.getTime() - 60_000 })).toBe('the form was filled in 500 ms, faster than the 3 s a person needs');
    expect(quarantineReasonOf({ _fill_ms: 60_000, _started_at: now.getTime() + 300_000 })).toBeUndefined();
    expect(quarantineReasonOf({ _fill_ms: '60000', _started_at: String(now.getTime()) })).toBeUndefined();
  });

  it('reads an empty or null fill time as none, not as 0 ms: a person is not quarantined for a field a page left blank', () => {
    for (const empty of ['', ' ', null]) {
      expect(quarantineReasonOf({ _fill_ms: empty }), JSON.stringify(empty)).toBeUndefined();
      expect(quarantineReasonOf({ _fill_ms: empty, _started_at: now.getTime() - 60_000 }), JSON.stringify(empty)).toBeUndefined();
      expect(quarantineReasonOf({ _started_at: empty }), JSON.stringify(empty)).toBeUndefined();
    }
  });
});

describe('readWebFormPost, attribution', () => {
  const capturedAttribution = (body: Record<string, unknown>) => {
    const post = readWebFormPost(form, { ...contact, ...body }, { now });
    if (!post.ok) throw new Error(`refused: ${JSON.stringify(post.issues)}`);
    return prepareIntake(post.submission, { leadId: 'lead-1', eventId: 'e-1', touchEventId: 't-1' }, now, config).lead.attribution;
  };

  it('makes the touch of a plain HTML post, which names no first touch, the new lead’s first touch too', () => {
    expect(capturedAttribution({ utm_source: 'newsletter', utm_campaign: 'spring' })).toEqual({
      firstTouch: { utm_source: 'newsletter', utm_campaign: 'spring' },
      lastTouch: { utm_source: 'newsletter', utm_campaign: 'spring' },
    });
  });

  it('keeps a first touch the post names, and records an empty one when the post has no touch at all, so that no later touch is taken for the first', () => {
    expect(capturedAttribution({ utm_campaign: 'spring', 'first_touch.utm_campaign': 'winter' })).toEqual({ firstTouch: { utm_campaign: 'winter' }, lastTouch: { utm_campaign: 'spring' } });
    expect(capturedAttribution({})).toEqual({ firstTouch: {} });
  });
});
