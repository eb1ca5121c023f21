#!/usr/bin/env node
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

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const NAME = 'aws-mfa-portal-credentials';
const VERSION = '0.1.0';
const TIMEOUT_MS = 30_000;
const MAX_FILE_BYTES = 64 * 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024;

// The portal catalog's alias rule (server/src/formats/render-input.ts, ROLE_ALIAS).
const ROLE_ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const PORTAL_TOKEN = /^[A-Za-z0-9._~+/=-]{16,4096}$/;
const MFA_CODE = /^\d{6}$/;
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

/** A failure whose message is safe and useful to print as is. */
class HelperError extends Error {}

/** Secrets seen so far, scrubbed from anything printed (belt and braces: none should be printed). */
const secrets = new Set();

/** Server-provided text, made one printable line without secrets. */
function printable(text, max = 300) {
  let line = String(text)
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const secret of secrets) line = line.split(secret).join('[redacted]');
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** Quotes a path for a copy-paste shell command in a message. */
function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

function parseOptions(args, allowed) {
  const options = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
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

/** The portal's base URL without a trailing slash; only https, or http to this machine. */
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

function choosePortal(options, fallback) {
  if (options.portal !== undefined) return portalBase(options.portal, '--portal');
  const fromEnv = process.env.AWS_MFA_PORTAL_URL;
  if (fromEnv) return portalBase(fromEnv, 'AWS_MFA_PORTAL_URL');
  if (fallback !== undefined) return fallback;
  throw new HelperError('No portal URL: pass --portal <url> or set AWS_MFA_PORTAL_URL.');
}

function expandHome(file) {
  // credential_process lines are not run by a shell, so `~` would otherwise stay literal.
  if (file === '~') return os.homedir();
  if (file.startsWith('~/')) return path.join(os.homedir(), file.slice(2));
  return path.resolve(file);
}

function tokenFilePath(options) {
  if (options['token-file'] !== undefined) return expandHome(options['token-file']);
  const xdg = process.env.XDG_CONFIG_HOME;
  const configHome = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(configHome, 'aws-mfa-portal', 'token');
}

function loginHint(portal, userName) {
  const portalArg = portal ?? '<portal URL>';
  return `${NAME} login --portal ${portalArg} --user ${userName ?? '<IAM user name>'}`;
}

/**
 * Reads the token file, refusing one that another user owns or can access: a token readable by
 * others lets them mint AWS credentials as you. Checks run on the opened file (fstat), so the file
 * checked is the file read.
 */
async function readTokenFile(file, portalHint) {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY);
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new HelperError(`No portal token at ${file}. Sign in first: ${loginHint(portalHint)}`);
    }
    throw new HelperError(`Cannot read the token file ${file} (${error.code ?? 'error'}).`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new HelperError(`The token file ${file} is not a regular file.`);
    // Windows has no POSIX owner or mode bits; there the file's ACL (your profile directory) applies.
    if (process.platform !== 'win32') {
      const uid = process.getuid();
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

/** `{ "portal", "token", "expiresAt", "userName" }` as login writes it, or a bare token. */
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
  const stored = { token: data.token };
  if (typeof data.portal === 'string') stored.portal = portalBase(data.portal, file);
  if (typeof data.userName === 'string' && IAM_USER_NAME.test(data.userName)) stored.userName = data.userName;
  if (typeof data.expiresAt === 'string' && !Number.isNaN(Date.parse(data.expiresAt))) {
    stored.expiresAt = new Date(data.expiresAt);
  }
  return stored;
}

/** Writes the token file atomically: a 0600 temp file in the same directory, then rename. */
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
    throw new HelperError(`Cannot write the token file ${file} (${error.code ?? 'error'}).`);
  }
}

async function request(url, init, portal) {
  let response;
  let text;
  try {
    // No redirects: a redirect could carry the Authorization header to another place.
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
      throw new HelperError(`The portal at ${portal} did not answer within ${TIMEOUT_MS / 1000} seconds.`);
    }
    const code = error?.cause?.code ?? error?.code;
    const reason = error?.cause?.message;
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

/** The API's `{ error, message }`, made printable. */
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

/** credential_process output needs Version 1 and the four fields; anything else is not passed on. */
function checkProcessJson(text, portal) {
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

async function printCredentials(options) {
  if (options.role === undefined) throw new HelperError('Missing --role <alias> (see --help).');
  if (!ROLE_ALIAS.test(options.role)) {
    throw new HelperError('The role alias is 1 to 64 letters, digits, _ . - and starts with a letter or digit.');
  }
  let duration;
  if (options.duration !== undefined) {
    duration = /^\d{1,6}$/.test(options.duration) ? Number(options.duration) : Number.NaN;
    if (!(duration >= 900 && duration <= 43_200))
      throw new HelperError('--duration is a number of seconds from 900 to 43200.');
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

/** One line: from the terminal with a prompt on stderr, or from piped standard input. */
async function readMfaCode(userName) {
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
        resolve(buffered.split(/\r?\n/)[0]);
      };
      const onData = (chunk) => {
        buffered += chunk;
        if (buffered.includes('\n') || buffered.length > 1024) done();
      };
      const onError = () => reject(new HelperError('Cannot read the MFA code from standard input.'));
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', onData).on('end', done).on('error', onError);
    });
  }
  const code = answer.trim();
  if (!MFA_CODE.test(code)) throw new HelperError('The MFA code is the 6 digits your authenticator app shows.');
  return code;
}

async function login(options) {
  if (options.user === undefined) throw new HelperError('Missing --user <IAM user name> (see --help).');
  if (!IAM_USER_NAME.test(options.user)) {
    throw new HelperError('The user name is your IAM user name: 1 to 64 letters, digits and _ + = , . @ -.');
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
  const stored = { portal, userName: options.user, token: data.token };
  if (expiresAt !== undefined) stored.expiresAt = expiresAt;
  await writeTokenFile(file, stored);
  process.stderr.write(
    `Signed in to ${portal} as ${options.user}. Token saved to ${file}${expiresAt ? `; it expires at ${expiresAt}` : ''}.\n`,
  );
}

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

main(process.argv.slice(2)).catch((error) => {
  const message =
    error instanceof HelperError ? error.message : `Unexpected error: ${printable(error?.message ?? error, 200)}`;
  process.stderr.write(`${NAME}: ${printable(message, 1000)}\n`);
  process.exitCode = 1;
});
