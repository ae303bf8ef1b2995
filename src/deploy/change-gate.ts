/**
 * The change gate's decision: may this release be deployed now, given its
 * change request? Pure (no I/O, the time is an argument), so the App's
 * deployment protection rule, the CLI and property tests share it.
 *
 * State and approval values are those of ServiceNow's `change_request` table
 * (Change Management state model: New -5, Assess -4, Authorize -3,
 * Scheduled -2, Implement -1, Review 0, Closed 3, Canceled 4; approval
 * `not requested` | `requested` | `approved` | `rejected`; close codes
 * `successful` | `successful_issues` | `unsuccessful`). Instances that renamed
 * states or close codes pass their own values in the settings.
 */
import type { ChangeRecord } from './change-management.js';

export type ChangeGateState = 'approved' | 'pending' | 'rejected';

export interface ChangeGateDecision {
  state: ChangeGateState;
  /** One sentence naming the change and why: shown in check runs and CLI output. */
  reason: string;
}

/** The facts the decision reads: a subset of ChangeRecord, so a plain object will do. */
export type ChangeFacts = Pick<ChangeRecord, 'number' | 'state' | 'approval'> &
  Partial<Pick<ChangeRecord, 'state_label' | 'close_code' | 'start_date' | 'end_date'>>;

export interface ChangeGateSettings {
  /** States in which an approved change authorises a deployment. Default: Scheduled (-2), Implement (-1). */
  approvedStates?: string[];
  /** Canceled state values. Default: 4. */
  canceledStates?: string[];
  /** Closed state values. Default: 3. */
  closedStates?: string[];
  /** Post-implementation states: the change was already carried out. Default: Review (0). */
  reviewStates?: string[];
  /** Close codes that mean the change failed. Default: `unsuccessful`. */
  unsuccessfulCloseCodes?: string[];
  /**
   * Require `now` inside the planned window [start_date, end_date] when the
   * change has one. Default true: the CAB approved a change for a time slot.
   */
  enforceWindow?: boolean;
}

export const DEFAULT_CHANGE_GATE_SETTINGS: Required<ChangeGateSettings> = Object.freeze({
  approvedStates: ['-2', '-1'],
  canceledStates: ['4'],
  closedStates: ['3'],
  reviewStates: ['0'],
  unsuccessfulCloseCodes: ['unsuccessful'],
  enforceWindow: true,
}) as Required<ChangeGateSettings>;

const STATE_LABELS: Record<string, string> = {
  '-5': 'New',
  '-4': 'Assess',
  '-3': 'Authorize',
  '-2': 'Scheduled',
  '-1': 'Implement',
  '0': 'Review',
  '3': 'Closed',
  '4': 'Canceled',
};

/**
 * Decides whether the change authorises a deployment at `now`.
 *
 * - rejected: approval `rejected`; state Canceled; state Closed (with an
 *   unsuccessful close code, or successfully: a closed change was already
 *   carried out and cannot authorise another deployment); state Review
 *   (implemented, in post-implementation review); or the planned window
 *   already ended. Waiting cannot turn any of these into an approval.
 * - approved: approval `approved`, state one of `approvedStates`, and `now`
 *   inside the planned window when there is one.
 * - pending: everything else (not yet requested, awaiting the CAB, approved
 *   but not yet scheduled, window not yet open).
 */
export function changeGateDecision(
  change: ChangeFacts,
  now: Date,
  settings: ChangeGateSettings = {},
): ChangeGateDecision {
  const s = { ...DEFAULT_CHANGE_GATE_SETTINGS, ...stripUndefined(settings) };
  const name = change.number || 'the change request';
  const state = String(change.state);
  const stateText = describeState(change);
  const approval = String(change.approval ?? '').toLowerCase();
  const closeCode = change.close_code ?? null;

  if (approval === 'rejected') {
    return { state: 'rejected', reason: `${name} was rejected in change management (state ${stateText})` };
  }
  if (s.canceledStates.includes(state)) {
    return { state: 'rejected', reason: `${name} was canceled (state ${stateText})` };
  }
  if (s.closedStates.includes(state)) {
    if (closeCode !== null && s.unsuccessfulCloseCodes.includes(closeCode)) {
      return {
        state: 'rejected',
        reason: `${name} is closed with close code "${closeCode}": it did not authorise a successful change`,
      };
    }
    return {
      state: 'rejected',
      reason: `${name} is already closed${closeCode ? ` (close code "${closeCode}")` : ''}: a closed change cannot authorise another deployment; open a new change`,
    };
  }
  if (s.reviewStates.includes(state)) {
    return {
      state: 'rejected',
      reason: `${name} is in post-implementation review (state ${stateText}): it was already carried out; open a new change`,
    };
  }
  if (approval !== 'approved') {
    const what =
      approval === 'requested'
        ? 'awaiting approval'
        : approval === 'not requested'
          ? 'not yet submitted for approval'
          : `not approved (approval "${change.approval || 'none'}")`;
    return { state: 'pending', reason: `${name} is ${what} (state ${stateText})` };
  }
  if (!s.approvedStates.includes(state)) {
    return {
      state: 'pending',
      reason: `${name} is approved but in state ${stateText}; deployments are allowed in state ${s.approvedStates.map(labelOf).join(' or ')}`,
    };
  }
  if (s.enforceWindow) {
    const start = parseTime(change.start_date);
    const end = parseTime(change.end_date);
    // A window that is set but unreadable must not be taken for "no window".
    for (const [field, raw, t] of [['start_date', change.start_date, start], ['end_date', change.end_date, end]] as const) {
      if (raw && t === null) {
        return { state: 'pending', reason: `${name} has an unreadable planned ${field} ${JSON.stringify(raw)}` };
      }
    }
    if (start !== null && now.getTime() < start) {
      return {
        state: 'pending',
        reason: `${name} is approved; its planned window opens at ${new Date(start).toISOString()}`,
      };
    }
    if (end !== null && now.getTime() > end) {
      return {
        state: 'rejected',
        reason: `${name} is approved but its planned window closed at ${new Date(end).toISOString()}; reschedule the change`,
      };
    }
    if (start !== null || end !== null) {
      return {
        state: 'approved',
        reason: `${name} is approved (state ${stateText}) and ${now.toISOString()} is inside its planned window`,
      };
    }
  }
  return { state: 'approved', reason: `${name} is approved (state ${stateText})` };
}

function describeState(change: ChangeFacts): string {
  const label = change.state_label || STATE_LABELS[String(change.state)];
  return label ? `${label} (${change.state})` : `"${change.state}"`;
}

function labelOf(state: string): string {
  return STATE_LABELS[state] ? `${STATE_LABELS[state]} (${state})` : `"${state}"`;
}

/** ISO 8601, or ServiceNow's `YYYY-MM-DD HH:mm:ss` internal value (UTC); null when empty or unreadable. */
export function parseTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  const t = m ? Date.parse(`${m[1]}T${m[2]}Z`) : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
