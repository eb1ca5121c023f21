#!/usr/bin/env node
// @ts-check
// aws-mfa-portal-credentials: the AWS CLI / SDK `credential_process` helper for the AWS MFA portal.
//
//   aws-mfa-portal-credentials login --portal https://portal.example.com --user alice
//   # ~/.aws/config
//   [profile readonly]
//   credential_process = aws-mfa-portal-credentials --portal https://portal.example.com --role readonly
//
// `login` trades one MFA code for a portal token (it lives as long as the MFA session) and keeps it
// in a file only you can read. Afterwards the CLI runs this helper whenever it needs credentials;
// the helper prints credential_process JSON on stdout: the role's credentials from its 0600 cache
// while they last (the AWS CLI caches nothing itself), else fresh ones from the portal.
// `configure` writes a profile per role you may use into ~/.aws/config.
//
// Plain Node.js (>= 20), no dependencies: copy this one file anywhere on your PATH.
// Secrets never reach stderr, the command line, or an error message.
//
// The input rules below are the portal's own (bin/aws-mfa-portal-credentials.test.ts proves they
// equal the server's schemas), so the helper refuses early exactly what the portal would refuse.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants, realpathSync, statSync } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

export const NAME = 'aws-mfa-portal-credentials';
/** The package version (package.json), reported by --version and in the User-Agent. */
export const VERSION = '0.1.0';
const TIMEOUT_MS = 30_000;
/** Cached credentials are used until this long before they expire (the CLI needs some left to work with). */
export const REFRESH_MARGIN_SECONDS = 300;
const MAX_FILE_BYTES = 64 * 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** An IAM user name, as the portal's `UserName` schema takes it. */
export const USER_NAME = { minLength: 1, maxLength: 64, pattern: '^[\\w+=,.@-]+$' };
/** A role alias of the portal's catalog, any letter case (the catalog stores them lower-case). */
export const ROLE_ALIAS = { minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' };
/** The session lengths a catalog role can allow: AWS's 900-second floor up to the 12-hour maximum. */
export const DURATION_SECONDS = { minimum: 900, maximum: 43_200 };
/** An MFA code as typed: 6 digits, with the spaces people paste ("123 456"), at most this long. */
export const MFA_CODE = { maxLength: 16 };

const PORTAL_TOKEN = /^[A-Za-z0-9._~+/=-]{16,4096}$/;
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;
// http:// is accepted for the local machine only: the token must not cross a network in clear text.
const CLEAR_TEXT_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const USAGE = `Usage:
  ${NAME} --role <alias> [--portal <url>] [--token-file <path>] [--duration <seconds>] [--no-cache]
      Print credential_process JSON for a role of the portal's catalog (for ~/.aws/config).
      Credentials are cached (mode 0600) and reused until ${REFRESH_MARGIN_SECONDS / 60} minutes before they expire;
      --no-cache asks the portal every time and leaves the cache alone.
  ${NAME} login --portal <url> --user <IAM user name> [--token-file <path>] [--code-command '<cmd>']
      Ask for an MFA code (on the terminal, or one line of standard input; or the output of
      --code-command, e.g. 'ykman oath accounts code -s aws') and store a portal token in the
      token file (mode 0600). The code is never echoed.
  ${NAME} configure [--portal <url>] [--token-file <path>] [--config-file <path>] [--command <cmd>]
      Write a profile for every role you may use into ~/.aws/config (or $AWS_CONFIG_FILE) between
      marked lines; everything outside them stays as it is, the previous file is kept as
      <file>.aws-mfa-portal.bak, and profiles of roles you lost disappear.

Options:
  --portal <url>       The portal's https:// URL (http:// only for localhost). Default: the
                       AWS_MFA_PORTAL_URL environment variable, else the URL saved by login.
  --token-file <path>  Default: $XDG_CONFIG_HOME/aws-mfa-portal/token (~/.config/aws-mfa-portal/token).
                       It must be yours and not accessible to others (chmod 600).
  --duration <s>       Requested session length in seconds (900..43200); the portal may cap it.
  --command <cmd>      How credential_process lines start (default: ${NAME} when it is on PATH,
                       else node and this file's path).
Cache: $XDG_CACHE_HOME/aws-mfa-portal/credentials (~/.cache/aws-mfa-portal/credentials).

The token is never accepted on the command line. Exit status: 0 on success, 1 on any error
(with a one-line message on standard error).
`;

const PROCESS_OPTIONS = ['role', 'portal', 'token-file', 'duration', 'no-cache'];
const LOGIN_OPTIONS = ['portal', 'user', 'token-file', 'code-command'];
const CONFIGURE_OPTIONS = ['portal', 'token-file', 'config-file', 'command'];
/** Options without a value. */
const FLAGS = new Set(['no-cache']);
const CODE_COMMAND_TIMEOUT_MS = 120_000;

/**
 * The parsed command line.
 * @typedef {{ help?: boolean, version?: boolean, role?: string, portal?: string, user?: string,
 *   duration?: string, 'token-file'?: string, 'no-cache'?: boolean, 'code-command'?: string,
 *   'config-file'?: string, command?: string }} Options
 */

/**
 * @typedef {object} StoredToken What the token file holds.
 * @property {string} token
 * @property {string} [portal]
 * @property {string} [userName]
 * @property {Date} [expiresAt]
 */

/**
 * @typedef {object} PortalResponse
 * @property {number} status
 * @property {Headers} headers
 * @property {string} text
 */

/**
 * @param {string} value
 * @param {{ minLength: number, maxLength: number, pattern: string }} rule
 */
const follows = (value, rule) =>
  value.length >= rule.minLength && value.length <= rule.maxLength && new RegExp(rule.pattern).test(value);

/** @param {string} value */
export const isUserName = (value) => follows(value, USER_NAME);

/** @param {string} value */
export const isRoleAlias = (value) => follows(value, ROLE_ALIAS);

/**
 * The 6 digits of a typed code without its spaces, or null when it is not one.
 * @param {string} typed
 * @returns {string | null}
 */
export function normalizeMfaCode(typed) {
  if (typed.length > MFA_CODE.maxLength) return null;
  const digits = typed.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** A failure whose message is safe and useful to print as is. */
class HelperError extends Error {}

/** Secrets seen so far, scrubbed from anything printed (belt and braces: none should be printed). */
/** @type {Set<string>} */
const secrets = new Set();

/**
 * Error details without trusting their shape.
 * @param {unknown} error
 * @returns {{ name?: unknown, code?: unknown, message?: unknown, cause?: { code?: unknown, message?: unknown } }}
 */
const details = (error) => (typeof error === 'object' && error !== null ? error : {});

/**
 * Server-provided text, made one printable line without secrets.
 * @param {unknown} text
 */
function printable(text, max = 300) {
  let line = String(text)
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const secret of secrets) line = line.split(secret).join('[redacted]');
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/**
 * Quotes a path for a copy-paste shell command in a message.
 * @param {string} value
 */
function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * @param {string[]} args
 * @param {string[]} allowed
 * @returns {Options}
 */
function parseOptions(args, allowed) {
  /** @type {Record<string, string | boolean>} */
  const options = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    if (arg === '--version') {
      options.version = true;
      continue;
    }
    // Never echo arbitrary arguments: a user may have pasted a secret.
    if (!arg.startsWith('--')) throw new HelperError('Unexpected argument (see --help).');
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!allowed.includes(name)) {
      const shown = /^[a-z][a-z-]{0,30}$/.test(name) ? ` --${name}` : '';
      throw new HelperError(`Unknown option${shown} (see --help).`);
    }
    if (Object.hasOwn(options, name)) throw new HelperError(`--${name} is given twice.`);
    if (FLAGS.has(name)) {
      if (eq !== -1) throw new HelperError(`--${name} takes no value.`);
      options[name] = true;
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new HelperError(`--${name} needs a value (see --help).`);
    options[name] = value;
  }
  return options;
}

/**
 * The portal's base URL without a trailing slash; only https, or http to this machine.
 * @param {string} raw
 * @param {string} origin where the URL came from, for messages
 */
function portalBase(raw, origin) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new HelperError(`The portal URL from ${origin} is not a valid URL.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new HelperError(`The portal URL from ${origin} must not contain a user name or password.`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new HelperError(`The portal URL from ${origin} must not have a query or fragment.`);
  }
  if (url.protocol === 'http:' && !CLEAR_TEXT_HOSTS.has(url.hostname)) {
    throw new HelperError(
      `Refusing http://${url.host}: the portal token must not travel in clear text. Use the portal's https:// URL (http:// is accepted only for localhost).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HelperError(`The portal URL from ${origin} must start with https://.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * @param {Options} options
 * @param {string} [fallback]
 */
function choosePortal(options, fallback) {
  if (options.portal !== undefined) return portalBase(options.portal, '--portal');
  const fromEnv = process.env.AWS_MFA_PORTAL_URL;
  if (fromEnv) return portalBase(fromEnv, 'AWS_MFA_PORTAL_URL');
  if (fallback !== undefined) return fallback;
  throw new HelperError('No portal URL: pass --portal <url> or set AWS_MFA_PORTAL_URL.');
}

/** @param {string} file */
function expandHome(file) {
  // credential_process lines are not run by a shell, so `~` would otherwise stay literal.
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(file);
}

/** @param {Options} options */
function tokenFilePath(options) {
  if (options['token-file'] !== undefined) return expandHome(options['token-file']);
  const xdg = process.env.XDG_CONFIG_HOME;
  const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(configHome, 'aws-mfa-portal', 'token');
}

/**
 * @param {string} [portal]
 * @param {string} [userName]
 */
function loginHint(portal, userName) {
  const portalArg = portal ?? '<portal URL>';
  return `${NAME} login --portal ${portalArg} --user ${userName ?? '<IAM user name>'}`;
}

/**
 * Refuses a file (token or cached credentials) that another user owns or can access: either lets
 * them mint or use AWS credentials as you. Called on the opened file (fstat), so the file checked
 * is the file read.
 * @param {import('node:fs').Stats} info
 * @param {string} file
 */
function requirePrivate(info, file) {
  // Windows has no POSIX owner or mode bits; there the file's ACL (your profile directory) applies.
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  if (info.uid !== uid) {
    throw new HelperError(
      `Refusing to use ${file}: it belongs to user id ${info.uid}, not to you (${uid}). If it is yours, run: chown "$(id -u)" ${shellQuote(file)} ; otherwise delete it and sign in again.`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new HelperError(
      `Refusing to use ${file}: other users can access it (mode ${mode}). Fix it with: chmod 600 ${shellQuote(file)}`,
    );
  }
}

/**
 * Reads the token file, refusing one that another user owns or can access: a token readable by
 * others lets them mint AWS credentials as you. Checks run on the opened file (fstat), so the file
 * checked is the file read.
 * @param {string} file
 * @param {string} [portalHint]
 * @returns {Promise<StoredToken>}
 */
async function readTokenFile(file, portalHint) {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (error) {
    const { code } = details(error);
    if (code === 'ENOENT') {
      throw new HelperError(`No portal token at ${file}. Sign in first: ${loginHint(portalHint)}`);
    }
    throw new HelperError(`Cannot read the token file ${file} (${typeof code === 'string' ? code : 'error'}).`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HelperError(`The token file ${file} is not a regular file.`);
    requirePrivate(info, file);
    if (info.size > MAX_FILE_BYTES) throw new HelperError(`The token file ${file} is too large to be a token file.`);
    return parseTokenFile(await handle.readFile({ encoding: 'utf8' }), file);
  } finally {
    await handle.close();
  }
}

/**
 * `{ "portal", "token", "expiresAt", "userName" }` as login writes it, or a bare token.
 * @param {string} text
 * @param {string} file
 * @returns {StoredToken}
 */
function parseTokenFile(text, file) {
  const malformed = () =>
    new HelperError(`The token file ${file} does not hold a portal token. Sign in again: ${loginHint()}`);
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    if (!PORTAL_TOKEN.test(trimmed)) throw malformed();
    secrets.add(trimmed);
    return { token: trimmed };
  }
  let data;
  try {
    data = JSON.parse(trimmed);
  } catch {
    throw malformed();
  }
  if (typeof data?.token !== 'string' || !PORTAL_TOKEN.test(data.token)) throw malformed();
  secrets.add(data.token);
  /** @type {StoredToken} */
  const stored = { token: data.token };
  if (typeof data.portal === 'string') stored.portal = portalBase(data.portal, file);
  if (typeof data.userName === 'string' && isUserName(data.userName)) stored.userName = data.userName;
  if (typeof data.expiresAt === 'string' && !Number.isNaN(Date.parse(data.expiresAt))) {
    stored.expiresAt = new Date(data.expiresAt);
  }
  return stored;
}

/**
 * Writes the token file atomically: a 0600 temp file in the same directory, then rename.
 * @param {string} file
 * @param {{ portal: string, userName: string, token: string, expiresAt?: string }} data
 */
async function writeTokenFile(file, data) {
  await writePrivateFile(file, `${JSON.stringify(data, null, 2)}\n`, 'the token file');
}

/**
 * Writes a file atomically: a temp file (mode 0600 unless told) in the same directory, then rename.
 * @param {string} file
 * @param {string} text
 * @param {string} what for the message
 * @param {number} [mode]
 */
async function writePrivateFile(file, text, what, mode = 0o600) {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(mode);
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    const { code } = details(error);
    throw new HelperError(`Cannot write ${what} ${file} (${typeof code === 'string' ? code : 'error'}).`);
  }
}

/**
 * @param {URL} url
 * @param {RequestInit} init
 * @param {string} portal
 * @returns {Promise<PortalResponse>}
 */
async function request(url, init, portal) {
  let response;
  let text;
  try {
    // No redirects: a redirect could carry the Authorization header to another place.
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    const failure = details(error);
    if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
      throw new HelperError(`The portal at ${portal} did not answer within ${TIMEOUT_MS / 1000} seconds.`);
    }
    const code = failure.cause?.code ?? failure.code;
    const reason = failure.cause?.message;
    let detail = '';
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) detail = ` (${code})`;
    else if (typeof reason === 'string' && /^[\w .,:-]{1,80}$/.test(reason)) detail = ` (${reason})`;
    throw new HelperError(`Cannot reach the portal at ${portal}${detail}.`);
  }
  if (text.length > MAX_RESPONSE_BYTES) throw new HelperError(`The portal at ${portal} sent an oversized answer.`);
  return { status: response.status, headers: response.headers, text };
}

