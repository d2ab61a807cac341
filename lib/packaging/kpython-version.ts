import { readFileSync } from 'node:fs';

/**
 * The kpython version the Debian packages carry: package.json's, read once
 * from the checkout the service runs from (dist/lib/packaging/ → top).
 */
export const KPYTHON_VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Maintainer field of every package the service makes. */
export const MAINTAINER = 'kpython build service <kpython@localhost>';
