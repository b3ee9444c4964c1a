import type { z } from 'zod/mini';
import type { Configuration } from './configuration';
import { compileRoutingTable, routeConditions } from './routing-table';

export { routingSchema } from './routing-table';

/**
 * Checks the routing table against the rest of the configuration: unique route ids, known pools, forms
 * and channels, exactly one default route (the last, with no conditions), and no route that the routes
 * above it already take entirely.
 */
export function checkRoutingReferences(config: Pick<Configuration, 'routing' | 'pools' | 'forms' | 'channels' | 'scoring' | 'nurture'>, ctx: z.core.$RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const poolIds = new Set(config.pools.map((pool) => pool.id));
  const formIds = new Set(config.forms.map((form) => form.id));
  const channelIds = new Set(config.channels.map((channel) => channel.id));
  const routes = config.routing.routes;
  const seen = new Set<string>();
  routes.forEach((route, index) => {
    const path = ['routing', 'routes', index];
    if (seen.has(route.id)) issue([...path, 'id'], `duplicate id "${route.id}"`);
    seen.add(route.id);
    if (route.poolId && !poolIds.has(route.poolId)) issue([...path, 'poolId'], `unknown pool "${route.poolId}"`);
    if ((route.strategy === 'nurture') !== (route.sequenceId !== undefined))
      issue([...path, 'sequenceId'], route.sequenceId ? 'only a "nurture" route names a sequence' : 'a "nurture" route needs the sequence its leads enter');
    else if (route.sequenceId && !config.nurture.sequences.some((sequence) => sequence.id === route.sequenceId)) issue([...path, 'sequenceId'], `unknown nurture sequence "${route.sequenceId}"`);
    route.match?.forms?.forEach((formId, formIndex) => {
      if (!formIds.has(formId)) issue([...path, 'match', 'forms', formIndex], `unknown form "${formId}"`);
    });
    route.match?.channels?.forEach((channelId, channelIndex) => {
      if (!channelIds.has(channelId)) issue([...path, 'match', 'channels', channelIndex], `unknown channel "${channelId}"`);
    });
    const isLast = index === routes.length - 1;
    const conditions = routeConditions(route.match).length;
    if (isLast && conditions > 0) issue([...path, 'match'], 'no default route: the last route must have no conditions, so every lead has somewhere to go');
    if (!isLast && conditions === 0) issue([...path, 'match'], 'only the last route may have no conditions (it is the default route)');
  });
  Object.keys(config.scoring.channelPriors).forEach((channelId) => {
    if (!channelIds.has(channelId)) issue(['scoring', 'channelPriors', channelId], `unknown channel "${channelId}"`);
  });
  if (routes.every((route, index) => routeConditions(route.match).length > 0 === index < routes.length - 1)) {
    try {
      compileRoutingTable(config.routing);
    } catch (error) {
      const index = Number(/routes\[(\d+)\]/.exec((error as Error).message)?.[1]);
      issue(['routing', 'routes', index, 'match'], (error as Error).message.replace(/^routing\.routes\[\d+\] \("[^"]+"\) /, ''));
    }
  }
}
