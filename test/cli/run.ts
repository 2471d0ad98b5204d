/**
 * Running the command line in-process in tests, capturing what it writes.
 */
import { main } from '../../cli/main';

/** What a run wrote and returned. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line with these arguments, capturing what it writes. */
export function cli(...args: string[]): Run {
  let stdout = '';
  let stderr = '';
  const code = main([...process.argv.slice(0, 2), ...args], { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
