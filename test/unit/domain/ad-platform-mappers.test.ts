import { describe, expect, it } from 'vitest';
import {
  googleLeadToSubmission,
  linkedInFormId,
  linkedInLeadToSubmission,
  maxTikTokLeadsPerDelivery,
  metaLeadToSubmission,
  parseJsonKeepingLargeIntegers,
  prepareIntake,
  readGenericLeadWebhook,
  readGoogleLeadCredentials,
  readLinkedInNotification,
  readMetaLeadgenDelivery,
  readTikTokLeadTriggers,
  signedDeliveryId,
  tikTokLeadToSubmission,
  type GenericWebhookSource,
  type GoogleFormRoute,
  type LinkedInFormRoute,
  type MetaFormRoute,
  type TikTokFormRoute,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const route = { poolId: 'americas-inbound', channel: 'x', defaultCountry: 'US', includeTestLeads: false };
const metaRoute: MetaFormRoute = { formId: '172036835026334', ...route, channel: 'meta-ads' };
const googleRoute: GoogleFormRoute = { formId: '349080077126', ...route, channel: 'google-ads' };
const linkedInRoute: LinkedInFormRoute = { formId: '1234567', questions: { '1': 'first_name', '2': 'last_name', '3': 'email', '4': 'company' }, ...route, channel: 'linkedin-ads' };
const tikTokRoute: TikTokFormRoute = { pageId: '7410000000000000001', allowUnsigned: false, ...route, channel: 'tiktok-ads' };
const source: GenericWebhookSource = { id: 'partner-acme', name: 'Acme', fieldMap: { work_mail: 'email', employees: 'company_size' }, ...route, channel: 'partner-webhook' };

describe('Meta leadgen deliveries', () => {
  it('reads every leadgen change of every entry, ignoring other fields, with ids as exact strings (numbers above 2^53 too)', () => {
    const body = parseJsonKeepingLargeIntegers(
      '{"object":"page","entry":[{"id":"138124712925158","time":1730000000,"changes":[{"field":"leadgen","value":{"leadgen_id":55459717045641545,"page_id":138124712925158,"form_id":"172036835026334","adgroup_id":23850000000000001,"created_time":1729999999}},{"field":"feed","value":{}}]},' +
        '{"id":"138124712925158","time":1730000001,"changes":[{"field":"leadgen","value":{"leadgen_id":"233370042045345","form_id":"172036835026334"}}]}]}',
    );
    expect(readMetaLeadgenDelivery(body)).toEqual({
      ok: true,
      notifications: [
        { leadgenId: '55459717045641545', pageId: '138124712925158', formId: '172036835026334', adId: undefined, adgroupId: '23850000000000001', createdTime: 1729999999 },
        { leadgenId: '233370042045345', pageId: '138124712925158', formId: '172036835026334', adId: undefined, adgroupId: undefined, createdTime: undefined },
      ],
      unreadable: [],
      ignored: [],
    });
  });

  it('refuses a malformed envelope, or a delivery none of whose leadgen changes names a readable lead, naming each field by its path', () => {
    expect(readMetaLeadgenDelivery({ object: 'user', entry: [] })).toEqual({ ok: false, issues: [{ path: 'object', message: 'must be "page" (only Page leadgen webhooks are handled)' }] });
    expect(readMetaLeadgenDelivery({ object: 'page' })).toMatchObject({ ok: false, issues: [{ path: 'entry', message: 'must be a list of entries' }] });
    expect(readMetaLeadgenDelivery({ object: 'page', entry: [{ changes: [{ field: 'leadgen', value: { leadgen_id: true, created_time: 'yesterday' } }] }] })).toEqual({
      ok: false,
      issues: [
        { path: 'entry[0].changes[0].value.leadgen_id', message: 'must be an id (a string or a whole number)' },
        { path: 'entry[0].changes[0].value.created_time', message: 'must be a unix time in seconds' },
      ],
    });
    expect(
      readMetaLeadgenDelivery({
        object: 'page',
        entry: [
          {
            changes: [
              { field: 'leadgen', value: null },
              { field: 'leadgen', value: {} },
            ],
          },
        ],
      }),
    ).toMatchObject({
      ok: false,
      issues: [{ path: 'entry[0].changes[0].value' }, { path: 'entry[0].changes[1].value.leadgen_id' }],
    });
  });

  it("leaves out an entry's malformed Page id or time as ignored and reads its changes; an entry's changes of the wrong kind is still a malformed envelope", () => {
    const change = { field: 'leadgen', value: { leadgen_id: '111' } };
    expect(
      readMetaLeadgenDelivery({
        object: 'page',
        entry: [
          { id: {}, time: 'yesterday', changes: [change] },
          { id: '138124712925158', time: 1730000000.5, changes: [{ field: 'leadgen', value: { leadgen_id: '222' } }] },
        ],
      }),
    ).toEqual({
      ok: true,
      notifications: [
        { leadgenId: '111', pageId: undefined, formId: undefined, adId: undefined, adgroupId: undefined, createdTime: undefined },
        { leadgenId: '222', pageId: '138124712925158', formId: undefined, adId: undefined, adgroupId: undefined, createdTime: undefined },
      ],
      unreadable: [],
      ignored: [
        { path: 'entry[0].id', message: 'must be an id (a string or a whole number)' },
        { path: 'entry[0].time', message: 'must be a unix time in seconds' },
        { path: 'entry[1].time', message: 'must be a unix time in whole seconds' },
      ],
    });
    expect(readMetaLeadgenDelivery({ object: 'page', entry: [{ id: {}, changes: 'leadgen' }] })).toEqual({
      ok: false,
      issues: [
        { path: 'entry[0].id', message: 'must be an id (a string or a whole number)' },
        { path: 'entry[0].changes', message: expect.any(String) },
      ],
    });
  });

  it('keeps every readable change of a batch: a change with no readable leadgen_id is set aside as unreadable, a malformed optional field is left out as ignored', () => {
    const reading = readMetaLeadgenDelivery({
      object: 'page',
      entry: [
        {
          id: '138124712925158',
          changes: [
            { field: 'leadgen', value: { leadgen_id: '111', form_id: '172036835026334', created_time: 1729999999 } },
            { field: 'leadgen', value: { leadgen_id: '', form_id: '172036835026334' } },
            { field: 'leadgen', value: 'not an object' },
            { field: 'leadgen' },
            { field: 'leadgen', value: { leadgen_id: '333', form_id: true, ad_id: '23850000000000001', created_time: 1729999999.5 } },
          ],
        },
      ],
    });
    expect(reading).toEqual({
      ok: true,
      notifications: [
        { leadgenId: '111', pageId: '138124712925158', formId: '172036835026334', adId: undefined, adgroupId: undefined, createdTime: 1729999999 },
        { leadgenId: '333', pageId: '138124712925158', formId: undefined, adId: '23850000000000001', adgroupId: undefined, createdTime: undefined },
      ],
      unreadable: [
        { path: 'entry[0].changes[1].value.leadgen_id', message: 'must not be empty' },
        { path: 'entry[0].changes[2].value', message: expect.any(String) },
        { path: 'entry[0].changes[3].value', message: expect.any(String) },
      ],
      ignored: [
        { path: 'entry[0].changes[4].value.form_id', message: 'must be an id (a string or a whole number)' },
        { path: 'entry[0].changes[4].value.created_time', message: 'must be a unix time in whole seconds' },
      ],
    });
  });

  it('leaves out a created_time that is no time — past the year 9999, a fraction, before 1970 — naming it, and keeps the lead', () => {
    const delivery = (createdTime: number) => ({
      object: 'page',
      entry: [
        {
          changes: [
            { field: 'leadgen', value: { leadgen_id: '111', created_time: 1729999999 } },
            { field: 'leadgen', value: { leadgen_id: '222', created_time: createdTime } },
          ],
        },
      ],
    });
    expect(readMetaLeadgenDelivery(delivery(253402300799))).toMatchObject({ ok: true, notifications: [{ leadgenId: '111' }, { leadgenId: '222', createdTime: 253402300799 }], ignored: [] });
    for (const [createdTime, message] of [
      [1e200, 'must be a unix time in seconds, up to the year 9999'],
      [253402300800, 'must be a unix time in seconds, up to the year 9999'],
      [1729999999.5, 'must be a unix time in whole seconds'],
      [-1, 'must be a unix time in seconds, from 1970'],
    ] as const) {
      expect(readMetaLeadgenDelivery(delivery(createdTime)), String(createdTime)).toMatchObject({
        ok: true,
        notifications: [{ leadgenId: '111' }, { leadgenId: '222', createdTime: undefined }],
        unreadable: [],
        ignored: [{ path: 'entry[0].changes[1].value.created_time', message }],
      });
    }
  });

  it('maps a Graph API lead: field_data to contact, custom questions and consent checkboxes to answers, ad ids and campaign name to both touches', () => {
    const fetched = parseJsonKeepingLargeIntegers(
      JSON.stringify({
        id: '233370042045345',
        created_time: '2025-01-01T10:00:00+0000',
        ad_id: '23850000000000001',
        adset_id: '23850000000000002',
        campaign_id: '23850000000000003',
        campaign_name: 'Spring promo',
        form_id: '172036835026334',
        is_organic: false,
        platform: 'ig',
        custom_disclaimer_responses: [
          { checkbox_key: 'optional_1', is_checked: '1' },
          { checkbox_key: 'optional_2', is_checked: '' },
        ],
        field_data: [
          { name: 'full_name', values: ['Jane  Doe'] },
          { name: 'email', values: ['Jane@Example.com'] },
          { name: 'phone_number', values: ['+15555550123'] },
          { name: 'work_email', values: ['jane@corp.example'] },
          { name: 'what_is_your_budget?', values: ['10k', '50k'] },
        ],
      }),
    );
    const result = metaLeadToSubmission(fetched, { leadgenId: '233370042045345', formId: '172036835026334' }, metaRoute);
    expect(result).toEqual({
      ok: true,
      submission: {
        sourceKind: 'meta',
        channel: 'meta-ads',
        formId: '172036835026334',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { name: 'Jane  Doe', email: 'Jane@Example.com', phone: '+15555550123' },
        answers: { work_email: 'jane@corp.example', 'what_is_your_budget?': '10k, 50k', meta_platform: 'ig', meta_is_organic: 'false', consent_optional_1: 'accepted', consent_optional_2: 'declined' },
        attribution: {
          firstTouch: { campaign_id: '23850000000000003', campaign_name: 'Spring promo', adset_id: '23850000000000002', ad_id: '23850000000000001', platform_form_id: '172036835026334' },
          lastTouch: { campaign_id: '23850000000000003', campaign_name: 'Spring promo', adset_id: '23850000000000002', ad_id: '23850000000000001', platform_form_id: '172036835026334' },
        },
        platformLeadId: '233370042045345',
        sourceId: undefined,
        isTest: false,
      },
    });
  });

  it('joins first and last names, keeps numeric Graph ids exact, and refuses a lead that is not the one asked for', () => {
    const fetched = parseJsonKeepingLargeIntegers(
      '{"id":55459717045641545,"campaign_id":23850000000000003,"field_data":[{"name":"first_name","values":["Jane"]},{"name":"last_name","values":["Doe"]},{"name":"email","values":["j@example.com"]}]}',
    );
    const result = metaLeadToSubmission(fetched, { leadgenId: '55459717045641545', formId: '172036835026334' }, metaRoute);
    expect(result).toMatchObject({
      ok: true,
      submission: { contact: { name: 'Jane Doe', email: 'j@example.com' }, platformLeadId: '55459717045641545', attribution: { lastTouch: { campaign_id: '23850000000000003' } } },
    });
    expect(metaLeadToSubmission(fetched, { leadgenId: '55459717045641544' }, metaRoute)).toEqual({ ok: false, problem: 'the Graph API answered lead 55459717045641545 for leadgen_id 55459717045641544' });
    expect(metaLeadToSubmission({ error: { message: 'x' } }, { leadgenId: '1' }, metaRoute)).toMatchObject({ ok: false, problem: expect.stringContaining('id: must be an id') });
  });
});

describe('Google lead form deliveries', () => {
  const raw =
    '{"lead_id":"TeSter-123-ABC","user_column_data":[{"column_name":"Full Name","string_value":"FirstName LastName","column_id":"FULL_NAME"},' +
    '{"column_name":"User Email","string_value":"test@example.com","column_id":"EMAIL"},{"column_name":"User Phone","string_value":"+16505550123","column_id":"PHONE_NUMBER"},' +
    '{"column_name":"Postal Code","string_value":"94043","column_id":"POSTAL_CODE"},{"string_value":"Berlin","column_id":"CITY"},{"string_value":"Bavaria","column_id":"REGION"},{"string_value":"DE","column_id":"COUNTRY"},' +
    '{"string_value":"Acme","column_id":"COMPANY_NAME"},{"string_value":"CTO","column_id":"JOB_TITLE"},{"column_name":"Which service?","string_value":"Repairs","column_id":"SERVICE"},' +
    '{"column_name":"What is your budget?","string_value":"10k-50k","column_id":"QUESTION_1"},{"string_value":"This month","column_id":"QUESTION_2"},{"column_name":"预算？","string_value":"高","column_id":"QUESTION_3"}],' +
    '"api_version":"1.0","form_id":349080077126,"campaign_id":55459717045641545,"google_key":"local-only-google-key","is_test":true,"gcl_id":"TeSter-123-gclid","adgroup_id":9223372036854775807,"creative_id":9007199254740993,"asset_group_id":9007199254740995,"lead_submit_time":"2024-09-26T12:30:00Z"}';

  it('reads the form id and key first, so the key can be checked before anything else', () => {
    expect(readGoogleLeadCredentials(parseJsonKeepingLargeIntegers(raw))).toEqual({ ok: true, formId: '349080077126', googleKey: 'local-only-google-key' });
    expect(readGoogleLeadCredentials({ google_key: 'k' })).toEqual({ ok: false, issues: [{ path: 'form_id', message: 'must be an id (a string or a whole number)' }] });
  });

  it('maps columns by column_id, keeps unknown ones by their question text (column_name, else column_id), flags is_test, and keeps int64 ids exact', () => {
    const result = googleLeadToSubmission(parseJsonKeepingLargeIntegers(raw), googleRoute);
    const touch = {
      gclid: 'TeSter-123-gclid',
      campaign_id: '55459717045641545',
      adgroup_id: '9223372036854775807',
      asset_group_id: '9007199254740995',
      creative_id: '9007199254740993',
      platform_form_id: '349080077126',
    };
    expect(result).toEqual({
      ok: true,
      submission: {
        sourceKind: 'google',
        channel: 'google-ads',
        formId: '349080077126',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { name: 'FirstName LastName', email: 'test@example.com', phone: '+16505550123', region: 'Bavaria', country: 'DE', company: 'Acme', title: 'CTO' },
        answers: { postal_code: '94043', city: 'Berlin', which_service: 'Repairs', what_is_your_budget: '10k-50k', QUESTION_2: 'This month', QUESTION_3: '高' },
        attribution: { firstTouch: touch, lastTouch: touch },
        platformLeadId: 'TeSter-123-ABC',
        sourceId: undefined,
        isTest: true,
      },
    });
  });

  it('joins FIRST_NAME and LAST_NAME, takes WORK_EMAIL and WORK_PHONE, and names bad fields', () => {
    const body = {
      lead_id: 'L1',
      form_id: '349080077126',
      user_column_data: [
        { column_id: 'FIRST_NAME', string_value: 'Ada' },
        { column_id: 'LAST_NAME', string_value: 'King' },
        { column_id: 'WORK_EMAIL', string_value: 'ada@corp.example' },
        { column_id: 'WORK_PHONE', string_value: '4155550100' },
      ],
    };
    expect(googleLeadToSubmission(body, googleRoute)).toMatchObject({ ok: true, submission: { contact: { name: 'Ada King', email: 'ada@corp.example', phone: '4155550100' }, isTest: false } });
    expect(googleLeadToSubmission({ lead_id: 'L1', form_id: 1, user_column_data: [{ string_value: 3 }], is_test: 'yes' }, googleRoute)).toEqual({
      ok: false,
      issues: [
        { path: 'user_column_data[0].column_id', message: 'must be the column id, e.g. "EMAIL"' },
        { path: 'user_column_data[0].string_value', message: 'must be the answer as a string' },
        { path: 'is_test', message: 'must be true or false' },
      ],
    });
  });
});

describe('LinkedIn Lead Sync', () => {
  const notification = {
    type: 'LEAD_ACTION',
    leadGenFormResponse: 'urn:li:leadGenFormResponse:abc123-def456',
    leadGenForm: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)',
    owner: { sponsoredAccount: 'urn:li:sponsoredAccount:5012345' },
    leadType: 'SPONSORED',
    leadAction: 'CREATED',
    occurredAt: 1730000000000,
  };

  it('reads the notification: action, response id and form id from their URNs', () => {
    expect(readLinkedInNotification(notification)).toEqual({
      ok: true,
      ignored: [],
      notification: {
        action: 'CREATED',
        leadAction: 'CREATED',
        responseUrn: 'urn:li:leadGenFormResponse:abc123-def456',
        responseId: 'abc123-def456',
        formId: '1234567',
        formUrn: notification.leadGenForm,
        leadType: 'SPONSORED',
        occurredAt: 1730000000000,
      },
    });
    expect(readLinkedInNotification({ ...notification, leadAction: 'DELETED' })).toMatchObject({ ok: true, notification: { action: 'DELETED' } });
    // A malformed optional field is left out and reported, not refused: LinkedIn would drop the lead after its retries.
    const odd = readLinkedInNotification({ ...notification, occurredAt: 1e200, leadType: 7 });
    expect(odd).toMatchObject({ ok: true, ignored: [{ path: 'leadType' }, { path: 'occurredAt', message: 'must be a unix time in milliseconds, up to the year 9999' }] });
    expect(odd.ok && [odd.notification.occurredAt, odd.notification.leadType]).toEqual([undefined, undefined]);
    expect(linkedInFormId('urn:li:leadGenForm:42')).toBe('42');
    expect(readLinkedInNotification({ leadGenFormResponse: 'abc' })).toEqual({
      ok: false,
      issues: [
        { path: 'leadGenFormResponse', message: 'must be a URN such as "urn:li:leadGenFormResponse:abc123"' },
        { path: 'leadAction', message: 'is required: CREATED or DELETED' },
      ],
    });
    // A field of the wrong type is there: the answer says it must be text, not that it is missing.
    expect(readLinkedInNotification({ leadGenFormResponse: 5, leadAction: ['CREATED'] })).toEqual({
      ok: false,
      issues: [
        { path: 'leadGenFormResponse', message: 'must be text: the URN of the lead form response' },
        { path: 'leadAction', message: 'must be text: CREATED or DELETED' },
      ],
    });
  });

  it('maps a lead form response by the configured question ids, with test flag, consents and URN ids', () => {
    const read = readLinkedInNotification(notification);
    if (!read.ok) throw new Error('expected a notification');
    const fetched = {
      id: 'abc123-def456',
      testLead: true,
      versionedLeadGenFormUrn: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)',
      associatedEntity: { associatedCreative: 'urn:li:sponsoredCreative:98765' },
      leadMetadata: { sponsoredLeadMetadata: { campaign: 'urn:li:sponsoredCampaign:55459717045641545' } },
      formResponse: {
        answers: [
          { questionId: 1, answerDetails: { textQuestionAnswer: { answer: 'Lin' } } },
          { questionId: 2, answerDetails: { textQuestionAnswer: { answer: 'Ked' } } },
          { questionId: 3, answerDetails: { textQuestionAnswer: { answer: 'lin@example.com' } } },
          { questionId: 4, answerDetails: { textQuestionAnswer: { answer: 'Contoso' } } },
          { questionId: 7, answerDetails: { multipleChoiceAnswer: { options: [1, 3] } } },
        ],
        consentResponses: [{ consentId: 11, accepted: true }],
      },
    };
    const touch = { campaign_id: '55459717045641545', creative_id: '98765', platform_form_id: '1234567' };
    expect(linkedInLeadToSubmission(fetched, read.notification, linkedInRoute)).toEqual({
      ok: true,
      submission: {
        sourceKind: 'linkedin',
        channel: 'linkedin-ads',
        formId: '1234567',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { name: 'Lin Ked', email: 'lin@example.com', company: 'Contoso' },
        answers: { question_7: '1, 3', consent_11: 'accepted' },
        attribution: { firstTouch: touch, lastTouch: touch },
        platformLeadId: 'abc123-def456',
        sourceId: undefined,
        isTest: true,
      },
    });
    expect(linkedInLeadToSubmission({ formResponse: 'x' }, read.notification, linkedInRoute)).toMatchObject({ ok: false, problem: expect.stringContaining('not in the expected shape') });
    // Its id as a URN is the same response; another response is refused, whatever it holds.
    expect(linkedInLeadToSubmission({ ...fetched, id: 'urn:li:leadGenFormResponse:abc123-def456' }, read.notification, linkedInRoute)).toMatchObject({ ok: true });
    expect(linkedInLeadToSubmission({ ...fetched, id: 'zzz999' }, read.notification, linkedInRoute)).toEqual({
      ok: false,
      problem: 'LinkedIn answered lead form response zzz999 for urn:li:leadGenFormResponse:abc123-def456',
    });
  });
});

