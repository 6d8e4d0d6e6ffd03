// What the CLI tells an operator to do next: the commands `npm start` prints follow $CORRIDOR_HOME (they run as
// printed in another terminal), and `keys rotate` says from when every warm process signs with the new key.
import { describe, expect, it } from 'vitest';
import { rotationReport } from '../../bin/cli/commands/keys.ts';
import { demoHints } from '../../lambdas/local/demo.ts';
import { homeExport, shellPath, startHints } from '../../lambdas/local/hints.ts';

const CWD = '/work/checkout';

describe('npm start hints', () => {
  it('with the default home: paths under .corridor/ and no export line', () => {
    const lines = startHints(`${CWD}/.corridor`, 'http://127.0.0.1:4010', CWD);
    expect(lines).toEqual([
      'curl -s http://127.0.0.1:4010/.well-known/corridor-configuration',
      'npx corridor keygen --kid de-bafa-1 --out .corridor/keys/DE-BAFA.private.jwk.json',
      'npx corridor agency register --id DE-BAFA --name "Export control office" --roles licensing --key-file .corridor/keys/DE-BAFA.public.jwk.json',
    ]);
  });

  it('with CORRIDOR_HOME elsewhere: the export first, and every path in that home', () => {
    const lines = startHints('/tmp/corridor-walk', 'http://127.0.0.1:4010', CWD);
    expect(lines[0]).toBe('export CORRIDOR_HOME=/tmp/corridor-walk');
    expect(lines.join('\n')).not.toContain('.corridor/');
    expect(lines[2]).toBe('npx corridor keygen --kid de-bafa-1 --out /tmp/corridor-walk/keys/DE-BAFA.private.jwk.json');
    expect(lines[3]).toContain('--key-file /tmp/corridor-walk/keys/DE-BAFA.public.jwk.json');
  });

  it('the demo commands too, and a home inside the checkout stays relative', () => {
    const other = demoHints('/srv/my home', '2026-11-22', CWD);
    expect(other[0]).toBe("export CORRIDOR_HOME='/srv/my home'");
    expect(other.at(-1)).toBe("(the license JSON is '/srv/my home/demo/DE-2026-000123.json'; key files are in '/srv/my home/keys')");
    const inside = demoHints(`${CWD}/state`, '2026-11-22', CWD);
    expect(inside[0]).toBe(`export CORRIDOR_HOME=${CWD}/state`);
    expect(inside.at(-1)).toBe('(the license JSON is state/demo/DE-2026-000123.json; key files are in state/keys)');
    expect(demoHints(`${CWD}/.corridor`, '2026-11-22', CWD).filter((l) => l.startsWith('export'))).toEqual([]);
  });

  it('quotes what the shell would split', () => {
    expect(shellPath("/a b/it's", CWD)).toBe("'/a b/it'\\''s'");
    expect(homeExport(`${CWD}/.corridor/`, CWD)).toEqual([]);
  });
});

describe('keys rotate', () => {
  it('says when every warm process signs with the new key: the rotation plus the refresh interval', () => {
    const at = Date.parse('2026-11-22T10:00:00.000Z');
    const r = rotationReport({ current: 'rsp-new', previous: 'rsp-old' }, at, 300_000);
    expect(r.json).toEqual({ current: 'rsp-new', previous: 'rsp-old', rotatedAt: '2026-11-22T10:00:00.000Z', refreshMs: 300_000, allProcessesSignBy: '2026-11-22T10:05:00.000Z' });
    expect(r.lines).toEqual([
      'response key rotated: current rsp-new, previous rsp-old (still published)',
      '  new processes sign with rsp-new now; warm ones by 2026-11-22T10:05:00.000Z (re-read every 300 s, CORRIDOR_RESPONSE_KEY_REFRESH_MS)',
      '  until then answers may still be signed by rsp-old; rotate again no earlier than 2026-11-22T10:05:00.000Z',
    ]);
    expect(rotationReport({ current: 'a', previous: 'b' }, at, 0).json.allProcessesSignBy).toBe('2026-11-22T10:00:00.000Z');
  });
});
