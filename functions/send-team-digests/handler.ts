import { teamDigestEmail, teamDigestRecipients, teamsDueForDigest } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * The managers' morning digest, on a 15-minute tick as of the schedule's `time`: for each team whose
 * digest time it is, the day before's counts per rep (one item) and each of its pools' backlog (its
 * sparse waiting index), emailed once to each manager and pool admin.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'teamActivity' | 'now'>) {
  return async (event: ScheduledInvocation): Promise<{ sent: number }> => {
    const { config, mailer, teamActivity, now } = dependencies();
    const asOf = new Date(event.time);
    let sent = 0;
    for (const { team, day } of teamsDueForDigest(config, asOf)) {
      const recipients = teamDigestRecipients(config, team);
      const pools = config.pools.filter((pool) => pool.teamId === team.id);
      const counts = await teamActivity.readDay(team.id, day);
      const backlogs = await Promise.all(pools.map(async (pool) => ({ ...(await teamActivity.poolBacklog(pool.id)), name: pool.name })));
      const reps = config.reps.filter((rep) => pools.some((pool) => pool.members.includes(rep.id)));
      for (const recipient of recipients) {
        if (await teamActivity.digestSent(team.id, day, recipient.id)) continue;
        const email = teamDigestEmail({ recipient, team, day, counts, reps, pools: backlogs, now: asOf });
        await mailer.send({ ...email, from: config.organisation.notificationSender, tags: { teamId: team.id, repId: recipient.id } });
        await teamActivity.recordDigestSent(team.id, day, recipient.id, now().toISOString());
        sent += 1;
      }
      logger.info('Team digest', { teamId: team.id, day, recipients: recipients.length });
    }
    return { sent };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, mailer: providers.mailer, teamActivity: providers.teamActivity, now: providers.now })));
