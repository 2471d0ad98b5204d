/**
 * Every TypeScript code block of the docs is compiled: each ```ts or ```typescript block of README.md and
 * docs/*.md is type-checked, with the TypeScript compiler, against the project (strict, the options of
 * tsconfig.json; `import … from 'platform-cdk'` resolves to index.ts and `'platform-cdk/pulumi'` to pulumi.ts through
 * its paths). Blocks in other languages (sh, yaml, text, json) are not compiled.
 *
 * The convention:
 *
 * - A block with an `import` is a complete module of its own, compiled as a file of examples/quickstart/ (so
 *   `import { build } from './main'` is the quick start's program, as in a Pulumi program beside it).
 * - A block without an `import` is a fragment: it is compiled after the prelude test/docs/preludes/estate.ts, which
 *   imports the library's names and declares a small estate (`platform`, `host`, `member`, `development`/`dev`,
 *   `test`, `production`, `harbor`, `vault`, the tenant `payments` (also `tenant`) with the project `checkout` (also
 *   `project`), the department `riderDevelopers`, the services `portal` and `tripService`). The fragment is put in
 *   a block statement (`{ … }`), so it may declare one of these names again.
 *
 * An HTML comment on the line just before the opening fence (it does not show when the Markdown is rendered)
 * changes that:
 *
 * - `<!-- compile: continue -->`: the block continues the previous TypeScript block of the same file; they are
 *   compiled as one module, so a guide can build a program step by step.
 * - `<!-- compile: prelude <name> -->`: the block is compiled after test/docs/preludes/<name>.ts.
 * - `<!-- compile: excerpt of <file> -->`: the block is an excerpt that is not valid on its own (e.g. with `// ...`
 *   for left-out lines); every line of it that is not blank or a `//` comment must occur, trimmed, in that file of
 *   the project, which the project's own type-check compiles.
 *
 * Unused variables and parameters are allowed in blocks (a fragment shows a declaration without its use).
 * A type error names the Markdown file and the line in it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const PRELUDES = path.join(__dirname, 'preludes');

/** A TypeScript block of a Markdown file, as compiled. */
interface Block {
  /** The Markdown file, relative to the project. */
  readonly doc: string;
  /** The 1-based line of the block's first code line in the Markdown file. */
  readonly line: number;
  /** The code compiled: a prelude, continued blocks, then this block. */
  readonly code: string;
  /** Whether the code ends with the closing brace of a fragment's block statement. */
  readonly wrapped: boolean;
  /** Where each part of `code` comes from: the offset in `code` and its first line in its source. */
  readonly parts: readonly { readonly offset: number; readonly source: string; readonly line: number }[];
}

/** The Markdown files whose blocks are compiled. */
function markdownFiles(): string[] {
  const docs = fs.existsSync(path.join(ROOT, 'docs'))
    ? fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...docs];
}

const FENCE = /^```(ts|typescript)\s*$/;
const MARKER = /^<!--\s*compile:\s*(continue|prelude\s+([a-z0-9-]+)|excerpt of\s+(\S+))\s*-->\s*$/;
/** Where the blocks are compiled, as if they were files there: `./main` is the quick start's program. */
const BLOCK_FOLDER = path.join('examples', 'quickstart');
/** The prelude of a block without an `import`. */
const DEFAULT_PRELUDE = 'estate';

/** An excerpt block: its lines must occur in a file of the project. */
interface Excerpt {
  /** The Markdown file, relative to the project. */
  readonly doc: string;
  /** The 1-based line of the block's first code line. */
  readonly line: number;
  /** The file it is an excerpt of, relative to the project. */
  readonly of: string;
  /** The block's code. */
  readonly code: string;
}

/** The TypeScript blocks of one Markdown file to compile, and its excerpts. */
export function blocksOf(doc: string, text: string): { blocks: Block[]; excerpts: Excerpt[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const excerpts: Excerpt[] = [];
  let previous: Block | undefined;
  const withPrelude = (name: string, body: string, line: number): Block => {
    const file = path.join(PRELUDES, `${name}.ts`);
    if (!fs.existsSync(file)) throw new Error(`${doc}:${line - 1}: no prelude ${name} (test/docs/preludes/${name}.ts)`);
    // The fragment is a block statement, so that it may declare a name of the prelude again (shadowing it).
    const prelude = `${fs.readFileSync(file, 'utf8')}{\n`;
    return { doc, line, wrapped: true, code: `${prelude}${body}}\n`, parts: [{ offset: 0, source: `test/docs/preludes/${name}.ts`, line: 1 }, { offset: prelude.length, source: doc, line }] };
  };
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i])) {
      // Skip other fenced blocks whole, so that a ``` inside them is not taken for an opening fence.
      if (/^```/.test(lines[i])) {
        const end = lines.indexOf('```', i + 1);
        if (end > i) i = end;
      }
      continue;
    }
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    const body = `${lines.slice(i + 1, end).join('\n')}\n`;
    const line = i + 2;
    const marker = MARKER.exec(lines[i - 1] ?? '');
    i = end;
    if (marker?.[3] !== undefined) {
      excerpts.push({ doc, line, of: marker[3], code: body });
      continue;
    }
    let block: Block;
    if (marker?.[1] === 'continue') {
      if (!previous) throw new Error(`${doc}:${line - 1}: <!-- compile: continue --> but there is no TypeScript block before it`);
      // A continued fragment goes inside the block statement of the fragment it continues.
      const open = previous.wrapped ? previous.code.slice(0, -2) : previous.code;
      block = { doc, line, wrapped: previous.wrapped, code: `${open}${body}${previous.wrapped ? '}\n' : ''}`, parts: [...previous.parts, { offset: open.length, source: doc, line }] };
    } else if (marker?.[2] !== undefined) block = withPrelude(marker[2], body, line);
    else if (!/^import\s/m.test(body)) block = withPrelude(DEFAULT_PRELUDE, body, line);
    else block = { doc, line, wrapped: false, code: body, parts: [{ offset: 0, source: doc, line }] };
    blocks.push(block);
    previous = block;
  }
  return { blocks, excerpts };
}

