// The marker machinery of the guides (test/helpers/guide-steps.ts): which fenced blocks become steps, of what kind,
// with which expected output — so a guide section in any language (a ```python or ```ts file, then a sh step that
// runs it) is run by test/e2e/partner-guide.test.ts as written.
import { describe, expect, it } from 'vitest';
import { corridorCommandsIn, guideSteps } from '../helpers/guide-steps.ts';

const guide = `# A guide

Not a step:

\`\`\`sh
rm -rf /
\`\`\`

<!-- e2e:file verify.py -->
\`\`\`python
import sys
print("valid")
\`\`\`

<!-- e2e:script-dir -->
\`\`\`sh
PYTHONPATH=clients/python python3 verify.py
\`\`\`

\`\`\`text
valid
\`\`\`

<!-- e2e:file ts/verify-license.mts -->
\`\`\`ts
console.log('ok');
\`\`\`

<!-- e2e exit=1 -->
\`\`\`sh
npx corridor license verify --as NL-DOUANE --issuer DE-BAFA \\
  --license L-1 --json | jq .
\`\`\`
`;

describe('guideSteps', () => {
  it('takes marked blocks only: a file in any language, sh steps with their cwd, exit code and expected lines', () => {
    expect(guideSteps(guide)).toEqual([
      { kind: 'file', file: 'verify.py', exit: 0, code: 'import sys\nprint("valid")\n', line: 9 },
      { kind: 'script-dir', exit: 0, code: 'PYTHONPATH=clients/python python3 verify.py\n', expected: ['valid'], line: 15 },
      { kind: 'file', file: 'ts/verify-license.mts', exit: 0, code: "console.log('ok');\n", line: 24 },
      { kind: 'run', exit: 1, code: 'npx corridor license verify --as NL-DOUANE --issuer DE-BAFA \\\n  --license L-1 --json | jq .\n', line: 29 },
    ]);
  });

  it('refuses a run step that is not sh, and a marker without a block', () => {
    expect(() => guideSteps('<!-- e2e -->\n```python\nprint(1)\n```\n')).toThrow('step at line 1 must be a sh block');
    expect(() => guideSteps('<!-- e2e:script-dir -->\n\nsome text\n')).toThrow('marker at line 1 is not followed by a code block');
  });

  it('finds every npx corridor command with its flags, continuation lines joined', () => {
    expect(corridorCommandsIn(guide)).toEqual([{ command: 'license verify', flags: ['--as', '--issuer', '--license', '--json'] }]);
  });
});
