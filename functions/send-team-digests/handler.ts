import { teamDigestEmail, teamDigestRecipients, teamsDueForDigest, teamsOwedDigest, type Rep, type Team } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, type Dependencies, MessageRefusedError, lambdaDependenciesOf, loggedHandler, logger } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

type DigestDependencies = Pick<Dependencies, 'config' | 'mailer' | 'teamActivity' | 'now'>;

/**
 * The managers' morning digest, on a 15-minute tick as of the schedule's `time`: for each team owed its
 * digest (any tick of its local day from `digest.at` on, so a failed or missed tick is made up by a later
 * one), the day before's counts per rep (one item) and each of its pools' backlog (its sparse waiting
 * index), emailed once to each manager and pool admin not yet recorded as sent or undeliverable. Each email is
 * claimed in the notification log before it is sent, so two runs at once send it once; a failed send gives the
 * claim back for a later tick, unless the provider refused this email for good (`onlyThisMessage`, e.g. an
 * address SES will not take): then it is recorded undeliverable, so later ticks skip it rather than fail on it again
 * until local midnight. A refusal of the account or the sender (access denied, sending paused…) meets every email
 * and passes once fixed, so it gives the claim back like any other failure. A failure is the recipient's (or the
 * team's) own: the run does the rest, then fails naming them.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'teamActivity' | 'now'>) {
  return async (event: ScheduledInvocation): Promise<{ sent: number }> => {
    const deps = dependencies();
    const asOf = new Date(event.time);
    const dueNow = new Set(teamsDueForDigest(deps.config, asOf).map(({ team }) => team.id));
    const failures: Error[] = [];
    let sent = 0;
    for (const { team, day } of teamsOwedDigest(deps.config, asOf)) {
      const recipients: Rep[] = [];
      for (const recipient of teamDigestRecipients(deps.config, team)) {
        try {
          if ((await deps.teamActivity.digestOutcome(team.id, day, recipient.id)) === undefined) recipients.push(recipient);
        } catch (error) {
          failures.push(failed(`Team digest ${team.id} of ${day} to ${recipient.id}`, error));
        }
      }
      // Read only when someone still waits for it: on most ticks every recipient has had the day's digest.
      if (recipients.length === 0) continue;
      const sentToTeam = await sendTeamDigest(deps, { team, day, recipients, asOf }, failures);
      sent += sentToTeam;
      logger.info('Team digest', { teamId: team.id, day, recipients: recipients.length, sent: sentToTeam, ...(dueNow.has(team.id) ? {} : { madeUpAfterDueTick: true }) });
    }
    if (failures.length > 0) throw new AggregateError(failures, `Team digests: ${failures.length} failed: ${failures.map((failure) => failure.message).join('; ')}`);
    return { sent };
  };
}

/** Emails one team's digest to the recipients still waiting for it; how many went out. */
async function sendTeamDigest(deps: DigestDependencies, input: { team: Team; day: string; recipients: Rep[]; asOf: Date }, failures: Error[]): Promise<number> {
  const { config, mailer, teamActivity, now } = deps;
  const { team, day, asOf } = input;
  let content: Awaited<ReturnType<typeof readTeamDay>>;
  try {
    content = await readTeamDay(deps, team, day);
  } catch (error) {
    failures.push(failed(`Team digest ${team.id} of ${day}`, error));
    return 0;
  }
  let sent = 0;
  for (const recipient of input.recipients) {
    const name = `Team digest ${team.id} of ${day} to ${recipient.id}`;
    try {
      const claimedAt = now().toISOString();
      if ((await teamActivity.claimDigest(team.id, day, recipient.id, claimedAt)) === 'already_claimed') {
        // Another run is sending it now; should that run die, its claim lapses and a later tick sends it.
        logger.info('Team digest claimed by another run', { teamId: team.id, day, recipientId: recipient.id });
        continue;
      }
      const email = teamDigestEmail({ recipient, team, day, ...content, now: asOf });
      try {
        await mailer.send({ ...email, from: config.organisation.notificationSender, tags: { teamId: team.id, repId: recipient.id } });
      } catch (error) {
        if (error instanceof MessageRefusedError && error.onlyThisMessage) {
          await recordUndeliverable(deps, { name, team, day, recipient, claimedAt, refusal: error }, failures);
          continue;
        }
        // Throttled, failing on SES's side, no answer, or the account or sender refused (e.g. a bad IAM deploy): the claim goes back and a later tick sends it.
        await teamActivity.releaseDigestClaim(team.id, day, recipient.id, claimedAt).catch((releaseError: unknown) => failures.push(failed(`${name}: giving back its claim`, releaseError)));
        throw error;
      }
      await teamActivity.recordDigestSent(team.id, day, recipient.id, now().toISOString());
      sent += 1;
    } catch (error) {
      failures.push(failed(name, error));
    }
  }
  return sent;
}

/**
 * A digest the provider refused for good: recorded undeliverable while the claim is still this run's, then
 * logged and reported as the run's failure, once. Later ticks and the schedule's retries skip it, so it fails
 * one run a day, not every tick until local midnight. When another run took over the lapsed claim meanwhile,
 * that run records the outcome (and reports it, if it is a refusal too).
 */
async function recordUndeliverable(deps: DigestDependencies, input: { name: string; team: Team; day: string; recipient: Rep; claimedAt: string; refusal: MessageRefusedError }, failures: Error[]): Promise<void> {
  const { name, team, day, recipient, claimedAt, refusal } = input;
  const context = { teamId: team.id, day, recipientId: recipient.id, reason: refusal.message };
  let recorded;
  try {
    recorded = await deps.teamActivity.recordDigestUndeliverable(team.id, day, recipient.id, claimedAt, refusal.message, deps.now().toISOString());
  } catch (error) {
    // The claim stays until its lease lapses, so a later tick tries (and records) it again.
    failures.push(failed(`${name}: refused for good (${refusal.message}), and recording it undeliverable failed`, error));
    return;
  }
  if (recorded === 'not_claimed') {
    logger.warn('Team digest refused for good, but another run took over its claim; that run records the outcome', context);
    return;
  }
  logger.error('Team digest refused for good; recorded undeliverable, so later ticks of the day skip it', context);
  failures.push(failed(`${name}: recorded undeliverable, not retried`, refusal));
}

/** What a team's digest reports: the day's counts, its pools' backlogs and the reps of its pools. */
async function readTeamDay(deps: DigestDependencies, team: Team, day: string) {
  const pools = deps.config.pools.filter((pool) => pool.teamId === team.id);
  const counts = await deps.teamActivity.readDay(team.id, day);
  const backlogs = await Promise.all(pools.map(async (pool) => ({ ...(await deps.teamActivity.poolBacklog(pool.id)), name: pool.name })));
  const reps = deps.config.reps.filter((rep) => pools.some((pool) => pool.members.includes(rep.id)));
  return { counts, pools: backlogs, reps };
}

const failed = (what: string, error: unknown) => new Error(`${what}: ${(error as Error).message}`, { cause: error });

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, mailer: providers.mailer, teamActivity: providers.teamActivity, now: providers.now })));
