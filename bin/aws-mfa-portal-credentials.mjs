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
// the helper asks the portal for fresh ones and prints credential_process JSON on stdout.
//
// Plain Node.js (>= 20), no dependencies: copy this one file anywhere on your PATH.
// Secrets never reach stderr, the command line, or an error message.
//
// The input rules below are the portal's own (bin/aws-mfa-portal-credentials.test.ts proves they
// equal the server's schemas), so the helper refuses early exactly what the portal would refuse.

import { randomBytes } from 'node:crypto';
import { constants, realpathSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

export const NAME = 'aws-mfa-portal-credentials';
/** The package version (package.json), reported by --version and in the User-Agent. */
export const VERSION = '0.1.0';
const TIMEOUT_MS = 30_000;
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
  ${NAME} --role <alias> [--portal <url>] [--token-file <path>] [--duration <seconds>]
      Print credential_process JSON for a role of the portal's catalog (for ~/.aws/config).
  ${NAME} login --portal <url> --user <IAM user name> [--token-file <path>]
      Ask for an MFA code (on the terminal, or one line of standard input) and store a portal
      token in the token file (mode 0600).

Options:
  --portal <url>       The portal's https:// URL (http:// only for localhost). Default: the
                       AWS_MFA_PORTAL_URL environment variable, else the URL saved by login.
  --token-file <path>  Default: $XDG_CONFIG_HOME/aws-mfa-portal/token (~/.config/aws-mfa-portal/token).
                       It must be yours and not accessible to others (chmod 600).
  --duration <s>       Requested session length in seconds (900..43200); the portal may cap it.

The token is never accepted on the command line. Exit status: 0 on success, 1 on any error
(with a one-line message on standard error).
`;

const PROCESS_OPTIONS = ['role', 'portal', 'token-file', 'duration'];
const LOGIN_OPTIONS = ['portal', 'user', 'token-file'];

/**
 * The parsed command line.
 * @typedef {{ help?: boolean, version?: boolean, role?: string, portal?: string, user?: string,
 *   duration?: string, 'token-file'?: string }} Options
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
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new HelperError(`--${name} needs a value (see --help).`);
    if (Object.hasOwn(options, name)) throw new HelperError(`--${name} is given twice.`);
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
    // Windows has no POSIX owner or mode bits; there the file's ACL (your profile directory) applies.
    if (process.platform !== 'win32') {
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
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    const { code } = details(error);
    throw new HelperError(`Cannot write the token file ${file} (${typeof code === 'string' ? code : 'error'}).`);
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
  if (stored.expiresAt !== undefined && stored.expiresAt.getTime() <= Date.now()) throw new HelperError(expired);

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

  if (response.status === 200) {
    checkProcessJson(response.text, portal);
    process.stdout.write(response.text);
    return;
  }
  if (response.status === 401) {
    const { code } = apiError(response);
    if (code === 'invalid_token') {
      throw new HelperError(
        `Your portal token is not valid (revoked, or issued by another portal). Get a new one: ${loginHint(portal, stored.userName)} (or open ${portal})`,
      );
    }
    throw new HelperError(expired);
  }
  throw new HelperError(describeFailure(response, portal, { action: `issue credentials for role ${options.role}` }));
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
  const code = await readMfaCode(options.user);

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

/** @param {string[]} argv */
async function main(argv) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new HelperError(`Node.js 20 or newer is needed (this is ${process.version}).`);
  if (argv.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new HelperError(
      `The portal token is never taken from the command line (other users can see it in the process list, and it stays in shell history). Sign in with: ${loginHint()}`,
    );
  }
  const isLogin = argv[0] === 'login';
  const options = parseOptions(isLogin ? argv.slice(1) : argv, isLogin ? LOGIN_OPTIONS : PROCESS_OPTIONS);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (options.version) {
    process.stdout.write(`${NAME} ${VERSION}\n`);
    return;
  }
  await (isLogin ? login(options) : printCredentials(options));
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
