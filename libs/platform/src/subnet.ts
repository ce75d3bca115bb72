import { isIPv4 } from 'node:net';

/** An IPv4 address as a number. */
function toNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Why `cidr` is no IPv4 subnet such as "10.20.0.0/24" (host bits clear), or null. */
export function subnetFault(cidr: string): string | null {
  const [base, bits, extra] = cidr.split('/');
  const prefix = Number(bits);
  if (extra !== undefined || !base || !isIPv4(base) || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) {
    return `"${cidr}" is not an IPv4 subnet such as 10.20.0.0/24`;
  }
  if (toNumber(base) % 2 ** (32 - prefix) !== 0) return `"${cidr}" has host bits set (the subnet starts at its network address)`;
  return null;
}

/** Whether the IPv4 address lies in the subnet (a CIDR that passed subnetFault). */
export function inSubnet(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

/** Why a static address may not go on a network (it lies outside the range the platform knows for it), or null. */
export function outsideRange(ip: string, network: string, subnet: string | undefined): string | null {
  return subnet && !inSubnet(ip, subnet) ? `${ip} is outside network "${network}" (${subnet})` : null;
}