function userAgent() {
  return `${NAME}/${VERSION} node/${process.version}`;
}

/**
 * The API's `{ error, message }`, made printable.
 * @param {PortalResponse} response
 * @returns {{ code?: string, message?: string }}
 */
function apiError(response) {
  let data;
  try {
    data = JSON.parse(response.text);
  } catch {
    data = undefined;
  }
  const code = typeof data?.error === 'string' && ERROR_CODE.test(data.error) ? data.error : undefined;
  const message = typeof data?.message === 'string' && data.message.trim() !== '' ? printable(data.message) : undefined;
  return { code, message };
}

/**
 * @param {PortalResponse} response
 * @param {string} portal
 * @param {{ action: string }} context
 */
function describeFailure(response, portal, context) {
  const { code, message } = apiError(response);
  const status = response.status;
  const detail = `HTTP ${status}${code ? `, ${code}` : ''}`;
  if (status >= 300 && status < 400) {
    return `The portal at ${portal} redirected the request (HTTP ${status}); pass the portal's final https:// URL with --portal.`;
  }
  if (status === 429) {
    const retry = /^\d{1,6}$/.test(response.headers.get('retry-after') ?? '')
      ? response.headers.get('retry-after')
      : undefined;
    return `Too many attempts; ${retry ? `try again in ${retry} seconds` : 'try again later'}.${message ? ` (${message})` : ''}`;
  }
  if (status >= 500) {
    return `The portal could not ${context.action} right now (${detail})${message ? `: ${message}` : ''}. Try again shortly.`;
  }
  return `The portal refused to ${context.action} (${detail})${message ? `: ${message}` : '.'}`;
}

