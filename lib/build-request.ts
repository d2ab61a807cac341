import { z } from 'zod';
import { KERNEL_RELEASE_RE } from './kernel-version.js';

/** The body of POST /v1/builds. */
export const BuildRequestSchema = z
  .object({
    kernel: z.string().regex(KERNEL_RELEASE_RE, 'a kernel release as `uname -r` prints it').optional(),
    version: z.string().min(1).max(256).optional(),
    headers: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
    /** optional: the release name already says it (…-amd64, …-arm64); when given it must agree */
    arch: z.enum(['amd64', 'arm64']).optional(),
    force: z.boolean().default(false),
  })
  .strict()
  .refine((r) => (r.kernel === undefined) !== (r.headers === undefined), {
    message: 'name exactly one of "kernel" or "headers"',
  });

export type BuildRequest = z.infer<typeof BuildRequestSchema>;
