import { trustOf, type BuildPlan } from '../build-plan.js';
import { KpyError, toKpyError } from '../errors.js';
import { sha256Hex } from '../sha256.js';
import { signDetached } from './detached-signature.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { signModule } from './module-signature.js';
import { provenanceStatement, type ModuleSignatureKind } from './provenance.js';
import type { SigningKeys } from './signing-keys.js';

/** The files a successful build publishes, beside meta.json. */
export interface SignedArtifacts {
  'kpython.ko': Buffer;
  'kpython.ko.sig': Buffer;
  'provenance.json': Buffer;
  'kpython.unsigned.ko': Buffer;
  /** the debug info stripped from the module (GNU debuglink), when the build kept it */
  'kpython.ko.debug'?: Buffer;
  /** Debian packages made from the signed module, each with its detached signature (`<name>.sig`) */
  [name: string]: Buffer | undefined;
}

/** A file made from the signed module (a .deb): signed like the module and a subject of the provenance. */
export interface DerivedArtifact {
  name: string;
  data: Buffer;
}

/**
 * Signs outside any container, with keys that never enter one. The trust
 * level of the plan picks the keys: archive builds get the module-signing
 * key and the artifact key; builds from uploaded headers get no module
 * signature (or the operator's separate upload key) and the uploads
 * artifact key, so no archive key ever vouches for a client's build system.
 */
export class ArtifactSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly builderId: string,
    private readonly workerId?: string,
  ) {}

  async sign(args: {
    plan: BuildPlan;
    unsigned: Buffer;
    debug?: Buffer;
    /** what to make from the signed module before the provenance is written */
    derive?: (signedModule: Buffer) => Promise<DerivedArtifact[]>;
    log: Buffer;
    startedOn: string;
    finishedOn: string;
  }): Promise<{ files: SignedArtifacts; moduleSignature: ModuleSignatureKind }> {
    try {
      const archive = trustOf(args.plan.inputs.headers) === 'archive';
      const moduleKey = archive
        ? { kind: 'module-signing' as const, keyPath: this.keys.moduleKeyPath, certPath: this.keys.moduleCertPath }
        : this.keys.upload.module
          ? { kind: 'upload-signing' as const, ...this.keys.upload.module }
          : undefined;
      const artifactKey = archive
        ? { key: this.keys.artifactKey, id: this.keys.artifactKeyId }
        : { key: this.keys.upload.artifactKey, id: this.keys.upload.artifactKeyId };
      const signed = moduleKey ? await signModule(args.unsigned, moduleKey.keyPath, moduleKey.certPath) : args.unsigned;
      const moduleSignature: ModuleSignatureKind = moduleKey?.kind ?? 'none';
      const sig = signDetached(signed, artifactKey.key);
      const derived = args.derive ? await args.derive(signed) : [];
      const statement = provenanceStatement({
        plan: args.plan,
        builderId: this.builderId,
        ...(this.workerId ? { worker: this.workerId } : {}),
        subjects: [
          { name: 'kpython.ko', sha256: sha256Hex(signed) },
          ...(args.debug ? [{ name: 'kpython.ko.debug', sha256: sha256Hex(args.debug) }] : []),
          ...derived.map((d) => ({ name: d.name, sha256: sha256Hex(d.data) })),
        ],
        byproducts: [
          { name: 'kpython.unsigned.ko', sha256: sha256Hex(args.unsigned) },
          { name: 'build.log', sha256: sha256Hex(args.log) },
        ],
        startedOn: args.startedOn,
        finishedOn: args.finishedOn,
        moduleSignature,
      });
      const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), artifactKey.key, artifactKey.id);
      return {
        moduleSignature,
        files: {
          'kpython.ko': signed,
          'kpython.ko.sig': sig,
          'provenance.json': Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`),
          'kpython.unsigned.ko': args.unsigned,
          ...(args.debug ? { 'kpython.ko.debug': args.debug } : {}),
          ...Object.fromEntries(derived.flatMap((d) => [[d.name, d.data], [`${d.name}.sig`, signDetached(d.data, artifactKey.key)]])),
        },
      };
    } catch (err) {
      if (err instanceof KpyError && err.code === 'SIGNING_FAILED') throw err;
      throw new KpyError('SIGNING_FAILED', toKpyError(err).message, { cause: err });
    }
  }
}