/**
 * credential_process output needs Version 1 and the four fields; anything else is not passed on.
 * @param {string} text
 * @param {string} portal
 */
function checkProcessJson(text, portal) {
  /** @param {string} what */
  const invalid = (what) =>
    new HelperError(`The portal at ${portal} answered without valid credential_process JSON (${what}).`);
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (typeof data !== 'object' || data === null || data.Version !== 1) throw invalid('Version is not 1');
  for (const field of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']) {
    if (typeof data[field] !== 'string' || data[field] === '') throw invalid(`no ${field}`);
  }
  if (Number.isNaN(Date.parse(data.Expiration))) throw invalid('Expiration is not a date');
}

/**
 * The token file and the portal it belongs to; refuses to send a token to a portal that did not
 * issue it, and an expired token.
 * @param {Options} options
 */
async function signedInSession(options) {
  const file = tokenFilePath(options);
  const explicitPortal =
    options.portal !== undefined || process.env.AWS_MFA_PORTAL_URL ? choosePortal(options) : undefined;
  const stored = await readTokenFile(file, explicitPortal);
  const portal = explicitPortal ?? choosePortal(options, stored.portal);
  if (stored.portal !== undefined && stored.portal !== portal) {
    // Never send a token to a portal that did not issue it.
    throw new HelperError(
      `The token in ${file} was issued by ${stored.portal}, not ${portal}. For this portal use another --token-file and sign in: ${loginHint(portal, stored.userName)} --token-file <path>`,
    );
  }
  const expired = `Your portal token has expired. Get a new one: ${loginHint(portal, stored.userName)} (or open ${portal})`;
  return { file, stored, portal, expired };
}