/** The lines of excerpts that do not occur in the file they are an excerpt of. */
function missingExcerptLines(excerpts: readonly Excerpt[]): string[] {
  const out: string[] = [];
  for (const e of excerpts) {
    const file = path.join(ROOT, e.of);
    if (!fs.existsSync(file)) {
      out.push(`${e.doc}:${e.line - 1}: the excerpt's file ${e.of} does not exist`);
      continue;
    }
    const source = fs.readFileSync(file, 'utf8');
    e.code.split('\n').forEach((l, k) => {
      const t = l.trim();
      if (t !== '' && !t.startsWith('//') && !source.includes(t)) out.push(`${e.doc}:${e.line + k}: not in ${e.of}: ${t}`);
    });
  }
  return out;
}

/** Where a position of a block's code is, as `<file>:<line>`. */
function locate(block: Block, position: number): string {
  let part = block.parts[0];
  for (const p of block.parts) if (p.offset <= position) part = p;
  const line = block.code.slice(part.offset, position).split('\n').length - 1;
  return `${part.source}:${part.line + line}`;
}

/** The compiler options of tsconfig.json, with unused names allowed. */
function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true, declaration: false };
}

/** Type-checks blocks together, each as a module of its own at the project root; returns the errors, located. */
function typeCheck(blocks: readonly Block[]): string[] {
  const files = new Map<string, Block>();
  blocks.forEach((b, i) => files.set(path.join(ROOT, BLOCK_FOLDER, `__doc_block_${i}__.ts`), b));
  // A block without import or export would be a script; `export {}` makes each a module (isolatedModules).
  const source = (b: Block): string => `${b.code}\nexport {};\n`;
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, languageVersion, onError, create) => {
    const b = files.get(path.resolve(name));
    return b ? ts.createSourceFile(name, source(b), languageVersion, true) : getSourceFile.call(host, name, languageVersion, onError, create);
  };
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists.call(host, name);
  host.readFile = (name) => {
    const b = files.get(path.resolve(name));
    return b ? source(b) : readFile.call(host, name);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const errors: string[] = [];
  for (const [file, block] of files) {
    const sf = program.getSourceFile(file);
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diagnostics) {
      const where = d.start === undefined ? `${block.doc}:${block.line}` : locate(block, d.start);
      errors.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return errors;
}

describe('the docs\' code blocks', () => {
  it('reads blocks, continued blocks and preludes', () => {
    const md = [
      'text', '```ts', "import * as fs from 'fs';", '```', '```sh', 'echo', '```', '<!-- compile: continue -->', '```typescript', 'const b = fs;', '```',
      '```ts', 'x', '```', '<!-- compile: excerpt of test/readme.test.ts -->', '```ts', '// ...', "  import * as fs from 'fs';", 'not there', '```',
    ].join('\n');
    const { blocks, excerpts } = blocksOf('t.md', md);
    expect(blocks.map((b) => [b.line, b.code.startsWith('// The prelude') ? 'prelude' : b.code])).toEqual([
      [3, "import * as fs from 'fs';\n"],
      [10, "import * as fs from 'fs';\nconst b = fs;\n"],
      [13, 'prelude'],
    ]);
    expect(locate(blocks[1], blocks[1].code.indexOf('b ='))).toBe('t.md:10');
    expect(locate(blocks[2], blocks[2].code.lastIndexOf('x\n'))).toBe('t.md:13');
    expect(missingExcerptLines(excerpts)).toEqual(['t.md:19: not in test/readme.test.ts: not there']);
  });

  it('finds a type error and says where it is', () => {
    const errors = typeCheck(blocksOf('t.md', ['', '```ts', "import { Platform } from 'platform-cdk';", 'new Platform(42);', '```'].join('\n')).blocks);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^t\.md:4: Argument of type 'number'/);
  });

  it('type-checks every TypeScript block of README.md and docs/*.md', () => {
    const read = markdownFiles().map((doc) => blocksOf(doc, fs.readFileSync(path.join(ROOT, doc), 'utf8')));
    const blocks = read.flatMap((r) => r.blocks);
    expect(blocks.length).toBeGreaterThan(0);
    expect([...missingExcerptLines(read.flatMap((r) => r.excerpts)), ...typeCheck(blocks)]).toEqual([]);
  });
});
