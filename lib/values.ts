/**
 * Rules for values a user gives that the output uses as paths, lines, annotations or numbers: each is a small
 * check that returns what is wrong (or `undefined` when the value is fine), so that every model check, the
 * command line and `platform-cdk preview create` apply the same rule and report it with the construct path.
 * Names (DNS labels, label keys and values, ports) are in `names.ts`; this module re-exports them so that one
 * import gives every rule.
 */
import { checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue, checkPort } from './names';

export { checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue, checkPort };

/** The most an object's annotations may hold, keys and values together (Kubernetes' limit): 256 KiB. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** The longest Git branch name a preview accepts (Git itself allows longer, but no file system or console does). */
export const BRANCH_MAX = 255;

/** The longest HTTP path a probe may request. */
export const HTTP_PATH_MAX = 2048;

/** The longest absolute path accepted (Linux' PATH_MAX). */
export const PATH_MAX = 4096;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A number that is a number of something: not `NaN`, not `Infinity`. Every numeric property is checked with it
 * (or a check built on it) at its own field, so that a bad number is reported once, as itself, and the checks that
 * add numbers up (quotas) do not report it again.
 */
export function checkFinite(value: unknown): string | undefined {
  if (typeof value !== 'number') return 'the value must be a number';
  if (!Number.isFinite(value)) return `the value must be a finite number, not ${String(value)}`;
  return undefined;
}

/** Whether a value is a finite number (the test other checks use to skip sums of bad numbers). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * One line of text the output carries as a value (an address template, an e-mail address, a channel's name): a
 * string of 1 to `max` characters without control characters (a line break would end the header, the URL or the
 * line a program reads it into).
 * @param value the value
 * @param max the most characters
 */
export function checkTextLine(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'the value must be a non-empty string';
  if (value.length > max) return `the value must be at most ${max} characters (this one has ${value.length})`;
  if (CONTROL.test(value)) return 'the value must not contain control characters such as a line break';
  return undefined;
}

/**
 * An image tag: 1-128 letters, digits, "_", "." and "-", not starting with "." or "-", and never `latest` (it
 * moves, so the output would not say what runs).
 */
export function checkImageTag(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value)) {
    return 'a tag must be 1-128 letters, digits, "_", "." or "-", not starting with "." or "-"';
  }
  if (value === 'latest') return '"latest" moves, so the output would not say what runs';
  return undefined;
}

/**
 * A registry as image references name it: a host name (or IPv4 address) with an optional port from 1 to 65535,
 * e.g. `harbor.example.com` or `registry.local:5000`. A container runtime reads the first part of an image
 * reference as a registry only when it has a "." or a port, or is `localhost` (otherwise `team/app` is a Docker Hub
 * repository), so a host without either is refused.
 */
export function checkRegistryHost(value: unknown): string | undefined {
  const bad = 'a registry must be a host name with an optional port';
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 + 6) return bad;
  const m = /^([^:]+)(?::([0-9]{1,5}))?$/.exec(value);
  if (!m) return bad;
  const host = m[1];
  if (host.length > 253 || !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(host) || host.split('.').some((l) => l.length > 63)) return bad;
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return `a registry's port must be between 1 and 65535 (this one is ${m[2]})`;
  }
  if (!host.includes('.') && m[2] === undefined && host !== 'localhost') {
    return 'a registry host needs a "." or a port (or is localhost); without either, a container runtime reads it as a Docker Hub repository';
  }
  return undefined;
}

/**
 * The path of an HTTP probe: starts with "/", at most 2048 printable ASCII characters, no spaces, no control
 * characters (a newline would end the request line the kubelet sends), no fragment (`#`). Other characters are
 * written percent-encoded.
 */
export function checkHttpPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/')) return 'an HTTP path must be a string starting with "/"';
  if (value.length > HTTP_PATH_MAX) return `an HTTP path must be at most ${HTTP_PATH_MAX} characters (this one has ${value.length})`;
  if (CONTROL.test(value)) return 'an HTTP path must not contain control characters such as a newline';
  if (!/^[\x21-\x7e]+$/.test(value)) return 'an HTTP path must be printable ASCII without spaces (percent-encode other characters, e.g. %20)';
  if (value.includes('#')) return 'an HTTP path has no fragment ("#"): the server never sees it';
  return undefined;
}