/**
 * @param {PortalResponse} response
 * @param {{ portal: string, stored: StoredToken, expired: string }} session
 * @param {string} action
 */
function refusal(response, session, action) {
  if (response.status === 401) {
    const { code } = apiError(response);
    if (code === 'invalid_token') {
      return new HelperError(
        `Your portal token is not valid (revoked, or issued by another portal). Get a new one: ${loginHint(session.portal, session.stored.userName)} (or open ${session.portal})`,
      );
    }
    return new HelperError(session.expired);
  }
  return new HelperError(describeFailure(response, session.portal, { action }));
}

function cacheDir() {
  const xdg = process.env.XDG_CACHE_HOME;
  const cacheHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'aws-mfa-portal', 'credentials');
}

/**
 * One cache file per portal, token, role and duration: a new login (perhaps as someone else)
 * never sees the credentials of the old token. The name is a hash; it reveals none of them.
 * @param {string} portal
 * @param {string} token
 * @param {string} role
 * @param {number | undefined} duration
 */
function cacheFile(portal, token, role, duration) {
  const tokenHash = createHash('sha256').update(token).digest('hex');
  const key = createHash('sha256')
    .update(JSON.stringify([portal, tokenHash, role.toLowerCase(), duration ?? null]))
    .digest('hex');
  return path.join(cacheDir(), `${key.slice(0, 40)}.json`);
}

