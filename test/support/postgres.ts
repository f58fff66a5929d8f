// A fresh PostgreSQL database per caller on the run's throw-away cluster (global-setup.ts).
import pg from 'pg';

let counter = 0;

export async function createTestDatabase(label = 'db'): Promise<string> {
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_POSTGRES_URL is not set (test/support/global-setup.ts starts the cluster)');
  const name = `${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${++counter}_${Date.now() % 1e6}`.toLowerCase();
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/[^/]+$/, `/${name}`);
}