describe('TikTok lead webhooks and Lead API answers', () => {
  it('reads lead triggers from entry[] (ids as exact strings), leads[], a top-level lead_id, a lead object and a content JSON string; never an advertiser_id', () => {
    const shapeA = parseJsonKeepingLargeIntegers('{"object":1,"time":1730000000,"entry":[{"id":7420000000000000001,"page_id":"7410000000000000001","ad_id":"1800000000000003","changes":[]}]}');
    expect(readTikTokLeadTriggers(shapeA)).toEqual({ ok: true, notifications: [{ leadId: '7420000000000000001', pageId: '7410000000000000001' }], unreadable: [], ignored: [] });
    expect(readTikTokLeadTriggers({ advertiser_id: '700', leads: [{ lead_id: 'L1', page_id: 'P1' }] })).toEqual({ ok: true, notifications: [{ leadId: 'L1', pageId: 'P1' }], unreadable: [], ignored: [] });
    expect(readTikTokLeadTriggers({ lead_id: 'L2', page_id: 'P2', advertiser_id: '701' })).toEqual({ ok: true, notifications: [{ leadId: 'L2', pageId: 'P2' }], unreadable: [], ignored: [] });
    expect(readTikTokLeadTriggers({ content: '{"lead_id":7420000000000000002,"page_id":"P3"}' })).toEqual({ ok: true, notifications: [{ leadId: '7420000000000000002', pageId: 'P3' }], unreadable: [], ignored: [] });
    expect(readTikTokLeadTriggers(parseJsonKeepingLargeIntegers('{"lead":{"lead_id":7420000000000000003,"page_id":"P4"}}'))).toEqual({
      ok: true,
      notifications: [{ leadId: '7420000000000000003', pageId: 'P4' }],
      unreadable: [],
      ignored: [],
    });
  });

  it(`refuses a delivery naming more than ${maxTikTokLeadsPerDelivery} leads`, () => {
    const entries = (count: number) => ({ entry: Array.from({ length: count }, (_, index) => ({ id: `L${index}`, page_id: 'P1' })) });
    expect(readTikTokLeadTriggers(entries(maxTikTokLeadsPerDelivery))).toMatchObject({ ok: true });
    expect(readTikTokLeadTriggers(entries(20))).toEqual({ ok: false, issues: [{ path: '(body)', message: `names 20 leads; one delivery may name at most ${maxTikTokLeadsPerDelivery}` }] });
  });

  it('keeps every readable lead of a delivery: an item with no usable lead id or page_id is set aside as unreadable, as for Meta', () => {
    expect(readTikTokLeadTriggers({ entry: [{ id: 'L1', page_id: 'P1' }, { id: 'L2' }, { id: {}, page_id: 'P1' }, 'L4', { page_id: 'P1' }] })).toEqual({
      ok: true,
      notifications: [{ leadId: 'L1', pageId: 'P1' }],
      unreadable: [
        { path: 'entry[1].page_id', message: 'is required: the instant form (page) the lead was submitted on' },
        { path: 'entry[2].id', message: 'must be an id (a string or a whole number)' },
        { path: 'entry[3]', message: expect.any(String) },
        { path: 'entry[4].lead_id', message: 'is required: the id of the lead' },
      ],
      ignored: [],
    });
    // A malformed list or nested object is a malformed delivery, refused whole, naming the unreadable items too.
    expect(readTikTokLeadTriggers({ entry: [{ id: 'L1', page_id: 'P1' }, { id: 'L2' }], leads: 'x' })).toEqual({
      ok: false,
      issues: [
        { path: 'leads', message: 'must be a list of leads' },
        { path: 'entry[1].page_id', message: 'is required: the instant form (page) the lead was submitted on' },
      ],
    });
  });

  it('names what is missing', () => {
    expect(readTikTokLeadTriggers({ entry: [{ id: 'L1' }] })).toEqual({ ok: false, issues: [{ path: 'entry[0].page_id', message: 'is required: the instant form (page) the lead was submitted on' }] });
    expect(readTikTokLeadTriggers({ entry: 'x' })).toEqual({ ok: false, issues: [{ path: 'entry', message: 'must be a list of leads' }] });
    expect(readTikTokLeadTriggers({ hello: 1 })).toEqual({ ok: false, issues: [{ path: '(body)', message: 'names no lead: expected entry[] items with id and page_id, or lead_id and page_id' }] });
    expect(readTikTokLeadTriggers({ content: '{nope' })).toEqual({ ok: false, issues: [{ path: 'content', message: 'must be an object, or a JSON string of one' }] });
  });

  it('maps a Lead API answer (lead_data, meta_data with bare int64 ids) and refuses a non-zero code', () => {
    const fetched = parseJsonKeepingLargeIntegers(
      '{"code":0,"message":"OK","data":{"lead_data":{"name":"Tik Tokker","email":"tik@example.com","phone_number":"+15555550124","city":"Austin"},' +
        '"meta_data":{"lead_id":"L9","page_id":"7410000000000000001","campaign_id":1800000000000000001,"adgroup_id":1800000000000000002,"ad_id":1800000000000000003}}}',
    );
    const trigger = { leadId: 'L9', pageId: '7410000000000000001' };
    const touch = { campaign_id: '1800000000000000001', adgroup_id: '1800000000000000002', ad_id: '1800000000000000003', platform_form_id: '7410000000000000001' };
    expect(tikTokLeadToSubmission(fetched, trigger, tikTokRoute)).toEqual({
      ok: true,
      submission: {
        sourceKind: 'tiktok',
        channel: 'tiktok-ads',
        formId: '7410000000000000001',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { name: 'Tik Tokker', email: 'tik@example.com', phone: '+15555550124' },
        answers: { city: 'Austin' },
        attribution: { firstTouch: touch, lastTouch: touch },
        platformLeadId: 'L9',
        sourceId: undefined,
        isTest: false,
      },
    });
    expect(tikTokLeadToSubmission({ code: 40100, message: 'Access token is invalid' }, trigger, tikTokRoute)).toEqual({ ok: false, problem: 'the TikTok Lead API answered code 40100: Access token is invalid' });
  });
});

