import { customer360 } from './customer-360.ts';
import { createMemoryViewStore } from './memory-view-store.ts';
import { describeViewStoreContract } from './view-store-contract.ts';

const store = createMemoryViewStore(customer360);
describeViewStoreContract('memory view store', () => store);
