/** cdk-nag helpers shared by the nag tests of the default app and of its variants (edge, custom domain). */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ValidationReport } from './synth.ts';

export const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5'] as const;

export interface Acknowledgement { readonly path: string; readonly id: string; readonly reason: string }

/** Every acknowledgement recorded in the tree (Validations.of(x).acknowledge writes construct metadata). */
export function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: c.node.path, id: key.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}

/** What one pack reports over `root`, as `severity rule at path: description` lines. */
export function findings(pack: NagPack, root: IConstruct): string[] {
  return pack.validateScope(root).violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity ?? 'error'} ${v.ruleName} at ${r.constructPath ?? '?'}: ${v.description}`));
}

/** Both packs run directly over `root`. */
export function allFindings(root: IConstruct): string[] {
  return [...findings(new AwsSolutionsChecks(), root), ...findings(new NIST80053R5Checks(), root)];
}

/** The nag packs' unacknowledged findings in a synthesis validation report. */
export function reportedNagFindings(report: ValidationReport): string[] {
  return report.pluginReports
    .filter((r) => (NAG_PACKS as readonly string[]).includes(r.pluginName))
    .flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.severity} ${v.ruleName} at ${c.constructPath}: ${v.description}`)));
}

/** Acknowledgements under `root` whose rule the packs would not report there: each must be still needed. */
export function unusedAcknowledgements(root: IConstruct): Acknowledgement[] {
  const acks = acknowledgements(root);
  // Hide the acknowledgements (renaming their metadata keys), run the packs, restore.
  const hidden: { data: Record<string, string>; key: string; value: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const data = entry.data as Record<string, string>;
      for (const [key, value] of Object.entries(data)) {
        hidden.push({ data, key, value });
        delete data[key];
        data[`hidden-by-test::${key}`] = value;
      }
    }
  }
  let raw: string[];
  try {
    raw = allFindings(root);
  } finally {
    for (const h of hidden) {
      delete h.data[`hidden-by-test::${h.key}`];
      h.data[h.key] = h.value;
    }
  }
  return acks.filter((a) => !raw.some((f) => f.includes(` ${a.id} at ${a.path}`) || f.includes(` ${a.id} at ${a.path}/`)));
}
