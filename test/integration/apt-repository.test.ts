import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BuildMeta } from '../../lib/artifact-store.js';
import { buildDeb } from '../../lib/packaging/deb-package.js';
import { KPYTHON_VERSION } from '../../lib/packaging/kpython-version.js';
import { modulePackage } from '../../lib/packaging/module-package.js';
import { runCommand } from '../../lib/run-command.js';
import { sha256Hex } from '../../lib/sha256.js';
import { openEnvelope, type DsseEnvelope } from '../../lib/signing/dsse.js';
import { bookwormRootImage, cachedRoot, debsFor, runInRoot } from './helpers/debian-root.js';
import { makeStandInSources } from './helpers/stand-in-sources.js';
import { currentBookwormKernel, makeTestEnv, waitForBuild, type TestEnv } from './helpers/test-core.js';
import { listen } from './helpers/test-server.js';

const sh = async (cmd: string) => {
  const r = await runCommand('sh', ['-c', cmd]);
  assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  return r.stdout.toString();
};

/**
 * Stripped module, .debs and the apt repository of one real archive build
 * (stand-in sources, real Debian headers), installed with real apt and
 * built by Debian's dkms in containers of the bookworm builder image.
 */
describe('packages and the apt repository (real build, apt, dpkg, dkms)', () => {
  let env: TestEnv;
  let server: Awaited<ReturnType<typeof listen>>;
  let kernel: string;
  let src: string;
  let meta: BuildMeta;
  let work: string;
  let image: { tag: string; id: string };
  const art = async (name: string) => {
    const p = await env.core.store.path(meta.key, name);
    assert.ok(p, `${name} stored`);
    return p;
  };
  const pkg = (name: string) => {
    const p = meta.packages?.find((x) => x.package === name);
    assert.ok(p, `${name} built`);
    return p;
  };

  before(async () => {
    src = await makeStandInSources('ok', `apt-${Date.now()}`);
    env = await makeTestEnv({ sourceDir: src, worker: true });
    kernel = await currentBookwormKernel(env.core);
    work = await mkdtemp(join(tmpdir(), 'kpy-apt-'));
    image = await bookwormRootImage();
    const { build } = await env.core.service.submit({ kernel, arch: 'amd64', force: false });
    const done = await waitForBuild(env.core, build.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    meta = (await env.core.store.meta(build.id)) as BuildMeta;
    server = await listen(env);
  });
  after(async () => {
    await server?.close();
    await env?.cleanup();
    if (src) await rm(src, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('strips the module before signing, keeps the debug info with a debuglink, lists both and the .debs in the provenance', async () => {
    const stripped = await sh(`readelf -S -W ${await art('kpython.unsigned.ko')}`);
    assert.match(stripped, /\.gnu_debuglink/);
    assert.doesNotMatch(stripped, /\.debug_info/);
    assert.match(await sh(`readelf -S -W ${await art('kpython.ko.debug')}`), /\.debug_info/);
    const link = await sh(`readelf -p .gnu_debuglink ${await art('kpython.unsigned.ko')}`);
    assert.match(link, /kpython\.ko\.debug/);

    const envelope = JSON.parse(await readFile(await art('provenance.json'), 'utf8')) as DsseEnvelope;
    const statement = JSON.parse(String(openEnvelope(envelope, env.core.keys.artifactPublicPem))) as { subject: { name: string; digest: { sha256: string } }[] };
    const subjects = new Map(statement.subject.map((s) => [s.name, s.digest.sha256]));
    const mod = pkg(`kpython-modules-${kernel}`);
    for (const name of ['kpython.ko', 'kpython.ko.debug', mod.fileName, pkg('kpython-client').fileName, pkg('kpython-dkms').fileName]) {
      assert.equal(subjects.get(name), sha256Hex(await readFile(await art(name))), `${name} in the provenance`);
    }
    await writeFile(join(work, 'pub.pem'), env.core.keys.artifactPublicPem);
    await sh(`openssl dgst -sha256 -verify ${join(work, 'pub.pem')} -signature ${await art(`${mod.fileName}.sig`)} ${await art(mod.fileName)}`);
  });

  it('builds kpython-modules-<release> as Debian does, reproducibly, with the signed module inside', async () => {
    const mod = pkg(`kpython-modules-${kernel}`);
    const deb = await art(mod.fileName);
    const info = await sh(`dpkg-deb -f ${deb} Package Version Section Provides Depends`);
    const kv = meta.debian?.kernelVersion as string;
    assert.match(info, new RegExp(`Version: ${KPYTHON_VERSION.replace(/\./g, '\\.')}\\+${kv}`));
    assert.match(info, /Section: kernel/);
    assert.match(info, /Provides: kpython-modules/);
    assert.ok(info.includes(`Depends: linux-image-${kernel} (= ${kv}) | linux-image-${kernel}-unsigned (= ${kv})`), info);
    const listing = await sh(`dpkg-deb -c ${deb}`);
    assert.match(listing, new RegExp(`root/root .* \\./lib/modules/${kernel}/updates/kpython/kpython\\.ko`));
    assert.doesNotMatch(listing, /\d+\/\d+ /, 'no numeric owners');
    const inside = await runCommand('sh', ['-c', `dpkg-deb --fsys-tarfile ${deb} | tar -xO ./lib/modules/${kernel}/updates/kpython/kpython.ko`]);
    assert.ok(inside.stdout.equals(await readFile(await art('kpython.ko'))), 'the package holds the signed module');
    assert.match(await sh(`dpkg-deb -I ${deb} postinst`), new RegExp(`depmod -a -F /boot/System.map-${kernel} ${kernel}`));
    // Same module, same package bytes (SOURCE_DATE_EPOCH, sorted, root-owned).
    const again = await modulePackage({ release: kernel, kernelVersion: kv, arch: 'amd64', codename: 'bookworm', module: await readFile(await art('kpython.ko')), mtime: 1735689600 });
    assert.equal(sha256Hex(again.deb), sha256Hex(await readFile(deb)));
  });

  it('serves a signed apt repository that real apt installs from; depmod lists the module', async () => {
    const keyring = Buffer.from(await (await fetch(`${server.url}/v1/keys/apt.gpg`)).arrayBuffer());
    await writeFile(join(work, 'kpython.gpg'), keyring);
    assert.match(await (await fetch(`${server.url}/v1/keys/apt.asc`)).text(), /BEGIN PGP PUBLIC KEY BLOCK/);
    const inRelease = await (await fetch(`${server.url}/apt/dists/bookworm/InRelease`)).text();
    assert.match(inRelease, /BEGIN PGP SIGNED MESSAGE/);
    assert.match(inRelease, /main\/binary-amd64\/Packages\.gz/);
    // The kernel the package depends on, as a stand-in package of that exact version (a real
    // linux-image would pull initramfs-tools); it ships the System.map that postinst's depmod uses.
    const kv = meta.debian?.kernelVersion as string;
    const { deb: image1 } = await buildDeb({
      control: [['Package', `linux-image-${kernel}`], ['Version', kv], ['Architecture', 'amd64'], ['Maintainer', 'test <test@localhost>'], ['Description', 'stand-in for the kernel image\n for the apt test']],
      files: [{ path: `boot/System.map-${kernel}`, data: Buffer.from('') }, { path: `lib/modules/${kernel}/modules.order`, data: Buffer.from('') }],
      mtime: 0,
    });
    await writeFile(join(work, 'linux-image.deb'), image1);
    const repo = server.url.replace('http://', 'http://') + '/apt';
    const setup = [
      'set -e',
      'rm -f /etc/apt/sources.list.d/* /etc/apt/sources.list',
      'cp /t/kpython.gpg /usr/share/keyrings/kpython.gpg',
      `echo "deb [signed-by=/usr/share/keyrings/kpython.gpg] ${repo} bookworm main" >/etc/apt/sources.list.d/kpython.list`,
      'dpkg -i /t/linux-image.deb >/dev/null',
    ];
    const r = await runInRoot({
      image: image.tag,
      network: 'host',
      mounts: [[work, '/t']],
      runLabel: env.runLabel,
      script: [
        ...setup,
        't0=$(date +%s%N)',
        'apt-get update',
        't1=$(date +%s%N)',
        `DEBIAN_FRONTEND=noninteractive apt-get install -y kpython-modules-${kernel} kpython-client`,
        't2=$(date +%s%N)',
        'echo "timing: update $(( (t1 - t0) / 1000000 )) ms, install $(( (t2 - t1) / 1000000 )) ms"',
        `grep -F updates/kpython/kpython.ko /lib/modules/${kernel}/modules.dep`,
        `echo "vermagic: $(modinfo -k ${kernel} -F vermagic kpython)"`,
        'command -v kpython',
        `dpkg -s kpython-modules-${kernel} | grep Status`,
      ].join('\n'),
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`vermagic: ${kernel.replace(/\./g, '\\.')} `));
    assert.match(r.out, /\/usr\/bin\/kpython/);
    assert.match(r.out, /Status: install ok installed/);
    console.log(`# apt in a bookworm root: ${/timing: .*/.exec(r.out)?.[0] ?? ''}; .deb ${pkg(`kpython-modules-${kernel}`).fileName} ${meta.artifacts.find((a) => a.name.startsWith('kpython-modules-'))?.size} bytes`);

    // A tampered InRelease (one byte of the signed text) and a tampered Packages are refused.
    const inReleasePath = join(env.dataDir, 'apt', 'dists', 'bookworm', 'InRelease');
    const good = await readFile(inReleasePath);
    await writeFile(`${inReleasePath}.good`, good);
    await writeFile(inReleasePath, good.toString().replace('Label: kpython', 'Label: kpythoN'));
    const badSig = await runInRoot({ image: image.tag, network: 'host', mounts: [[work, '/t']], runLabel: env.runLabel, script: [...setup, 'set +e', 'apt-get update 2>&1; echo "update exit $?"', `apt-get install -y kpython-modules-${kernel} >/dev/null 2>&1 || echo "install refused"`].join('\n') });
    await copyFile(`${inReleasePath}.good`, inReleasePath);
    assert.match(badSig.out, /BADSIG|invalid|not signed/, badSig.out);
    assert.match(badSig.out, /install refused/, badSig.out);

    // Every form of the index (by-hash copies included) with one byte changed: the signed Release's hashes catch it.
    const saved = new Map<string, Buffer>();
    for (const name of ['Packages', 'Packages.gz', 'Packages.xz']) {
      const path = await env.core.apt.file(['dists', 'bookworm', 'main', 'binary-amd64', name]);
      if (!path) continue;
      const data = await readFile(path);
      const forged = Buffer.from(data);
      forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
      for (const p of [path, join(env.dataDir, 'apt', 'by-hash', sha256Hex(data))]) {
        saved.set(p, data);
        await writeFile(p, forged);
      }
    }
    const badIndex = await runInRoot({ image: image.tag, network: 'host', mounts: [[work, '/t']], runLabel: env.runLabel, script: [...setup, 'set +e', 'apt-get update 2>&1; echo "update exit $?"', `apt-get install -y kpython-modules-${kernel} >/dev/null 2>&1 || echo "install refused"`].join('\n') });
    for (const [p, data] of saved) await writeFile(p, data);
    assert.match(badIndex.out, /Hash Sum mismatch|unexpected size|File has unexpected/i, badIndex.out);
    assert.match(badIndex.out, /install refused/, badIndex.out);
  });

  it('kpython-dkms is served and Debian\'s dkms builds and installs it for a kernel whose headers are there', async () => {
    const dkms = pkg('kpython-dkms');
    const res = await fetch(`${server.url}/apt/dists/bookworm/main/binary-amd64/Packages`);
    const index = await res.text();
    assert.match(index, /^Package: kpython-dkms$/m);
    const filename = /^Package: kpython-dkms$[\s\S]*?^Filename: (.*)$/m.exec(index)?.[1] as string;
    const deb = Buffer.from(await (await fetch(`${server.url}/apt/${filename}`)).arrayBuffer());
    assert.equal(sha256Hex(deb), sha256Hex(await readFile(await art(dkms.fileName))));
    await writeFile(join(work, 'kpython-dkms.deb'), deb);
    const listing = await sh(`dpkg-deb -c ${join(work, 'kpython-dkms.deb')}`);
    assert.match(listing, new RegExp(`\\./usr/src/kpython-${KPYTHON_VERSION.replace(/\./g, '\\.')}/dkms\\.conf`));

    const t0 = Date.now();
    const tools = await debsFor(image, ['dkms', 'linux-compiler-gcc-12-x86'], env.runLabel);
    const headers = meta.debian ? (await env.core.resolver.resolve({ release: kernel, version: meta.debian.kernelVersion })).packages : [];
    const headerDebs = await Promise.all(headers.map((p) => env.core.debs.ensure(p)));
    // dkms, its tools and the kernel's verified headers installed once, as a cached image.
    const root = await cachedRoot({
      base: image.tag,
      name: `dkms-${kernel}`,
      mounts: [...tools.map((p): [string, string] => [p, `/debs/tools/${basename(p)}`]), ...headerDebs.map((p, i): [string, string] => [p, `/debs/headers/${i}-${basename(p)}`])],
      runLabel: env.runLabel,
      script: [
        'set -e',
        'export DEBIAN_FRONTEND=noninteractive',
        // dkms pre-depends on lsb-release: that one first.
        'dpkg --force-unsafe-io -i /debs/tools/lsb-release_*.deb >/dev/null',
        'dpkg --force-unsafe-io -i /debs/tools/*.deb >/dev/null',
        'dpkg --force-unsafe-io -i /debs/headers/*.deb >/dev/null',
      ].join('\n'),
    });
    const prepared = Date.now();
    const r = await runInRoot({
      image: root,
      network: 'none',
      mounts: [[work, '/t']],
      runLabel: env.runLabel,
      script: [
        'set -e',
        'export DEBIAN_FRONTEND=noninteractive',
        'dpkg -i /t/kpython-dkms.deb',
        'dkms status',
        `modinfo -F vermagic /lib/modules/${kernel}/updates/dkms/kpython.ko`,
      ].join('\n'),
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`kpython/${KPYTHON_VERSION.replace(/\./g, '\\.')}, ${kernel.replace(/\./g, '\\.')}, x86_64: installed`));
    assert.match(r.out, new RegExp(`^${kernel.replace(/\./g, '\\.')} SMP`, 'm'));
    console.log(`# dkms in a bookworm root: ${prepared - t0} ms to prepare the root (cached after the first run), ${Date.now() - prepared} ms for dpkg -i kpython-dkms (dkms build + install)`);
  });
});
