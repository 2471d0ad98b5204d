/**
 * Secret detection: a rule set in the spirit of gitleaks that recognises a secret in any string a user can put
 * into the output (environment values, configuration values and files, container arguments and commands, probe
 * commands, pipeline commands, repository URLs, preview overrides, annotations), by its format (known token
 * formats, private keys, JWTs, `Authorization` headers, credentials in URLs and command lines) or by its name
 * (a literal value under a name like `DB_PASSWORD`, `JWT_SIGNING_KEY` or a high-entropy `*_KEY`).
 *
 * `findSecret` never returns or logs the value: only the rule that matched. The rules are listed in
 * docs/services.md (a test keeps that table equal to `SECRET_RULES`).
 */

/** The rule that recognised a secret. */
export interface SecretMatch {
  /** The rule's id, e.g. `github-pat`. */
  readonly rule: string;
  /** What the value looks like, e.g. `a GitHub personal access token`. */
  readonly description: string;
}

/** A secret rule, as documented. */
export interface SecretRuleInfo {
  /** The rule's id. */
  readonly id: string;
  /** What the value looks like (completes "looks like …"). */
  readonly description: string;
  /** What the rule matches, in one sentence. */
  readonly matches: string;
}

/** Options of `findSecret`. */
export interface FindSecretOptions {
  /**
   * The name the value is given under (an environment variable, a configuration key): a literal value under a
   * name like a secret's is refused.
   * @default - the value is judged by its content only
   */
  readonly name?: string;
}

/** Rules that recognise a value by its format, anywhere in the text. */
interface FormatRule extends SecretRuleInfo {
  readonly pattern: RegExp;
  /** A further test of a match (e.g. that a Basic credential decodes to `user:password`). */
  readonly accept?: (m: RegExpExecArray) => boolean;
}

/** The smallest Shannon entropy (bits per character) of a value under a `*_KEY` name that is taken for a secret. */
export const ENTROPY_THRESHOLD = 3.5;
/** The shortest value under a `*_KEY` name that the entropy rule judges. */
export const ENTROPY_MIN_LENGTH = 16;
/** The longest run of letters and digits (no separator) a random-looking value has at least: `tenant-2024-region-eu` has none. */
export const ENTROPY_MIN_RUN = 12;

