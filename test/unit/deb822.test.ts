import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDepends, parseParagraphs } from '../../lib/deb822.js';
import { parsePackages } from '../../lib/packages-index.js';

const PACKAGES = `Package: linux-headers-6.1.0-56-amd64
Source: linux (6.1.192-2)
Version: 6.1.192-2
Architecture: amd64
Depends: linux-headers-6.1.0-56-common (= 6.1.192-2), linux-kbuild-6.1 (>= 6.1.192-2), linux-compiler-gcc-12-x86
Description: Header files
 continued line
Filename: pool/updates/main/l/linux/linux-headers-6.1.0-56-amd64_6.1.192-2_amd64.deb
Size: 1841552
SHA256: 796a7b4584d7a57f97913e34e80a2fcce96b6c5016fa9d4fc2212a93e4868677

Package: vim
Version: 2:9.0
Filename: pool/main/v/vim.deb
SHA256: 0000000000000000000000000000000000000000000000000000000000000000
`;

test('paragraphs with continuation lines, filtered by first line', () => {
  const all = parseParagraphs(PACKAGES);
  assert.equal(all.length, 2);
  assert.equal(all[0]?.get('Description'), 'Header files\ncontinued line');
  assert.equal(parseParagraphs(PACKAGES, (l) => l.includes('linux-')).length, 1);
});

test('Depends with versions, alternatives and arch qualifiers', () => {
  assert.deepEqual(parseDepends('a (>= 1.0), b | c:any (<< 2), d'), [
    [{ name: 'a', op: '>=', version: '1.0' }],
    [{ name: 'b' }, { name: 'c', op: '<<', version: '2' }],
    [{ name: 'd' }],
  ]);
  assert.deepEqual(parseDepends(undefined), []);
});

test('Packages entries carry url, checksum, source name and deps', () => {
  const [p] = parsePackages(PACKAGES, 'bookworm-security', 'http://mirror.test/debian-security', (n) => n.startsWith('linux-'));
  assert.ok(p);
  assert.equal(p.source, 'linux');
  assert.equal(p.size, 1841552);
  assert.equal(p.url, 'http://mirror.test/debian-security/pool/updates/main/l/linux/linux-headers-6.1.0-56-amd64_6.1.192-2_amd64.deb');
  assert.equal(p.depends.length, 3);
  assert.throws(
    () => parsePackages('Package: linux-x\nVersion: 1\nFilename: f\nSHA256: nothex\n', 's', 'http://m', () => true),
    (e: { code?: string }) => e.code === 'ARCHIVE_CHECKSUM_MISMATCH',
  );
});
