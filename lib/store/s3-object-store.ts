import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { KpyError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; absent: the SDK's default chain */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** S3 status codes and error names that mean "no such object". */
const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * An S3 bucket through @aws-sdk/client-s3. Checksums only when the
 * operation requires them: with the SDK's default (always), stream bodies
 * go aws-chunked, which S3 servers other than AWS (Swift's s3api) refuse.
 */
export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly s: S3Settings) {
    this.description = `s3://${s.bucket}${s.endpoint ? ` at ${s.endpoint}` : ''}`;
    this.client = new S3Client({
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      // A copy: the configuration is frozen, and the SDK annotates the credentials object it gets.
      ...(s.credentials ? { credentials: { ...s.credentials } } : {}),
    });
  }

  /** Create the bucket if it does not exist (tests and first start of a one-bucket deployment). */
  async ensureBucket(): Promise<void> {
    const there = await this.client.send(new HeadBucketCommand({ Bucket: this.s.bucket })).then(() => true, () => false);
    if (!there) await this.wrap('creating the bucket', () => this.client.send(new CreateBucketCommand({ Bucket: this.s.bucket })));
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.wrap(`writing ${key}`, () => this.client.send(new PutObjectCommand({ Bucket: this.s.bucket, Key: key, Body: body, ContentLength: body.length })));
  }

  async putFile(key: string, path: string, size: number): Promise<void> {
    await this.wrap(`writing ${key}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.s.bucket, Key: key, Body: createReadStream(path), ContentLength: size })),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.s.bucket, Key: key })).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw this.unavailable(`reading ${key}`, err);
    });
    if (!res?.Body) return undefined;
    return Buffer.from(await res.Body.transformToByteArray());
  }

  async getToFile(key: string, path: string): Promise<boolean> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.s.bucket, Key: key })).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw this.unavailable(`reading ${key}`, err);
    });
    if (!res?.Body) return false;
    const part = `${path}.part-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(res.Body as Readable, createWriteStream(part, { flags: 'wx' }));
      await rename(part, path);
    } catch (err) {
      await rm(part, { force: true });
      throw this.unavailable(`reading ${key}`, err);
    }
    return true;
  }

  async exists(key: string): Promise<boolean> {
    return this.client.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: key })).then(
      () => true,
      (err: unknown) => {
        if (isMissing(err)) return false;
        throw this.unavailable(`looking up ${key}`, err);
      },
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.wrap(`listing ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.s.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.wrap(`deleting ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.s.bucket, Key: key })));
  }

  close(): void {
    this.client.destroy();
  }

  private async wrap<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.unavailable(what, err);
    }
  }

  /** The store answered badly or not at all: retryable, like Redis or Docker going away. */
  private unavailable(what: string, err: unknown): KpyError {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    return new KpyError('STORE_UNAVAILABLE', `${this.description}: ${what} failed (${status ? `HTTP ${status}, ` : ''}${e.name}: ${e.message})`, { cause: err });
  }
}
