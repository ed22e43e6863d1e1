import { MemoryStore } from './MemoryStore.js';
import { describePruneStoreContract } from './pruneStoreContract.js';
import { describeRunStoreContract } from './runStoreContract.js';
import { describeStoreContract } from './storeContract.js';

describeStoreContract('MemoryStore', () => new MemoryStore());
describeRunStoreContract('MemoryStore', () => new MemoryStore());
describePruneStoreContract('MemoryStore', () => new MemoryStore());