describe('generic signed webhook bodies', () => {
  const now = new Date('2026-03-02T10:15:00.000Z');

  it('reads fields as a list through the source’s field map, attribution (Meta’s fbc and fbp too), first touch and consent', () => {
    const body = {
      event_id: 'evt-1',
      form_id: 'acme-referral',
      submitted_at: '2026-03-02T10:14:00Z',
      fields: [
        { key: 'full_name', value: 'Riley Partner' },
        { key: 'work_mail', value: 'riley@example.com' },
        { key: 'phone', value: 4155550142 },
        { key: 'employees', value: '51-200' },
        { key: 'interests', value: ['arms', 'vision'] },
        { key: 'newsletter', value: true },
      ],
      attribution: { utm_source: 'acme', gclid: 'Cj0', fbc: 'fb.1.1772446440000.IwAR2x', fbp: 'fb.1.1772446000000.1234567890', unknown_key: 'x' },
      first_touch: { utm_source: 'blog' },
      consent: { text: 'You may contact me.', version: 'v3' },
    };
    expect(readGenericLeadWebhook(body, source, { now, signedDeliveryId: 'signed-1' })).toEqual({
      ok: true,
      deliveryIdFrom: 'event_id',
      submission: {
        sourceKind: 'webhook',
        channel: 'partner-webhook',
        formId: 'acme-referral',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { name: 'Riley Partner', email: 'riley@example.com', phone: '4155550142' },
        answers: { company_size: '51-200', interests: 'arms, vision', newsletter: 'true' },
        attribution: { firstTouch: { utm_source: 'blog' }, lastTouch: { utm_source: 'acme', gclid: 'Cj0', fbc: 'fb.1.1772446440000.IwAR2x', fbp: 'fb.1.1772446000000.1234567890' } },
        consent: { text: 'You may contact me.', version: 'v3', givenAt: '2026-03-02T10:14:00.000Z' },
        platformLeadId: 'evt-1',
        deliveryFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
        sourceId: 'partner-acme',
        isTest: false,
      },
    });
  });

  it('makes the attribution of a delivery without first_touch the new lead’s first touch too', () => {
    const delivery = readGenericLeadWebhook({ fields: { email: 'a@example.com' }, attribution: { utm_campaign: 'spring' } }, source, { now, signedDeliveryId: 'signed-1' });
    if (!delivery.ok) throw new Error(JSON.stringify(delivery.issues));
    const { lead } = prepareIntake(delivery.submission, { leadId: 'lead-1', eventId: 'e-1', touchEventId: 't-1' }, now, demoConfiguration());
    expect(lead.attribution).toEqual({ firstTouch: { utm_campaign: 'spring' }, lastTouch: { utm_campaign: 'spring' } });
  });

  it('reads a flat object of fields, takes the signed delivery id when there is no event_id, and keeps a numeric event_id exact', () => {
    const signed = signedDeliveryId(1772446500, '{"fields":{"email":"a@example.com"}}');
    expect(signed).toMatch(/^t1772446500-sha256-[0-9a-f]{64}$/);
    expect(signedDeliveryId(1772446500, '{"fields":{"email":"b@example.com"}}')).not.toBe(signed);
    expect(signedDeliveryId(1772446501, '{"fields":{"email":"a@example.com"}}')).not.toBe(signed);
    expect(readGenericLeadWebhook({ fields: { email: 'a@example.com' } }, source, { now, signedDeliveryId: signed })).toMatchObject({
      ok: true,
      submission: { contact: { email: 'a@example.com' }, platformLeadId: signed, attribution: {} },
    });
    expect(readGenericLeadWebhook(parseJsonKeepingLargeIntegers('{"event_id":55459717045641545,"fields":{"email":"a@example.com"}}'), source, { now, signedDeliveryId: signed })).toMatchObject({
      ok: true,
      submission: { platformLeadId: '55459717045641545' },
    });
  });

  it('takes the Idempotency-Key header as the delivery id when there is no event_id, and refuses one that is not printable or too long', () => {
    const body = { fields: { email: 'a@example.com' } };
    expect(readGenericLeadWebhook(body, source, { now, signedDeliveryId: 'signed-1', idempotencyKey: 'order-42' })).toMatchObject({ ok: true, submission: { platformLeadId: 'order-42' } });
    expect(readGenericLeadWebhook({ ...body, event_id: 'e-1' }, source, { now, signedDeliveryId: 'signed-1', idempotencyKey: 'order-42' })).toMatchObject({ ok: true, submission: { platformLeadId: 'e-1' } });
    const issue = { path: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' };
    for (const idempotencyKey of ['', 'ü-key', 'a\tb', 'k'.repeat(201)]) {
      expect(readGenericLeadWebhook(body, source, { now, signedDeliveryId: 'signed-1', idempotencyKey })).toEqual({ ok: false, issues: [issue] });
    }
    expect(readGenericLeadWebhook({ fields: 'x' }, source, { now, signedDeliveryId: 'signed-1', idempotencyKey: '' })).toMatchObject({ ok: false, issues: [issue, { path: 'fields' }] });
  });

  it('names what is missing or wrong', () => {
    expect(readGenericLeadWebhook({ event_id: 'e', fields: 'x', submitted_at: 'soon', is_test: 1 }, source, { now, signedDeliveryId: 'signed-1' })).toEqual({
      ok: false,
      issues: [
        { path: 'submitted_at', message: 'must be an ISO 8601 date-time such as "2026-03-02T10:15:00Z"' },
        { path: 'is_test', message: 'must be true or false' },
        { path: 'fields', message: 'must be a list of {key, value} or an object of keys to values' },
      ],
    });
  });

  it('refuses a consent or submission time outside the years 0000–9999 in UTC, or later than now beyond clock drift, and stores a consent time in UTC', () => {
    const body = (times: { submitted_at?: string; given_at?: string }) => ({
      fields: { email: 'a@example.com' },
      ...(times.submitted_at ? { submitted_at: times.submitted_at } : {}),
      consent: { text: 'Yes, contact me', version: 'v1', ...(times.given_at ? { given_at: times.given_at } : {}) },
    });
    const read = (times: { submitted_at?: string; given_at?: string }) => readGenericLeadWebhook(body(times), source, { now, signedDeliveryId: 'signed-1' });
    expect(read({ given_at: '9999-12-31T23:59:59-05:00' })).toEqual({ ok: false, issues: [{ path: 'consent.given_at', message: 'must be an instant from the year 0000 to 9999' }] });
    expect(read({ submitted_at: '0000-01-01T00:00:00+01:00' })).toEqual({ ok: false, issues: [{ path: 'submitted_at', message: 'must be an instant from the year 0000 to 9999' }] });
    const future = { path: 'consent.given_at', message: `must not be later than now (${now.toISOString()})` };
    expect(read({ given_at: '2099-01-01T00:00:00Z' })).toEqual({ ok: false, issues: [future] });
    expect(read({ given_at: new Date(now.getTime() + 301_000).toISOString() })).toEqual({ ok: false, issues: [future] });
    expect(read({ given_at: new Date(now.getTime() + 299_000).toISOString() })).toMatchObject({ ok: true });
    expect(read({ submitted_at: '2026-03-02T05:15:00-05:00' })).toMatchObject({ ok: true, submission: { consent: { givenAt: '2026-03-02T10:15:00.000Z' } } });
  });

  it('takes an Idempotency-Key equal to the signed delivery id as that one delivery', () => {
    const read = readGenericLeadWebhook({ fields: { email: 'a@example.com' } }, source, { now, signedDeliveryId: 'signed-1', idempotencyKey: 'signed-1' });
    if (!read.ok) throw new Error('expected a submission');
    expect(prepareIntake(read.submission, { leadId: 'l', eventId: 'e', touchEventId: 't' }, now, demoConfiguration()).dedupKeys.filter((key) => key.kind === 'delivery')).toEqual([
      { key: 'delivery#webhook#partner-acme#signed-1', kind: 'delivery' },
    ]);
  });
});

describe('answer keys named like Object.prototype members', () => {
  const tricky = { constructor: 'c', toString: 't', valueOf: 'v', hasOwnProperty: 'h' };

  it('are ordinary answers from Meta, TikTok and LinkedIn', () => {
    const meta = metaLeadToSubmission(
      { id: 'M1', field_data: [{ name: 'email', values: ['m@example.com'] }, ...Object.entries(tricky).map(([name, value]) => ({ name, values: [value] }))] },
      { leadgenId: 'M1' },
      metaRoute,
    );
    expect(meta).toMatchObject({ ok: true, submission: { contact: { email: 'm@example.com' }, answers: tricky } });
    const tikTok = tikTokLeadToSubmission({ code: 0, data: { lead_data: { email: 't@example.com', ...tricky }, meta_data: { lead_id: 'L1' } } }, { leadId: 'L1', pageId: 'P1' }, tikTokRoute);
    expect(tikTok).toMatchObject({ ok: true, submission: { contact: { email: 't@example.com' }, answers: tricky } });
    const answer = (questionId: string, text: string) => ({ questionId, answerDetails: { textQuestionAnswer: { answer: text } } });
    const linkedIn = linkedInLeadToSubmission(
      { id: 'r1', formResponse: { answers: [answer('3', 'l@example.com'), answer('constructor', 'c'), answer('toString', 't')] } },
      { action: 'CREATED', leadAction: 'CREATED', responseUrn: 'urn:li:leadGenFormResponse:r1', responseId: 'r1', formId: '1234567' },
      linkedInRoute,
    );
    expect(linkedIn).toMatchObject({ ok: true, submission: { contact: { email: 'l@example.com' }, answers: { question_constructor: 'c', question_toString: 't' } } });
  });

  it('are ordinary answers from a generic sender, list or object, and never reach the field map’s prototype', () => {
    const now = new Date('2026-03-02T10:15:00.000Z');
    const asObject = JSON.parse(`{"fields":{"email":"g@example.com","constructor":"c","toString":"t","valueOf":"v","hasOwnProperty":"h","__proto__":"p"}}`) as unknown;
    const asList = { fields: [{ key: 'email', value: 'g@example.com' }, ...Object.entries(tricky).map(([key, value]) => ({ key, value }))] };
    for (const body of [asObject, asList]) {
      const read = readGenericLeadWebhook(body, source, { now, signedDeliveryId: 'signed-1' });
      expect(read).toMatchObject({ ok: true, submission: { contact: { email: 'g@example.com' } } });
      if (read.ok) expect(read.submission.answers).toEqual(tricky);
    }
  });
});
