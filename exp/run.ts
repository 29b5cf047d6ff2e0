import { runLoad } from './load.js';
const [c, p, secs] = process.argv.slice(2).map(Number);
const u0 = process.cpuUsage();
const r = await runLoad({
  origin: 'http://127.0.0.1:18080',
  path: '/',
  connections: c,
  pipelining: p,
  durationMs: secs * 1000,
  timeoutMs: 5000,
});
const u = process.cpuUsage(u0);
console.log(
  Math.round(r.requests / (r.windowMs / 1000)),
  'rps',
  ((u.user + u.system) / r.requests).toFixed(2),
  'us/req',
);
