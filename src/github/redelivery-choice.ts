/**
 * Which failed webhook deliveries to ask GitHub to send again (pure), as
 * GitHub's "redelivering failed deliveries" guide does: an event (GUID) none
 * of whose attempts has status `OK`, by its latest attempt.
 */
import type { Delivery } from './deliveries.js';

/**
 * For each event none of whose attempts succeeded, its latest attempt, when
 * the event is one `handled` names and that attempt is not a redelivery
 * younger than `quietMs` (already being retried); by id, at most `max`.
 */
export function deliveriesToRedeliver(deliveries: Delivery[], now: number, quietMs: number, handled: ReadonlySet<string>, max: number): Delivery[] {
  const byGuid = new Map<string, Delivery[]>();
  for (const d of deliveries) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  const out: Delivery[] = [];
  for (const attempts of byGuid.values()) {
    if (attempts.some((a) => a.status === 'OK')) continue;
    const latest = attempts.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) || (b.delivered_at === a.delivered_at && b.id > a.id) ? b : a));
    if (!handled.has(latest.event)) continue;
    if (latest.redelivery && now - Date.parse(latest.delivered_at) < quietMs) continue;
    out.push(latest);
  }
  return out.sort((a, b) => a.id - b.id).slice(0, max);
}
