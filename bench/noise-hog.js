// A noisy neighbour for `npm run calibrate -- --noise`: burns CPU in bursts the way a parallel job
// step, a cache upload or the runner's own agent might, on whichever core the scheduler gives it
// (not pinned). Every 5 s it draws a duty cycle from 0 to 60% of a core; within those 5 s it burns
// for bursts of 50-500 ms, each followed by the idle time that keeps the window at that duty. Each
// window starts with a burst and the last idle time is cut at the window's end, so the duty
// realised runs a little above the one drawn (about 30% of a core on average over 20 s).
// Runs until killed; `--seed` makes the sequence repeatable.
//   node bench/noise-hog.js [--seed 42] [--max-duty 0.6]
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now()) },
    'max-duty': { type: 'string', default: '0.6' },
  },
});
const WINDOW_MS = 5000;
const MAX_DUTY = Number(args['max-duty']);

// mulberry32: a small seeded generator, so that a run's noise can be replayed.
let state = Number(args.seed) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function burn(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

for (;;) {
  const duty = random() * MAX_DUTY;
  const windowEnd = performance.now() + WINDOW_MS;
  while (performance.now() < windowEnd) {
    const left = windowEnd - performance.now();
    if (duty < 0.005) {
      await sleep(left);
      break;
    }
    const burst = Math.min(left, 50 + random() * 450);
    burn(burst);
    await sleep(Math.max(0, Math.min(windowEnd - performance.now(), (burst * (1 - duty)) / duty)));
  }
}
