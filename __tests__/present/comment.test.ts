/**
 * The pull-request comment's text (src/present/comment.ts), from plain values: the marker that
 * finds it again, the verdict and figures, a comparison's change, warnings and the link. Posting
 * it is session/comment.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commentMarkdown, commentMarker } from '../../src/present/comment.js';
import { absoluteCheck, comparisonCheck, extension, settingsOf } from '../helpers/fixtures.js';

const KEY = { workflow: 'CI', job: 'perf', step: '__org_http-load-check' };
const RUN = 'https://github.com/o/r/actions/runs/1/attempts/1';

describe('the comment marker', () => {
  it('names the workflow, the job and the step in a hidden HTML comment', () => {
    assert.equal(commentMarker(KEY), '<!-- http-load-check:CI/perf/__org_http%2Dload%2Dcheck -->');
  });

  it('cannot be ended early by what the names hold, and gives different names different markers', () => {
    const marker = commentMarker({ workflow: 'a --> <b>', job: 'j\n-->x', step: 's/t' });
    assert.equal(marker, '<!-- http-load-check:a%20%2D%2D%3E%20%3Cb%3E/j%0A%2D%2D%3Ex/s%2Ft -->');
    assert.equal(marker.indexOf('-->'), marker.length - 3);
    const long = `${'w'.repeat(5000)}1`;
    const shortened = commentMarker({ ...KEY, workflow: long })
      .split(':')[1]
      .split('/')[0];
    // A name that reads like a long one's shortened form keeps a marker of its own.
    const names = ['a-->b', 'a__b', 'a<>b', 'a\r\nb', 'a%3C%3Eb', 'a/b', shortened, long];
    const markers = names.map((workflow) => commentMarker({ ...KEY, workflow }));
    assert.equal(new Set(markers).size, names.length);
    assert.notEqual(
      commentMarker({ ...KEY, workflow: 'a/b', job: 'c' }),
      commentMarker({ ...KEY, workflow: 'a', job: 'b/c' }),
    );
  });

  it('keeps a long name short, and still apart from another with the same start', () => {
    const long = commentMarker({ ...KEY, workflow: `${'w'.repeat(5000)}1` });
    const other = commentMarker({ ...KEY, workflow: `${'w'.repeat(5000)}2` });
    assert.ok(long.length < 250, String(long.length));
    assert.notEqual(long, other);
  });
});

describe('the comment', () => {
  it('starts with the marker, then the outcome and the target, the message and the figures', () => {
    const settings = settingsOf({ 'min-requests': '100' });
    const text = commentMarkdown(settings, absoluteCheck(settings), [], KEY, RUN);
    const lines = text.split('\n');
    assert.equal(lines[0], commentMarker(KEY));
    assert.equal(lines[1], '### ✅ passed: HTTP load check of `http://127.0.0.1:8080/`');
    // A query may hold a key, and what is posted is not masked.
    const withQuery = settingsOf({ url: 'http://127.0.0.1:8080/a|b?key=s3cret', port: '' });
    const posted = commentMarkdown(withQuery, absoluteCheck(withQuery), [], KEY, RUN);
    assert.equal(
      posted.split('\n')[1],
      '### ✅ passed: HTTP load check of `http://127.0.0.1:8080/a|b?…`',
    );
    assert.ok(!posted.includes('s3cret'));
    assert.match(text, /^Check passed: 12340 requests in 5 s/m);
    assert.match(text, /^12340 requests, 2468\.0 req\/s, error rate 0\.06%, latency p50 /m);
    assert.match(text, /\| `min-requests` \| ≥ 100 \| 12340 \| ✅ passed \|/);
    assert.ok(
      text.endsWith(
        `<sub>[the run](${RUN}), CI / perf / \\_\\_org\\_http-load-check; http-load-check 1.1.0</sub>\n`,
      ),
      text,
    );
    assert.doesNotMatch(text, /baseline/);
  });

  it("has a comparison's rates, change, interval and verdict; a saved baseline's caveat", () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const paired = commentMarkdown(settings, comparisonCheck(settings, 'paired'), [], KEY, null);
    assert.match(paired, /\| Requests\/s \| [\d.]+ \| 2468\.0 \|/);
    assert.match(
      paired,
      /Change of head vs baseline: \*\*-7\.5%\*\*, 95% interval -10\.0% to -5\.0%; verdict \*\*slower\*\*/,
    );
    assert.doesNotMatch(paired, /spread between/);
    assert.match(paired, /The interval accounts for the noise within this run/);
    assert.doesNotMatch(paired, /\[the run\]/);
    const saved = commentMarkdown(settings, comparisonCheck(settings, 'saved'), [], KEY, null);
    assert.match(saved, /The baseline is a report saved by an earlier run/);
    assert.match(saved, /\(2\.5% of req\/s as an SD, a calibrated upper bound\)/);
    assert.match(saved, /read the verdict as a hint/);
    assert.match(saved, /from both runs' noise and the spread between runs on one machine/);
    assert.doesNotMatch(paired + saved, /Noisy run/);
  });

  it('says why a noisy comparison measured more pairs, before what it could catch', () => {
    const settings = settingsOf({ 'baseline-port': '9090' });
    const check = comparisonCheck(settings, 'paired', { extension });
    assert.match(
      commentMarkdown(settings, check, [], KEY, null),
      /\nNoisy run: its 10 planned slice pairs could catch only slowdowns of 11\.2% or more, above the 10\.0% aimed at \(max-regression \+ 5 points\), so it measured 5 more pairs \(at most 10 more\)\.\n\nThis run could catch slowdowns of 7\.6% or more/,
    );
  });

  it('lists three warnings and counts the rest', () => {
    const settings = settingsOf();
    const warnings = ['a', 'b', 'c', 'd', 'e'].map((text) => ({ text }));
    const text = commentMarkdown(settings, absoluteCheck(settings), warnings, KEY, null);
    assert.equal(text.match(/> \[!WARNING\]/g)?.length, 3);
    assert.match(text, /^2 more warnings in the job summary\.$/m);
  });
});
