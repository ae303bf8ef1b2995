export const id = 828;
export const ids = [828];
export const modules = {

/***/ 828:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openS3Store: () => (/* binding */ openS3Store)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: ./lib/src/core/errors.js
var errors = __webpack_require__(7657);
// EXTERNAL MODULE: ./lib/src/audit/store.js
var store = __webpack_require__(1020);
// EXTERNAL MODULE: ./node_modules/@smithy/node-http-handler/dist-cjs/index.js
var node_http_handler_dist_cjs = __webpack_require__(1279);
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-client.js


const DEFAULT_TUNING = {
    maxAttempts: 4,
    connectionTimeoutMs: 5000,
    requestTimeoutMs: 30000,
};
function positiveInt(value) {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1)
        return undefined;
    return Number(value);
}
/**
 * Tuning from the environment: MRG_S3_MAX_ATTEMPTS, MRG_S3_CONNECT_TIMEOUT_MS,
 * MRG_S3_TIMEOUT_MS (invalid values fall back to the defaults).
 */
function tuningFromEnv(env) {
    return {
        maxAttempts: positiveInt(env.MRG_S3_MAX_ATTEMPTS) ?? DEFAULT_TUNING.maxAttempts,
        connectionTimeoutMs: positiveInt(env.MRG_S3_CONNECT_TIMEOUT_MS) ?? DEFAULT_TUNING.connectionTimeoutMs,
        requestTimeoutMs: positiveInt(env.MRG_S3_TIMEOUT_MS) ?? DEFAULT_TUNING.requestTimeoutMs,
    };
}
/**
 * Builds an S3 client for a store.
 *
 * Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
 * from the `env` passed in, which is what `aws-actions/configure-aws-credentials`
 * (OIDC) exports; else AWS_PROFILE from `env`; else the SDK's default chain
 * (shared config files, web identity, container and instance roles), which
 * reads the process environment itself.
 *
 * Checksums only when S3 requires them: with the SDK's default (always), a
 * streamed body is sent chunked and S3-compatible servers such as Ceph RGW
 * answer 411 MissingContentLength. We send our own Content-MD5 instead.
 */
function buildS3Client(config, env, tuning = tuningFromEnv(env)) {
    const staticCredentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
        : undefined;
    return new dist_cjs/* S3Client */.YxF({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        forcePathStyle: config.forcePathStyle,
        ...(staticCredentials ? { credentials: staticCredentials } : env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: tuning.maxAttempts,
        retryMode: 'standard',
        requestHandler: new node_http_handler_dist_cjs.NodeHttpHandler({
            connectionTimeout: tuning.connectionTimeoutMs,
            requestTimeout: tuning.requestTimeoutMs,
            throwOnRequestTimeout: true,
            httpAgent: { keepAlive: true, maxSockets: 64 },
            httpsAgent: { keepAlive: true, maxSockets: 64 },
        }),
    });
}
//# sourceMappingURL=s3-client.js.map
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-errors.js

/** Marks an error as one a caller may retry (see {@link RetryableGateError}). */
function markRetryable(e) {
    return Object.assign(e, { retryable: true });
}
/** True for an error marked retryable (a transient store failure). */
function isRetryable(e) {
    return typeof e === 'object' && e !== null && e.retryable === true;
}
const TRANSIENT_NAMES = new Set([
    'SlowDown',
    'Throttling',
    'ThrottlingException',
    'TooManyRequestsException',
    'RequestTimeout',
    'RequestTimeoutException',
    'InternalError',
    'ServiceUnavailable',
    'TimeoutError',
    'AbortError',
]);
const TRANSIENT_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ERR_STREAM_PREMATURE_CLOSE',
]);
/** The HTTP status of an SDK error, when the server answered at all. */
function statusOf(e) {
    return e?.$metadata?.httpStatusCode;
}
/** The S3 error code (`NoSuchBucket`, `AccessDenied`, ...) or the Node error code. */
function nameOf(e) {
    const x = e;
    return String(x?.name ?? x?.code ?? 'Error');
}
/**
 * Whether an SDK or network error may pass on retry: a 5xx or 429 answer, a
 * throttling or timeout code, or a connection that failed without an answer.
 */
function isTransientS3Error(e, depth = 0) {
    if (typeof e !== 'object' || e === null)
        return false;
    const x = e;
    const status = statusOf(e);
    if (status !== undefined && (status >= 500 || status === 429))
        return true;
    if (x.name && TRANSIENT_NAMES.has(x.name))
        return true;
    if (x.code && TRANSIENT_CODES.has(x.code))
        return true;
    if (x.$retryable)
        return true;
    // A connection that broke before a full answer: no status, a socket-ish
    // message (the SDK may wrap a Node error from another realm, keeping only
    // its message, so the message is the one thing sure to survive).
    if (status === undefined &&
        /socket hang up|aborted|premature close|ECONN[A-Z]+|EPIPE|ETIMEDOUT|EAI_AGAIN|E(HOST|NET)UNREACH|timed? ?out/i.test(x.message ?? '')) {
        return true;
    }
    const cause = e.cause;
    return depth < 3 && cause !== undefined && cause !== e && isTransientS3Error(cause, depth + 1);
}
/** S3's answers that mean the credentials themselves are wrong: no retry can fix them. */
const CREDENTIAL_REJECTED = new Set([
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'InvalidToken',
    'TokenRefreshRequired',
    'InvalidClientTokenId',
]);
/** Where the AWS SDK looks for credentials, in its order, and how to set each. */
const CREDENTIAL_CHAIN = 'the AWS SDK looks, in order, at AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment; ' +
    'AWS_PROFILE (or the default profile) in ~/.aws/config and ~/.aws/credentials, SSO included (aws sso login --profile P); ' +
    'a web identity token (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE); the container or EC2 instance role. ' +
    'In GitHub Actions: aws-actions/configure-aws-credentials with OIDC (permissions: id-token: write); on a workstation: aws configure, or AWS_PROFILE';
