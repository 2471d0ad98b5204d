import { createHash } from 'crypto';

/** The longest slug: `<project>-pv-<slug>` must stay a valid namespace for projects of up to 38 characters. */
export const SLUG_MAX = 20;

/**
 * A branch name as a valid, length-limited DNS label: lowercase, runs of other characters as "-", at most 20
 * characters (a longer one is cut and ends with 6 hex digits of the branch's hash, so that it stays unique).
 * @param branch the Git branch
 */
export function previewSlug(branch: string): string {
  const clean = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (clean.length <= SLUG_MAX && clean.length > 0) return clean;
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, 6);
  return `${clean.slice(0, SLUG_MAX - 7).replace(/-+$/, '')}-${hash}`.replace(/^-/, '');
}


/**
 * Whether a text is a day of the calendar, `YYYY-MM-DD` (not `2026-02-30`).
 * @param text the text
 */
export function isCalendarDate(text: unknown): boolean {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}
