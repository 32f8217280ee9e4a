/**
 * The simulator as a standalone process: `node dist/sim.mjs --world world.yaml [--port 4566]`. Prints its endpoint,
 * serves until interrupted. Point any AWS SDK or the AWS CLI at it with --endpoint-url (credentials: an access key
 * id that is a 12-digit account id of the world, secret `x` unless the world gives the key another; docs/simulator.md).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Simulator } from './server';
import { parseWorld, WorldError } from './world';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { world: { type: 'string' }, port: { type: 'string', default: '0' }, 'no-throttling': { type: 'boolean' } } });
  if (!values.world) throw new WorldError('usage: sim --world FILE [--port N] [--no-throttling]');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WorldError(`--port must be 0-65535, got "${values.port}"`);
  const started = performance.now();
  const world = parseWorld(readFileSync(values.world, 'utf8'), values.world);
  const sim = await Simulator.start({ world, port, throttling: { enabled: !values['no-throttling'] } });
  const ms = (performance.now() - started).toFixed(0);
  process.stdout.write(`simulator listening on ${sim.endpoint} (${world.organization.accounts.length} accounts, ${world.trails.length} trails, ${world.eventDataStores.length} event data stores; loaded in ${ms} ms)\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  process.stderr.write(`sim: ${e.message}\n`);
  process.exit(2);
});