/**
 * Turns an SDK error into the project's error. Missing buckets become
 * E_S3_NO_BUCKET and missing or rejected credentials E_S3_CREDENTIALS (exit 2,
 * never retried: the user must fix them); everything else is E_S3 (exit 3),
 * marked retryable when it may pass.
 */
function s3Error(e, what, where) {
    if (e instanceof errors/* GateError */.ue)
        return e;
    const name = nameOf(e);
    const status = statusOf(e);
    const detail = `${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(e)}`;
    if (name === 'NoSuchBucket') {
        return new errors/* GateError */.ue('E_S3_NO_BUCKET', `the bucket does not exist (${what})`, {
            where,
            cause: e,
            hint: 'create it with Object Lock: model-gate audit init --store <the same s3:// URL>',
        });
    }
    if (CREDENTIAL_REJECTED.has(name)) {
        return new errors/* GateError */.ue('E_S3_CREDENTIALS', `S3 rejected the credentials in use (${name}) while ${what}`, {
            where,
            cause: e,
            hint: `${name === 'ExpiredToken' || name === 'TokenRefreshRequired' ? 'the session token has expired; ' : 'the access key or secret is wrong for this endpoint; '}${CREDENTIAL_CHAIN}`,
        });
    }
    if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
        return new errors/* GateError */.ue('E_S3_CREDENTIALS', `no AWS credentials found for ${what}`, {
            where,
            cause: e,
            hint: CREDENTIAL_CHAIN,
        });
    }
    if (name === 'AccessDenied' || status === 403) {
        return new errors/* GateError */.ue('E_S3', `S3 refused ${what}: ${detail}`, {
            where,
            cause: e,
            hint: 'check that the credentials in use may do this on the bucket (IAM policy, bucket policy)',
        });
    }
    if (isTransientS3Error(e)) {
        return markRetryable(new errors/* GateError */.ue('E_S3', `S3 did not complete ${what}: ${detail}`, {
            where,
            cause: e,
            hint: 'the S3 service is unavailable or overloaded; check the endpoint and network, then run again (appends are safe to repeat)',
        }));
    }
    return new errors/* GateError */.ue('E_S3', `S3 failed ${what}: ${detail}`, { where, cause: e });
}
//# sourceMappingURL=s3-errors.js.map
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-lock.js
/**
 * Whether a bucket's Object Lock configuration keeps audit records as long as
 * the store must (DESIGN.md §4, retention). Pure: the S3 adapter fetches the
 * configuration, this decides.
 */
/**
 * A default retention in days. A year counts 365.25 days, so that "7 years"
 * meets the 2,557-day default (seven calendar years span 2,556 or 2,557 days).
 */
function defaultRetentionDays(state) {
    if (state.days !== undefined)
        return state.days;
    if (state.years !== undefined)
        return Math.ceil(state.years * 365.25);
    return undefined;
}
/**
 * What is wrong with the bucket's Object Lock for an audit log, as sentences
 * that each say what to change; empty when the bucket complies.
 */
function lockProblems(state, req) {
    const want = `a default retention of mode COMPLIANCE for at least ${req.retentionDays} days`;
    if (!state.enabled) {
        return [
            `Object Lock is not enabled on the bucket, so records could be deleted or overwritten; use a bucket created with Object Lock and ${want} (model-gate audit init creates one)`,
        ];
    }
    const problems = [];
    if (state.mode === undefined) {
        problems.push(`the bucket has Object Lock but no default retention, so records would be written unprotected; set ${want} (s3api put-object-lock-configuration)`);
        return problems;
    }
    if (state.mode !== 'COMPLIANCE' && !(state.mode === 'GOVERNANCE' && req.allowGovernance)) {
        problems.push(state.mode === 'GOVERNANCE'
            ? `the default retention mode is GOVERNANCE, which a privileged user can bypass to delete records; change it to COMPLIANCE, or add allow_governance=true to the store URL to accept it`
            : `the default retention mode is ${state.mode}; change it to COMPLIANCE`);
    }
    const days = defaultRetentionDays(state);
    if (days === undefined || days < req.retentionDays) {
        problems.push(`the default retention is ${days === undefined ? 'not set' : `${days} days`}, shorter than the ${req.retentionDays} days required; raise the bucket's default retention to at least ${req.retentionDays} days, or lower retention_days in the store URL if your rules allow it`);
    }
    return problems;
}
//# sourceMappingURL=s3-lock.js.map
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-url.js

