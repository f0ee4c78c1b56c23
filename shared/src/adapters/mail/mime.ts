import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../core/errors';
import type { MailAttachment, MailMessage } from '../../ports/mail';

// RFC 5322 messages with MIME (RFC 2045–2047, 2231), built by hand: the shapes we send are few
// (text, optional HTML, attachments) and both adapters (SES raw, maildir) need the same bytes.
// Lines end in CRLF; header values are folded at 78 columns; bodies are quoted-printable (text)
// or base64 (attachments), so every line stays under 998 octets and 7-bit clean.

const CRLF = '\r\n';

/** An ASCII address without display-name syntax; internationalised addresses (SMTPUTF8) are refused. */
const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** Who the message is from: the platform's verified sender, optionally with a display name. */
export interface MimeSender {
  address: string;
  name?: string;
}

export interface MimeOptions {
  from: MimeSender;
  date: Date;
  /** Without angle brackets, e.g. `01J…@consort.example`. */
  messageId: string;
  /** Fixed boundaries make the output reproducible in tests; random by default. */
  boundarySeed?: string;
}

/** Check an address; throws ValidationError (no header injection, no display-name smuggling). */
export function checkAddress(address: string, field: string): string {
  if (address.length > 254 || !ADDRESS.test(address))
    throw new ValidationError(`Not a usable e-mail address in ${field}: ${JSON.stringify(address)}`);
  return address;
}

const isPlainAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** RFC 2047 encoded-words (UTF-8, base64), each at most 64 characters, split on character boundaries. */
export function encodeWords(text: string): string[] {
  const words: string[] = [];
  let chunk: number[] = [];
  const flush = () => {
    if (chunk.length) words.push(`=?UTF-8?B?${Buffer.from(chunk).toString('base64')}?=`);
    chunk = [];
  };
  for (const char of text) {
    const bytes = [...Buffer.from(char, 'utf8')];
    // 39 bytes → 52 base64 characters → a 64-character word, so "Subject: " plus one word fits 78 columns.
    if (chunk.length + bytes.length > 39) flush();
    chunk.push(...bytes);
  }
  flush();
  return words;
}

function noBreaks(value: string, field: string): string {
  if (/[\r\n\0]/.test(value)) throw new ValidationError(`Line breaks are not allowed in ${field}`);
  return value;
}

/** An unstructured header value (Subject): ASCII as is, otherwise encoded-words folded onto lines. */
export function encodeUnstructured(value: string): string {
  noBreaks(value, 'the subject');
  if (isPlainAscii(value) && !/=\?/.test(value)) return value;
  return encodeWords(value).join(' ');
}

/** `Name <address>`, with the name quoted or encoded as needed. */
export function formatMailbox(address: string, name: string | undefined, field: string): string {
  checkAddress(address, field);
  if (!name) return address;
  noBreaks(name, field);
  if (isPlainAscii(name) && !/=\?/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${encodeWords(name).join(' ')} <${address}>`;
}

/**
 * Fold a header line at spaces so lines stay within 78 columns where a space allows it (RFC 5322
 * §2.2.3: folding inserts CRLF before existing whitespace; unfolding removes it). Spaces between
 * encoded-words vanish on decoding, so encoded subjects and names fold safely too.
 */
function fold(line: string): string {
  if (line.length <= 78) return line;
  const out: string[] = [];
  let current = '';
  for (const token of line.split(' ')) {
    if (current && current.length + 1 + token.length > 78) {
      out.push(current);
      current = ` ${token}`;
    } else current = current ? `${current} ${token}` : token;
  }
  out.push(current);
  return out.join(CRLF);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 date-time in UTC, e.g. `Mon, 31 Mar 2025 10:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text, with CRLF line ends and lines of at most 76 characters. */
export function quotedPrintable(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((b, i) => {
        const isLast = i === bytes.length - 1;
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !isLast);
        tokens.push(literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
      });
      const out: string[] = [];
      let current = '';
      for (const token of tokens) {
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += token;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}

/** Base64 in lines of 76 characters. */
export function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join(CRLF);
}

/**
 * A MIME parameter. Non-ASCII values: `filename*=UTF-8''…` (RFC 2231) in Content-Disposition, and an
 * encoded-word in Content-Type's `name`, which is what mail clients read when both are present.
 */
function parameter(name: 'name' | 'filename', value: string): string {
  noBreaks(value, `the ${name} parameter`);
  if (isPlainAscii(value)) return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
  if (name === 'name') return `name="=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?="`;
  const encoded = encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename*=UTF-8''${encoded}`;
}

interface Part {
  headers: string[];
  body: string;
}

function textPart(subtype: 'plain' | 'html', content: string): Part {
  return {
    headers: [`Content-Type: text/${subtype}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable'],
    body: quotedPrintable(content),
  };
}

function attachmentPart(a: MailAttachment): Part {
  if (!CONTENT_TYPE.test(a.contentType)) throw new ValidationError(`Not a content type: ${JSON.stringify(a.contentType)}`);
  if (!a.filename) throw new ValidationError('An attachment needs a file name');
  return {
    headers: [
      `Content-Type: ${a.contentType}; ${parameter('name', a.filename)}`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; ${parameter('filename', a.filename)}`,
    ],
    body: base64Lines(a.bytes),
  };
}

function multipart(subtype: 'mixed' | 'alternative', boundary: string, parts: Part[]): Part {
  const body = [...parts.map((p) => `--${boundary}${CRLF}${p.headers.join(CRLF)}${CRLF}${CRLF}${p.body}`), `--${boundary}--`].join(CRLF);
  return { headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`], body: `${body}${CRLF}` };
}

/**
 * The message as RFC 5322 bytes: headers, then text/plain (or multipart/alternative with HTML), in a
 * multipart/mixed with base64 attachments when there are any. Throws ValidationError for unusable
 * addresses, header values with line breaks and malformed content types.
 */
export function buildMimeMessage(message: MailMessage, options: MimeOptions): Buffer {
  if (message.to.length === 0) throw new ValidationError('An e-mail needs at least one recipient');
  // "=_" cannot occur in quoted-printable or base64 output, so these boundaries never clash with content.
  const seed = options.boundarySeed ?? randomBytes(12).toString('hex');
  const headers = [
    `From: ${formatMailbox(options.from.address, message.fromName ?? options.from.name, 'From')}`,
    `To: ${message.to.map((a) => checkAddress(a, 'To')).join(', ')}`,
    ...(message.cc?.length ? [`Cc: ${message.cc.map((a) => checkAddress(a, 'Cc')).join(', ')}`] : []),
    ...(message.replyTo ? [`Reply-To: ${checkAddress(message.replyTo, 'Reply-To')}`] : []),
    `Subject: ${encodeUnstructured(message.subject)}`,
    `Date: ${rfc5322Date(options.date)}`,
    `Message-ID: <${noBreaks(options.messageId, 'Message-ID')}>`,
    'MIME-Version: 1.0',
  ];
  let body: Part = message.html
    ? multipart('alternative', `=_alt_${seed}`, [textPart('plain', message.text), textPart('html', message.html)])
    : textPart('plain', message.text);
  if (message.attachments?.length) {
    body = multipart('mixed', `=_mixed_${seed}`, [body, ...message.attachments.map(attachmentPart)]);
  }
  return Buffer.from([...headers, ...body.headers].map(fold).join(CRLF) + CRLF + CRLF + body.body, 'utf8');
}
