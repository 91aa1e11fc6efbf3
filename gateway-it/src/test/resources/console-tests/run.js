import { run } from './harness.js';
import './format.test.js';
import './chart.test.js';
import './conversation.test.js';
import './api.test.js';

run();
