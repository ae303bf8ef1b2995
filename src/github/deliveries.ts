/** The App's webhook deliveries (App JWT): what GitHub sent, and asking it to send one again. */
import type { GitHubClient, Json } from './client.js';

export interface Delivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  event: string;
}

/** The deliveries back to `since` (ms since the epoch; GitHub lists newest first, so reading stops past it). */
export async function recentDeliveries(appGh: GitHubClient, since: number): Promise<Delivery[]> {
  const rows = await appGh.all('GET /app/hook/deliveries', {}, {
    until: (page) => page.length === 0 || Date.parse(String(page[page.length - 1].delivered_at)) < since,
  });
  return rows.map((d: Json) => ({
    id: Number(d.id),
    guid: String(d.guid),
    delivered_at: String(d.delivered_at),
    redelivery: Boolean(d.redelivery),
    status: String(d.status),
    event: String(d.event),
  }));
}

/** Asks GitHub to deliver a delivery's event again. */
export async function redeliver(appGh: GitHubClient, deliveryId: number): Promise<void> {
  await appGh.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: deliveryId });
}
