import { isIPv4, isIPv6 } from 'node:net';

/**
 * Why an address may not be reached from the server. Every range that is not
 * the public internet has a name, so a refusal can be logged as what it is.
 */
export type AddressRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier_nat'
  | 'link_local'
  | 'metadata'
  | 'unique_local'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

/** A prefix of an address's bytes and what it means. */
interface Block {
  bytes: number[];
  bits: number;
  range: AddressRange;
}

/** `a.b.c.d/bits` as a block; tables read like the RFCs they come from. */
function v4(cidr: string, range: AddressRange): Block {
  const [address = '', bits = '32'] = cidr.split('/');
  return { bytes: address.split('.').map(Number), bits: Number(bits), range };
}

function v6(cidr: string, range: AddressRange): Block {
  const [address = '', bits = '128'] = cidr.split('/');
  const bytes = ipv6Bytes(address);
  if (!bytes) throw new Error(`bad IPv6 block ${cidr}`);
  return { bytes, bits: Number(bits), range };
}

/**
 * IPv4 blocks that are not the public internet (IANA's special-purpose
 * registry, RFC 6890), most specific first: the cloud metadata addresses are
 * named before the ranges they sit in.
 */
const IPV4_BLOCKS: Block[] = [
  v4('0.0.0.0/32', 'unspecified'),
  // "This network": Linux connects 0.x.y.z to the local host.
  v4('0.0.0.0/8', 'reserved'),
  v4('10.0.0.0/8', 'private'),
  // Alibaba Cloud's metadata service sits in the shared (CGNAT) space.
  v4('100.100.100.200/32', 'metadata'),
  v4('100.64.0.0/10', 'carrier_nat'),
  v4('127.0.0.0/8', 'loopback'),
  // AWS, GCP, Azure and most others; 169.254.170.2 (ECS task credentials) is link-local anyway.
  v4('169.254.169.254/32', 'metadata'),
  v4('169.254.0.0/16', 'link_local'),
  v4('172.16.0.0/12', 'private'),
  // Oracle Cloud's metadata service.
  v4('192.0.0.192/32', 'metadata'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'reserved'),
  v4('203.0.113.0/24', 'reserved'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

/** IPv6 blocks judged on their own (the forms that carry an IPv4 address are judged by it, see `embeddedIpv4`). */
const IPV6_BLOCKS: Block[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  // AWS's metadata service over IPv6.
  v6('fd00:ec2::254/128', 'metadata'),
  v6('fc00::/7', 'unique_local'),
  v6('fe80::/10', 'link_local'),
  // Site-local, deprecated (RFC 3879) but still routed inside some networks.
  v6('fec0::/10', 'private'),
  v6('ff00::/8', 'multicast'),
  // NAT64 for local use (RFC 8215): where the IPv4 address sits is the network's choice, so the block goes whole.
  v6('64:ff9b:1::/48', 'reserved'),
  v6('100::/64', 'reserved'),
  // IETF protocol assignments, Teredo (2001::/32, whose client address is obfuscated) among them.
  v6('2001::/23', 'reserved'),
  v6('2001:db8::/32', 'reserved'),
  v6('3fff::/20', 'reserved'),
];

/** Only 2000::/3 is global unicast; everything else outside the blocks above is unassigned. */
const GLOBAL_UNICAST = v6('2000::/3', 'reserved');

function inBlock(bytes: readonly number[], block: Block): boolean {
  let bits = block.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((block.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (an IPv4 tail and a zone allowed), or undefined when it is not one. */
export function ipv6Bytes(text: string): number[] | undefined {
  const address = text.replace(/%.*$/, '');
  if (!isIPv6(address)) return undefined;
  const words: number[] = [];
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        out.push(parseInt(group, 16));
      }
    }
    return out;
  };
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  words.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/**
 * The IPv4 address an IPv6 address stands for, when it is one of the forms
 * that reach an IPv4 host: mapped (`::ffff:a.b.c.d`), compatible
 * (`::a.b.c.d`, deprecated), translated (`::ffff:0:a.b.c.d`), NAT64's
 * well-known prefix (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`). A
 * gateway that honours any of them would carry the connection to the IPv4
 * address, so that address is what is judged.
 */
function embeddedIpv4(bytes: readonly number[]): number[] | undefined {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const last4 = bytes.slice(12, 16);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return last4;
  if (zero(0, 12)) return last4;
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) return last4;
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return last4;
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

function classifyIpv4(bytes: readonly number[]): AddressRange | undefined {
  return IPV4_BLOCKS.find((block) => inBlock(bytes, block))?.range;
}

function classifyIpv6(bytes: readonly number[]): AddressRange | undefined {
  // ::, ::1 fall in the compatible form too; their own names are the useful ones.
  const own = IPV6_BLOCKS.find((block) => inBlock(bytes, block));
  if (own && (own.range === 'unspecified' || own.range === 'loopback')) return own.range;
  const v4bytes = embeddedIpv4(bytes);
  if (v4bytes) return classifyIpv4(v4bytes);
  if (own) return own.range;
  return inBlock(bytes, GLOBAL_UNICAST) ? undefined : 'reserved';
}

/**
 * The range that makes `address` (an IPv4 or IPv6 literal, as DNS answers it
 * or as a URL's host holds it, brackets allowed) unreachable from the server,
 * or undefined for a public address. Text that is not an IP address is
 * `reserved`: whatever it is, it must not be connected to.
 */
export function refusedRange(address: string): AddressRange | undefined {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(text)) return classifyIpv4(text.split('.').map(Number));
  const bytes = ipv6Bytes(text);
  return bytes ? classifyIpv6(bytes) : 'reserved';
}
