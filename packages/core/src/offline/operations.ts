import { type RequestManager, seg } from '../http/requests.js';
import type { OutboxOperation } from './storage.js';

/** Makes the REST call of one outbox write; resolves with the server's answer. */
export function sendOperation(requests: RequestManager, op: OutboxOperation): Promise<unknown> {
  if (op.kind === 'send') return requests.request(`/api/channels/${seg(op.channelId)}/messages`, { body: op.body });
  const message = `/api/messages/${seg(op.messageId)}`;
  switch (op.kind) {
    case 'edit':
      return requests.request(message, { method: 'PATCH', body: op.body });
    case 'delete':
      return requests.request(message, { method: 'DELETE' });
    case 'react':
      return requests.request(`${message}/reactions`, { body: op.body });
    case 'unreact':
      return requests.request(`${message}/reactions/${seg(op.type)}`, { method: 'DELETE' });
  }
}
