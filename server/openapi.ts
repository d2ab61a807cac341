import { ERROR_CODES } from '../lib/error-codes.js';

const problem = { $ref: '#/components/responses/Problem' };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } };
const binary = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };

/** The OpenAPI 3.1 description of the v1 API, served at /openapi.json. */
export const openapiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'kpython build service',
    version: '1.0.0',
    description: 'Builds, signs and serves kpython.ko (MicroPython as a Linux kernel module) for Debian kernels.',
  },
  paths: {
    '/v1/builds': {
      get: {
        summary: 'Recent builds, newest state change first (without their inputs); at most 100',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }],
        responses: {
          '200': { description: 'Builds', content: { 'application/json': { schema: { type: 'object', properties: { count: { type: 'integer' }, builds: { type: 'array', items: { $ref: '#/components/schemas/Build' } } } } } } },
          '400': problem,
        },
      },
      post: {
        summary: 'Request a build',
        security: [{ bearer: [] }, {}],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/BuildRequest' } } } },
        responses: {
          '200': { description: 'Already built', content: { 'application/json': { schema: { $ref: '#/components/schemas/Build' } } } },
          '202': {
            description: 'Queued (or joined a running build of the same key)',
            headers: { Location: { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Build' } } },
          },
          '400': problem, '401': problem, '404': problem, '413': problem, '415': problem, '422': problem, '429': problem,
        },
      },
    },
    '/v1/builds/{id}': {
      get: {
        summary: 'Build state, stage, progress, timings, artifacts, error',
        parameters: [id],
        responses: { '200': { description: 'The build', content: { 'application/json': { schema: { $ref: '#/components/schemas/Build' } } } }, '404': problem },
      },
    },
    '/v1/builds/{id}/log': {
      get: {
        summary: 'Build log; live Server-Sent Events (`line`, then `end` with the state) when asked for text/event-stream',
        parameters: [id],
        responses: {
          '200': { description: 'The log', content: { 'text/plain': { schema: { type: 'string' } }, 'text/event-stream': { schema: { type: 'string' } } } },
          '404': problem,
          '429': { ...problem, description: 'TOO_MANY_FOLLOWERS: the live stream caps (KPY_MAX_LOG_FOLLOWERS, KPY_MAX_LOG_FOLLOWERS_PER_CLIENT)' },
        },
      },
    },
    '/v1/builds/{id}/artifacts/{name}': {
      get: {
        summary: 'A build artifact; ETag is its sha256; immutable for kpython.ko of a succeeded build, revalidated otherwise',
        parameters: [
          id,
          { name: 'name', in: 'path', required: true, schema: { type: 'string', description: "kpython.ko, kpython.ko.sig, kpython.ko.debug, provenance.json, build.log, kpython.unsigned.ko, or an archive build's .deb (and its .sig) listed in the build's artifacts" } },
        ],
        responses: { '200': { description: 'The file', headers: { ETag: { schema: { type: 'string' } } }, content: binary }, '304': { description: 'Not modified' }, '404': problem },
      },
    },
    '/v1/kernels': {
      get: {
        summary: 'Kernel releases the resolver knows, and which are built',
        parameters: [{ name: 'arch', in: 'query', required: false, schema: { type: 'string', examples: ['amd64', 'arm64'] }, description: 'only the releases of this Debian architecture' }],
        responses: { '200': { description: 'Releases' } },
      },
    },
    '/v1/kernels/{release}/kpython.ko': {
      get: {
        summary: 'The signed module for a release; starts a build when there is none (202 + Location). Cache-Control: no-cache (the newest build of the release; ETag = sha256). HEAD never starts a build (404 when not built).',
        parameters: [
          { name: 'release', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'version', in: 'query', required: false, schema: { type: 'string' }, description: '`uname -v` or the package version' },
          { name: 'arch', in: 'query', required: false, schema: { enum: ['amd64', 'arm64'] }, description: 'the architecture the caller runs (the CLI sends it for the running kernel); refused when the release is for another' },
        ],
        responses: { '200': { description: 'The module', content: binary }, '202': { description: 'Build started' }, '401': problem, '404': problem, '429': problem },
      },
    },
    '/v1/headers': {
      post: {
        summary: 'Upload kernel headers: a tar / tar.gz of a kernel build directory (or of a tree rooted at / holding usr/src and usr/lib/linux-kbuild-*), one linux-headers .deb, or several .deb files as multipart/form-data',
        security: [{ bearer: [] }, {}],
        requestBody: {
          required: true,
          content: {
            'application/x-tar': { schema: { type: 'string', format: 'binary' } },
            'application/gzip': { schema: { type: 'string', format: 'binary' } },
            'application/vnd.debian.binary-package': { schema: { type: 'string', format: 'binary' } },
            'multipart/form-data': { schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } } },
          },
        },
        responses: {
          '201': { description: 'Stored; Location names it', content: { 'application/json': { schema: { $ref: '#/components/schemas/Headers' } } } },
          '200': { description: 'The same tree was already stored', content: { 'application/json': { schema: { $ref: '#/components/schemas/Headers' } } } },
          '401': problem, '413': problem, '415': problem, '422': problem, '429': problem,
        },
      },
    },
    '/v1/headers/{id}': {
      get: {
        summary: 'What an upload holds: release, architecture, compiler, layout',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } }],
        responses: { '200': { description: 'The headers', content: { 'application/json': { schema: { $ref: '#/components/schemas/Headers' } } } }, '404': problem },
      },
    },
    '/v1/keys': { get: { summary: 'Where the public keys are', responses: { '200': { description: 'Links' } } } },
    '/v1/keys/module-signing.der': { get: { summary: 'Module signing certificate, DER (mokutil --import)', responses: { '200': { description: 'Certificate' } } } },
    '/v1/keys/module-signing.pem': { get: { summary: 'Module signing certificate, PEM', responses: { '200': { description: 'Certificate' } } } },
    '/v1/keys/artifact-signing.pem': { get: { summary: 'Artifact signing public key, PEM', responses: { '200': { description: 'Public key' } } } },
    '/v1/keys/upload-artifact-signing.pem': { get: { summary: 'Public key signing detached signatures and provenance of builds from uploaded headers, PEM', responses: { '200': { description: 'Public key' } } } },
    '/v1/keys/upload-module-signing.der': { get: { summary: 'Module signing certificate for builds from uploaded headers, DER (only when configured)', responses: { '200': { description: 'Certificate' }, '404': { description: 'No upload signing key configured' } } } },
    '/v1/keys/upload-module-signing.pem': { get: { summary: 'Module signing certificate for builds from uploaded headers, PEM (only when configured)', responses: { '200': { description: 'Certificate' }, '404': { description: 'No upload signing key configured' } } } },
    '/v1/keys/apt.gpg': { get: { summary: 'OpenPGP key of the apt repository, binary keyring (for signed-by=)', responses: { '200': { description: 'Keyring' } } } },
    '/v1/keys/apt.asc': { get: { summary: 'OpenPGP key of the apt repository, armored', responses: { '200': { description: 'Key' } } } },
    '/apt/{path}': {
      get: {
        summary: 'The signed apt repository: dists/<codename>/{InRelease,Release,Release.gpg}, dists/<codename>/main/binary-<arch>/Packages{,.gz,.xz} (and by-hash/SHA256/), pool/main/<build key>/<package>.deb',
        parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The file' }, '404': { description: 'No such file' } },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive' } } } },
    '/readyz': { get: { summary: 'Readiness (Redis, Docker, builder image)', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Metrics' } } } },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    responses: {
      Problem: { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    },
    schemas: {
      BuildRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kernel: { type: 'string', examples: ['6.1.0-56-amd64'] },
          version: { type: 'string', description: '`uname -v` string or Debian package version pinning the headers' },
          headers: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
          arch: { enum: ['amd64', 'arm64'], description: 'optional; the release name says it (6.1.0-56-arm64), and a different value is refused' },
          force: { type: 'boolean', description: 'rebuild even when built; the result must be byte-identical' },
        },
      },
      Build: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          state: { enum: ['queued', 'running', 'succeeded', 'failed'] },
          stage: { type: ['string', 'null'] },
          progress: { type: ['number', 'null'] },
          kernel: { type: ['string', 'null'] },
          artifacts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'integer' }, url: { type: 'string' } } } },
          error: { type: ['object', 'null'], properties: { code: { enum: Object.keys(ERROR_CODES) }, message: { type: 'string' } } },
        },
      },
      Headers: {
        type: 'object',
        properties: {
          id: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$', description: 'sha256 of the normalised tree: the same tree has the same id however it was uploaded' },
          release: { type: 'string', description: 'UTS_RELEASE (what vermagic gets)' },
          arch: { type: 'string' },
          compiler: {
            type: 'object',
            properties: { text: { type: 'string', description: 'CONFIG_CC_VERSION_TEXT' }, family: { enum: ['gcc', 'clang', 'unknown'] }, version: { type: 'string' }, major: { type: 'integer' }, ldIsLld: { type: 'boolean' }, gccPlugins: { type: 'boolean' } },
          },
          layout: { enum: ['build-dir', 'rooted', 'debs'] },
          kdir: { type: 'string', description: 'the build directory inside the build container' },
          files: { type: 'integer' },
          bytes: { type: 'integer' },
          created: { type: 'boolean' },
          validationMs: { type: 'integer' },
        },
      },
      Problem: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          code: { enum: Object.keys(ERROR_CODES) },
          detail: { type: 'string' },
          instance: { type: 'string' },
        },
      },
    },
  },
} as const;
