import { parseYaml } from '@jss/config';
import { outsideRange } from '@jss/platform';
import { refusedAddress } from './addresses';
import { RecoveryPlan, planDocumentSchema, planOf } from './schema';
import type { WebhookHosts } from './webhook-hosts';

/** A plan refused at apply: the line at fault and why. */
export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/** What a plan is checked against: the domain it is applied to, its protected VMs, the networks VMs may be mapped to. */
export interface PlanFacts {
  domain: string;
  /** the VMs of the domain's newest recovery point */
  vms: ReadonlySet<string>;
  /** a network of the recovery site, with its range (CIDR) where the platform knows it; null: none of that name */
  network(name: string): Promise<{ subnet?: string } | null>;
  /** where webhooks may go (JSS_WEBHOOK_HOSTS); none: anywhere */
  webhookHosts?: WebhookHosts | null;
  /** the planner's own addresses, which no VM may be given (a check would connect to the planner) */
  ownAddresses?: ReadonlySet<string>;
}

/**
 * Parses a plan document and checks it against the domain: every VM a protected VM of it, in one
 * group only; group names distinct (groups run in the order written, so no order can loop);
 * networks that exist; re-IP addresses that are no loopback, link-local, unspecified, multicast or
 * planner address, and lie in their network's range where the platform knows it; webhooks to allowed hosts only. The first fault is thrown as a PlanError naming its line.
 */
export async function parsePlan(text: string, facts: PlanFacts): Promise<RecoveryPlan> {
  const parsed = parseYaml(text, planDocumentSchema);
  if ('fault' in parsed) throw new PlanError(parsed.fault.line, parsed.fault.message);
  const { data: doc, lineOf } = parsed;
  const fault = (path: PropertyKey[], detail: string) => new PlanError(lineOf(path), detail);
  if (doc.domain !== facts.domain) throw fault(['domain'], `the plan is for domain "${doc.domain}", not "${facts.domain}"`);
  const plan = planOf(doc);
  const groupOf = new Map<string, string>();
  const names = new Set<string>();
  for (const [i, group] of plan.groups.entries()) {
    if (names.has(group.name)) throw fault(['groups', i, 'name'], `group "${group.name}" is named twice`);
    const early = group.before.findIndex((s) => s.kind === 'check');
    if (early >= 0) throw fault(['groups', i, 'before', early], 'a check looks at the group\'s VMs powered on: put it in "after"');
    names.add(group.name);
    for (const phase of ['before', 'after'] as const) {
      for (const [j, step] of group[phase].entries()) {
        if (step.kind === 'webhook' && facts.webhookHosts && !facts.webhookHosts.allows(step.url)) {
          throw fault(['groups', i, phase, j, 'webhook', 'url'], facts.webhookHosts.refusal(step.url));
        }
      }
    }
    for (const [j, vm] of group.vms.entries()) {
      const at = ['groups', i, 'vms', j];
      if (!facts.vms.has(vm.name)) throw fault(at, `VM "${vm.name}" is not a protected VM of domain "${facts.domain}"`);
      const earlier = groupOf.get(vm.name);
      if (earlier) throw fault(at, `VM "${vm.name}" is already in group "${earlier}"; a VM comes up in one group only`);
      groupOf.set(vm.name, group.name);
      const refused = vm.ip ? refusedAddress(vm.ip, facts.ownAddresses ?? new Set()) : null;
      if (refused) throw fault([...at, 'ip'], `VM "${vm.name}" may not be re-addressed: ${refused}`);
      const network = vm.network ? await facts.network(vm.network) : null;
      if (vm.network && !network) throw fault([...at, 'network'], `network "${vm.network}" does not exist at the recovery site`);
      const outside = vm.ip && network ? outsideRange(vm.ip, vm.network!, network.subnet) : null;
      if (outside) throw fault([...at, 'ip'], `VM "${vm.name}" may not be re-addressed: ${outside}`);
    }
  }
  return plan;
}