/**
 * An absolute, normalised path in a container: starts with "/", no empty, "." or ".." segments, no trailing "/",
 * no spaces or control characters, at most 4096 characters.
 */
export function checkAbsolutePath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/')) return 'a path must be a string starting with "/"';
  if (value.length > PATH_MAX) return `a path must be at most ${PATH_MAX} characters (this one has ${value.length})`;
  if (CONTROL.test(value) || /\s/.test(value)) return 'a path must not contain spaces or control characters';
  if (value === '/') return undefined;
  const segments = value.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'a path must be normalised: no "..", "." or empty segments and no trailing "/"';
  return undefined;
}

/** Folders of the kernel and the container runtime: never writable from a pod, at any depth. */
export const SYSTEM_PATHS: readonly string[] = ['/proc', '/sys', '/dev', '/var/run/secrets', '/run/secrets', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/var/run/docker', '/run/docker', '/var/run/containerd', '/run/containerd', '/var/run/crio', '/run/crio'];

/** Folders of the image that a writable (empty) volume would hide entirely; their sub-folders may be writable. */
export const IMAGE_ROOTS: readonly string[] = ['/', '/tmp', '/bin', '/sbin', '/usr', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/etc', '/var', '/root', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

/**
 * A folder a container may write to (an empty volume mounted there; the root file system stays read-only): an
 * absolute, normalised path; not "/", "/tmp" (always writable) or a top folder of the image ("/etc", "/usr",
 * "/var" …, or the kubelet's "/etc/hosts" and "/etc/resolv.conf"), not under "/proc", "/sys", "/dev" or the
 * service account's "/var/run/secrets", and never a container runtime's socket or folder (`*.sock`,
 * "/var/run/docker", "/run/containerd" …).
 */
export function checkWritablePath(value: unknown): string | undefined {
  const p = checkAbsolutePath(value);
  if (p) return p;
  const v = value as string;
  if (IMAGE_ROOTS.includes(v)) return v === '/' ? 'the whole file system is never writable; name a folder' : `${v} is ${v === '/tmp' ? 'always writable' : 'a folder of the image that an empty volume would hide'}; name a folder below it`;
  const system = SYSTEM_PATHS.find((s) => v === s || v.startsWith(`${s}/`));
  if (system) return `${system} belongs to the kernel or the container runtime and is never writable from a pod`;
  if (v.split('/').some((s) => s.endsWith('.sock'))) return 'a socket of the container runtime is never writable from a pod';
  return undefined;
}

/**
 * A Git branch name as `git check-ref-format --branch` accepts it, at most 255 characters, with at least one
 * letter or digit (the preview is named after them).
 */
export function checkBranchName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'a branch name must be a non-empty string';
  if (value.length > BRANCH_MAX) return `a branch name must be at most ${BRANCH_MAX} characters (this one has ${value.length})`;
  if (CONTROL.test(value) || /[\s~^:?*[\\]/.test(value)) return 'a branch name has no spaces, control characters or any of ~ ^ : ? * [ \\';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//') || value.includes('..') || value.includes('@{') || value.endsWith('.') || value.startsWith('-') || value === '@') {
    return 'a branch name does not start with "/" or "-", does not end with "/" or ".", and has no "//", ".." or "@{"';
  }
  if (value.split('/').some((s) => s.startsWith('.') || s.endsWith('.lock'))) return 'no part of a branch name starts with "." or ends with ".lock"';
  if (!/[A-Za-z0-9]/.test(value)) return 'a branch name needs a letter or digit to name the preview after';
  return undefined;
}

/**
 * Annotations of one object: every key a valid key (an optional DNS-subdomain prefix and a name of 1-63
 * characters), every value a string, and keys and values together at most 256 KiB. Returns one message per
 * problem, with the key it concerns (`undefined` for the total).
 */
export function checkAnnotations(annotations: Readonly<Record<string, unknown>>): { key?: string; message: string }[] {
  const out: { key?: string; message: string }[] = [];
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const key = checkLabelKey(k);
    if (key) out.push({ key: k, message: key.replace(/label key/g, 'annotation key') });
    if (typeof v !== 'string') out.push({ key: k, message: 'an annotation value must be a string' });
    bytes += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) out.push({ message: `an object's annotations hold at most ${ANNOTATIONS_MAX_BYTES} bytes (256 KiB) together; these hold ${bytes}` });
  return out;
}
