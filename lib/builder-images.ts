import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KpyError } from './errors.js';

const ImageRecordSchema = z.object({
  name: z.string(),
  tag: z.string(),
  id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  spec: z.string(),
  suite: z.string(),
  compiler: z.string(),
  compilerVersion: z.string(),
});

/** A builder image as scripts/build-builder-image.sh recorded it. */
export type BuilderImage = z.infer<typeof ImageRecordSchema>;

/** Read `<dataDir>/images/<name>.json`; a missing image is COMPILER_UNAVAILABLE. */
export async function readBuilderImage(dataDir: string, name: string): Promise<BuilderImage> {
  const file = join(dataDir, 'images', `${name}.json`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new KpyError('COMPILER_UNAVAILABLE', `builder image ${name} is not recorded (${file}); run \`npm run setup\``);
  }
  return ImageRecordSchema.parse(JSON.parse(text));
}
