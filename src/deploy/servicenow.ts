/**
 * ChangeManagement over ServiceNow's Change Management REST API (`sn_chg_rest`).
 *
 * Endpoints used, as documented in "Change Management API" of the ServiceNow
 * REST API reference
 * (https://www.servicenow.com/docs/bundle/zurich-api-reference/page/integrate/inbound-rest/concept/change-management-api.html):
 * - `POST /api/sn_chg_rest/change/normal`: creates a Normal change; the body
 *   holds `change_request` field name/value pairs.
 * - `GET /api/sn_chg_rest/change/{sys_id}`: one change.
 * - `GET /api/sn_chg_rest/change?sysparm_query=...`: changes matching an
 *   encoded query (used for numbers and correlation ids).
 * Responses wrap the record in `{"result": ...}`, each field as
 * `{"value", "display_value"}`. Roles ("Components installed with ITSM Roles -
 * Change Management"): `sn_change_write` to create, `sn_change_read` to read.
 * State values follow the Change Management state model ("State model and
 * transitions"): New -5 … Canceled 4.
 */
import { randomUUID } from 'node:crypto';
import { GateError } from '../core/errors.js';
import { parseTime } from './change-gate.js';
import type {
  ChangeManagement,
  ChangeRecord,
  ChangeRequestInput,
  GetChangeOptions,
  OpenedChange,
} from './change-management.js';
import { ServiceNowHttp, type ServiceNowOptions } from './servicenow-http.js';

export type { ServiceNowOptions, ServiceNowAuth } from './servicenow-http.js';

const API = '/api/sn_chg_rest/change';
const SYS_ID_RE = /^[0-9a-f]{32}$/;
const NUMBER_RE = /^[A-Za-z]{2,10}\d{4,12}$/;
/** correlation_id is a 100-character string column; no `^` (encoded-query separator). */
const CORRELATION_RE = /^[A-Za-z0-9_.:/@+-]{1,100}$/;

const NAMED_FIELDS = [
  'short_description',
  'description',
  'justification',
  'implementation_plan',
  'backout_plan',
  'test_plan',
  'assignment_group',
  'category',
  'start_date',
  'end_date',
  'correlation_id',
] as const;

/** The ServiceNow adapter. Construct once per instance and credential. */
export class ServiceNowChangeManagement implements ChangeManagement {
  private readonly http: ServiceNowHttp;

  constructor(options: ServiceNowOptions) {
    this.http = new ServiceNowHttp(options);
  }

  get instanceUrl(): string {
    return this.http.baseUrl;
  }

  async openChange(request: ChangeRequestInput): Promise<OpenedChange> {
    const body = requestBody(request);
    const correlationId = body.correlation_id;
    if (request.correlation_id !== undefined) {
      // The caller named the release: a change already opened for it (by a
      // re-run job, or a run whose answer was lost) is that release's change.
      const existing = await this.query(`correlation_id=${correlationId}`);
      if (existing !== undefined) {
        return { ...this.record({ result: existing }, `GET ${API}?sysparm_query=correlation_id=${correlationId}`), created: false };
      }
    }
    const raw = await this.http.send({
      method: 'POST',
      path: `${API}/normal`,
      body,
      // A create whose answer was lost may have happened: find it by its
      // correlation id rather than opening a second change for one release.
      recover: async () => {
        const found = await this.query(`correlation_id=${correlationId}`);
        return found === undefined ? undefined : { result: found };
      },
      unknownOutcomeHint: `the change may have been created before the failure: rerun with --correlation-id ${correlationId} (it returns that change if it exists), or look for that correlation_id in ServiceNow`,
    });
    // A recovered create (found by correlation id after a lost answer) was still made by this call.
    return { ...this.record(raw, `POST ${API}/normal`), created: true };
  }

  async getChange(idOrNumber: string, options: GetChangeOptions = {}): Promise<ChangeRecord> {
    const id = idOrNumber.trim();
    if (SYS_ID_RE.test(id)) {
      const raw = await this.http.send({ method: 'GET', path: `${API}/${id}`, signal: options.signal });
      return this.record(raw, `GET ${API}/${id}`);
    }
    if (NUMBER_RE.test(id)) {
      const number = id.toUpperCase();
      const found = await this.query(`number=${number}`, options.signal);
      if (found === undefined) {
        throw new GateError('E_SERVICENOW_NOT_FOUND', `ServiceNow has no change request ${number}`, {
          where: this.http.baseUrl,
          hint: 'check the number (and that this user may read it: ACLs hide records too)',
        });
      }
      return this.record({ result: found }, `GET ${API}?sysparm_query=number=${number}`);
    }
    throw new GateError('E_USAGE', `not a change number or sys_id: ${JSON.stringify(idOrNumber)}`, {
      hint: 'pass a number like CHG0030001 or a 32-hex-digit sys_id',
    });
  }

  async findChange(correlationId: string, options: GetChangeOptions = {}): Promise<ChangeRecord | null> {
    if (!CORRELATION_RE.test(correlationId)) {
      throw new GateError('E_USAGE', `unusable correlation id ${JSON.stringify(correlationId)}`, {
        hint: 'use up to 100 characters of letters, digits and _ . : / @ + -',
      });
    }
    const found = await this.query(`correlation_id=${correlationId}`, options.signal);
    return found === undefined
      ? null
      : this.record({ result: found }, `GET ${API}?sysparm_query=correlation_id=${correlationId}`);
  }

