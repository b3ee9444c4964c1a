import { canManageSpend, daysBetween, rollupRangeSchema, toIssueList } from '@leadflow/domain';
import {
  badRequest,
  HttpError,
  MissingExchangeRateError,
  forbidden,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  principalFrom,
  rollUpChannelRoiDays,
  TimeBudget,
  todayIn,
  type DayRollup,
  type DependencyResolver,
  jsonObjectBody,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * No day starts in the last seconds of the invocation: a day's rollup (its facts read, two files filed,
 * the version stored) finishes and the answer reaches API Gateway within its 30 s.
 */
const finishMarginMs = 10_000;

/**
 * `POST /rollups/channel-roi` `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`: rolls up every day of the
 * range now (up to yesterday), restating those whose figures changed. For finance and admins. A range
 * too long for one invocation is rolled up as far as time allows; the answer's `nextFrom` is where to
 * request the rest from.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'reports' | 'now'>) {
  return httpHandler(async (event, context) => {
    if (!canManageSpend(principalFrom(event))) throw forbidden('Rollups are run by finance or an admin');
    const parsed = rollupRangeSchema.safeParse(jsonObjectBody(event));
    if (!parsed.success) throw badRequest('The range is invalid', toIssueList(parsed.error));
    const deps = dependencies();
    const today = todayIn(deps.now(), deps.config);
    if (parsed.data.to >= today) throw badRequest('The range is invalid', [{ path: 'to', message: `must be before today (${today} in ${deps.config.organisation.timeZone}): a day is rolled up once it is over` }]);
    const days: DayRollup[] = [];
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), finishMarginMs);
    for (const day of daysBetween(parsed.data.from, parsed.data.to)) {
      if (days.length > 0 && !budget.hasTime()) {
        return jsonResponse(200, { days, nextFrom: day, note: `Out of time: the days from ${day} to ${parsed.data.to} are not rolled up yet; request them with "from": "${day}".` });
      }
      try {
        days.push(...(await rollUpChannelRoiDays([day], deps)));
      } catch (error) {
        if (!(error instanceof MissingExchangeRateError)) throw error;
        // The days before it are rolled up; this one and those after it are not, until the rate is configured again.
        throw new HttpError(409, `${error.message}; configure the rate and request the rollup again from ${day}`, { rule: 'missing_exchange_rate', days });
      }
    }
    return jsonResponse(200, { days });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, reports: providers.reports, now: providers.now }));