/** Seven years of 365.25 days, rounded up: what financial record-keeping rules ask for. */
const DEFAULT_RETENTION_DAYS = 2557;
/** Longest retention we accept, a guard against typos (S3 itself allows up to 100 years). */
const MAX_RETENTION_DAYS = 36500;
const KNOWN_PARAMS = [
    'region',
    'endpoint',
    'sse',
    'kms_key_id',
    'retention_days',
    'allow_governance',
    'force_path_style',
];
const SHAPE = 's3://BUCKET[/PREFIX]?region=R[&endpoint=URL][&sse=AES256|aws:kms[&kms_key_id=ID]][&retention_days=N][&allow_governance=true][&force_path_style=true]';
function urlError(url, message, hint) {
    return new errors/* GateError */.ue('E_STORE_URL', message, {
        where: url,
        hint: hint ?? `write the store as ${SHAPE}`,
    });
}
function parseBool(url, name, value) {
    if (value === 'true')
        return true;
    if (value === 'false')
        return false;
    throw urlError(url, `${name} must be true or false, got ${JSON.stringify(value)}`);
}
/**
 * Parses and checks an `s3://` store URL. Every mistake is an E_STORE_URL
 * error naming the part at fault: a bucket name S3 would refuse, an unknown or
 * repeated parameter, an endpoint that is not http(s), a retention that is not
 * a whole number of days, KMS options without `sse=aws:kms`.
 *
 * `env` supplies the region when the URL has none (AWS_REGION, then
 * AWS_DEFAULT_REGION), as the AWS tools do.
 */
function parseS3Url(input, env = {}) {
    const text = typeof input === 'string' ? input : input.href;
    let url;
    try {
        url = typeof input === 'string' ? new URL(input) : input;
    }
    catch {
        throw urlError(text, 'not a URL');
    }
    if (url.protocol !== 's3:') {
        throw urlError(text, `an S3 store URL starts with s3://, not ${url.protocol}//`);
    }
    if (url.username || url.password) {
        throw urlError(text, 'credentials do not belong in the store URL', 'remove them from the URL; the S3 store takes credentials from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance role)');
    }
    if (url.port)
        throw urlError(text, 'the bucket name cannot carry a port; put the server in endpoint=');
    if (url.hash)
        throw urlError(text, 'the store URL cannot have a #fragment');
    const bucket = url.hostname;
    if (!bucket)
        throw urlError(text, 'the bucket name is missing');
    // S3's rules for bucket names (general purpose buckets).
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) ||
        bucket.includes('..') ||
        /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
        throw urlError(text, `${JSON.stringify(bucket)} is not a valid S3 bucket name`, 'bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit');
    }
    // URL parsing resolves "." and ".." silently; a prefix must say what it means.
    if (typeof input === 'string' && /\/\.\.?(\/|\?|$)/.test(input.split('?')[0])) {
        throw urlError(text, 'the prefix has a "." or ".." segment');
    }
    let path;
    try {
        path = decodeURIComponent(url.pathname);
    }
    catch {
        throw urlError(text, `the prefix ${JSON.stringify(url.pathname)} has a malformed %-escape`);
    }
    const segments = path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
    for (const s of segments) {
        if (s === '' || s === '.' || s === '..') {
            throw urlError(text, `the prefix ${JSON.stringify(path)} has an empty, "." or ".." segment`);
        }
    }
    const prefix = segments.length ? `${segments.join('/')}/` : '';
    const seen = new Set();
    const params = {};
    for (const [name, value] of url.searchParams) {
        if (!KNOWN_PARAMS.includes(name)) {
            throw urlError(text, `unknown parameter ${JSON.stringify(name)}`, `known parameters: ${KNOWN_PARAMS.join(', ')}`);
        }
        if (seen.has(name))
            throw urlError(text, `parameter ${name} is given twice`);
        seen.add(name);
        params[name] = value;
    }
    let endpoint;
    if (params.endpoint !== undefined) {
        let e;
        try {
            e = new URL(params.endpoint);
        }
        catch {
            throw urlError(text, `endpoint=${params.endpoint} is not a URL`, 'give it as endpoint=http://host:port (URL-encoded if needed)');
        }
        if (e.protocol !== 'http:' && e.protocol !== 'https:') {
            throw urlError(text, `endpoint must be http:// or https://, got ${e.protocol}//`);
        }
        if (e.username || e.password)
            throw urlError(text, 'the endpoint cannot carry credentials');
        endpoint = e.href.replace(/\/$/, '');
    }
    const region = params.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
    if (!region) {
        throw urlError(text, 'no region given', 'add region=... to the URL (or set AWS_REGION)');
    }
    if (!/^[a-z0-9-]+$/.test(region))
        throw urlError(text, `region ${JSON.stringify(region)} is not a region name`);
    let encryption = { kind: 'none' };
    if (params.sse !== undefined) {
        if (params.sse === 'AES256')
            encryption = { kind: 'AES256' };
        else if (params.sse === 'aws:kms')
            encryption = { kind: 'aws:kms', kmsKeyId: params.kms_key_id || undefined };
        else
            throw urlError(text, `sse must be AES256 or aws:kms, got ${JSON.stringify(params.sse)}`);
    }
    if (params.kms_key_id !== undefined && encryption.kind !== 'aws:kms') {
        throw urlError(text, 'kms_key_id is given without sse=aws:kms');
    }
    let retentionDays = DEFAULT_RETENTION_DAYS;
    if (params.retention_days !== undefined) {
        const r = params.retention_days;
        if (!/^\d+$/.test(r) || Number(r) < 1 || Number(r) > MAX_RETENTION_DAYS) {
            throw urlError(text, `retention_days must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${JSON.stringify(r)}`, `leave it out for the default ${DEFAULT_RETENTION_DAYS} days (7 years)`);
        }
        retentionDays = Number(r);
    }
    const allowGovernance = params.allow_governance === undefined ? false : parseBool(text, 'allow_governance', params.allow_governance);
    const forcePathStyle = params.force_path_style === undefined ? endpoint !== undefined : parseBool(text, 'force_path_style', params.force_path_style);
    return {
        bucket,
        prefix,
        region,
        endpoint,
        forcePathStyle,
        encryption,
        retentionDays,
        allowGovernance,
        displayUrl: text,
    };
}
//# sourceMappingURL=s3-url.js.map
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-versions.js

