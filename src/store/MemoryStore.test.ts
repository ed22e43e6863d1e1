import { MemoryStore } from './MemoryStore.js';
import { describeRunStoreContract } from './runStoreContract.js';
import { describeStoreContract } from './storeContract.js';

describeStoreContract('MemoryStore', () => new MemoryStore());
describeRunStoreContract('MemoryStore', () => new MemoryStore());
