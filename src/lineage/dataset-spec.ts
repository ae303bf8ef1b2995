import { basename, extname } from 'node:path';
import { GateError } from '../core/errors.js';
import { DATASET_ROLES, type DatasetRole } from './metadata-types.js';

/** A dataset to record: its role, path, and optional name. */
export interface DatasetInput {
  role: DatasetRole;
  path: string;
  /** Default: {@link defaultDatasetName} of the path. */
  name?: string;
}

/**
 * Parses `ROLE=PATH` or `ROLE:NAME=PATH` (the CLI's `--dataset` and the
 * Action's dataset lines). ROLE is training, validation or test.
 */
export function parseDatasetSpec(spec: string): DatasetInput {
  const eq = spec.indexOf('=');
  const head = eq < 0 ? '' : spec.slice(0, eq);
  const path = eq < 0 ? '' : spec.slice(eq + 1);
  const colon = head.indexOf(':');
  const role = colon < 0 ? head : head.slice(0, colon);
  const name = colon < 0 ? undefined : head.slice(colon + 1);
  if (eq < 0 || path === '' || !(DATASET_ROLES as readonly string[]).includes(role) || name === '') {
    throw new GateError('E_USAGE', `bad dataset ${JSON.stringify(spec)}`, {
      where: '--dataset',
      hint: 'write ROLE=PATH or ROLE:NAME=PATH, ROLE being training, validation or test (e.g. training=data/train.csv)',
    });
  }
  return name === undefined ? { role: role as DatasetRole, path } : { role: role as DatasetRole, path, name };
}

/**
 * The name a dataset gets when none is given: the last component of its path
 * without its last extension (`data/train.csv` → `train`, `data/val/` → `val`,
 * `x.tar.gz` → `x.tar`).
 */
export function defaultDatasetName(path: string): string {
  const base = basename(path.replace(/\/+$/, '')) || path;
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}