/**
 * The owning version of a key: the oldest data version, which S3 lists LAST
 * for that key (versions come newest first). Never decided by LastModified,
 * which has one-second resolution on some servers and can tie.
 */
function owningVersion(kv) {
    return kv?.versions[kv.versions.length - 1];
}
function emptyVersions() {
    return { versions: [], deleteMarkers: [] };
}
/**
 * Lists every version and delete marker under a prefix, page by page, grouped
 * by key (the map's order is not meaningful: sort its keys). When `exactKey` is
 * set, only that key is kept and paging stops once the listing has moved past it.
 */
async function listVersions(client, bucket, prefix, options = {}) {
    const out = new Map();
    let keyMarker = options.startAfter;
    let versionIdMarker;
    // Servers differ on whether the key marker itself is listed: skip it here.
    const wanted = (key) => (options.exactKey === undefined || key === options.exactKey) &&
        (options.startAfter === undefined || key > options.startAfter);
    for (;;) {
        const page = await client.send(new dist_cjs/* ListObjectVersionsCommand */.uc$({
            Bucket: bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
            ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
        }));
        let passedKey = false;
        // The SDK splits the listing into Versions and DeleteMarkers; each array
        // keeps the server's order (by key, then newest first), which is all the
        // ownership rule needs.
        for (const v of page.Versions ?? []) {
            if (v.Key === undefined || v.VersionId === undefined)
                continue;
            if (!wanted(v.Key)) {
                if (options.exactKey !== undefined && v.Key > options.exactKey)
                    passedKey = true;
                continue;
            }
            let kv = out.get(v.Key);
            if (!kv)
                out.set(v.Key, (kv = emptyVersions()));
            kv.versions.push({ versionId: v.VersionId, lastModified: v.LastModified, size: v.Size });
        }
        for (const m of page.DeleteMarkers ?? []) {
            if (m.Key === undefined || m.VersionId === undefined)
                continue;
            if (!wanted(m.Key)) {
                if (options.exactKey !== undefined && m.Key > options.exactKey)
                    passedKey = true;
                continue;
            }
            let kv = out.get(m.Key);
            if (!kv)
                out.set(m.Key, (kv = emptyVersions()));
            kv.deleteMarkers.push(m.VersionId);
        }
        if (!page.IsTruncated || passedKey)
            break;
        if (page.NextKeyMarker === undefined)
            break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
    }
    return out;
}
/**
 * Keys under a prefix whose latest version is data (ListObjectsV2, paged).
 * Much cheaper than listing versions on Ceph RGW (a few ms per 1,000 keys
 * against hundreds), but blind to keys whose latest version is a delete marker.
 */
async function listLatestKeys(client, bucket, prefix, options = {}) {
    const keys = [];
    let token;
    for (;;) {
        const page = await client.send(new dist_cjs/* ListObjectsV2Command */.u6x({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(options.startAfter !== undefined && token === undefined ? { StartAfter: options.startAfter } : {}),
            ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
        }));
        for (const o of page.Contents ?? []) {
            if (o.Key !== undefined && (options.startAfter === undefined || o.Key > options.startAfter))
                keys.push(o.Key);
        }
        if (!page.IsTruncated || !page.NextContinuationToken)
            break;
        token = page.NextContinuationToken;
    }
    return keys;
}
//# sourceMappingURL=s3-versions.js.map
;// CONCATENATED MODULE: ./lib/src/audit/stores/s3-store.js









