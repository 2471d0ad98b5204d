/**
 * Colour for severities, on a terminal only. The choice follows the common conventions (no-color.org, Node.js,
 * chalk): `--no-color` turns colour off; `FORCE_COLOR` turns it on (`FORCE_COLOR=0` off); a non-empty
 * `NO_COLOR` turns it off; otherwise there is colour when the stream is a terminal and `TERM` is not `dumb`.
 */

/** What decides whether a stream gets colour. */
export interface ColorSettings {
  /** `--no-color` was given (commander's `color: false`). */
  readonly noColorOption?: boolean;
  /** The environment (`NO_COLOR`, `FORCE_COLOR`, `TERM`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether the stream is a terminal. */
  readonly isTTY?: boolean;
}

/**
 * Whether to colour a stream.
 * @param s the option, the environment and the stream
 */
export function useColor(s: ColorSettings): boolean {
  if (s.noColorOption === true) return false;
  const env = s.env ?? process.env;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !/^(0|false|no)$/i.test(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return s.isTTY === true && env.TERM !== 'dumb';
}

const CODES = { red: [31, 39], yellow: [33, 39], dim: [2, 22], green: [32, 39], bold: [1, 22] } as const;

/** A colour of {@link paint}. */
export type Color = keyof typeof CODES;

/**
 * Text in a colour (ANSI), or as it is when colour is off.
 * @param on whether colour is on
 * @param color the colour
 * @param text the text
 */
export function paint(on: boolean, color: Color, text: string): string {
  if (!on) return text;
  const [open, close] = CODES[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * A finding's or problem's line with its severity coloured: the leading `error`, `warning` or `waived (…)` word of
 * the checks' lines, the `warning:` prefix of model warnings, and the `[path]` that starts a model error.
 * @param on whether colour is on
 * @param line the line, as the checks format it
 */
export function colorSeverity(on: boolean, line: string): string {
  if (!on) return line;
  const m = /^(error:?|warning:?|waived \([^)]*\))( |$)/.exec(line);
  if (m) {
    const color: Color = m[1].startsWith('error') ? 'red' : m[1].startsWith('warning') ? 'yellow' : 'dim';
    return paint(on, color, m[1]) + line.slice(m[1].length);
  }
  // A model error (formatProblem) starts with its construct path and carries no severity word.
  const end = line.startsWith('[') ? line.indexOf(']') : -1;
  if (end > 0) return paint(on, 'red', line.slice(0, end + 1)) + line.slice(end + 1);
  return line;
}
