/**
 * The one quoting path of the generated CI scripts: a value from the model reaches a shell line (GitLab CI,
 * Jenkins `sh` steps), a Groovy string (Jenkinsfile), a GitLab CI rule expression or a comment only through one
 * of these functions. Each returns text that the language reads back as exactly the value given, whatever the
 * value holds (quotes of every kind, `$()`, backticks, `;`, newlines, `${…}`, backslashes, unicode), so a value
 * can never become code. Structured YAML is written by the project's YAML writer (lib/yaml.ts), never by hand.
 *
 * What is not quoted is the user's own shell code (pipeline step commands, the synth command): it is written as
 * given, inside its own step, and only quoted as a whole for the Groovy layer (`groovyScript`).
 */

/** The characters a shell word may hold bare: no expansion, globbing, splitting or operator among them. */
const SHELL_SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * A POSIX shell word that the shell reads as exactly `value`: the value itself when it holds only safe characters
 * (letters, digits and `_./:@%+=,-`), otherwise the value in single quotes, each `'` written as `'\''`. Nothing
 * is special inside single quotes (no `$`, backtick, backslash or newline processing), so the word is one argument.
 * @param value the value
 */
export function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A shell variable's value, as a part of a `shellWord`. */
export interface ShellVariable {
  /** The variable's name. */
  readonly variable: string;
}

/**
 * A shell variable, as a part of a `shellWord`.
 * @param name the variable's name (letters, digits and `_`, not starting with a digit)
 */
export function shellVar(name: string): ShellVariable {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${JSON.stringify(name)}`);
  return { variable: name };
}

/**
 * A POSIX shell word joining literal text and the values of shell variables, read by the shell as one argument:
 * one double-quoted string in which every `\`, `$`, backtick and `"` of the literal text is escaped with a
 * backslash (the only characters special inside double quotes), and each variable is `$NAME` (`${NAME}` when a
 * name character follows). `shellWord('harbor.example.com/shop/api:', shellVar('IMAGE_TAG'))` is
 * `"harbor.example.com/shop/api:$IMAGE_TAG"`.
 * @param parts literal text and variables, in order
 */
export function shellWord(...parts: readonly (string | ShellVariable)[]): string {
  let out = '';
  parts.forEach((part, i) => {
    if (typeof part === 'string') {
      out += part.replace(/[\\$`"]/g, (c) => `\\${c}`);
      return;
    }
    const next = parts[i + 1];
    out += typeof next === 'string' && /^[A-Za-z0-9_]/.test(next) ? `\${${part.variable}}` : `$${part.variable}`;
  });
  return `"${out}"`;
}

/**
 * The escapes of Groovy string literals: the backslash, CR, and in a single-quoted literal LF and the quote.
 * Never `\uXXXX`: Groovy (as Java) translates unicode escapes in the source before it reads string literals, so
 * an escape the library wrote could become a quote. A backslash is always doubled, so a `\u` in a value can never
 * begin an escape either.
 */
function groovyEscape(value: string, multiline: boolean): string {
  const escaped = value.replace(multiline ? /[\\\r]/g : /[\\'\r\n]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '\r':
        return '\\r';
      default:
        return '\\n';
    }
  });
  // In a triple-quoted literal only three quotes in a row end it: each run of three is escaped, so that at most
  // two raw quotes are ever next to each other (and a script keeps its readable 'quoted' words).
  return multiline ? escaped.replace(/'''/g, "\\'\\'\\'") : escaped;
}

/**
 * A Groovy single-quoted string literal of `value`: `'…'`, with `\`, `'`, CR and LF escaped. Single-quoted Groovy
 * strings do not interpolate, so `$`, `${…}`, `"` and `"""` in the value are plain characters.
 * @param value the value
 */
export function groovyString(value: string): string {
  return `'${groovyEscape(value, false)}'`;
}

/**
 * A Groovy triple-single-quoted string literal holding a shell script: `'''` + LF + the script + LF + `'''`, with
 * every `\` doubled, every run of three `'` escaped and CR written as `\r`. Its value is the script between two
 * line breaks (which the shell ignores). No interpolation; nothing in the script (`'''`, `"""`, a trailing
 * backslash, `${…}`) can end the literal, so the script stays in its own step.
 * @param script the script's text (the user's commands as given, and quoted values)
 */
export function groovyScript(script: string): string {
  return `'''\n${groovyEscape(script, true)}\n'''`;
}

/**
 * The text of a one-line comment (`#` in YAML, `//` in Groovy) holding a value: line breaks and other control
 * characters become spaces, and backslashes are doubled (so that Groovy cannot read a `\u` escape in it).
 * @param value the text
 */
export function commentText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/\\/g, '\\\\').replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}

/**
 * A string literal of GitLab CI's rule expressions (`rules: - if: …`), which have no escapes: the value in double
 * quotes, or in single quotes when it holds a double quote. Throws when the value holds both, or a line break;
 * the model never lets such a value through (branch names are checked).
 * @param value the value
 */
export function gitlabExpressionString(value: string): string {
  if (/[\r\n]/.test(value) || (value.includes('"') && value.includes("'"))) throw new Error(`cannot write ${JSON.stringify(value)} in a GitLab CI rule expression`);
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}
