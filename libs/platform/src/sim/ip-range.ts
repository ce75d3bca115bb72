import { isIPv4 } from 'node:net';

/** `count` consecutive IPv4 addresses starting at `first` (a DHCP pool). */
export function ipRange(first: string, count: number): string[] {
  if (!isIPv4(first)) throw new RangeError(`${first} is not an IPv4 address`);
  const start = first.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  if (start + count > 2 ** 32) throw new RangeError(`a pool of ${count} from ${first} runs past 255.255.255.255`);
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
  });
}
