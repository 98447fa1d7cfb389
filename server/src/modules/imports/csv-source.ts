import type { Readable } from 'node:stream';
import { pipeline, Readable as ReadableStream } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';

// The streaming front of every CSV import: bytes in (plain or gzip), records out, each with the
// 1-based line of the file it starts on (the header is line 1). Nothing here holds the whole file.

/** A file that cannot be read as CSV at all (binary, a spreadsheet, broken quoting). */
export class CsvFileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'CsvFileError';
  }
}

export interface CsvRow {
  /** 1-based line in the file where the record starts; the header is line 1 */
  line: number;
  values: string[];
}

export interface CsvSource {
  headers: string[];
  /** the data records, header excluded, empty lines skipped */
  rows: AsyncIterable<CsvRow>;
}

export interface OpenCsvOptions {
  /** gzip-compressed input; detected from the magic bytes 1f 8b when not given */
  gzip?: boolean;
  /** field delimiter; detected from the header line (',', ';', tab or '|') when not given */
  delimiter?: string;
}

type Chunk = Buffer | string | Uint8Array;

const toBuffer = (c: Chunk): Buffer =>
  Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c);

/** Reads ahead at least `min` bytes (or to the end) without losing them. */
async function peek(
  source: AsyncIterable<Chunk>,
  min: number,
): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < min) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = toBuffer(r.value);
    parts.push(b);
    size += b.length;
  }
  const head = Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield toBuffer(r.value);
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, stream: rest() };
}

function describeBinary(head: Buffer): string | undefined {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return 'the file is a ZIP archive (an .xlsx spreadsheet?), not CSV text: export it as CSV';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'the file is gzip-compressed but was read as plain text';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'the file is a PDF, not CSV text';
  const sample = head.subarray(0, 8192);
  // UTF-16 text has a NUL in every other byte; say so rather than "binary".
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))
    return 'the file is UTF-16 text: save it as UTF-8 CSV';
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return 'the file is binary, not CSV text (it contains NUL bytes)';
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.05)
    return 'the file is binary, not CSV text (it contains control characters)';
  return undefined;
}

function detectDelimiter(head: Buffer): string {
  let text = head.subarray(0, 65536).toString('utf8');
  const nl = text.search(/\r?\n/);
  if (nl >= 0) text = text.slice(0, nl);
  // count outside quotes only
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  let best = ',';
  for (const [d, n] of Object.entries(counts)) if (n > (counts[best] ?? 0)) best = d;
  return best;
}

const noop = () => {};

/**
 * Opens a CSV stream: detects gzip and the delimiter, refuses binary input with a clear
 * CsvFileError, and reads the header line. Throws CsvFileError for an empty file.
 */
export async function openCsv(
  input: Readable | AsyncIterable<Chunk>,
  opts: OpenCsvOptions = {},
): Promise<CsvSource> {
  const raw = await peek(input as AsyncIterable<Chunk>, 2);
  const gzip = opts.gzip ?? (raw.head[0] === 0x1f && raw.head[1] === 0x8b);
  let bytes: AsyncIterable<Chunk> = raw.stream;
  if (gzip) {
    const gunzip = createGunzip();
    pipeline(ReadableStream.from(raw.stream), gunzip, noop);
    bytes = (async function* () {
      try {
        for await (const c of gunzip) yield c as Buffer;
      } catch (e) {
        throw new CsvFileError(`the file could not be decompressed as gzip: ${(e as Error).message}`);
      }
    })();
  }
  const text = await peek(bytes, 8192);
  const binary = describeBinary(text.head);
  if (binary) {
    await text.stream[Symbol.asyncIterator]().return?.();
    throw new CsvFileError(binary);
  }
  const delimiter = opts.delimiter ?? detectDelimiter(text.head);
  // Line numbers are counted here rather than with the parser's `info` option, which costs a third
  // of the parse time: empty lines come through as [''] and are skipped, and a record spans one
  // line more for every line break inside a quoted field.
  const parser = parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true });
  pipeline(ReadableStream.from(text.stream), parser, noop);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;

  let nextLine = 1;
  const next = async (): Promise<CsvRow | undefined> => {
    for (;;) {
      let r: IteratorResult<string[]>;
      try {
        r = await records.next();
      } catch (e) {
        if (e instanceof CsvFileError) throw e;
        const line = e instanceof CsvError ? (e as unknown as { lines?: number }).lines : undefined;
        throw new CsvFileError(
          `the file is not valid CSV${line ? ` (line ${line})` : ''}: ${(e as Error).message}`,
          line,
        );
      }
      if (r.done) return undefined;
      const values = r.value;
      const line = nextLine;
      nextLine++;
      for (const v of values) {
        for (let i = v.indexOf('\n'); i >= 0; i = v.indexOf('\n', i + 1)) nextLine++;
      }
      if (values.length === 1 && values[0] === '') continue; // an empty line
      return { line, values };
    }
  };

  const header = await next();
  if (!header) throw new CsvFileError('the file is empty: it has no header line');
  const headers = header.values.map((h) => h.trim());
  if (headers.every((h) => h === '')) throw new CsvFileError('the header line is empty');

  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      for (;;) {
        const row = await next();
        if (!row) return;
        yield row;
      }
    } finally {
      parser.destroy();
    }
  }
  return { headers, rows: rows() };
}
