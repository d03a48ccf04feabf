import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';

/** What domain functions that write events need: the store to commit to and the bus to publish on. */
export interface DomainContext {
  store: Store;
  bus: Bus;
}
