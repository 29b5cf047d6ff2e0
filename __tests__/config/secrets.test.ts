/**
 * Which header values the log masks (src/config/secrets.ts): the README's table is checked
 * against the code, row by row, and the values registered for a run are exactly the credential
 * headers' and `secret-headers`', of every route, never a plain header's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  CREDENTIAL_NAMES,
  CREDENTIAL_PARTS,
  isCredentialHeader,
  secretValues,
} from '../../src/config/secrets.js';
import { readSettings } from '../../src/config/settings.js';

/** The rows of the README's masking table, as [header cell, masked cell]. */
function readmeRows(): [string, string][] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Secrets'), readme.indexOf('## Gating'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| header'))
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map((cells) => [cells[1], cells[2]]);
}
const quoted = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('the masking table', () => {
  it("is the README's, and the code masks what it says", () => {
    const [names, parts, secretHeaders, others] = readmeRows();
    assert.equal(names[1], 'yes');
    assert.deepEqual(
      quoted(names[0]).map((n) => n.toLowerCase()),
      [...CREDENTIAL_NAMES],
    );
    for (const name of quoted(names[0])) assert.ok(isCredentialHeader(name), name);
    assert.equal(parts[1], 'yes');
    assert.deepEqual(quoted(parts[0]), [...CREDENTIAL_PARTS]);
    for (const part of CREDENTIAL_PARTS) {
      for (const name of [part, `X-${part.toUpperCase()}-Id`, `My${part}`]) {
        assert.ok(isCredentialHeader(name), name);
      }
    }
    assert.match(secretHeaders[0], /`secret-headers`/);
    assert.equal(secretHeaders[1], 'yes');
    assert.equal(others[1], 'no');
    for (const name of quoted(others[0])) assert.equal(isCredentialHeader(name), false, name);
    for (const name of ['Content-Type', 'User-Agent', 'X-Request-Id', 'Keep-Trace']) {
      assert.equal(isCredentialHeader(name), false, name);
    }
  });
});

describe('secretValues', () => {
  const inputs: Record<string, string> = {
    port: '8080',
    headers: [
      'Authorization: Bearer abc',
      'Accept: application/json',
      'X-Team: payments',
      'X-Session-Id: s-1',
      'Cookie: c=1',
    ].join('\n'),
    'secret-headers': 'X-Tenant: acme\nX-Empty:',
    'content-type': 'application/json',
  };
  const read = (name: string) => inputs[name] ?? '';

  it("registers the credential headers' values and every secret-headers value, nothing else", () => {
    const settings = readSettings(read);
    assert.deepEqual(settings.secretHeaders, ['x-tenant', 'x-empty']);
    assert.deepEqual(
      settings.routes[0].headers.map(([name]) => name),
      [
        'Authorization',
        'Accept',
        'X-Team',
        'X-Session-Id',
        'Cookie',
        'X-Tenant',
        'X-Empty',
        'Content-Type',
      ],
      'secret-headers are sent as headers are',
    );
    assert.deepEqual(secretValues(settings), ['Bearer abc', 's-1', 'c=1', 'acme']);
  });

  it('registers the github-token too, when one is given', () => {
    const withToken: Record<string, string> = { ...inputs, 'github-token': 'ghs_token1' };
    const settings = readSettings((name) => withToken[name] ?? '');
    assert.deepEqual(secretValues(settings), ['Bearer abc', 's-1', 'c=1', 'acme', 'ghs_token1']);
  });

  it("masks a targets file's own credential headers and the baseline's routes too", () => {
    const settings = readSettings(
      (name) =>
        ({
          port: '8080',
          'baseline-port': '8081',
          targets: 'GET /a\nX-Api-Key: k1\nAccept: text/plain\n\nGET /b\nX-Trace: t',
          'secret-headers': 'X-Trace: ignored-name-only',
        })[name] ?? '',
    );
    const values = secretValues(settings);
    assert.ok(values.includes('k1'));
    assert.ok(values.includes('ignored-name-only'));
    assert.ok(values.includes('t'), 'a target that sets a secret-headers name is masked too');
    assert.ok(!values.includes('text/plain'));
  });

  it('names secret-headers in its input errors, never the value', () => {
    assert.throws(
      () =>
        readSettings((name) => ({ port: '8080', 'secret-headers': 'no colon here' })[name] ?? ''),
      { message: /^Invalid secret-headers: line 1 .*the value is not shown/ },
    );
  });
});
