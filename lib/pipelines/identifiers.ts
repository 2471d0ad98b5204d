/**
 * The rules of the pipeline options that are identifiers, not code: Trivy severities, paths inside a repository
 * and Git branch names. The model checks them (constructs/pipeline.ts, constructs/delivery.ts); the generated
 * scripts quote them all the same (lib/quote.ts).
 */

/** The severities Trivy knows, lowest first. */
export const TRIVY_SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

/** A severity Trivy knows. */
export type TrivySeverity = (typeof TRIVY_SEVERITIES)[number];

/** Whether a value is a severity Trivy knows (upper case, as Trivy's `--severity` takes them). */
export function isTrivySeverity(value: unknown): value is TrivySeverity {
  return typeof value === 'string' && (TRIVY_SEVERITIES as readonly string[]).includes(value);
}

/** One segment of a repository path: letters, digits and `._@+=,-`, not starting with `-`. */
const PATH_SEGMENT = /^[A-Za-z0-9._@+=,][A-Za-z0-9._@+=,-]*$/;

/**
 * Why a value is not a path inside a repository, relative to its root, or `undefined` when it is one: segments
 * of letters, digits and `._@+=,-` separated by `/` (a trailing `/` allowed), no `..` segment, not absolute,
 * not starting with `-` (it would read as an option), at most 4096 characters. No whitespace, quotes, `$`,
 * backticks, `;`, `|`, `&`, globs, backslashes, NUL or line breaks.
 * @param value the value
 */
export function repositoryPathProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'a path is a non-empty string';
  if (value.length > 4096) return 'a path is at most 4096 characters';
  if (value.startsWith('/')) return 'the path is absolute; it is relative to the repository root';
  const segments = (value.endsWith('/') ? value.slice(0, -1) : value).split('/');
  if (segments.includes('..')) return 'the path leaves the repository ("..")';
  if (segments.some((s) => !PATH_SEGMENT.test(s))) return 'a path is segments of letters, digits and "._@+=,-" separated by "/", none starting with "-" (no spaces, quotes, "$", backticks, ";", "|", "&", "*", backslashes or line breaks)';
  return undefined;
}

/** The characters of a branch name: letters, digits and `._/-` (stricter than Git, so that names need no quoting anywhere). */
const BRANCH_CHARACTERS = /^[A-Za-z0-9._/-]+$/;

/**
 * Why a value is not a Git branch name, or `undefined` when it is one. Git's `check-ref-format --branch` rules
 * (no `..`, no segment starting with `.` or ending with `.lock`, no `//`, not starting or ending with `/`, not
 * ending with `.`, not `@`, not starting with `-`), within the characters letters, digits and `._/-`, at most
 * 255 characters.
 * @param value the value
 */
export function branchNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'a branch name is a non-empty string';
  if (value.length > 255) return 'a branch name is at most 255 characters';
  if (!BRANCH_CHARACTERS.test(value)) return 'a branch name is letters, digits, ".", "_", "/" and "-"';
  if (value.startsWith('-')) return 'a branch name does not start with "-"';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) return 'a branch name does not start or end with "/" or hold "//"';
  if (value.includes('..')) return 'a branch name does not hold ".."';
  if (value.endsWith('.')) return 'a branch name does not end with "."';
  if (value.split('/').some((s) => s.startsWith('.') || s.endsWith('.lock'))) return 'no segment of a branch name starts with "." or ends with ".lock"';
  return undefined;
}
