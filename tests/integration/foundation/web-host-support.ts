/**
 * A web host over a throwaway renderer folder, for the web host's tests: the files given are
 * written under it (paths relative to the folder), and `call` makes one plain HTTP request to it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startWebHost, type WebHost } from '../../../src-main/web/host';
import type { TestWorkstation } from './support';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TestHost {
  host: WebHost;
  call: (pathname: string, options?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestHost(t: TestWorkstation, files: Record<string, string>): Promise<TestHost> {
  const rendererDir = await mkdtemp(path.join(os.tmpdir(), 'careledger-renderer-'));
  await mkdir(path.join(rendererDir, 'assets'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>CareLedger</title>');
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(rendererDir, name), text);
  const host = await startWebHost({ workstation: t.ws, rendererDir, port: 0 });
  const call: TestHost['call'] = (pathname, options = {}) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: pathname, method: options.method ?? 'GET', headers: options.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(options.body);
    });
  return {
    host,
    call,
    close: async () => {
      await host.close();
      await rm(rendererDir, { recursive: true, force: true });
    },
  };
}