/**
 * Cached credential_process JSON that still has more than the refresh margin left, else null.
 * A cache file another user owns or can read is refused like the token file; a damaged one is
 * ignored (and replaced after the next issuance).
 * @param {string} file
 * @param {string} portal
 * @returns {Promise<string | null>}
 */
async function readCache(file, portal) {
  let handle;
  try {
    // O_NOFOLLOW: a symbolic link planted in the cache directory is not followed.
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const { code } = details(error);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new HelperError(`Refusing to use ${file}: it is a symbolic link. Delete it.`);
    throw new HelperError(`Cannot read the credential cache ${file} (${typeof code === 'string' ? code : 'error'}).`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HelperError(`The credential cache ${file} is not a regular file. Delete it.`);
    requirePrivate(info, file);
    if (info.size > MAX_FILE_BYTES) return null;
    const text = await handle.readFile({ encoding: 'utf8' });
    try {
      checkProcessJson(text, portal);
    } catch {
      return null;
    }
    const expiration = Date.parse(JSON.parse(text).Expiration);
    return expiration - Date.now() > REFRESH_MARGIN_SECONDS * 1000 ? text : null;
  } finally {
    await handle.close();
  }
}

/**
 * Deletes cache files old enough that their credentials have expired (no session outlasts
 * 12 hours), e.g. those of an earlier token: secrets do not linger on disk. Runs only after an
 * issuance, so the cached path stays cheap.
 * @param {string} dir
 */
async function pruneCache(dir) {
  const cutoff = Date.now() - DURATION_SECONDS.maximum * 1000;
  const names = await readdir(dir).catch(() => /** @type {string[]} */ ([]));
  for (const name of names) {
    if (!/^[0-9a-f]{40}\.json$/.test(name)) continue;
    const file = path.join(dir, name);
    const info = await lstat(file).catch(() => null);
    if (info?.isFile() && info.mtimeMs < cutoff) await unlink(file).catch(() => {});
  }
}

/** @param {Options} options */
async function printCredentials(options) {
  if (options.role === undefined) throw new HelperError('Missing --role <alias> (see --help).');
  if (!isRoleAlias(options.role)) {
    throw new HelperError(
      `The role alias is ${ROLE_ALIAS.minLength} to ${ROLE_ALIAS.maxLength} letters, digits, _ . - and starts with a letter or digit.`,
    );
  }
  let duration;
  if (options.duration !== undefined) {
    duration = /^\d{1,6}$/.test(options.duration) ? Number(options.duration) : Number.NaN;
    if (!(duration >= DURATION_SECONDS.minimum && duration <= DURATION_SECONDS.maximum))
      throw new HelperError(
        `--duration is a number of seconds from ${DURATION_SECONDS.minimum} to ${DURATION_SECONDS.maximum}.`,
      );
  }

  const session = await signedInSession(options);
  const { stored, portal } = session;
  const useCache = options['no-cache'] !== true;
  const cached = useCache ? cacheFile(portal, stored.token, options.role, duration) : undefined;
  if (cached !== undefined) {
    // Credentials already issued stay valid until they expire, whatever happens to the token.
    const text = await readCache(cached, portal);
    if (text !== null) {
      process.stdout.write(text);
      return;
    }
  }
  if (stored.expiresAt !== undefined && stored.expiresAt.getTime() <= Date.now()) {
    throw new HelperError(session.expired);
  }

  const url = new URL(`${portal}/api/v1/credentials/process`);
  url.searchParams.set('role', options.role);
  if (duration !== undefined) url.searchParams.set('durationSeconds', String(duration));
  const response = await request(
    url,
    {
      method: 'GET',
      headers: { authorization: `Bearer ${stored.token}`, accept: 'application/json', 'user-agent': userAgent() },
    },
    portal,
  );
  if (response.status !== 200) throw refusal(response, session, `issue credentials for role ${options.role}`);
  checkProcessJson(response.text, portal);
  if (cached !== undefined) {
    // A cache that cannot be written costs speed, not correctness: the credentials still go out.
    await mkdir(path.dirname(cached), { recursive: true, mode: 0o700 }).catch(() => {});
    await writePrivateFile(cached, response.text, 'the credential cache').catch(() => {});
    await pruneCache(path.dirname(cached));
  }
  process.stdout.write(response.text);
}

/**
 * One line: from the terminal with a prompt on stderr, or from piped standard input.
 * @param {string} userName
 * @returns {Promise<string>} the code's 6 digits
 */
async function readMfaCode(userName) {
  /** @type {string} */
  let answer;
  if (process.stdin.isTTY) {
    const prompt = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      answer = await new Promise((resolve, reject) => {
        prompt.on('SIGINT', () => reject(new HelperError('Cancelled.')));
        prompt.on('close', () => reject(new HelperError('No MFA code entered.')));
        prompt.question(`MFA code for ${userName}: `, resolve);
      });
    } finally {
      prompt.removeAllListeners('close');
      prompt.close();
    }
  } else {
    answer = await new Promise((resolve, reject) => {
      let buffered = '';
      const done = () => {
        process.stdin.off('data', onData).off('end', done).off('error', onError);
        process.stdin.pause();
        resolve(buffered.split(/\r?\n/)[0] ?? '');
      };
      /** @param {string} chunk */
      const onData = (chunk) => {
        buffered += chunk;
        if (buffered.includes('\n') || buffered.length > 1024) done();
      };
      const onError = () => reject(new HelperError('Cannot read the MFA code from standard input.'));
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', onData).on('end', done).on('error', onError);
    });
  }
  const code = normalizeMfaCode(answer.trim());
  if (code === null) throw new HelperError('The MFA code is the 6 digits your authenticator app shows.');
  return code;
}

