import type { SourceRecord } from './metadata-types.js';

/**
 * Where the model was built, from the GitHub Actions variables when they are
 * set (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_WORKFLOW, GITHUB_RUN_ID). The
 * environment is passed in: lineage code never reads process.env.
 */
export function sourceFromEnv(env: Record<string, string | undefined>): SourceRecord {
  const source: SourceRecord = {};
  const set = (key: keyof SourceRecord, value: string | undefined): void => {
    if (value !== undefined && value !== '') source[key] = value;
  };
  set('repository', env.GITHUB_REPOSITORY);
  set('commit', env.GITHUB_SHA);
  set('workflow', env.GITHUB_WORKFLOW);
  set('run_id', env.GITHUB_RUN_ID);
  return source;
}
