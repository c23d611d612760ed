import type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * Every issue a Standard Schema reported, each with its path, in one line: `apiKey: Required; settings: Unrecognized
 * key: "apiKy"`. All of them, not the first: a misspelt key shows up as the key it meant missing and as a key not
 * recognised, and only both together say what is wrong. `root` names the validated value itself (`settings`) and
 * prefixes every path.
 */
export function describeSchemaIssues(
  issues: readonly StandardSchemaV1.Issue[],
  options: { root?: string } = {},
): string {
  if (issues.length === 0) return 'invalid';
  return issues
    .map((issue) => {
      const path = issuePath(issue.path ?? []);
      const where = options.root ? `${options.root}${path && !path.startsWith('[') ? '.' : ''}${path}` : path;
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function issuePath(segments: readonly (PropertyKey | StandardSchemaV1.PathSegment)[]): string {
  return segments
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
