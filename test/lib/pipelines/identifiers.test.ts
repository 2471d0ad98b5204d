import { branchNameProblem, isTrivySeverity, repositoryPathProblem } from '../../../lib/pipelines/identifiers';

describe('the identifier options of a pipeline', () => {
  it('a Trivy severity is one of UNKNOWN, LOW, MEDIUM, HIGH and CRITICAL, in upper case', () => {
    for (const s of ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) expect(isTrivySeverity(s)).toBe(true);
    for (const s of ['critical', 'CRITICAL;touch pwned;echo', 'HIGH,CRITICAL', '', undefined, 3]) expect(isTrivySeverity(s)).toBe(false);
  });

  it('a repository path is relative, inside the repository, and holds no shell metacharacter', () => {
    for (const p of ['.', 'Dockerfile', 'docker/Dockerfile', 'services/api/', 'a_b.c-d@1+2=3,4', '.docker/x']) expect(repositoryPathProblem(p)).toBeUndefined();
    const bad: [unknown, string][] = [
      ['', 'non-empty'],
      ['/src', 'absolute'],
      ['../Dockerfile', 'leaves the repository'],
      ['a/../../b', 'leaves the repository'],
      ['-f', 'none starting with "-"'],
      ['a//b', 'segments'],
      ['$(touch${IFS}pwned)', 'segments'],
      ['Dockerfile";touch${IFS}pwned;"', 'segments'],
      ['a b', 'segments'],
      ["it's", 'segments'],
      ['a\nb', 'segments'],
      ['a\0b', 'segments'],
      ['*.txt', 'segments'],
      ['a\\b', 'segments'],
      ['x'.repeat(4097), 'at most 4096'],
      [42, 'non-empty string'],
    ];
    for (const [p, message] of bad) expect(repositoryPathProblem(p)).toContain(message);
  });

  it('a branch name follows git check-ref-format, within letters, digits and "._/-"', () => {
    for (const b of ['main', 'release/2.x', 'feature/login-form', 'v1.2.3', 'a_b']) expect(branchNameProblem(b)).toBeUndefined();
    const bad: [unknown, string][] = [
      ['', 'non-empty'],
      ['main.lock', '.lock'],
      ['feature/.hidden', 'starts with "."'],
      ['.main', 'starts with "."'],
      ['a..b', '".."'],
      ['a//b', '"//"'],
      ['/main', '"/"'],
      ['main/', '"/"'],
      ['main.', 'end with "."'],
      ['-main', 'start with "-"'],
      ['@', 'letters, digits'],
      ['a@{b', 'letters, digits'],
      ['main;touch pwned', 'letters, digits'],
      ['ma"in', 'letters, digits'],
      ['x'.repeat(256), 'at most 255'],
    ];
    for (const [b, message] of bad) expect(branchNameProblem(b)).toContain(message);
  });
});
