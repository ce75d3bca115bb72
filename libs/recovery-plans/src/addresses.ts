import { networkInterfaces } from 'node:os';

/**
 * Why a plan may not give a recovered VM this IPv4 address, or null: loopback, unspecified,
 * link-local, multicast, broadcast and reserved ranges, and the planner's own addresses — a
 * check step connects to the VM's address from the planner, so any of those would turn the plan
 * into a probe of the planner's host or its neighbours.
 */
export function refusedAddress(ip: string, own: ReadonlySet<string>): string | null {
  const [a, b] = ip.split('.').map(Number);
  if (a === 0) return `${ip} is an unspecified ("this network") address`;
  if (a === 127) return `${ip} is a loopback address`;
  if (a === 169 && b === 254) return `${ip} is a link-local address`;
  if (a >= 224 && a <= 239) return `${ip} is a multicast address`;
  if (a >= 240) return `${ip} is a reserved or broadcast address`;
  if (own.has(ip)) return `${ip} is an address of the planner itself`;
  return null;
}

/** The IPv4 addresses of this host's interfaces. */
export function ownAddresses(): ReadonlySet<string> {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return new Set(all.filter((i) => i.family === 'IPv4').map((i) => i.address));
}
