import { createApp } from './app.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name} (see README.md)`);
    process.exit(1);
  }
  return value;
}

const app = createApp({
  chatApiUrl: process.env.CHATSDK_API_URL ?? 'http://localhost:5500',
  chatApiKey: required('CHATSDK_API_KEY'),
  // Comma-separated: during a rotation, the new secret and the old one.
  webhookSecrets: required('CHATSDK_WEBHOOK_SECRET').split(',').map((s) => s.trim()).filter(Boolean),
  // The example's own users; yours come from your database and your login.
  accounts: [
    { id: 'alice', name: 'Alice Martin', password: 'alice-example' },
    { id: 'bob', name: 'Bob Okafor', password: 'bob-example' },
  ],
});

const port = Number(process.env.PORT ?? 4000);
app.listen(port, '127.0.0.1', () => console.log(`example backend on http://127.0.0.1:${port}`));