/**
 * The code printed by a command such as `ykman oath accounts code -s aws` (TOTP kept on a
 * YubiKey): the last field of its last non-empty line. Its standard error (a "touch your key"
 * prompt) goes to the terminal; its output is never shown, in success or failure.
 * @param {string} command run by the system shell, as typed
 * @returns {Promise<string>}
 */
function codeFromCommand(command) {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(command, { shell: true, stdio: ['inherit', 'pipe', 'inherit'], windowsHide: true });
    } catch {
      reject(new HelperError('Cannot run the --code-command.'));
      return;
    }
    let output = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), CODE_COMMAND_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (/** @type {string} */ chunk) => {
      if (output.length < 4096) output += chunk;
    });
    child.on('error', () => {
      clearTimeout(timer);
      reject(new HelperError('Cannot run the --code-command.'));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (status !== 0) {
        const how = signal ? `was stopped (${signal})` : `failed (exit status ${status})`;
        reject(new HelperError(`The --code-command ${how}; no code was sent to the portal.`));
        return;
      }
      const lastLine =
        output
          .split(/\r?\n/)
          .filter((line) => line.trim() !== '')
          .pop() ?? '';
      const code = normalizeMfaCode(lastLine.trim().split(/\s+/).pop() ?? '');
      if (code === null) {
        reject(new HelperError('The --code-command did not print a 6-digit code as the last field of its output.'));
        return;
      }
      resolve(code);
    });
  });
}

/** @param {Options} options */
async function login(options) {
  if (options.user === undefined) throw new HelperError('Missing --user <IAM user name> (see --help).');
  if (!isUserName(options.user)) {
    throw new HelperError(
      `The user name is your IAM user name: ${USER_NAME.minLength} to ${USER_NAME.maxLength} letters, digits and _ + = , . @ -.`,
    );
  }
  const portal = choosePortal(options);
  const file = tokenFilePath(options);
  const code =
    options['code-command'] !== undefined
      ? await codeFromCommand(options['code-command'])
      : await readMfaCode(options.user);

  const response = await request(
    new URL(`${portal}/api/v1/cli-tokens`),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': userAgent() },
      body: JSON.stringify({ userName: options.user, code }),
    },
    portal,
  );
  if (response.status === 401) {
    const { code: errorCode, message } = apiError(response);
    throw new HelperError(
      errorCode === 'invalid_mfa_code' || message === undefined
        ? 'The portal did not accept that MFA code (wrong, expired or already used). Wait for the next code and try again.'
        : `The portal did not sign you in: ${message}`,
    );
  }
  if (response.status !== 200 && response.status !== 201) {
    throw new HelperError(describeFailure(response, portal, { action: 'sign you in' }));
  }

  let data;
  try {
    data = JSON.parse(response.text);
  } catch {
    data = undefined;
  }
  if (typeof data?.token !== 'string' || !PORTAL_TOKEN.test(data.token)) {
    throw new HelperError(`The portal at ${portal} answered without a usable token.`);
  }
  secrets.add(data.token);
  const expiresAt =
    typeof data.expiresAt === 'string' && !Number.isNaN(Date.parse(data.expiresAt)) ? data.expiresAt : undefined;
  /** @type {{ portal: string, userName: string, token: string, expiresAt?: string }} */
  const stored = { portal, userName: options.user, token: data.token };
  if (expiresAt !== undefined) stored.expiresAt = expiresAt;
  await writeTokenFile(file, stored);
  process.stderr.write(
    `Signed in to ${portal} as ${options.user}. Token saved to ${file}${expiresAt ? `; it expires at ${expiresAt}` : ''}.\n`,
  );
}

/** The lines `configure` writes between; the portal's download uses the same (server/src/formats/aws-config-profiles.ts). */
export const BLOCK_BEGIN =
  '# >>> aws-mfa-portal profiles (managed by aws-mfa-portal-credentials configure; edits here are replaced)';
