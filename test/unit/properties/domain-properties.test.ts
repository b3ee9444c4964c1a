import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intakeDedupKeys, normaliseEmail, normaliseName, normalisePhone, parseJsonKeepingLargeIntegers, prepareIntake, type IntakeSubmission } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const at = new Date('2026-03-02T10:00:00.000Z');
const personKeysOf = (contact: { email?: string; phone?: string }) =>
  prepareIntake(
    { sourceKind: 'web_form', channel: 'website', formId: 'demo', poolId: 'americas-inbound', defaultCountry: 'US', contact, answers: {}, attribution: {}, isTest: false },
    { leadId: 'l', eventId: 'e', touchEventId: 't' },
    at,
    config,
  )
    .dedupKeys.filter((key) => key.kind === 'person')
    .map((key) => key.key);

/** How people and forms write the same address: case, surrounding spaces, tabs and line breaks. */
const emailVariant = (email: string) =>
  fc
    .tuple(fc.constantFrom('', ' ', '\t', '  \n'), fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }), fc.constantFrom('', ' ', '\r\n'))
    .map(([before, upper, after]) => `${before}${[...email].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join('')}${after}`);

/** How the same US number is written: national, international, with spaces, dots, dashes or brackets. */
const usNumber = fc
  .tuple(fc.constantFrom('415', '212', '646', '312'), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
  .map(([area, exchange, line]) => ({ area, exchange: String(exchange), line: String(line).padStart(4, '0') }));
const phoneVariant = ({ area, exchange, line }: { area: string; exchange: string; line: string }) =>
  fc.constantFrom(`(${area}) ${exchange}-${line}`, `${area}.${exchange}.${line}`, `+1 ${area} ${exchange} ${line}`, `1-${area}-${exchange}-${line}`, ` ${area}${exchange}${line} `, `+1${area}${exchange}${line}`);

describe('cleaning', () => {
  it('is idempotent: a cleaned email, phone or name cleans to itself', () => {
    fc.assert(
      fc.property(fc.emailAddress(), usNumber, fc.string(), (email, number, name) => {
        const cleanEmail = normaliseEmail(email);
        if (cleanEmail !== undefined) expect(normaliseEmail(cleanEmail)).toBe(cleanEmail);
        const cleanPhone = normalisePhone(`${number.area}${number.exchange}${number.line}`, 'US');
        if (cleanPhone !== undefined) expect(normalisePhone(cleanPhone.number, 'US')).toEqual(cleanPhone);
        expect(normaliseName(normaliseName(name))).toBe(normaliseName(name));
      }),
    );
  });

  it('gives the same dedup keys to every formatting of the same email and phone', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().chain((email) => fc.tuple(fc.constant(email), emailVariant(email), emailVariant(email))),
        usNumber.chain((number) => fc.tuple(phoneVariant(number), phoneVariant(number))),
        ([, first, second], [firstPhone, secondPhone]) => {
          expect(personKeysOf({ email: first, phone: firstPhone })).toEqual(personKeysOf({ email: second, phone: secondPhone }));
        },
      ),
    );
  });
});

describe('intakeDedupKeys', () => {
  it('gives the keys prepareIntake gives the same submission, whatever its ids, time, contact, delivery or flags', () => {
    const submission = fc.record({
      email: fc.option(fc.oneof(fc.emailAddress(), fc.string()), { nil: undefined }),
      phone: fc.option(
        fc.oneof(
          usNumber.map(({ area, exchange, line }) => `${area}${exchange}${line}`),
          fc.string(),
        ),
        { nil: undefined },
      ),
      platformLeadId: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      alsoDeliveredAs: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      quarantineReason: fc.option(fc.constant('honeypot filled'), { nil: undefined }),
      isTest: fc.boolean(),
    });
    fc.assert(
      fc.property(submission, fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), ({ email, phone, ...delivery }, now) => {
        const sent: IntakeSubmission = {
          sourceKind: 'meta',
          sourceId: 'page-1',
          channel: 'meta_ads',
          poolId: 'americas-inbound',
          defaultCountry: 'US',
          contact: { ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) },
          answers: {},
          attribution: {},
          ...delivery,
        };
        expect(intakeDedupKeys(sent)).toEqual(prepareIntake(sent, { leadId: 'l', eventId: 'e', touchEventId: 't' }, now, config).dedupKeys);
      }),
    );
  });
});

describe('lossless JSON', () => {
  it('round-trips every signed 64-bit integer exactly, wherever it sits in the document', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string(), (id, text) => {
        const parsed = parseJsonKeepingLargeIntegers(`{"form_id":${id},"note":${JSON.stringify(text)},"ids":[${id}]}`) as { form_id: unknown; note: string; ids: unknown[] };
        const exact = Number.isSafeInteger(Number(id)) ? Number(id) : id.toString();
        expect(parsed).toEqual({ form_id: exact, note: text, ids: [exact] });
      }),
    );
  });
});
