/**
 * Scheduled Lambda (hourly): psv.overdue (protocol.md §5, §10). Notifies both sides of every post-shipment verification
 * that passed its due date with no report, once each (core/psv-overdue.ts); a run that fails is redone by the next.
 */
import { scanOverdue, type OverdueRun } from '../core/psv-overdue.ts';
import { observed } from './observed.ts';
import { runtimeServices } from './runtime.ts';

const services = runtimeServices();

export const handler = observed(async (): Promise<OverdueRun> => scanOverdue(services));
