/**
 * Serves an embedded store over plain FHIR REST (read and search) on loopback, so the remote
 * backend (RemoteFhirStore) is tested against a real HTTP FHIR server, and so a demo can show
 * the gatekeeper in front of "the hospital's EHR" as a separate server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FhirRouter, makeSimpleRequest } from '@medplum/fhir-router';
import { getStatus } from '@medplum/core';
import { type EmbeddedFhirStore } from './store';

export async function serveFhirStore(store: EmbeddedFhirStore, port = 0): Promise<{ baseUrl: string; server: Server; close(): Promise<void> }> {
  const router = new FhirRouter();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.replace(/^\/fhir/, '') + url.search;
      const [outcome, resource] = await router.handleRequest(makeSimpleRequest((req.method ?? 'GET') as 'GET', path), store.repo);
      const body = JSON.stringify(resource ?? outcome);
      res.writeHead(getStatus(outcome), { 'content-type': 'application/fhir+json' });
      res.end(body);
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const actual = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${actual}/fhir`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
