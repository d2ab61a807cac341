/**
 * Every error the service reports, declared once: stable code, HTTP status,
 * title, and whether retrying the same build could help. The HTTP mapping in
 * server/error-handler.ts and the worker's retry policy both read this table.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, title: 'Malformed request', retryable: false },
  VALIDATION_FAILED: { status: 400, title: 'Request failed validation', retryable: false },
  UNAUTHORIZED: { status: 401, title: 'Missing or invalid bearer token', retryable: false },
  NOT_FOUND: { status: 404, title: 'No such resource', retryable: false },
  BUILD_NOT_FOUND: { status: 404, title: 'No such build', retryable: false },
  ARTIFACT_NOT_FOUND: { status: 404, title: 'No such artifact', retryable: false },
  KERNEL_NOT_FOUND: { status: 404, title: 'Kernel release not found in the Debian archive', retryable: false },
  NOT_ACCEPTABLE: { status: 406, title: 'Cannot produce the requested media type', retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type', retryable: false },
  QUEUE_FULL: { status: 429, title: 'Too many queued builds', retryable: true },
  RATE_LIMITED: { status: 429, title: 'Too many requests', retryable: true },
  TOO_MANY_FOLLOWERS: { status: 429, title: 'Too many live log streams open', retryable: true },
  NOT_IMPLEMENTED: { status: 501, title: 'Not implemented', retryable: false },
  ARCHIVE_UNAVAILABLE: { status: 502, title: 'Debian archive unreachable', retryable: true },
  ARCHIVE_SIGNATURE_INVALID: { status: 502, title: 'Debian archive signature did not verify', retryable: false },
  ARCHIVE_CHECKSUM_MISMATCH: { status: 502, title: 'Debian archive checksum mismatch', retryable: true },
  HEADERS_INVALID: { status: 422, title: 'Kernel headers unusable', retryable: false },
  HEADERS_NOT_FOUND: { status: 404, title: 'No such uploaded headers', retryable: false },
  HEADERS_ARCHIVE_INVALID: { status: 422, title: 'Not a readable tar, tar.gz or linux-headers .deb', retryable: false },
  HEADERS_DECOMPRESSION_BOMB: { status: 413, title: 'Headers expand beyond the size or ratio limit', retryable: false },
  HEADERS_TOO_MANY_FILES: { status: 413, title: 'Headers hold too many files', retryable: false },
  HEADERS_PATH_UNSAFE: { status: 422, title: 'Headers contain an absolute, escaping or otherwise unsafe path', retryable: false },
  HEADERS_SYMLINK_UNSAFE: { status: 422, title: 'Headers contain an absolute or escaping symbolic link', retryable: false },
  HEADERS_HARDLINK_UNSAFE: { status: 422, title: 'Headers contain a hard link to a file outside the tree', retryable: false },
  HEADERS_DEVICE_FILE: { status: 422, title: 'Headers contain a device file', retryable: false },
  HEADERS_FIFO: { status: 422, title: 'Headers contain a FIFO', retryable: false },
  HEADERS_ENTRY_UNSUPPORTED: { status: 422, title: 'Headers contain an unsupported archive entry', retryable: false },
  HEADERS_LAYOUT_INVALID: { status: 422, title: 'Headers are not laid out as a kernel build directory', retryable: false },
  HEADERS_NO_CONFIG: { status: 422, title: 'Headers lack the kernel .config', retryable: false },
  HEADERS_NO_SYMVERS: { status: 422, title: 'Headers lack Module.symvers', retryable: false },
  HEADERS_NO_RELEASE: { status: 422, title: 'Headers do not name their kernel release', retryable: false },
  HEADERS_INCOMPLETE: { status: 422, title: 'Headers refer to files that were not uploaded', retryable: false },
  COMPILER_UNAVAILABLE: { status: 422, title: 'No builder image with the required compiler', retryable: false },
  WORKER_ID_IN_USE: { status: 500, title: 'Another live worker uses this worker id', retryable: false },
  BUILD_KEY_MISMATCH: { status: 500, title: 'The job\'s build key does not match its inputs', retryable: false },
  WORKER_LOST: { status: 500, title: 'The worker running the build stopped (crashed or lost its lock) too often', retryable: true },
  STORAGE_FULL: { status: 507, title: 'No space left to store the build', retryable: true },
  SOURCES_CHANGED: { status: 500, title: 'kpython sources changed since the service started', retryable: false },
  COMPILE_ERROR: { status: 500, title: 'The module failed to compile', retryable: false },
  BUILD_TIMEOUT: { status: 500, title: 'The build exceeded its time limit and was killed', retryable: false },
  ARTIFACT_INVALID: { status: 500, title: 'The build produced a missing or wrong artifact', retryable: false },
  BUILD_OUTPUT_TOO_LARGE: { status: 500, title: 'The build wrote more than its work volume or output limit', retryable: false },
  NOT_REPRODUCIBLE: { status: 500, title: 'A rebuild of the same key produced different bytes', retryable: false },
  SIGNING_FAILED: { status: 500, title: 'Signing the artifacts failed', retryable: false },
  CONTAINER_FAILED: { status: 500, title: 'The build container could not be run', retryable: true },
  STORE_UNAVAILABLE: { status: 503, title: 'The artifact store (S3) is unavailable', retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A backing service is unavailable', retryable: true },
  INTERNAL: { status: 500, title: 'Internal error', retryable: false },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
