import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, mirrorForSuite } from '../../lib/config.js';
import { parseDeb822Sources, parseOneLineSources, pickMirrors, readHostAptSources } from '../../lib/host-apt-sources.js';

const DEB822 = `Types: deb
# a comment
URIs: http://mirror.test/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb-src
URIs: http://src.test/debian
Suites: bookworm

Types: deb
URIs: http://mirror.test/debian-security
Suites: bookworm-security
`;

test('deb822 and one-line sources; security mirror told apart', () => {
  const s = parseDeb822Sources(DEB822);
  assert.deepEqual(s, [
    { uri: 'http://mirror.test/debian', suites: ['bookworm', 'bookworm-updates'] },
    { uri: 'http://mirror.test/debian-security', suites: ['bookworm-security'] },
  ]);
  assert.deepEqual(pickMirrors(s), { archive: 'http://mirror.test/debian', security: 'http://mirror.test/debian-security' });
  assert.deepEqual(parseOneLineSources('# x\ndeb [arch=amd64] http://one.test/debian bookworm main\ndeb-src http://no.test x\n'), [
    { uri: 'http://one.test/debian', suites: ['bookworm'] },
  ]);
});

test('config: defaults, mirrors from apt configuration, frozen, invalid values refused', async () => {
  const etc = await mkdtemp(join(tmpdir(), 'kpy-apt-'));
  try {
    await mkdir(join(etc, 'sources.list.d'));
    await writeFile(join(etc, 'sources.list.d', 'debian.sources'), DEB822);
    assert.equal((await readHostAptSources(etc)).length, 2);
    const c = await loadConfig({}, etc);
    assert.equal(c.http.host, '127.0.0.1');
    assert.equal(c.http.port, 8080);
    assert.ok(c.dataDir.endsWith('/data'));
    // The Redis URL depends on the data directory's password file (setup
    // writes one when it starts Redis), so check both cases in a directory
    // of our own rather than whatever ./data holds on this machine.
    const data = join(etc, 'data');
    await mkdir(data);
    assert.equal((await loadConfig({ KPY_DATA_DIR: data }, etc)).redis.url, 'redis://127.0.0.1:6379');
    await writeFile(join(data, 'redis.password'), 'p@ss/word\n', { mode: 0o600 });
    assert.equal((await loadConfig({ KPY_DATA_DIR: data }, etc)).redis.url, 'redis://:p%40ss%2Fword@127.0.0.1:6379');
    assert.equal(c.debian.mirror, 'http://mirror.test/debian');
    assert.deepEqual(c.debian.suites, ['bookworm', 'bookworm-updates', 'bookworm-security', 'trixie', 'trixie-updates', 'trixie-security']);
    assert.equal(mirrorForSuite(c.debian, 'bookworm-security'), 'http://mirror.test/debian-security');
    assert.equal(mirrorForSuite(c.debian, 'trixie-security'), 'http://mirror.test/debian-security');
    assert.equal(mirrorForSuite(c.debian, 'trixie-updates'), 'http://mirror.test/debian');
    assert.ok(c.cacheDir.endsWith('/data/cache'));
    assert.equal(c.uploads.maxBytes, 512 * 1024 * 1024);
    assert.equal(mirrorForSuite(c.debian, 'bookworm-updates'), 'http://mirror.test/debian');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.debian.suites));
    const o = await loadConfig({ KPY_DEBIAN_MIRROR: 'http://other.test/debian/', KPY_DEBIAN_SUITES: 'trixie, trixie-security', KPY_PORT: '9000' }, etc);
    assert.equal(o.debian.mirror, 'http://other.test/debian');
    assert.deepEqual(o.debian.suites, ['trixie', 'trixie-security']);
    assert.equal(o.http.port, 9000);
    await assert.rejects(loadConfig({ KPY_PORT: 'eighty' }, etc), ConfigError);
    await assert.rejects(loadConfig({}, join(etc, 'missing')), /no Debian mirror/);
  } finally {
    await rm(etc, { recursive: true, force: true });
  }
});
