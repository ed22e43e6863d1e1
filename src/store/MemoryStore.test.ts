import { MemoryStore } from './MemoryStore.js';
import { describeStoreContract } from './storeContract.js';

describeStoreContract('MemoryStore', () => new MemoryStore());
