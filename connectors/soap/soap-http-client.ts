// The soap package's HttpClient, implemented on the shared HTTP layer (connectors/http/http-client.ts): undici,
// the response size limit, upstream auth, and the caller's AbortSignal — passed by the soap package as a per-call
// option (`client.OpAsync(args, { signal })` and `wsdl_options: { signal }`) and handed to undici, so a timeout
// really cancels the HTTP request. Every answer is screened (soap-xml-screen.ts) before the soap package parses it.
import type { IHttpClient } from 'soap';
import xml2js from 'xml2js';
import type { UnicsError } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import { statusError, type HttpClient } from '../http/http-client.ts';
import { screenXml } from './soap-xml-screen.ts';

export interface SoapHttpClientOptions {
  readonly connector: string;
  readonly http: HttpClient;
  readonly maxDepth: number;
}

/** What the soap package reads of a response (it was written for axios). */
interface SoapHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly data: string;
}

// A Fault element in the body (any prefix): a 4xx/5xx carrying one goes to the soap package to be read as a fault.
const FAULT = /<(?:[A-Za-z_][\w.-]*:)?Fault[\s>]/;

function withoutQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function createSoapHttpClient(opts: SoapHttpClientOptions): IHttpClient {
  async function send(url: string, data: unknown, headers: Record<string, unknown>, signal: AbortSignal): Promise<SoapHttpResponse> {
    const isPost = data !== null && data !== undefined;
    const source = isPost ? withoutQuery(url) : 'the WSDL'; // WSDL failures are reported as "could not load the WSDL from <url>: …"
    const outgoing: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== null) outgoing[k.toLowerCase()] = String(v);
    const res = await opts.http.send({
      method: isPost ? 'POST' : 'GET',
      path: url,
      headers: outgoing,
      ...(isPost ? { body: typeof data === 'string' || Buffer.isBuffer(data) ? data : String(data) } : {}),
      signal,
    });
    const text = res.text();
    const forbidden = screenXml(text, { connector: opts.connector, source, maxDepth: opts.maxDepth });
    if (forbidden) throw forbidden;
    const ok = res.status >= 200 && res.status < 300;
    // A GET fetches the WSDL (or an imported XSD): anything but 2xx is the WSDL's failure, not a fault.
    if (!ok && (!isPost || !FAULT.test(text))) throw soapStatusError(opts.connector, res, isPost ? withoutQuery(url) : url);
    // The soap package reads a truncated WSDL without complaint and then misses operations; refuse it here instead.
    if (!isPost) await wellFormed(opts.connector, text);
    return { status: res.status, headers: res.headers, data: text };
  }

  return {
    request(rurl, data, callback, exheaders, exoptions) {
      const signal = (exoptions as { signal?: AbortSignal } | undefined)?.signal;
      if (!signal) {
        // Every call of this connector passes one; a missing signal is a bug here, not something to wait out.
        callback(connErr.CONN_ERR_CONFIG(`connector "${opts.connector}": internal error: a SOAP request to ${rurl} was made without an AbortSignal`));
        return undefined as never;
      }
      let answered = false;
      const answer = (err: unknown, res?: SoapHttpResponse) => {
        if (answered) return;
        answered = true;
        callback(err, res, res?.data);
      };
      send(rurl, data, (exheaders ?? {}) as Record<string, unknown>, signal).then(
        (res) => answer(null, res),
        (err: unknown) => answer(err),
      );
      return undefined as never; // the soap package ignores the return value when a callback is given
    },
  };
}

async function wellFormed(connector: string, text: string): Promise<void> {
  try {
    await xml2js.parseStringPromise(text, { strict: true, async: false });
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw connErr.CONN_ERR_MALFORMED_RESPONSE(`connector "${connector}": it is not well-formed XML (${why})`, { cause: err });
  }
}

/** Like statusError, but a 404 without a fault is a wrong endpoint or WSDL URL, not a missing record. */
export function soapStatusError(connector: string, res: { status: number; text(): string }, url: string): UnicsError {
  const err = statusError(connector, res, url);
  if (err.code !== 'CONN_ERR_NOT_FOUND') return err;
  return connErr.CONN_ERR_REJECTED(`connector "${connector}": ${url} answered HTTP 404 without a SOAP fault; check the wsdl and endpoint URLs`, {
    details: { status: 404 },
  });
}
