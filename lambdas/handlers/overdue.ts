/**
 * Scheduled Lambda (hourly): psv.overdue (protocol.md §5, §10). Notifies both sides of every post-shipment verification
 * that passed its due date with no report, once each (core/psv-overdue.ts); a run that fails is redone by the next.
 */
import { scanOverdue, type OverdueRun } from '../core/psv-overdue.ts';
import { observed } from './observed.ts';
import { logger, runtimeServices } from './runtime.ts';

const services = runtimeServices();

export const handler = observed(async (): Promise<OverdueRun> => {
  const run = await scanOverdue(services);
  // Counts only, and only when the run did something or left work behind: a backlog (truncated run after run) must
  // show in the logs before cases fall out of the scan's window.
  if (run.notified > 0 || run.truncated) logger.info('psv.overdue scan', { ...run });
  return run;
});
