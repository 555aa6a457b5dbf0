/** The declarative route shape: method, path under `/services/data/vNN.N`, a kind for counters and faults. */
import type { EmulatorEnv, HandlerResult } from '../env.js';
import type { WriteContext } from '../records.js';

export interface ApiCall {
  env: EmulatorEnv;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Headers;
  /** The parsed JSON body (JSON_PARSER_ERROR when malformed), undefined when empty. */
  json(): Promise<unknown>;
  /** The raw body (Bulk API CSV uploads). */
  text(): Promise<string>;
  /** `/services/data/v60.0` */
  apiBase: string;
  /** Who acts (token user, Sforce-Call-Options client, clock, the call's transaction). */
  write: WriteContext;
  /** Runs another API route inside this call (composite subrequests): no auth, no count, same transaction. */
  dispatch(method: string, url: string, body: unknown): Promise<HandlerResult>;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  kind: string;
  /** The API family named in CDC `changeOrigin` (default `rest`). */
  api?: 'rest' | 'bulkapi';
  handle(call: ApiCall): HandlerResult | Promise<HandlerResult>;
}
