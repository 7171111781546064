/** CommCare software plans, lowest first. The reinstall API needs PRO or higher. */
export const PLANS = ['COMMUNITY', 'STANDARD', 'PRO', 'ADVANCED', 'ENTERPRISE'] as const;

export type Plan = (typeof PLANS)[number];

export const MINIMUM_PLAN: Plan = 'PRO';

export function isPlan(value: string): value is Plan {
  return (PLANS as readonly string[]).includes(value);
}

export function planAllowsReinstall(plan: Plan): boolean {
  return PLANS.indexOf(plan) >= PLANS.indexOf(MINIMUM_PLAN);
}
