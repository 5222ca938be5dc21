import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, type Dispatcher } from 'undici';

// Where a fetch may connect. A feed URL, and every redirect it takes, comes
// from someone else: unless a channel says `allow_private: true`, refeed
// never connects to this machine, its network or the cloud's metadata
// service (a redirect to http://169.254.169.254/ must not be republished).
// The check is made on the addresses a connection would really use: a host
// name is resolved once and connected to by what that resolution gave (the
// lookup hook below), so a name cannot resolve public for the check and
// private for the connection.

// ipaddr.js names the special-purpose ranges (IANA's registries); these are
// the ones a feed fetch must never reach, with the words a refusal uses.
const V4_KINDS: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a shared (carrier-grade NAT)',
  private: 'a private',
  reserved: 'a reserved',
  as112: 'a reserved',
  amt: 'a reserved',
};
const V6_KINDS: Record<string, string> = {
  unspecified: 'an unspecified',
  linkLocal: 'a link-local',
  multicast: 'a multicast',
  loopback: 'a loopback',
  uniqueLocal: 'a unique-local',
  deprecatedSiteLocal: 'a site-local',
  discard: 'a reserved',
  reserved: 'a reserved',
  benchmarking: 'a benchmarking',
};
const LOCAL_NAT64 = ipaddr.IPv6.parse('64:ff9b:1::');

function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
}

/**
 * The IPv4 address an IPv6 address leads to, when it is one of the forms
 * that carry one: a packet to it reaches that IPv4 host (through the kernel,
 * a NAT64 gateway or a tunnel relay), so it is judged as that host.
 * Teredo carries two (server and obfuscated client); both are returned.
 */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = v6.parts;
  switch (v6.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64, well-known prefix)
      return [v4FromParts(p[6], p[7])];
    case '6to4': // 2002:aabb:ccdd::/48
      return [v4FromParts(p[1], p[2])];
    case 'teredo': // 2001:0:server:server:flags:port:~client:~client
      return [v4FromParts(p[2], p[3]), v4FromParts(p[6] ^ 0xffff, p[7] ^ 0xffff)];
  }
  // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks);
  // ::1 and :: themselves are IPv6's own loopback and unspecified.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1)) return [v4FromParts(p[6], p[7])];
  return [];
}

function forbiddenV4(v4: ipaddr.IPv4): string | undefined {
  return V4_KINDS[v4.range()];
}

function forbiddenV6(v6: ipaddr.IPv6): string | undefined {
  // 64:ff9b:1::/48 is NAT64 for a local network: where it leads is site-specific.
  if (v6.match(LOCAL_NAT64, 48)) return 'a local NAT64';
  const carried = embeddedIpv4(v6);
  if (carried.length) {
    for (const v4 of carried) {
      const kind = forbiddenV4(v4);
      if (kind) return kind;
    }
    return undefined;
  }
  return V6_KINDS[v6.range()];
}

/** Why an address may not be fetched ("a loopback address"), or undefined when it may (host names too). */
export function forbiddenAddress(ip: string): string | undefined {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  // ipaddr.isValid accepts shorthand IPv4 ("127.1"), which a URL has already
  // normalised; only the full forms reach here as addresses.
  const family = isIP(bare);
  if (!family) return undefined;
  // (ipaddr.js reads "::a.b.c.d" as mapped rather than IPv4-compatible;
  // both are judged by the IPv4 address, so the verdict is the same.)
  const addr = ipaddr.parse(bare);
  const kind = addr.kind() === 'ipv4' ? forbiddenV4(addr as ipaddr.IPv4) : forbiddenV6(addr as ipaddr.IPv6);
  return kind && `${kind} address`;
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
