import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { startTestServer } from './helpers/server.js';
it('dump', async () => {
  const t = await startTestServer('sqlite');
  const r = await fetch(t.baseUrl + '/api/openapi.json');
  writeFileSync('/tmp/openapi.json', JSON.stringify(await r.json(), null, 2));
  await t.close();
});
