/**
 * The commands the docs show exist: every `npx platform-cdk <command> [<subcommand>] --option …` in README.md and
 * docs/*.md (in code blocks and in prose) names a command of the command line and only options that command
 * takes, as its `--help` lists them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli } from '../cli/run';

const ROOT = path.resolve(__dirname, '..', '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Each use of the command line in a page: the words after `npx platform-cdk`, up to a comment, backtick or end of line. */
function uses(page: string): { page: string; words: string[] }[] {
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
  return [...text.matchAll(/npx platform-cdk ([^#`\n]*)/g)].map((m) => ({ page, words: m[1].trim().split(/\s+/).filter((w) => w !== '' && w !== '\\') }));
}

const help = new Map<string, string>();
function helpOf(command: string[]): string {
  const key = command.join(' ');
  if (!help.has(key)) {
    const run = cli(...command, '--help');
    help.set(key, run.code === 0 ? run.stdout : '');
  }
  return help.get(key) as string;
}

it('every platform-cdk command in the docs exists, with options it takes', () => {
  const all = PAGES.flatMap(uses);
  expect(all.length).toBeGreaterThan(10);
  const wrong: string[] = [];
  const top = helpOf([]);
  for (const { page, words } of all) {
    if (words.length === 0 || words[0].startsWith('-') || words[0] === '…') continue;
    const command = [words[0]];
    if (!new RegExp(`^  ${words[0]}\\b`, 'm').test(top)) {
      wrong.push(`${page}: no command "${words[0]}" (npx platform-cdk ${words.join(' ')})`);
      continue;
    }
    if (words[1] !== undefined && /^[a-z]+$/.test(words[1]) && new RegExp(`^  ${words[1]}\\b`, 'm').test(helpOf(command))) command.push(words[1]);
    const text = helpOf(command);
    for (const w of words.slice(command.length)) {
      const option = /^(--?[a-z][a-z-]*)/.exec(w)?.[1];
      if (option && option !== '--help' && !new RegExp(`(^|[ ,])${option}\\b`, 'm').test(text)) wrong.push(`${page}: "${command.join(' ')}" takes no ${option}`);
    }
  }
  expect(wrong).toEqual([]);
});
