import { canViewChannelRoi } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, measuredChannelRates, notFound, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reports/channel-rates`: each channel's measured qualification and conversion rates over the
 * configured window, with the channel prior they suggest (`channelRoi.measuredChannelPriors.mode: suggest`).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'now'>) {
  return httpHandler(async (event) => {
    if (!canViewChannelRoi(principalFrom(event))) throw forbidden('Channel rates are for finance, managers and admins');
    const deps = dependencies();
    if (deps.config.channelRoi.measuredChannelPriors.mode === 'off') throw notFound('Measured channel priors are off (channelRoi.measuredChannelPriors.mode)');
    return jsonResponse(200, await measuredChannelRates(deps.now(), deps));
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, now: providers.now }));
