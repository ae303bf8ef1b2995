/**
 * The change-management system, seen through the two things the release gate
 * needs from it: open a change request for a release, and read one back.
 *
 * A regulator expects the change-advisory board's decision to be recorded in
 * the firm's change-management tool (ServiceNow here), not only in GitHub. The
 * gate therefore ties a release to a change request and deploys only once that
 * change is approved. The ServiceNow adapter (`servicenow.ts`) implements this
 * interface; the decision (`change-gate.ts`) and the waiting loop
 * (`wait-for-change.ts`) see only this, so tests can use any implementation.
 */

/** What to put on a new change request. Field names are ServiceNow's `change_request` columns. */
export interface ChangeRequestInput {
  /** One line shown in lists and on the CAB agenda. Required. */
  short_description: string;
  description?: string;
  justification?: string;
  implementation_plan?: string;
  backout_plan?: string;
  test_plan?: string;
  assignment_group?: string;
  category?: string;
  /** Planned window, as ServiceNow writes it: `YYYY-MM-DD HH:mm:ss` (UTC) or ISO 8601. */
  start_date?: string;
  end_date?: string;
  /**
   * An identifier of the release (e.g. `github:<repo>:<run id>`). When given,
   * opening is idempotent: an existing change with this id is returned instead
   * of a new one (a re-run job reuses its change). Generated when absent; the
   * adapter also looks it up before retrying a create whose answer was lost.
   */
  correlation_id?: string;
  /** Any further `change_request` fields (`--field key=value`). */
  fields?: Record<string, string>;
}

/** A change request as the gate sees it: raw values plus ServiceNow's labels. */
export interface ChangeRecord {
  sys_id: string;
  /** Human-readable number, e.g. `CHG0030001`. */
  number: string;
  /** State value (`-5` New, `-4` Assess, `-3` Authorize, `-2` Scheduled, `-1` Implement, `0` Review, `3` Closed, `4` Canceled). */
  state: string;
  /** State as displayed (`Implement`), when the service returned it. */
  state_label?: string;
  /** Approval value: `not requested`, `requested`, `approved`, `rejected`. */
  approval: string;
  approval_label?: string;
  /** Close code once closed (`successful`, `successful_issues`, `unsuccessful`), else null. */
  close_code: string | null;
  /** Planned window start/end as ISO 8601 UTC, or null when not planned. */
  start_date: string | null;
  end_date: string | null;
  short_description?: string;
  correlation_id?: string | null;
  /** Link to the change in the instance's UI. */
  url: string;
}

/** The result of openChange: the change, and whether this call created it. */
export type OpenedChange = ChangeRecord & {
  /** False when a change with the request's correlation id already existed. */
  created: boolean;
};

/** Options of a single read. */
export interface GetChangeOptions {
  /** Aborts the read (and its retries) when the caller's own deadline passes. */
  signal?: AbortSignal;
}

/** An outside change-management system. */
export interface ChangeManagement {
  /** Opens a Normal change request; returns it as stored (number, state, approval, link). */
  openChange(request: ChangeRequestInput): Promise<OpenedChange>;
  /** Reads a change by sys_id (32 hex digits) or by number (`CHG0030001`). */
  getChange(idOrNumber: string, options?: GetChangeOptions): Promise<ChangeRecord>;
  /**
   * The change opened for a release, by the correlation id given at opening,
   * or null. Lets a stateless front (the App's deployment protection rule)
   * find the change from what it knows about the deployment.
   */
  findChange(correlationId: string, options?: GetChangeOptions): Promise<ChangeRecord | null>;
}