/** Later versions bigger than this are reported without their bytes (a rogue upload may be huge). */
const LATER_VERSION_READ_LIMIT = 1024 * 1024;
/** How long a directory listing may stand in for a fresh one in `inspect` (ms). */
const LISTING_FRESH_MS = 5 * 60 * 1000;
/** How long a passed Object Lock check stands (ms): appends in a row need not ask each time. */
const LOCK_CHECK_FRESH_MS = 60 * 1000;
/** Past this many gaps in the entry numbers, list every version instead of probing each gap. */
const MAX_GAP_PROBES = 64;
/** Owning bytes remembered per store (keys this process wrote or lost to): enough for the head. */
const OWNER_CACHE_SIZE = 64;
/**
 * Opens an `s3://BUCKET[/PREFIX]?region=R&endpoint=URL&...` store (see
 * {@link parseS3Url} for the parameters). Opening does no I/O; the bucket is
 * checked by `checkAppendable()` before the first append.
 */
async function openS3Store(url, options) {
    const config = parseS3Url(url, options.env);
    const tuning = tuningFromEnv(options.env);
    // Two clients over the same settings: reads, lists and lock queries are
    // idempotent, so the SDK may retry them itself; a PUT is retried only by
    // `create`, which first looks whether the lost attempt landed, because a
    // blind re-PUT on a versioned bucket writes a second version.
    const client = buildS3Client(config, options.env, tuning);
    const putClient = buildS3Client(config, options.env, { ...tuning, maxAttempts: 1 });
    return new S3Store(config, client, putClient, tuning, options.pageSize);
}
function md5Base64(bytes) {
    return (0,external_node_crypto_.createHash)('md5').update(bytes).digest('base64');
}
function sameBytes(a, b) {
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
function isPreconditionFailed(e) {
    return statusOf(e) === 412 || nameOf(e) === 'PreconditionFailed';
}
/** A conditional-write race on AWS (409 ConditionalRequestConflict): try again. */
function isConditionalConflict(e) {
    return nameOf(e) === 'ConditionalRequestConflict';
}
function isNoSuchVersion(e) {
    const n = nameOf(e);
    return n === 'NoSuchVersion' || n === 'NoSuchKey' || statusOf(e) === 404;
}
class S3Store {
    config;
    client;
    putClient;
    tuning;
    pageSize;
    displayUrl;
    retentionDays;
    /** Versions per full key, from the last version listing that covered it. */
    listed = new Map();
    /** One listing of every version in a directory, shared by concurrent `inspect` calls. */
    dirIndex = new Map();
    /** Where the last listing of a directory started (set by `listAfter`), so its index starts there too. */
    indexFloor = new Map();
    /**
     * Owning bytes of keys this store wrote or found taken. The owning version
     * of a COMPLIANCE-locked key never changes, so the append protocol's read
     * of the head it just wrote needs no request.
     */
    owners = new Map();
    /**
     * Keys whose last create ended in doubt (a PUT that may have landed): the
     * next create of the key looks before it writes, so a retry by the caller
     * never leaves a duplicate version behind.
     */
    doubtful = new Set();
    lockCheckedAt = -Infinity;
    /** Entry keys (full) known to hold a record, and the highest, from the last `list('entries')`. */
    knownEntries;
    constructor(config, client, putClient, tuning, pageSize) {
        this.config = config;
        this.client = client;
        this.putClient = putClient;
        this.tuning = tuning;
        this.pageSize = pageSize;
        this.displayUrl = config.displayUrl;
        this.retentionDays = config.retentionDays;
    }
    rememberOwner(full, bytes) {
        this.owners.delete(full);
        this.owners.set(full, bytes);
        if (this.owners.size > OWNER_CACHE_SIZE)
            this.owners.delete(this.owners.keys().next().value);
    }
    fullKey(key) {
        return `${this.config.prefix}${key}`;
    }
    where(key) {
        return key === undefined ? this.displayUrl : `${this.displayUrl} (key ${this.fullKey(key)})`;
    }
    async checkAppendable() {
        if (Date.now() - this.lockCheckedAt < LOCK_CHECK_FRESH_MS)
            return;
        const { bucket } = this.config;
        let state;
        try {
            const out = await this.client.send(new dist_cjs/* GetObjectLockConfigurationCommand */.mU1({ Bucket: bucket }));
            const conf = out.ObjectLockConfiguration;
            const rule = conf?.Rule?.DefaultRetention;
            state = {
                enabled: conf?.ObjectLockEnabled === 'Enabled',
                mode: rule?.Mode,
                days: rule?.Days,
                years: rule?.Years,
            };
        }
        catch (e) {
            if (nameOf(e) === 'ObjectLockConfigurationNotFoundError') {
                state = { enabled: false };
            }
            else {
                throw s3Error(e, `reading the Object Lock configuration of bucket ${bucket}`, this.displayUrl);
            }
        }
        const problems = lockProblems(state, this.config);
        if (problems.length) {
            throw new errors/* GateError */.ue('E_S3_NOT_LOCKED', `bucket ${bucket} cannot hold the audit log: its S3 Object Lock does not keep records long enough: ${problems.join('; ')}`, {
                where: this.displayUrl,
                hint: `audit records must be undeletable for ${this.config.retentionDays} days (S3 Object Lock, COMPLIANCE mode); model-gate audit init --store <URL> creates a bucket that complies`,
            });
        }
        this.lockCheckedAt = Date.now();
    }
    /**
     * Create-only write. `If-None-Match: *` stops a second writer on AWS (412);
     * Ceph RGW ignores it in versioned buckets and writes a second version, so
     * ownership is then confirmed by version order: this writer owns the key
     * only if its version is the oldest. A transient failure may have hidden a
     * PUT that landed, so before trying again we look at what the key holds.
     */
    async create(key, bytes) {
        const full = this.fullKey(key);
        const result = await this.createUncached(key, full, bytes);
        this.rememberOwner(full, result.created ? bytes : result.existing);
        return result;
    }
    async createUncached(key, full, bytes) {
        let lastError;
        for (let attempt = 1; attempt <= this.tuning.maxAttempts; attempt++) {
            try {
                if (this.doubtful.has(full)) {
                    const owner = await this.owner(full);
                    if (owner) {
                        this.doubtful.delete(full);
                        // Our lost attempt may be the owner (same bytes: success), or someone else won.
                        return sameBytes(owner.bytes, bytes) ? { created: true } : { created: false, existing: owner.bytes };
                    }
                }
                // From here until an answer, a PUT may land without our knowing.
                this.doubtful.add(full);
                const result = await this.putAndConfirm(key, full, bytes);
                this.doubtful.delete(full);
                return result;
            }
            catch (e) {
                const err = s3Error(e, `writing ${full}`, this.where(key));
                if (!isRetryable(err)) {
                    this.doubtful.delete(full);
                    throw err;
                }
                lastError = err;
                if (attempt < this.tuning.maxAttempts)
                    await sleep(backoffMs(attempt));
            }
        }
        throw lastError;
    }
    async putAndConfirm(key, full, bytes) {
        const input = {
            Bucket: this.config.bucket,
            Key: full,
            Body: bytes,
            ContentLength: bytes.byteLength,
            // Object Lock buckets refuse a PUT without a content checksum.
            ContentMD5: md5Base64(bytes),
            ContentType: key.endsWith('.jws') ? 'application/jose' : 'application/json',
            IfNoneMatch: '*',
        };
        const sse = this.config.encryption;
        if (sse.kind === 'AES256')
            input.ServerSideEncryption = 'AES256';
        if (sse.kind === 'aws:kms') {
            input.ServerSideEncryption = 'aws:kms';
            if (sse.kmsKeyId)
                input.SSEKMSKeyId = sse.kmsKeyId;
        }
        let versionId;
        try {
            const out = await this.putClient.send(new dist_cjs/* PutObjectCommand */.wKZ(input));
            versionId = out.VersionId;
        }
        catch (e) {
            if (isPreconditionFailed(e)) {
                const owner = await this.owner(full);
                if (owner)
                    return { created: false, existing: owner.bytes };
                // 412 yet no version to read: a delete-and-recreate race; let the caller retry.
            }
            if (isPreconditionFailed(e) || isConditionalConflict(e)) {
                throw s3Error(Object.assign(new Error(`conditional write conflict on ${full}`), { name: 'ConditionalRequestConflict', $retryable: true }), `writing ${full}`, this.where(key));
            }
            throw e;
        }
        // No version id: an unversioned bucket, where If-None-Match is honoured
        // (checkAppendable refuses those before any append; a version is always
        // returned on an Object Lock bucket).
        if (versionId === undefined)
            return { created: true };
        const kv = await this.versionsOf(full);
        const oldest = owningVersion(kv);
        if (oldest === undefined) {
            throw s3Error(Object.assign(new Error(`the version just written to ${full} is not listed`), { $retryable: true }), `confirming ${full}`, this.where(key));
        }
        if (oldest.versionId === versionId)
            return { created: true };
        // We lost the race: our version stays behind as a later version (the
        // verifier recognises it when the record reappears further on).
        return { created: false, existing: await this.getVersionBytes(full, oldest.versionId) };
    }
    /** The owning version and its bytes, freshly listed; undefined when the key has no data version. */
    async owner(full) {
        const oldest = owningVersion(await this.versionsOf(full));
        if (!oldest)
            return undefined;
        return { versionId: oldest.versionId, bytes: await this.getVersionBytes(full, oldest.versionId) };
    }
    /** Every version of one key, listed now. */
    async versionsOf(full) {
        const map = await listVersions(this.client, this.config.bucket, full, { exactKey: full, pageSize: this.pageSize });
        return map.get(full) ?? { versions: [], deleteMarkers: [] };
    }
    async getVersion(full, versionId) {
        const out = await this.client.send(new dist_cjs/* GetObjectCommand */.jLs({ Bucket: this.config.bucket, Key: full, VersionId: versionId }));
        const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
        return { out, bytes };
    }
    async getVersionBytes(full, versionId) {
        return (await this.getVersion(full, versionId)).bytes;
    }
    /** Whether a version listing of the key is recent enough for `inspect`. */
    fresh(full) {
        const hit = this.listed.get(full);
        return hit !== undefined && Date.now() - hit.at <= LISTING_FRESH_MS;
    }
    /**
     * The versions of a key: from the last listing that covered it when that
     * is recent enough (`maxAgeMs`), else listed now.
     */
    async knownVersions(full, maxAgeMs) {
        const hit = this.listed.get(full);
        // A key without data versions may have gained one since; only a recent listing vouches for that.
        if (hit && Date.now() - hit.at <= maxAgeMs && (hit.kv.versions.length > 0 || maxAgeMs !== Infinity)) {
            return { kv: hit.kv, cached: true };
        }
        return { kv: await this.versionsOf(full), cached: false };
    }
    /**
     * The record's bytes: the oldest version, read by version id, so neither a
     * delete marker nor a later rogue version can hide or replace it.
     */
    async read(key) {
        const full = this.fullKey(key);
        const known = this.owners.get(full);
        if (known)
            return known;
        try {
            // The oldest version of a COMPLIANCE-locked key never changes, so any
            // listing of it will do; a 404 (a version removed under GOVERNANCE) relists.
            let { kv, cached } = await this.knownVersions(full, Infinity);
            for (;;) {
                const oldest = owningVersion(kv);
                if (!oldest)
                    return null;
                try {
                    return await this.getVersionBytes(full, oldest.versionId);
                }
                catch (e) {
                    if (!cached || !isNoSuchVersion(e))
                        throw e;
                    this.listed.delete(full);
                    kv = await this.versionsOf(full);
                    cached = false;
                }
            }
        }
        catch (e) {
            throw s3Error(e, `reading ${full}`, this.where(key));
        }
    }
    /**
     * Keys in a directory that hold a record (at least one data version),
     * ascending. A record whose latest version is a delete marker is still
     * found: entries are listed with ListObjectsV2 (cheap), then the versions
     * after the last visible key and at every gap in the sequence numbers are
     * looked up, which is where delete-marked records hide. Checkpoints (few)
     * are listed with all their versions. A key holding only delete markers has
     * no record and is left out.
     */
    async list(dir) {
        const dirPrefix = `${this.config.prefix}${dir}/`;
        this.indexFloor.delete(dirPrefix);
        let fullKeys;
        try {
            fullKeys = dir === 'entries' ? await this.listEntries(dirPrefix) : await this.listByVersions(dirPrefix);
        }
        catch (e) {
            throw s3Error(e, `listing ${dirPrefix}`, this.displayUrl);
        }
        return this.relativeSorted(fullKeys);
    }
    /**
     * Keys of a directory after `afterKey`, ascending, found as `list` finds
     * them (delete-marked records included). A verifier starting from a
     * checkpoint then reads, and indexes the versions of, only what follows it.
     */
    async listAfter(dir, afterKey) {
        const dirPrefix = `${this.config.prefix}${dir}/`;
        const after = this.fullKey(afterKey);
        this.indexFloor.set(dirPrefix, after);
        let fullKeys;
        try {
            fullKeys = dir === 'entries' ? await this.listEntriesAfter(dirPrefix, after) : await this.listByVersions(dirPrefix, after);
        }
        catch (e) {
            throw s3Error(e, `listing ${dirPrefix} after ${afterKey}`, this.displayUrl);
        }
        return this.relativeSorted(fullKeys);
    }
    relativeSorted(fullKeys) {
        const keys = fullKeys.map((k) => k.slice(this.config.prefix.length));
        return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    async listEntriesAfter(dirPrefix, after) {
        const found = new Set(await listLatestKeys(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize, startAfter: after }));
        let last = after;
        for (const k of found)
            if (k > last)
                last = k;
        for (const k of await this.listByVersions(dirPrefix, last))
            found.add(k);
        const afterSeq = (0,store/* seqOfEntryKey */.Qc)(after.slice(this.config.prefix.length));
        await this.probeGaps(found, afterSeq === null ? 0 : afterSeq + 1, dirPrefix);
        return [...found];
    }
    /**
     * Looks for records hidden by a delete marker at every missing sequence
     * number from `fromSeq` up to the highest found, adding them to `found`.
     */
    async probeGaps(found, fromSeq, dirPrefix) {
        const seqs = new Set();
        let maxSeq = -1;
        for (const k of found) {
            const seq = (0,store/* seqOfEntryKey */.Qc)(k.slice(this.config.prefix.length));
            if (seq === null)
                continue;
            seqs.add(seq);
            if (seq > maxSeq)
                maxSeq = seq;
        }
        const gaps = [];
        for (let seq = fromSeq; seq < maxSeq && gaps.length <= MAX_GAP_PROBES; seq++) {
            if (!seqs.has(seq))
                gaps.push(this.fullKey((0,store/* entryKey */.k2)(seq)));
        }
        if (gaps.length > MAX_GAP_PROBES) {
            const floor = fromSeq > 0 ? this.fullKey((0,store/* entryKey */.k2)(fromSeq - 1)) : undefined;
            for (const k of await this.listByVersions(dirPrefix, floor))
                found.add(k);
            return;
        }
        const at = Date.now();
        await Promise.all(gaps.map(async (full) => {
            const kv = await this.versionsOf(full);
            this.listed.set(full, { kv, at });
            if (kv.versions.length > 0)
                found.add(full);
        }));
    }
    /** Keys with a data version, from a listing of every version (caching what it learns). */
    async listByVersions(dirPrefix, startAfter) {
        const map = await listVersions(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize, startAfter });
        const at = Date.now();
        const keys = [];
        for (const [full, kv] of map) {
            this.listed.set(full, { kv, at });
            if (kv.versions.length > 0)
                keys.push(full);
        }
        return keys;
    }
    async listEntries(dirPrefix) {
        let found;
        let last;
        if (this.knownEntries) {
            // Entry keys never go away (their versions are locked), so a store
            // that has listed once asks only for what came after: one request per
            // append's head lookup however long the log, instead of one per 1,000
            // records. Gaps are probed again below, as on the first listing.
            found = new Set(this.knownEntries.keys);
            last = this.knownEntries.last;
        }
        else {
            found = new Set(await listLatestKeys(this.client, this.config.bucket, dirPrefix, { pageSize: this.pageSize }));
            for (const k of found)
                if (last === undefined || k > last)
                    last = k;
        }
        // Everything after the last key known: new records, and records whose
        // latest version is a delete marker (ListObjectsV2 does not show those).
        for (const k of await this.listByVersions(dirPrefix, last))
            found.add(k);
        // Records in the middle hidden the same way leave a gap in the numbers.
        await this.probeGaps(found, 0, dirPrefix);
        let newLast;
        for (const k of found)
            if (newLast === undefined || k > newLast)
                newLast = k;
        this.knownEntries = { keys: found, last: newLast };
        return [...found];
    }
    /**
     * Makes sure every version in a directory has been listed recently, once
     * for all concurrent callers: a verifier inspecting thousands of records
     * then pays one listing instead of one request per record.
     */
    async indexDirectory(dirPrefix) {
        const hit = this.dirIndex.get(dirPrefix);
        if (hit && Date.now() - hit.at <= LISTING_FRESH_MS)
            return hit.done;
        // After listAfter (a verify from a checkpoint), only the versions after its key.
        const done = this.listByVersions(dirPrefix, this.indexFloor.get(dirPrefix)).then(() => undefined);
        this.dirIndex.set(dirPrefix, { at: Date.now(), done });
        done.catch(() => this.dirIndex.delete(dirPrefix));
        return done;
    }
    /**
     * The owning bytes, every later version (with its bytes when small enough)
     * and delete marker, and the owning version's Object Lock retention. Uses
     * the directory's last listing when it is recent (a verifier lists first),
     * so a verify costs about one GET per record.
     */
    async inspect(key) {
        const full = this.fullKey(key);
        try {
            const slash = key.lastIndexOf('/');
            if (slash > 0 && !this.fresh(full))
                await this.indexDirectory(this.fullKey(key.slice(0, slash + 1)));
            const { kv } = await this.knownVersions(full, LISTING_FRESH_MS);
            const laterMarkers = kv.deleteMarkers.map((versionId) => ({ versionId, deleteMarker: true }));
            const oldest = owningVersion(kv);
            if (!oldest)
                return { bytes: null, laterVersions: laterMarkers };
            const { out, bytes } = await this.getVersion(full, oldest.versionId);
            const retention = await this.retentionOf(full, oldest.versionId, out);
            // Later data versions in the order they were written (oldest first).
            const later = kv.versions.slice(0, -1).reverse();
            const laterVersions = await Promise.all(later.map(async (v) => {
                if (v.size !== undefined && v.size > LATER_VERSION_READ_LIMIT) {
                    return { versionId: v.versionId, deleteMarker: false };
                }
                return { versionId: v.versionId, deleteMarker: false, bytes: await this.getVersionBytes(full, v.versionId) };
            }));
            return { bytes, laterVersions: [...laterVersions, ...laterMarkers], retention };
        }
        catch (e) {
            throw s3Error(e, `inspecting ${full}`, this.where(key));
        }
    }
    /**
     * Retention of one version. GetObject carries it in headers when the caller
     * may read retention; otherwise ask GetObjectRetention, where "no
     * retention" is an answer (mode null), not an error.
     */
    async retentionOf(full, versionId, out) {
        const createdAt = out.LastModified ?? null;
        if (out.ObjectLockMode) {
            return {
                mode: out.ObjectLockMode === 'COMPLIANCE' || out.ObjectLockMode === 'GOVERNANCE' ? out.ObjectLockMode : null,
                retainUntil: out.ObjectLockRetainUntilDate ?? null,
                createdAt,
            };
        }
        try {
            const r = await this.client.send(new dist_cjs/* GetObjectRetentionCommand */.zsK({ Bucket: this.config.bucket, Key: full, VersionId: versionId }));
            const mode = r.Retention?.Mode;
            return {
                mode: mode === 'COMPLIANCE' || mode === 'GOVERNANCE' ? mode : null,
                retainUntil: r.Retention?.RetainUntilDate ?? null,
                createdAt,
            };
        }
        catch (e) {
            const status = statusOf(e);
            if (nameOf(e) === 'NoSuchObjectLockConfiguration' || status === 404 || status === 400) {
                return { mode: null, retainUntil: null, createdAt };
            }
            throw e;
        }
    }
}
/** Jittered exponential backoff: ~100 ms, 200 ms, 400 ms ... capped at 3 s. */
function backoffMs(attempt) {
    const base = Math.min(3000, 100 * 2 ** (attempt - 1));
    return base / 2 + Math.random() * (base / 2);
}
//# sourceMappingURL=s3-store.js.map

/***/ })

};