export const BLOCK_END = '# <<< aws-mfa-portal profiles';
const PROFILE_NAME = /^[A-Za-z0-9_.@+=,][A-Za-z0-9_.@+=,-]{0,63}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;

/**
 * A profile as the portal lists it, checked field by field: `configure` writes lines that the
 * AWS CLI runs, so nothing from the portal reaches them unless it is a plain name or number.
 * @typedef {{ profile: string, roleAlias: string, region: string, durationSeconds: number }} PortalProfile
 */

/**
 * @param {string} text
 * @param {string} portal
 * @returns {PortalProfile[]}
 */
function checkProfiles(text, portal) {
  /** @param {string} what */
  const invalid = (what) => new HelperError(`The portal at ${portal} sent an unusable profile list (${what}).`);
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (!Array.isArray(data?.profiles)) throw invalid('no profiles');
  /** @type {Set<string>} */
  const names = new Set();
  return data.profiles.map((/** @type {any} */ p) => {
    if (typeof p?.profile !== 'string' || !PROFILE_NAME.test(p.profile) || p.profile === 'default')
      throw invalid('a profile name');
    if (names.has(p.profile.toLowerCase())) throw invalid('a repeated profile name');
    names.add(p.profile.toLowerCase());
    if (typeof p.roleAlias !== 'string' || !isRoleAlias(p.roleAlias)) throw invalid('a role alias');
    if (typeof p.region !== 'string' || !REGION.test(p.region)) throw invalid('a region');
    const d = p.durationSeconds;
    if (!Number.isInteger(d) || d < DURATION_SECONDS.minimum || d > DURATION_SECONDS.maximum)
      throw invalid('a duration');
    return { profile: p.profile, roleAlias: p.roleAlias, region: p.region, durationSeconds: d };
  });
}

/**
 * How credential_process lines start: `--command`, else this helper's name when that name on
 * PATH is this very file, else node and this file by absolute path (botocore splits the line
 * like a POSIX shell, so quoted paths work).
 * @param {Options} options
 */
function helperCommand(options) {
  if (options.command !== undefined) {
    if (/[\r\n#;]/.test(options.command)) throw new HelperError('--command must be one line without # or ;.');
    return options.command;
  }
  const self = realpathSync(process.argv[1] ?? '');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      const candidate = path.join(dir, NAME);
      if (statSync(candidate).isFile() && realpathSync(candidate) === self) return NAME;
    } catch {
      // not here
    }
  }
  return `${shellQuote(process.execPath)} ${shellQuote(self)}`;
}

/**
 * @param {PortalProfile[]} profiles
 * @param {{ command: string, portal: string, tokenFile?: string, userName?: string }} how
 */
function renderBlock(profiles, how) {
  const tokenArg = how.tokenFile !== undefined ? ` --token-file ${shellQuote(how.tokenFile)}` : '';
  const lines = [
    BLOCK_BEGIN,
    `# ${profiles.length} role${profiles.length === 1 ? '' : 's'}${how.userName ? ` of ${how.userName}` : ''} at ${how.portal}; run \`${NAME} configure\` again to update.`,
  ];
  for (const p of profiles) {
    lines.push(
      '',
      `[profile ${p.profile}]`,
      `credential_process = ${how.command} --portal ${shellQuote(how.portal)} --role ${p.roleAlias} --duration ${p.durationSeconds}${tokenArg}`,
      `region = ${p.region}`,
      `duration_seconds = ${p.durationSeconds}`,
    );
  }
  lines.push(BLOCK_END);
  return lines;
}

/**
 * Splits a config file into what lies before, inside and after the managed block.
 * @param {string[]} lines
 * @param {string} file
 */
function splitAtBlock(lines, file) {
  const begins = lines.flatMap((line, i) => (line.trimEnd() === BLOCK_BEGIN ? [i] : []));
  const ends = lines.flatMap((line, i) => (line.trimEnd() === BLOCK_END ? [i] : []));
  if (begins.length === 0 && ends.length === 0) return { before: lines, inside: [], after: [] };
  const begin = begins[0] ?? -1;
  const end = ends[0] ?? -1;
  if (begins.length !== 1 || ends.length !== 1 || end < begin) {
    throw new HelperError(
      `${file} has damaged "${NAME}" marker lines (each must appear once, begin before end). Fix them by hand; nothing was changed.`,
    );
  }
  return { before: lines.slice(0, begin), inside: lines.slice(begin + 1, end), after: lines.slice(end + 1) };
}

/** @param {string[]} lines */
const profileNames = (lines) =>
  lines.flatMap((line) => {
    const match = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]\s*$/.exec(line);
    return match?.[1] !== undefined ? [match[1]] : [];
  });

