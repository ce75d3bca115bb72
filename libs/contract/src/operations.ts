// The operations users publish (routing key recovery.<operation>, type io.jss.recovery.<operation>).

export const OPERATIONS = [
  'failover',
  'planned-failover',
  'continuous-failover',
  'failback',
  'restore',
  'test-failover',
  'test-cleanup',
  'cancel',
  'commit',
  'rollback',
  'drill-schedule',
  'drill-unschedule',
  /** store a new version of a domain's recovery plan (YAML) */
  'plan-apply',
  /** answer with a domain's recovery plan (plan.shown) */
  'plan-show',
  /** a task paused at a plan's approve step goes on */
  'plan-continue',
  /** protect a failed-over domain's recovered VMs back into the object store, on a schedule */
  'reprotect',
  /** a domain's objectives: rpoSeconds, rtoSeconds */
  'domain-set',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const commandRoutingKey = (op: Operation): string => `recovery.${op}`;
/** The operation a routing key names: exactly recovery.<operation>, else null. */
export const operationOf = (routingKey: string): Operation | null => {
  const op = /^recovery\.([a-z-]{1,40})$/.exec(routingKey)?.[1];
  return OPERATIONS.find((o) => o === op) ?? null;
};
export const commandType = (op: Operation): string => `io.jss.recovery.${op}`;

/** The operations that create a task (the others act on one, or on a domain's schedule or plan). */
export type RecoveryOperation = Exclude<
  Operation,
  | 'cancel'
  | 'test-cleanup'
  | 'commit'
  | 'rollback'
  | 'drill-schedule'
  | 'drill-unschedule'
  | 'plan-apply'
  | 'plan-show'
  | 'plan-continue'
  | 'reprotect'
  | 'domain-set'
>;