const FORMAT_RULES: readonly FormatRule[] = [
  { id: 'private-key', description: 'a private key', matches: 'A PEM private key block: `-----BEGIN … PRIVATE KEY-----` (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted) or `-----BEGIN PGP PRIVATE KEY BLOCK-----`.', pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY( BLOCK)?-----/ },
  { id: 'github-pat', description: 'a GitHub personal access token', matches: 'A GitHub personal access token: `ghp_` and 36 letters or digits, or a fine-grained `github_pat_…`.', pattern: /(?<![A-Za-z0-9_-])(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})/ },
  { id: 'github-token', description: 'a GitHub OAuth, app or refresh token', matches: 'A GitHub OAuth, user-to-server, server-to-server or refresh token: `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 or more letters or digits.', pattern: /(?<![A-Za-z0-9_-])gh[ousr]_[A-Za-z0-9]{36}/ },
  { id: 'gitlab-token', description: 'a GitLab token', matches: 'A GitLab token: personal, project or group access (`glpat-`), pipeline trigger (`glptt-`), deploy (`gldt-`), runner (`glrt-`, `GR1348941`), feed, OAuth or incoming-mail token, with 20 or more characters.', pattern: /(?<![A-Za-z0-9_-])(?:(?:glpat|glptt|gldt|glrt|glsoat|glcbt|glft|glimt|gloas|glagent)-|GR1348941)[A-Za-z0-9_-]{20,}/ },
  { id: 'aws-access-key-id', description: 'an AWS access key id', matches: 'An AWS access key id: `AKIA`, `ASIA`, `ABIA`, `ACCA` or `A3T?` and 16 upper-case letters or digits.', pattern: /(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { id: 'aws-secret-access-key', description: 'an AWS secret access key', matches: 'A 40-character AWS secret access key after `aws…secret…` or `aws…key…` and `=` or `:`.', pattern: /aws[A-Za-z0-9_.-]{0,30}(?:secret|key)[A-Za-z0-9_.-]{0,20}["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i },
  { id: 'slack-token', description: 'a Slack token or webhook', matches: 'A Slack token (`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`, `xapp-`) or an incoming webhook URL (`hooks.slack.com/services/…`).', pattern: /(?<![A-Za-z0-9_-])(?:xox[baprs]|xapp-\d)-[A-Za-z0-9-]{10,}|hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9_/]{20,}/ },
  {
    id: 'chat-webhook',
    description: 'a chat robot\'s webhook URL',
    matches: 'A chat robot\'s webhook URL, whose path or query is its credential: DingTalk (`oapi.dingtalk.com/robot/send?access_token=…`), WeCom (`qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`), Feishu or Lark (`open.feishu.cn/open-apis/bot/v2/hook/…`), Discord (`discord.com/api/webhooks/…`) or Microsoft Teams (`….webhook.office.com/webhookb2/…`).',
    pattern: /(?:oapi\.dingtalk\.com\/robot\/send\?[^\s"']*access_token=(?!\$)[A-Za-z0-9]{16,}|qyapi\.weixin\.qq\.com\/cgi-bin\/webhook\/send\?[^\s"']*key=(?!\$)[A-Za-z0-9-]{16,}|open\.(?:feishu\.cn|larksuite\.com)\/open-apis\/bot\/v2\/hook\/[A-Za-z0-9-]{16,}|discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}|\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@/-]{20,})/i,
  },
  { id: 'google-api-key', description: 'a Google API key', matches: 'A Google API key: `AIza` and 35 letters, digits, `_` or `-`.', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}/ },
  { id: 'stripe-key', description: 'a Stripe secret key', matches: 'A Stripe secret or restricted key: `sk_live_`, `rk_live_`, `sk_test_`, `rk_test_` and 16 or more letters or digits.', pattern: /(?<![A-Za-z0-9_-])[sr]k_(?:live|test)_[0-9A-Za-z]{16,}/ },
  { id: 'npm-token', description: 'an npm access token', matches: 'An npm access token: `npm_` and 36 letters or digits.', pattern: /(?<![A-Za-z0-9_-])npm_[A-Za-z0-9]{36}/ },
  { id: 'jwt', description: 'a JSON Web Token', matches: 'A JSON Web Token: `eyJ…` header, `.eyJ…` payload and a signature, base64url.', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/ },
  {
    id: 'authorization-header',
    description: 'an Authorization header with a credential',
    matches: 'An `Authorization:` or `Proxy-Authorization:` header with a literal credential, a `Bearer` token of 16 or more characters with a digit, or a `Basic` credential that decodes to `user:password`.',
    pattern: /(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?[ \t]*(?:(bearer|basic|token|digest|apikey|negotiate)[ \t]+)?([^\s"',;]+)|\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)|\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/i,
    accept: (m) => {
      if (m[2] !== undefined) return !isExpansion(m[2]) && (m[1] !== undefined || (m[2].length >= 16 && /[0-9]/.test(m[2])));
      if (m[3] !== undefined) return /[0-9]/.test(m[3]) && /[A-Za-z]/.test(m[3]);
      const decoded = Buffer.from(m[4] ?? '', 'base64').toString('latin1');
      return /^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded);
    },
  },
  { id: 'url-credentials', description: 'a URL with a password', matches: 'A URL with a user and password (`scheme://user:password@host`), unless the password is a reference such as `${DB_PASSWORD}`.', pattern: /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}:\/\/[^/\s:@?#]{0,256}:([^/\s@?#]{1,1024})@/i, accept: (m) => !isExpansion(m[1]) },
  {
    id: 'url-token-parameter',
    description: 'a URL with a token parameter',
    matches: 'A URL query or fragment parameter that carries a credential: `token`, `access_token`, `private_token`, `auth_token`, `api_key`, `apikey`, `key`, `password`, `passwd`, `pwd`, `secret`, `client_secret`, `sig`, `signature`, with a literal value.',
    pattern: /[?&#;](?:[a-z_]*token|api[_-]?key|apikey|key|pass(?:word|wd)?|pwd|secret|client[_-]secret|sig|signature|x-amz-signature|x-amz-credential)=([^&#\s"']+)/i,
    accept: (m) => !isExpansion(m[1]),
  },
  {
    id: 'command-password',
    description: 'a password on a command line',
    matches: 'A password or token given to a command: `docker login -p`/`--password`, `--password`/`--token`/`--secret` and their kin followed by a value, `mysql -p<value>`, `sshpass -p`, `curl -u user:password`.',
    pattern: /\b(?:docker|podman|buildah|helm|skopeo|oras|nerdctl)\b[^\n;&|]{0,200}?\blogin\b[^\n;&|]{0,200}?\s(?:-p|--password)(?:=|\s+)(\S+)|(?:^|\s)--?(?:[a-z]+-)*(?:password|passwd|pass|pwd|token|secret|api-?key|client-secret)(?:=|\s+)(?!-)(\S+)|\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mariadb-admin)\b[^\n;&|]{0,200}?\s-p(?!\s)(\S+)|\bsshpass\s+-p\s*(\S+)|(?:^|\s)(?:-u|--user)(?:=|\s+)["']?[^\s:"']+:([^\s"'@]+)/i,
    accept: (m) => {
      const v = m.slice(1).find((x) => x !== undefined) ?? '';
      return !isExpansion(v.replace(/^["']|["']$/g, ''));
    },
  },
];

/** The rules that judge a name and its literal value (documented with the format rules). */
const NAME_RULES: readonly SecretRuleInfo[] = [
  {
    id: 'secret-assignment',
    description: 'a secret assigned in text',
    matches: 'A line or command that assigns a literal to a name like a secret (`password=…`, `passwd: …`, `db.password = …`, `"apiKey": "…"`, `DB_PASS=… cmd`, `-Dspring.datasource.password=…`); the names are those of `secret-name`.',
  },
  {
    id: 'secret-name',
    description: 'a literal value under a name like a secret\'s',
    matches: 'A variable or key whose name ends in PASSWORD, PASSWD, PASS, PWD, PASSPHRASE, SECRET(S), TOKEN, CREDENTIAL(S), CREDS, APIKEY, DSN, or API_KEY, PRIVATE_KEY, SECRET_KEY, ACCESS_KEY, SIGNING_KEY, ENCRYPTION_KEY, MASTER_KEY, CLIENT_KEY, SESSION_KEY, HMAC_KEY, AUTH_KEY, or holds SECRET or CREDENTIAL anywhere, with a literal value (not empty, not a reference such as `${VAR}`, `$(VAR)`, `$VAR`, `{{ … }}`, not true/false/null).',
  },
  {
    id: 'secret-name-entropy',
    description: 'a random-looking value under a `*_KEY` name',
    matches: `A value of ${ENTROPY_MIN_LENGTH} or more characters without spaces, with a letter, a digit, a run of ${ENTROPY_MIN_RUN} letters and digits and a Shannon entropy of at least ${ENTROPY_THRESHOLD} bits per character, under a name ending in KEY or KEYS (e.g. \`STRIPE_KEY\`).`,
  },
];

/** Every secret rule, in the order they are tried. */
export const SECRET_RULES: readonly SecretRuleInfo[] = [...FORMAT_RULES.map(({ id, description, matches }) => ({ id, description, matches })), ...NAME_RULES];

/**
 * Names that are never judged as secret names, whatever they hold: they name, locate or describe a secret rather
 * than hold one (`DB_PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `AWS_ACCESS_KEY_ID`, `JWT_PUBLIC_KEY`). Their
 * values are still checked by the format rules.
 */
export const EXEMPT_NAME_SUFFIXES: readonly string[] = [
  'ID', 'IDS', 'NAME', 'NAMES', 'FILE', 'FILES', 'PATH', 'DIR', 'REF', 'STORE', 'TTL', 'TIMEOUT', 'EXPIRY', 'EXPIRES', 'LIFETIME', 'LENGTH', 'SIZE', 'ENABLED', 'REQUIRED', 'HEADER', 'TYPE', 'ALGORITHM', 'ALG', 'VERSION', 'KIND', 'MOUNT', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'ISSUER', 'AUDIENCE', 'POLICY', 'FORMAT', 'MODE', 'PUBLIC_KEY',
];

const STRONG_LAST = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'APIKEY', 'DSN']);
const STRONG_PAIR = new Set(['API_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'ACCESS_KEY', 'SIGNING_KEY', 'ENCRYPTION_KEY', 'MASTER_KEY', 'CLIENT_KEY', 'SESSION_KEY', 'HMAC_KEY', 'AUTH_KEY']);
const STRONG_ANYWHERE = new Set(['SECRET', 'SECRETS', 'CREDENTIAL', 'CREDENTIALS']);
const WEAK_LAST = new Set(['KEY', 'KEYS']);

/** A name in upper snake case: `apiKey`, `db.password` and `jwt-signing-key` become `API_KEY`, `DB_PASSWORD`, `JWT_SIGNING_KEY`. */
function normalizeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/** The names judged so far, with their kind (`none` for a name that is not a secret's). */
const NAME_KINDS = new Map<string, 'strong' | 'weak' | 'none'>();

/** The most names remembered; the memory is cleared when full, so that a long-running process does not grow. */
const NAME_KINDS_MAX = 10000;

/** Longer names are judged every time rather than remembered. */
const NAME_KIND_LENGTH = 128;

/**
 * How a name reads as a secret's: `strong` (any literal value is refused), `weak` (a random-looking value is
 * refused), or `undefined`.
 * @param name a variable's or key's name
 */
export function secretNameKind(name: string): 'strong' | 'weak' | undefined {
  // Names repeat across services and environments (LOG_LEVEL, DB_PASSWORD …): each is judged once.
  if (name.length > NAME_KIND_LENGTH) return judgeName(name);
  const known = NAME_KINDS.get(name);
  if (known !== undefined) return known === 'none' ? undefined : known;
  const kind = judgeName(name);
  if (NAME_KINDS.size >= NAME_KINDS_MAX) NAME_KINDS.clear();
  NAME_KINDS.set(name, kind ?? 'none');
  return kind;
}

function judgeName(name: string): 'strong' | 'weak' | undefined {
  const n = normalizeName(name);
  if (n === '') return undefined;
  if (EXEMPT_NAME_SUFFIXES.some((s) => n === s || n.endsWith(`_${s}`))) return undefined;
  const words = n.split('_');
  const last = words[words.length - 1];
  const pair = words.length >= 2 ? `${words[words.length - 2]}_${last}` : '';
  if (STRONG_LAST.has(last) || STRONG_PAIR.has(pair) || words.some((w) => STRONG_ANYWHERE.has(w))) return 'strong';
  if (WEAK_LAST.has(last)) return 'weak';
  return undefined;
}

/**
 * Whether a value is a reference or a placeholder rather than a literal: empty, `${VAR}`, `$(VAR)`, `$VAR`,
 * `{{ … }}`, `true`, `false`, `null`, `~`.
 * @param value the value, without surrounding quotes
 */
export function isReference(value: string): boolean {
  const v = value.trim();
  return v === '' || /^\$\{[^{}]*\}$/.test(v) || /^\$\([^()]*\)$/.test(v) || /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v) || /^\{\{[^{}]*\}\}$/.test(v) || /^(?:true|false|null|nil|none|~)$/i.test(v);
}

/**
 * Whether a value inside a text (a command, a URL, a line of a file) is filled in when it is used: a reference, or
 * any shell expansion (`$…`, a backquote), such as `$(cat /run/secrets/token)`.
 * @param value the value, without surrounding quotes
 */
export function isExpansion(value: string): boolean {
  const v = value.trim();
  return isReference(v) || v.startsWith('$') || v.startsWith('`') || /^%24/i.test(v);
}

/**
 * The Shannon entropy of a text, in bits per character.
 * @param text the text
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...text].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

function highEntropy(value: string): boolean {
  const v = value.trim();
  const run = Math.max(0, ...(v.match(/[A-Za-z0-9]+/g) ?? []).map((r) => r.length));
  // A number (`-8.6e+177`, `0x1F…`) is no key, however its digits spread.
  if (v.trim() !== '' && !Number.isNaN(Number(v))) return false;
  return v.length >= ENTROPY_MIN_LENGTH && run >= ENTROPY_MIN_RUN && !/\s/.test(v) && /[A-Za-z]/.test(v) && /[0-9]/.test(v) && shannonEntropy(v) >= ENTROPY_THRESHOLD;
}

/** The format rules with their patterns compiled once for repeated matching. */
const GLOBAL_RULES: readonly (readonly [FormatRule, RegExp])[] = FORMAT_RULES.map((r) => [r, new RegExp(r.pattern.source, `${r.pattern.flags.replace('g', '')}g`)] as const);

const RULE_BY_ID = new Map(SECRET_RULES.map((r) => [r.id, r]));

function match(id: string): SecretMatch {
  const r = RULE_BY_ID.get(id) as SecretRuleInfo;
  return { rule: r.id, description: r.description };
}

/** Strips the quotes and the trailing separators around an assigned value. */
function unquote(v: string): string {
  let s = v.trim().replace(/[,;]+$/, '').trim();
  const q = s[0];
  if ((q === '"' || q === '\'') && s.length >= 1) {
    const end = s.indexOf(q, 1);
    s = end > 0 ? s.slice(1, end) : s.slice(1);
  }
  return s;
}

// `name=value` at a boundary (start, space, ;, &, |, ?, comma, brace, paren), with `-D` or `--` before the name.
const ASSIGN_EQ = /(?:^|[\s;&|?,{(])(?:-D|--|export[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]{0,16}=[ \t]{0,16}("[^"\n]*"?|'[^'\n]*'?|[^\s;&|,}]*)/g;
// `name: value` at the start of a line (YAML, headers), after a space (a sentence, a command) or after `{` or `,`
// (JSON, flow maps), the name possibly quoted.
const ASSIGN_COLON = /(?:^[ \t]{0,64}(?:-[ \t]{1,8})?|[{,\s][ \t]{0,16})["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]{0,16}:(?!\/\/)[ \t]*("[^"\n]*"?|'[^'\n]*'?|[^\n,}#]*)/gm;

function assignedSecret(text: string): boolean {
  for (const re of [ASSIGN_EQ, ASSIGN_COLON]) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      // The value may hold an assignment of its own (`note: password: …`): look on from its start.
      re.lastIndex = m.index + 1;
      const kind = secretNameKind(m[1]);
      if (!kind) continue;
      const v = unquote(m[2]);
      // A reference, an expansion, or the start of a structure (`{`, `[`, a YAML block `|` or `>`) is no literal.
      if (isExpansion(v) || /^[[{|>]/.test(v)) continue;
      if (kind === 'strong' || highEntropy(v)) return true;
    }
  }
  return false;
}

/**
 * The rule by which a value looks like a secret, or `undefined` when it does not. The value itself is never
 * returned: say `value withheld: looks like <description> (rule <rule>)`.
 *
 * @param value the value (a string; numbers and booleans are judged as their text; anything else is not judged)
 * @param options the name the value is given under, if any
 * @example
 * findSecret('ghp_' + 'a'.repeat(36)); // { rule: 'github-pat', description: 'a GitHub personal access token' }
 * findSecret('s3cr3t', { name: 'DB_PASS' }); // { rule: 'secret-name', ... }
 * findSecret('${DB_PASSWORD}', { name: 'DB_PASSWORD' }); // undefined
 */
export function findSecret(value: unknown, options: FindSecretOptions = {}): SecretMatch | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value);
  if (options.name !== undefined) {
    const kind = secretNameKind(options.name);
    if (kind === 'strong' && !isReference(unquote(text))) return match('secret-name');
    if (kind === 'weak' && highEntropy(text)) return match('secret-name-entropy');
  }
  if (text === '') return undefined;
  for (const [rule, re] of GLOBAL_RULES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) re.lastIndex++;
      if (!rule.accept || rule.accept(m)) return match(rule.id);
    }
  }
  if (assignedSecret(text)) return match('secret-assignment');
  return undefined;
}

/**
 * The first secret among several strings (a command's words, a file's content): each is judged alone, and the
 * words together (so that `["--password", "x"]` is seen).
 * @param values the strings
 */
export function findSecretIn(values: readonly unknown[]): SecretMatch | undefined {
  for (const v of values) {
    const found = findSecret(v);
    if (found) return found;
  }
  const strings = values.filter((v): v is string => typeof v === 'string');
  return strings.length > 1 ? findSecret(strings.join(' ')) : undefined;
}

/**
 * The text that stands in for a withheld value in messages and reports.
 * @param found the rule that matched
 */
export function withheld(found: SecretMatch): string {
  return `<value withheld: looks like ${found.description} (rule ${found.rule})>`;
}

/**
 * A text with its secret withheld: the text itself when no rule matches, else the stand-in of `withheld`.
 * @param text the text
 * @param options the name it is given under, if any
 */
export function maskSecret(text: string, options: FindSecretOptions = {}): string {
  const found = findSecret(text, options);
  return found ? withheld(found) : text;
}