/** @param {Options} options */
async function configure(options) {
  const session = await signedInSession(options);
  const { stored, portal } = session;
  if (stored.expiresAt !== undefined && stored.expiresAt.getTime() <= Date.now())
    throw new HelperError(session.expired);
  const url = new URL(`${portal}/api/v1/aws-config`);
  url.searchParams.set('format', 'json');
  const response = await request(
    url,
    {
      method: 'GET',
      headers: { authorization: `Bearer ${stored.token}`, accept: 'application/json', 'user-agent': userAgent() },
    },
    portal,
  );
  if (response.status !== 200) throw refusal(response, session, 'list your roles');
  const profiles = checkProfiles(response.text, portal);

  const configured = options['config-file'] ?? process.env.AWS_CONFIG_FILE;
  const named = configured ? expandHome(configured) : path.join(os.homedir(), '.aws', 'config');
  // A symlinked config (dotfile managers) is updated where it points, and stays a link.
  const file = await realpath(named).catch(() => named);
  /** @type {string | null} */
  let original = null;
  let mode = 0o600;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new HelperError(`${file} is not a regular file.`);
    if (info.size > 4 * 1024 * 1024) throw new HelperError(`${file} is too large to be an AWS config file.`);
    mode = info.mode & 0o777;
    original = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof HelperError) throw error;
    if (details(error).code !== 'ENOENT') throw new HelperError(`Cannot read ${file}.`);
  }
  const newline = original?.includes('\r\n') ? '\r\n' : '\n';
  const lines = original === null || original === '' ? [] : original.replace(/\r?\n$/, '').split(/\r?\n/);
  const { before, inside, after } = splitAtBlock(lines, file);

  // Two sections of one name make the AWS CLI refuse the whole file: a profile you wrote yourself wins.
  const yours = new Set([...profileNames(before), ...profileNames(after)].map((n) => n.toLowerCase()));
  const kept = profiles.filter((p) => !yours.has(p.profile.toLowerCase()));
  const skipped = profiles.filter((p) => yours.has(p.profile.toLowerCase())).map((p) => p.profile);
  const tokenFile = options['token-file'] !== undefined ? tokenFilePath(options) : undefined;
  const block = renderBlock(kept, {
    command: helperCommand(options),
    portal,
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(stored.userName !== undefined ? { userName: stored.userName } : {}),
  });
  const hadBlock = inside.length > 0 || before.length !== lines.length;
  const head = hadBlock ? before : [...before, ...(before.length > 0 && before.at(-1)?.trim() !== '' ? [''] : [])];
  const text = `${[...head, ...block, ...after].join(newline)}${newline}`;

  const previous = new Set(profileNames(inside));
  const now = new Set(kept.map((p) => p.profile));
  const added = [...now].filter((n) => !previous.has(n));
  const removed = [...previous].filter((n) => !now.has(n));
  if (text === original) {
    process.stderr.write(`${file} is up to date (${kept.length} portal profiles).\n`);
    return;
  }
  let backup = '';
  if (original !== null) {
    backup = `${file}.aws-mfa-portal.bak`;
    await copyFile(file, backup).catch(() => {
      throw new HelperError(`Cannot write the backup ${backup}; nothing was changed.`);
    });
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writePrivateFile(file, text, 'the AWS config file', mode);
  const parts = [`Wrote ${kept.length} portal profile${kept.length === 1 ? '' : 's'} to ${file}`];
  if (added.length > 0) parts.push(`added: ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`removed (roles you no longer have): ${removed.join(', ')}`);
  if (backup) parts.push(`previous file: ${backup}`);
  process.stderr.write(`${parts.join('; ')}.\n`);
  if (skipped.length > 0) {
    process.stderr.write(
      `Skipped ${skipped.join(', ')}: your own profiles outside the managed block have these names.\n`,
    );
  }
}

/** @param {string[]} argv */
async function main(argv) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new HelperError(`Node.js 20 or newer is needed (this is ${process.version}).`);
  if (argv.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new HelperError(
      `The portal token is never taken from the command line (other users can see it in the process list, and it stays in shell history). Sign in with: ${loginHint()}`,
    );
  }
  const command = argv[0] === 'login' || argv[0] === 'configure' ? argv[0] : undefined;
  const allowed = command === 'login' ? LOGIN_OPTIONS : command === 'configure' ? CONFIGURE_OPTIONS : PROCESS_OPTIONS;
  const options = parseOptions(command ? argv.slice(1) : argv, allowed);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.version) {
    process.stdout.write(`${NAME} ${VERSION}\n`);
    return;
  }
  if (command === 'login') await login(options);
  else if (command === 'configure') await configure(options);
  else await printCredentials(options);
}

/** True when Node runs this file as the program (also through npm's bin symlink), not when it is imported. */
function isProgram() {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isProgram()) {
  main(process.argv.slice(2)).catch((error) => {
    const message =
      error instanceof HelperError
        ? error.message
        : `Unexpected error: ${printable(details(error).message ?? error, 200)}`;
    process.stderr.write(`${NAME}: ${printable(message, 1000)}\n`);
    process.exitCode = 1;
  });
}
