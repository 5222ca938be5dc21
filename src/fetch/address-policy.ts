import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

// Where a fetch may connect. A feed URL, and every redirect it takes, comes
// from someone else: unless a channel says `allow_private: true`, refeed
// never connects to this machine, its network or the cloud's metadata
// service (a redirect to http://169.254.169.254/ must not be republished).
// The check is made on the addresses a connection would really use: a host
// name is resolved once and connected to by what that resolution gave (the
// lookup hook below), so a name cannot resolve public for the check and
// private for the connection.

const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'a private'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local'],
  ['172.16.0.0', 12, 'ipv4', 'a private'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved'],
  ['192.168.0.0', 16, 'ipv4', 'a private'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved'],
  ['::', 128, 'ipv6', 'an unspecified'],
  ['::1', 128, 'ipv6', 'a loopback'],
  ['fc00::', 7, 'ipv6', 'a unique-local'],
  ['fe80::', 10, 'ipv6', 'a link-local'],
  ['ff00::', 8, 'ipv6', 'a multicast'],
];

const lists = RANGES.map(([net, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { list, family, kind };
});

/** IPv4 carried in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d) is judged as the IPv4 address. */
function embeddedIpv4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return undefined;
  const [a, b] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Why an address may not be fetched ("a loopback address"), or undefined when it may. */
export function forbiddenAddress(ip: string): string | undefined {
  const bare = ip.replace(/^\[|\]$/g, '');
  const v4 = embeddedIpv4(bare);
  const addr = v4 ?? bare;
  const family = isIP(addr) === 6 ? 'ipv6' : isIP(addr) === 4 ? 'ipv4' : undefined;
  if (!family) return undefined;
  for (const { list, family: f, kind } of lists) if (f === family && list.check(addr, family)) return `${kind} address`;
  return undefined;
}

/** An address the policy refuses, as a connection error the fetch reports as `blocked`. */
export class BlockedAddressError extends Error {
  readonly code = 'EREFEEDBLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${host}${host === address ? '' : ` (${address})`} is ${reason}`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup for net.connect that drops forbidden addresses, and fails when none is left. */
function guardedLookup(hostname: string, options: LookupAllOptions | object, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const allowed = addresses.filter((a) => forbiddenAddress(a.address) === undefined);
    if (!allowed.length) {
      const first = addresses[0];
      return callback(new BlockedAddressError(hostname, first?.address ?? hostname, first ? forbiddenAddress(first.address)! : 'not resolvable'), []);
    }
    if ((options as LookupAllOptions).all) return callback(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
}

/** The connection pools a run fetches through: one that enforces the policy, one for channels allowed private addresses. */
export interface FetchAgents {
  guarded: Dispatcher;
  open: Dispatcher;
  close(): Promise<void>;
}

export function createFetchAgents(): FetchAgents {
  const guarded = new Agent({ connect: { lookup: guardedLookup as never } });
  const open = new Agent();
  return { guarded, open, close: async () => void (await Promise.all([guarded.close(), open.close()])) };
}
