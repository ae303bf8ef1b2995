import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./lib/src/core/errors.js
/**
 * One error class for the whole project. Capabilities throw it with a stable
 * `code`; only the fronts (CLI, Action, App) turn it into an exit code, a failed
 * step or a check-run conclusion.
 */
/** Exit codes shared by the CLI and the Action (DESIGN.md §6). */
const ExitCode = {
    ok: 0,
    verificationFailed: 1,
    usage: 2,
    serviceFailed: 3,
};
/**
 * Stable error codes. Add new ones here so every front maps them the same way.
 * The category decides the exit code: input → 2, verification → 1, service → 3.
 */
const ErrorCodes = {
    E_USAGE: 'input',
    E_INPUT: 'input',
    E_NOT_FOUND: 'input',
    E_UNREADABLE: 'input',
    E_UNSUPPORTED_FILE_TYPE: 'input',
    E_UNSAFE_NAME: 'input',
    E_SCHEMA: 'input',
    E_JSON: 'input',
    E_CONFIG: 'input',
    E_POLICY_INVALID: 'input',
    E_STORE_URL: 'input',
    E_RECORD_TOO_LARGE: 'input',
    E_KEY: 'input',
    E_S3_NOT_LOCKED: 'input',
    E_S3_NO_BUCKET: 'input',
    E_S3_CREDENTIALS: 'input',
    E_SERVICENOW_AUTH: 'input',
    E_SERVICENOW_NOT_FOUND: 'input',
    E_VERIFY_FAILED: 'verification',
    E_CHAIN_BROKEN: 'verification',
    E_STREAM_MISMATCH: 'verification',
    E_DIGEST_MISMATCH: 'verification',
    E_SIGNATURE: 'verification',
    E_CONFLICT: 'service',
    E_SERVICE: 'service',
    E_S3: 'service',
    E_GITHUB: 'service',
    E_SERVICENOW: 'service',
    E_KAFKA: 'service',
    E_STREAM_FENCED: 'service',
};
class GateError extends Error {
    code;
    where;
    hint;
    constructor(code, message, options = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'GateError';
        this.code = code;
        this.where = options.where;
        this.hint = options.hint;
    }
    get category() {
        return ErrorCodes[this.code];
    }
    get exitCode() {
        return exitCodeFor(this.category);
    }
    /** The one-paragraph form every front prints: where, what, what to do. */
    describe() {
        const head = this.where ? `${this.where}: ${this.message}` : this.message;
        return this.hint ? `${head}\n  hint: ${this.hint}` : head;
    }
}
function exitCodeFor(category) {
    switch (category) {
        case 'verification':
            return ExitCode.verificationFailed;
        case 'input':
            return ExitCode.usage;
        case 'service':
            return ExitCode.serviceFailed;
    }
}
function isGateError(e) {
    return e instanceof GateError;
}
/** Text of any thrown value, for messages that wrap a cause. */
function messageOf(e) {
    if (e instanceof GateError)
        return e.describe();
    if (e instanceof Error)
        return e.message;
    return String(e);
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./lib/src/lineage/fs-errors.js

/**
 * Turns a Node file-system error into a GateError naming the path and what to
 * do. Missing and unreadable inputs are input errors (exit 2): the user gave a
 * path the gate cannot prove anything about.
 */
function fs_errors_fsError(e, path) {
    if (e instanceof GateError)
        return e;
    const code = e?.code;
    switch (code) {
        case 'ENOENT':
            return new GateError('E_NOT_FOUND', 'no such file or directory', {
                where: path,
                cause: e,
                hint: 'check the path (relative paths are resolved against the working directory)',
            });
        case 'EACCES':
        case 'EPERM':
            return new GateError('E_UNREADABLE', 'permission denied: the file cannot be read', {
                where: path,
                cause: e,
                hint: 'give the user running the gate read access to it',
            });
        case 'ELOOP':
            return new GateError('E_UNSUPPORTED_FILE_TYPE', 'symbolic link loop', { where: path, cause: e });
        case 'ENOTDIR':
            return new GateError('E_NOT_FOUND', 'a component of the path is not a directory', { where: path, cause: e });
        default:
            return new GateError('E_UNREADABLE', `cannot read: ${e?.message ?? String(e)}`, {
                where: path,
                cause: e,
            });
    }
}
/** The refusal of a file that is not a regular file or directory. */
function fs_errors_unsupportedType(kind, path) {
    const hint = kind === 'symbolic link'
        ? 'replace the link by the file, or pass --follow-symlinks (followSymlinks: true) to hash the target\'s bytes under the link\'s path'
        : 'remove it from the dataset: only regular files and directories can be hashed';
    return new GateError('E_UNSUPPORTED_FILE_TYPE', `${kind} refused: only regular files and directories are hashed`, {
        where: path,
        hint,
    });
}
/** What kind of file a stat result is, in words. */
function fs_errors_kindOf(st) {
    if (st.isFile())
        return 'file';
    if (st.isDirectory())
        return 'directory';
    if (st.isSymbolicLink())
        return 'symbolic link';
    if (st.isFIFO())
        return 'FIFO';
    if (st.isSocket())
        return 'socket';
    if (st.isBlockDevice() || st.isCharacterDevice())
        return 'device';
    return 'unknown';
}
//# sourceMappingURL=fs-errors.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/file-digest.js





/**
 * Read size. 1 MiB reads keep the per-call overhead (a thread-pool hop, a
 * syscall) negligible against hashing, while the buffer still sits in the
 * CPU's cache when it is hashed right after the read (4 MiB measured slower
 * here); two buffers of this size are all the memory a file of any size costs.
 */
const READ_SIZE = 1024 * 1024;
/**
 * Opens for reading without blocking on a FIFO that replaced the file since it
 * was listed, then checks through the open descriptor that it is a regular
 * file (so the bytes hashed are those of the file that was checked).
 */
function openFlags() {
    return external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NONBLOCK;
}
/**
 * SHA-256 of a file, streamed: the next read runs on libuv's thread pool while
 * this thread hashes the previous buffer, so reading and hashing overlap.
 * `onBytes` is told how many bytes were hashed since its last call.
 */
async function digestFile(path, opts = {}) {
    let fh;
    try {
        fh = await open(path, openFlags());
    }
    catch (e) {
        throw fsError(e, path);
    }
    try {
        const st = await fh.stat();
        const kind = kindOf(st);
        if (kind !== 'file')
            throw unsupportedType(kind, path);
        const readSize = Math.max(opts.readSize ?? READ_SIZE, 1024 * 1024);
        const hash = createHash('sha256');
        let a = Buffer.allocUnsafe(readSize);
        let b = Buffer.allocUnsafe(readSize);
        let pos = 0;
        const read = (buf, at) => fh.read(buf, 0, buf.length, at).then((r) => r.bytesRead);
        let pending = read(a, 0);
        for (;;) {
            const n = await pending;
            if (n === 0)
                break;
            pos += n;
            pending = read(b, pos); // overlaps with the hashing below
            const chunk = n === a.length ? a : a.subarray(0, n);
            hash.update(chunk);
            opts.scanner?.push(chunk);
            opts.onBytes?.(n);
            [a, b] = [b, a];
        }
        if (pos !== st.size)
            throw changedWhileReading(path, st.size, pos);
        return { hex: hash.digest('hex'), size: pos };
    }
    catch (e) {
        throw fsError(e, path);
    }
    finally {
        await fh.close();
    }
}
/**
 * The same digest with blocking reads, for worker threads (each worker is its
 * own thread, so blocking costs nothing and avoids a promise per read).
 */
function digestFileSync(path, buf, opts = {}) {
    let fd;
    try {
        fd = (0,external_node_fs_namespaceObject.openSync)(path, openFlags());
    }
    catch (e) {
        throw fs_errors_fsError(e, path);
    }
    try {
        return hashOpenFile(fd, (0,external_node_fs_namespaceObject.fstatSync)(fd), path, buf, opts);
    }
    catch (e) {
        throw fs_errors_fsError(e, path);
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
/** Files up to this size are hashed with blocking reads on the main thread. */
const MAIN_THREAD_SYNC_MAX = (/* unused pure expression or super */ null && (8 * 1024 * 1024));
/**
 * For the main thread while workers also hash: small files with blocking
 * reads (cheapest), large ones with {@link digestFile}, whose awaits let the
 * workers' messages through so they are never left without work.
 */
async function digestFileAdaptive(path, buf, opts = {}) {
    let fd;
    try {
        fd = openSync(path, openFlags());
    }
    catch (e) {
        throw fsError(e, path);
    }
    let st;
    try {
        st = fstatSync(fd);
        if (!st.isFile() || st.size <= MAIN_THREAD_SYNC_MAX)
            return hashOpenFile(fd, st, path, buf, opts);
    }
    catch (e) {
        throw fsError(e, path);
    }
    finally {
        closeSync(fd);
    }
    return digestFile(path, opts);
}
function hashOpenFile(fd, st, path, buf, opts) {
    const kind = fs_errors_kindOf(st);
    if (kind !== 'file')
        throw fs_errors_unsupportedType(kind, path);
    let pos = 0;
    if (st.size < buf.length) {
        // A file smaller than the buffer: one read, and a short read of a regular
        // file is its end, so no second read is needed to see EOF. Most files of
        // a many-file dataset take this path, where per-file costs dominate.
        const n = (0,external_node_fs_namespaceObject.readSync)(fd, buf, 0, buf.length, 0);
        if (n === st.size) {
            const chunk = buf.subarray(0, n);
            opts.scanner?.push(chunk);
            opts.onBytes?.(n);
            return { hex: (0,external_node_crypto_namespaceObject.hash)('sha256', chunk, 'hex'), size: n };
        }
        // It grew or shrank since fstat: the general loop below sees it and refuses.
    }
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    for (;;) {
        const n = (0,external_node_fs_namespaceObject.readSync)(fd, buf, 0, buf.length, pos);
        if (n === 0)
            break;
        pos += n;
        const chunk = n === buf.length ? buf : buf.subarray(0, n);
        hash.update(chunk);
        opts.scanner?.push(chunk);
        opts.onBytes?.(n);
    }
    if (pos !== st.size)
        throw changedWhileReading(path, st.size, pos);
    return { hex: hash.digest('hex'), size: pos };
}
function changedWhileReading(path, expected, got) {
    return new GateError('E_INPUT', `file changed while it was hashed (${expected} bytes at open, ${got} read)`, {
        where: path,
        hint: 'hash models and datasets only when nothing is writing to them',
    });
}
//# sourceMappingURL=file-digest.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/fingerprint/record-counter.js
/**
 * Counts records (non-empty lines) of a byte stream, optionally honouring
 * RFC 4180 double quotes so that a newline inside a quoted CSV field does not
 * end a record. A line holding only `\r` counts as empty. Scans with
 * `indexOf` (memchr) so a multi-GB file costs little beyond its hashing.
 */
class RecordCounter {
    quoted;
    inQuotes = false;
    hasContent = false;
    count = 0;
    constructor(quoted) {
        this.quoted = quoted;
    }
    push(chunk) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const len = buf.length;
        let pos = 0;
        let nextQuote = -2; // not searched yet
        while (pos < len) {
            if (this.quoted) {
                if (nextQuote !== -1 && nextQuote < pos)
                    nextQuote = buf.indexOf(34, pos);
                if (this.inQuotes) {
                    if (nextQuote === -1)
                        return; // the rest of the chunk is inside quotes
                    this.inQuotes = false;
                    pos = nextQuote + 1;
                    continue;
                }
            }
            const end = this.quoted && nextQuote !== -1 ? nextQuote : len;
            this.countLines(buf, pos, end);
            if (end === len)
                return;
            this.inQuotes = true; // a quote outside quotes opens a quoted field
            this.hasContent = true;
            pos = end + 1;
        }
    }
    countLines(buf, from, end) {
        let s = from;
        for (;;) {
            const nl = buf.indexOf(10, s);
            if (nl === -1 || nl >= end)
                break;
            if (nl > s && !(nl - s === 1 && buf[s] === 13))
                this.hasContent = true;
            if (this.hasContent)
                this.count++;
            this.hasContent = false;
            s = nl + 1;
        }
        if (end > s && !(end - s === 1 && buf[s] === 13))
            this.hasContent = true;
    }
    /** Records seen, counting a last record without a trailing newline. */
    total() {
        return this.count + (this.hasContent ? 1 : 0);
    }
}
/**
 * Keeps the first `max` bytes of a stream (the sample columns are read from).
 */
class PrefixKeeper {
    max;
    parts = [];
    length = 0;
    truncated = false;
    constructor(max) {
        this.max = max;
    }
    push(chunk) {
        if (this.length >= this.max) {
            if (chunk.byteLength > 0)
                this.truncated = true;
            return;
        }
        const take = Math.min(chunk.byteLength, this.max - this.length);
        if (take < chunk.byteLength)
            this.truncated = true;
        // Copied: the caller reuses its read buffer.
        this.parts.push(Buffer.from(Buffer.from(chunk.buffer, chunk.byteOffset, take)));
        this.length += take;
    }
    /** The prefix as text (UTF-8, BOM removed) and whether the file went on. */
    text() {
        let text = Buffer.concat(this.parts).toString('utf8');
        if (text.charCodeAt(0) === 0xfeff)
            text = text.slice(1);
        return { text, truncated: this.truncated };
    }
}
//# sourceMappingURL=record-counter.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/fingerprint/types.js
/** How many bytes from the start of a file the column sample is taken from. */
const SAMPLE_BYTES = 1024 * 1024;
/** How many data rows the column types are inferred from. */
const SAMPLE_ROWS = 1000;
//# sourceMappingURL=types.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/fingerprint/csv.js


const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * CSV/TSV fingerprint. Rows: records after the header, where a record ends at
 * a newline outside double quotes (RFC 4180), so quoted newlines never add
 * rows; empty lines are not rows. Columns: the header's names; a column's
 * type is "number" when every non-empty value among the first 1,000 data
 * rows (within the first MiB) is a decimal number, otherwise "string".
 */
class CsvScanner {
    delimiter;
    counter = new RecordCounter(true);
    prefix = new PrefixKeeper(SAMPLE_BYTES);
    constructor(delimiter = ',') {
        this.delimiter = delimiter;
    }
    push(chunk) {
        this.counter.push(chunk);
        this.prefix.push(chunk);
    }
    finish() {
        const records = this.counter.total();
        const rows = Math.max(records - 1, 0);
        const { text, truncated } = this.prefix.text();
        const parsed = parseCsv(text, this.delimiter, SAMPLE_ROWS + 2);
        // The last record of a cut prefix may itself be cut: leave it out.
        if (truncated && parsed.length > 1)
            parsed.pop();
        const header = parsed[0];
        if (!header)
            return { rows };
        return { rows, columns: inferCsvColumns(header, parsed.slice(1, SAMPLE_ROWS + 1)) };
    }
}
/** Column types from sample rows, by the rule documented on {@link CsvScanner}. */
function inferCsvColumns(header, rows) {
    return header.map((name, i) => {
        let sawNumber = false;
        let allNumbers = true;
        for (const row of rows) {
            const v = (row[i] ?? '').trim();
            if (v === '')
                continue;
            if (NUMBER_RE.test(v))
                sawNumber = true;
            else {
                allNumbers = false;
                break;
            }
        }
        return { name, type: sawNumber && allNumbers ? 'number' : 'string' };
    });
}
/**
 * Parses up to `maxRecords` RFC 4180 records of `text` (quoted fields may hold
 * delimiters, `""` and newlines; `\r\n` and `\n` both end records). Empty
 * lines are skipped, as the row count skips them.
 */
function parseCsv(text, delimiter, maxRecords) {
    const records = [];
    let field = '';
    let record = [];
    let inQuotes = false;
    let touched = false; // the current record has any content
    const endRecord = () => {
        if (touched) {
            record.push(field);
            records.push(record);
        }
        field = '';
        record = [];
        touched = false;
    };
    for (let i = 0; i < text.length && records.length < maxRecords; i++) {
        const c = text[i];
        if (inQuotes) {
            if (c === '"') {
                if (text[i + 1] === '"') {
                    field += '"';
                    i++;
                }
                else
                    inQuotes = false;
            }
            else
                field += c;
        }
        else if (c === '"') {
            inQuotes = true;
            touched = true;
        }
        else if (c === delimiter) {
            record.push(field);
            field = '';
            touched = true;
        }
        else if (c === '\n') {
            endRecord();
        }
        else if (c === '\r' && text[i + 1] === '\n') {
            // part of \r\n
        }
        else {
            field += c;
            touched = true;
        }
    }
    if (records.length < maxRecords)
        endRecord();
    return records;
}
//# sourceMappingURL=csv.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/fingerprint/jsonl.js


/**
 * JSON Lines fingerprint. Rows: non-empty lines. Columns: the keys of the
 * objects on the first 1,000 lines (within the first MiB), in first-seen
 * order; a column's type is the JSON type(s) seen for it (string, number,
 * boolean, null, object, array), several joined with `|` in sorted order.
 * When a sampled line is not a JSON object, columns are left out.
 */
class JsonlScanner {
    counter = new RecordCounter(false);
    prefix = new PrefixKeeper(SAMPLE_BYTES);
    push(chunk) {
        this.counter.push(chunk);
        this.prefix.push(chunk);
    }
    finish() {
        const rows = this.counter.total();
        const { text, truncated } = this.prefix.text();
        const lines = text.split('\n');
        if (truncated)
            lines.pop();
        const sample = lines.filter((l) => l.trim() !== '').slice(0, SAMPLE_ROWS);
        const columns = jsonlColumns(sample);
        return columns ? { rows, columns } : { rows };
    }
}
/** Columns of sampled JSON Lines, by the rule documented on {@link JsonlScanner}. */
function jsonlColumns(lines) {
    const types = new Map();
    for (const line of lines) {
        let value;
        try {
            value = JSON.parse(line);
        }
        catch {
            return undefined;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value))
            return undefined;
        for (const [k, v] of Object.entries(value)) {
            let set = types.get(k);
            if (!set)
                types.set(k, (set = new Set()));
            set.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
        }
    }
    if (types.size === 0)
        return undefined;
    return [...types].map(([name, set]) => ({ name, type: [...set].sort().join('|') }));
}
//# sourceMappingURL=jsonl.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/fingerprint/scanner-for.js


/** The format a file name announces, if it is one that is fingerprinted. */
function formatOf(path) {
    const lower = path.toLowerCase();
    if (lower.endsWith('.csv'))
        return 'csv';
    if (lower.endsWith('.tsv'))
        return 'tsv';
    if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson'))
        return 'jsonl';
    if (lower.endsWith('.parquet'))
        return 'parquet';
    return undefined;
}
/** A scanner for a format read while hashing. */
function scannerFor(format) {
    switch (format) {
        case 'csv':
            return new CsvScanner(',');
        case 'tsv':
            return new CsvScanner('\t');
        case 'jsonl':
            return new JsonlScanner();
    }
}
//# sourceMappingURL=scanner-for.js.map
;// CONCATENATED MODULE: ./lib/src/lineage/hash-worker.js
/**
 * Worker thread: hashes the batches of files it is sent, one file at a time,
 * with blocking reads into one reused buffer. Loaded by hash-pool.ts from the
 * compiled .js next to it.
 */




/** Report progress at most this often (bytes), so big files move the bar. */
const PROGRESS_STEP = 64 * 1024 * 1024;
const port = external_node_worker_threads_namespaceObject.parentPort;
if (!port)
    throw new Error('hash-worker.js must run as a worker thread');
const buf = Buffer.allocUnsafe(READ_SIZE);
port.on('message', (batch) => {
    const results = [];
    let unreported = 0;
    const onBytes = (n) => {
        unreported += n;
        if (unreported >= PROGRESS_STEP) {
            port.postMessage({ kind: 'progress', bytes: unreported });
            unreported = 0;
        }
    };
    for (const task of batch) {
        try {
            const scanner = task.scan ? scannerFor(task.scan) : undefined;
            const r = digestFileSync(task.path, buf, { scanner, onBytes });
            results.push({ id: task.id, hex: r.hex, size: r.size, fingerprint: scanner?.finish() });
        }
        catch (e) {
            port.postMessage((isGateError(e)
                ? { kind: 'error', id: task.id, code: e.code, message: e.message, hint: e.hint }
                : { kind: 'error', id: task.id, code: 'E_UNREADABLE', message: String(e?.message ?? e) }));
            return;
        }
    }
    port.postMessage({ kind: 'done', results, tail: unreported });
});
//# sourceMappingURL=hash-worker.js.map