  /** The first change matching an encoded query, or undefined. */
  private async query(encoded: string, signal?: AbortSignal): Promise<unknown | undefined> {
    const raw = await this.http.send({
      method: 'GET',
      path: API,
      query: { sysparm_query: encoded, sysparm_limit: '1' },
      signal,
    });
    const what = `GET ${API}?sysparm_query=${encoded}`;
    const result = (raw as { result?: unknown } | null)?.result;
    if (!Array.isArray(result)) {
      throw malformed(what, this.http.baseUrl, 'a `result` array');
    }
    return result[0];
  }

  private record(raw: unknown, what: string): ChangeRecord {
    return parseChangeRecord(raw, what, this.http.baseUrl);
  }
}

/** The JSON body of a create: named fields, then `fields`, which may not redefine a named one. */
export function requestBody(request: ChangeRequestInput): Record<string, string> {
  if (!request.short_description?.trim()) {
    throw new GateError('E_USAGE', 'a change request needs a short description', {
      hint: 'pass --short-description TEXT',
    });
  }
  const body: Record<string, string> = {};
  for (const key of NAMED_FIELDS) {
    const v = request[key];
    if (v !== undefined && v !== '') body[key] = v;
  }
  for (const [key, value] of Object.entries(request.fields ?? {})) {
    if (!/^[a-z][a-z0-9_]*$/.test(key)) {
      throw new GateError('E_USAGE', `not a ServiceNow field name: ${JSON.stringify(key)}`, {
        hint: 'field names are lower-case column names of change_request, e.g. assignment_group',
      });
    }
    if (key in body) {
      throw new GateError('E_USAGE', `field ${key} is set twice (by an option and by --field)`, {
        hint: `drop --field ${key}=... or the option that sets it`,
      });
    }
    body[key] = value;
  }
  body.correlation_id ??= `model-release-gate:${randomUUID()}`;
  if (!CORRELATION_RE.test(body.correlation_id)) {
    throw new GateError('E_USAGE', `unusable correlation id ${JSON.stringify(body.correlation_id)}`, {
      hint: 'use up to 100 characters of letters, digits and _ . : / @ + -',
    });
  }
  return body;
}

/**
 * Reads ServiceNow's `{"result": {...}}` into a ChangeRecord, accepting each
 * field as `{value, display_value}` (the API's form) or a plain string, and
 * naming what is missing when the answer is not a change record.
 */
export function parseChangeRecord(raw: unknown, what: string, baseUrl: string): ChangeRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw malformed(what, baseUrl, 'a JSON object');
  }
  const result = (raw as { result?: unknown }).result;
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw malformed(what, baseUrl, 'a `result` object');
  }
  const rec = result as Record<string, unknown>;
  const required = (name: string): { value: string; display?: string } => {
    const f = fieldOf(rec[name]);
    if (f === undefined || f.value === '') throw malformed(what, baseUrl, `result.${name}`);
    return f;
  };
  const sysId = required('sys_id').value;
  const number = required('number').value;
  const state = required('state');
  const approval = required('approval');
  const time = (name: string): string | null => {
    const f = fieldOf(rec[name]);
    if (f === undefined || f.value === '') return null;
    const t = parseTime(f.value);
    if (t === null) {
      throw new GateError('E_SERVICENOW', `ServiceNow's result.${name} is not a date-time: ${JSON.stringify(f.value)}`, {
        where: `${baseUrl} (${what})`,
      });
    }
    return new Date(t).toISOString();
  };
  const optional = (name: string): string | undefined => {
    const f = fieldOf(rec[name]);
    return f === undefined || f.value === '' ? undefined : f.value;
  };
  return {
    sys_id: sysId,
    number,
    state: state.value,
    ...(state.display ? { state_label: state.display } : {}),
    approval: approval.value,
    ...(approval.display ? { approval_label: approval.display } : {}),
    close_code: optional('close_code') ?? null,
    start_date: time('start_date'),
    end_date: time('end_date'),
    ...(optional('short_description') !== undefined ? { short_description: optional('short_description') } : {}),
    correlation_id: optional('correlation_id') ?? null,
    url: `${baseUrl}/change_request.do?sys_id=${encodeURIComponent(sysId)}`,
  };
}

function fieldOf(v: unknown): { value: string; display?: string } | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return { value: String(v) };
  if (typeof v === 'object' && 'value' in v) {
    const o = v as { value: unknown; display_value?: unknown };
    if (o.value === null || o.value === undefined) return { value: '' };
    if (typeof o.value !== 'string' && typeof o.value !== 'number') return undefined;
    const display = typeof o.display_value === 'string' && o.display_value !== '' ? o.display_value : undefined;
    return { value: String(o.value), ...(display ? { display } : {}) };
  }
  return undefined;
}

function malformed(what: string, baseUrl: string, missing: string): GateError {
  return new GateError('E_SERVICENOW', `ServiceNow's answer to ${what} lacks ${missing}`, {
    where: baseUrl,
    hint: 'the instance answered, but not with a Change Management API record: check --instance and the API version',
  });
}
