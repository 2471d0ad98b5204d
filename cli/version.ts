/**
 * The version of platform-cdk, for `--version`: read from the package's own package.json, found above this file
 * (cli/ in the repository, build/cli/ in the installed package).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The version in platform-cdk's package.json ("unknown" if it cannot be found). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'platform-cdk' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // not ours: keep looking
      }
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
