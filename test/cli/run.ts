/**
 * Running the command line in-process in tests, capturing what it writes.
 */
import { main } from '../../cli/main';

// Colour follows FORCE_COLOR and NO_COLOR, which a test runner on a terminal may set for its workers: the tests
// assert plain text, and those about colour set them themselves. (Jest gives each test file its own copy of
// process.env: a command the tests spawn gets it only with `env: { ...process.env }`.)
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;

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
