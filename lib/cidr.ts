/** CIDRs as network policies and load balancers read them. */
import { isIP } from 'net';

/**
 * Why a value is not a CIDR in canonical form (an IPv4 or IPv6 network address and a prefix length, no host bits
 * set), with a fix; `undefined` when it is one.
 * @param value the CIDR
 */
export function checkCidr(value: unknown): { message: string; fix: string } | undefined {
  const fix = 'write a network as a CIDR, e.g. "10.20.0.0/16" or "2001:db8::/32"';
  if (typeof value !== 'string') return { message: 'a network is a CIDR string', fix };
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
  if (!m) return { message: 'not a CIDR (address/prefix length)', fix };
  const version = isIP(m[1]);
  const bits = Number(m[2]);
  if (version === 0) return { message: 'the address of the CIDR is not an IPv4 or IPv6 address', fix };
  const max = version === 4 ? 32 : 128;
  if (bits > max || String(bits) !== m[2]) return { message: `the prefix length of an IPv${version} network is 0 to ${max}`, fix };
  const n = addressBits(m[1], version);
  const hostMask = (1n << BigInt(max - bits)) - 1n;
  if ((n & hostMask) !== 0n) {
    const canonical = `${formatAddress(n & ~hostMask, version)}/${bits}`;
    return { message: `the address has bits set below the prefix length: the network is ${canonical}`, fix: `write the network address, "${canonical}"` };
  }
  return undefined;
}

/** Whether a CIDR admits every address (`0.0.0.0/0`, `::/0`). */
export function isOpenCidr(cidr: string): boolean {
  return /\/0$/.test(cidr);
}

function addressBits(address: string, version: number): bigint {
  if (version === 4) return address.split('.').reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
  let a = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const n = addressBits(v4[1], 4);
    a = `${a.slice(0, -v4[1].length)}${((n >> 16n) & 0xffffn).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function formatAddress(n: bigint, version: number): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
