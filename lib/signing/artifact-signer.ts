import type { BuildPlan } from '../build-plan.js';
import { KpyError, toKpyError } from '../errors.js';
import { sha256Hex } from '../sha256.js';
import { signDetached } from './detached-signature.js';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { signModule } from './module-signature.js';
import { provenanceStatement } from './provenance.js';
import type { SigningKeys } from './signing-keys.js';

/** The files a successful build publishes, beside meta.json. */
export interface SignedArtifacts {
  'kpython.ko': Buffer;
  'kpython.ko.sig': Buffer;
  'provenance.json': Buffer;
  'kpython.unsigned.ko': Buffer;
}

/** Signs outside any container, with keys that never enter one. */
export class ArtifactSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly builderId: string,
  ) {}

  async sign(args: {
    plan: BuildPlan;
    unsigned: Buffer;
    log: Buffer;
    startedOn: string;
    finishedOn: string;
  }): Promise<SignedArtifacts> {
    try {
      const signed = await signModule(args.unsigned, this.keys.moduleKeyPath, this.keys.moduleCertPath);
      const sig = signDetached(signed, this.keys.artifactKey);
      const statement = provenanceStatement({
        plan: args.plan,
        builderId: this.builderId,
        subjects: [{ name: 'kpython.ko', sha256: sha256Hex(signed) }],
        byproducts: [
          { name: 'kpython.unsigned.ko', sha256: sha256Hex(args.unsigned) },
          { name: 'build.log', sha256: sha256Hex(args.log) },
        ],
        startedOn: args.startedOn,
        finishedOn: args.finishedOn,
      });
      const envelope = signEnvelope(
        IN_TOTO_PAYLOAD_TYPE,
        Buffer.from(JSON.stringify(statement)),
        this.keys.artifactKey,
        this.keys.artifactKeyId,
      );
      return {
        'kpython.ko': signed,
        'kpython.ko.sig': sig,
        'provenance.json': Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`),
        'kpython.unsigned.ko': args.unsigned,
      };
    } catch (err) {
      if (err instanceof KpyError && err.code === 'SIGNING_FAILED') throw err;
      throw new KpyError('SIGNING_FAILED', toKpyError(err).message, { cause: err });
    }
  }
}
