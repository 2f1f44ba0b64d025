import ipaddr from 'ipaddr.js';

/** Matches client addresses against the configured trusted networks (IPv4-mapped IPv6 included). */
export class TrustedNetworks {
  readonly #ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(cidrs: readonly string[]) {
    this.#ranges = cidrs.map((c) => {
      if (c.includes('/')) return ipaddr.parseCIDR(c);
      const addr = ipaddr.process(c);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128];
    });
  }

  contains(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const addr = ipaddr.process(address);
    return this.#ranges.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
  }
}
