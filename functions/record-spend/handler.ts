import { canManageSpend, rollupNeededNote } from '@leadflow/domain';
import {
  badRequest,
  forbidden,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  mediaType,
  parseJsonObject,
  principalFrom,
  rawBody,
  readCsvBody,
  readSpend,
  recordSpend,
  unsupportedMediaType,
  type DependencyResolver,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** JSON spend bodies share the CSV limit: a year of daily spend for a few dozen campaigns. */
const maxJsonBytes = 1024 * 1024;

/**
 * `POST /spend` with `{"rows": [{date, channel, campaign, amount, currency}]}` or a `text/csv` file:
 * replaces the spend of every day and channel it names, and marks those days for the nightly rollup to
 * restate; days too old for it are answered as `rollupNeeded`, with a `note` saying to roll them up on
 * demand. Checked whole first: one bad row (a date after today on the organisation's clock or before 2000, say), and nothing is written.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'now'>) {
  return httpHandler(async (event) => {
    if (!canManageSpend(principalFrom(event))) throw forbidden('Ad spend is recorded by finance or an admin');
    const deps = dependencies();
    const { config } = deps;
    const now = deps.now();
    const type = mediaType(event);
    let parsed;
    if (type === 'text/csv') parsed = readSpend({ csv: readCsvBody(event) }, config, now);
    else if (type === 'application/json') {
      const body = parseJsonObject(rawBody(event, maxJsonBytes));
      const unknown = Object.keys(body).filter((key) => key !== 'rows');
      if (unknown.length || !Array.isArray(body.rows)) {
        throw badRequest('The spend is invalid', [
          ...(Array.isArray(body.rows) ? [] : [{ path: 'rows', message: 'must be an array of spend rows' }]),
          ...unknown.map((key) => ({ path: key, message: 'is not a field (send {"rows": [...]})' })),
        ]);
      }
      parsed = readSpend({ rows: body.rows as unknown[] }, config, now);
    } else throw unsupportedMediaType(type || '(none)', ['application/json', 'text/csv']);
    if (!parsed.ok) throw badRequest('The spend is invalid; nothing was recorded', parsed.issues);
    const { rollupNeeded } = await recordSpend(parsed.spend, deps);
    return jsonResponse(200, {
      rows: parsed.rows,
      replaced: parsed.spend.map((group) => ({ date: group.day, channel: group.channel, campaigns: group.campaigns.length })),
      currency: config.organisation.currency,
      rollupNeeded,
      ...(rollupNeeded.length ? { note: rollupNeededNote(rollupNeeded, config.channelRoi.lookbackDays) } : {}),
    });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, now: providers.now }));
