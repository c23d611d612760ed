import { InMemoryOperationStore } from '../src/index.js';
import { describeOperationStore } from './operation-store-suite.js';

describeOperationStore('in memory', () => new InMemoryOperationStore());
