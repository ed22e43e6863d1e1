/** @module */
export { systemClock, acceleratedClock } from './Clock.js';
export type { Clock, TimerHandle } from './Clock.js';
export { SimulatedClock } from './SimulatedClock.js';
