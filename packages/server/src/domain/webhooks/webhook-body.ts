/**
 * The delivery body `{"type","timestamp","data"}` (Standard Webhooks), made
 * by joining strings: `data` is the event's JSON as the transaction already
 * serialised it, so a send with webhooks is not serialised a second time.
 * `type` and `timestamp` come from our own closed set of names and
 * `toISOString`, and go through `JSON.stringify` anyway.
 */
export function webhookBody(type: string, at: number, dataJson: string): string {
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(new Date(at).toISOString())},"data":${dataJson}}`;
}
