/**
 * `platform-cdk import`: from an export of a running estate (one folder per cluster, `kubectl get -o yaml`) to a
 * typed program, and a report of what became of every object.
 */
import * as path from 'path';
import type { ReportEntry } from './model';
import { readExport } from './read';
import { recogniseEstate } from './recognise';
import type { RecogniseOptions } from './recognise';
import { writeProgram } from './writer';

export { ExportReadError, readExport, cleanObject } from './read';
export type { ExportedEstate, ExportedObject, SkippedObject } from './read';
export { recogniseEstate } from './recognise';
export type { RecogniseOptions, Recognised } from './recognise';
export { writeProgram } from './writer';
export type { WriteOptions } from './writer';
export { Code, Ref, code } from './code';
export type { EstateContext, EstateIndex, EstatePass, NamespaceContext, NamespacePass, NamespacePlace } from './passes';
export type { ImportedEstate, Outcome, ReportEntry } from './model';

/** Options of {@link importEstate}. */
export interface ImportOptions extends RecogniseOptions {
  /** The cluster's name when the export folder holds files directly (one cluster). @default 'cluster' */
  readonly cluster?: string;
}

/** What {@link importEstate} gives. */
export interface ImportResult {
  /** The program's text. */
  readonly program: string;
  /** What became of every object. */
  readonly report: readonly ReportEntry[];
  /** Counts per outcome. */
  readonly summary: Readonly<Record<ReportEntry['outcome'], number>>;
}

/**
 * Imports an export folder as a program.
 * @param dir the export folder
 * @param options options
 */
export function importEstate(dir: string, options: ImportOptions = {}): ImportResult {
  const exported = readExport(dir, options.cluster);
  const platform = options.platform ?? (path.basename(path.resolve(dir)).replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'imported');
  const { estate, report } = recogniseEstate(exported, { ...options, platform });
  const summary = { typed: 0, generated: 0, hatch: 0, 'left-out': 0 };
  for (const r of report) summary[r.outcome]++;
  return { program: writeProgram(estate, path.basename(path.resolve(dir))), report, summary };
}

/** The report as text: one line per object, grouped by outcome, then the counts. */
export function formatImportReport(result: ImportResult): string {
  const titles: Record<ReportEntry['outcome'], string> = { typed: 'typed model', generated: 'written by the library by default', hatch: 'escape hatches', 'left-out': 'left out' };
  const lines: string[] = [];
  for (const outcome of ['typed', 'generated', 'hatch', 'left-out'] as const) {
    const entries = result.report.filter((r) => r.outcome === outcome);
    if (entries.length === 0) continue;
    lines.push(`${titles[outcome]} (${entries.length}):`);
    for (const r of entries) lines.push(`  ${r.cluster}: ${r.object} — ${r.detail}`);
  }
  const s = result.summary;
  lines.push(`${s.typed} typed, ${s.generated} written by default, ${s.hatch} through escape hatches, ${s['left-out']} left out`);
  return `${lines.join('\n')}\n`;
}
