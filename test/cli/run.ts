/**
 * Running the command line in-process in tests, capturing what it writes.
 */
import { main } from '../../cli/main';
import * as fs from 'fs';
import * as path from 'path';

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

/**
 * Writes, into `dir`, an estate program whose model is invalid (one replica of a production service), for the
 * command line's tests of model errors; returns its path.
 * @param dir the folder
 */
export function writeInvalidProgram(dir: string): string {
  const file = path.join(dir, 'invalid.ts');
  fs.writeFileSync(
    file,
    `import { ClusterRole, Platform, Registry } from ${JSON.stringify(path.resolve(__dirname, '..', '..', 'index'))};

export function build(): Platform {
  const platform = new Platform('broken');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: ['production'] });
  project.addService('api', { image: Registry.at('harbor.example.com').image('shop/api', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }], replicas: 1 });
  return platform;
}
`,
  );
  return file;
}
