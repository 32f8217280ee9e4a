// `insights-remediator sim`: the simulator standalone on 127.0.0.1 with a world file (default: the demo's drifted
// organization), until Ctrl-C; prints its endpoint and how to sweep it.
import { Simulator } from '../sim/server';
import { parseWorld, WorldError, type World } from '../sim/world';
import demoWorldText from '../sim/worlds/drifted-organization.yaml';
import { readText, UsageError, type CliOptions } from './options';

export function loadWorld(file: string | undefined): World {
  try {
    return file ? parseWorld(readText(file), file) : parseWorld(demoWorldText, 'the demo world (sim/worlds/drifted-organization.yaml)');
  } catch (e) {
    if (!(e instanceof WorldError)) throw e;
    const [first, ...rest] = e.message.split('\n');
    // One line: the file and its first problem.
    throw new UsageError(rest.length ? `${first} ${rest[0]!.trim()}${rest.length > 1 ? ` (and ${rest.length - 1} more)` : ''}` : first!);
  }
}

export async function simCommand(options: CliOptions, io: { stdout: (text: string) => void }): Promise<Simulator> {
  if (options.positionals.length) throw new UsageError(`sim takes no arguments, got "${options.positionals[0]}" (a world file is --world FILE)`);
  const world = loadWorld(options.world);
  let sim: Simulator;
  try {
    sim = await Simulator.start({ world, port: options.port, throttling: { enabled: options.throttling } });
  } catch (e) {
    throw new UsageError(`cannot listen on 127.0.0.1:${options.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const management = world.organization.managementAccount;
  io.stdout(
    [
      `simulator listening on ${sim.endpoint} (${world.organization.accounts.length} accounts, ${world.trails.length} trails, ${world.eventDataStores.length} event data stores${options.throttling ? '' : ', no TPS quotas'})`,
      `sweep it: AWS_ACCESS_KEY_ID=${management} AWS_SECRET_ACCESS_KEY=x insights-remediator sweep --endpoint-url ${sim.endpoint} --regions ${[...new Set([...world.trails.map((t) => t.homeRegion), ...world.eventDataStores.map((s) => s.region)])].sort().join(',')}`,
      'Ctrl-C stops it',
      '',
    ].join('\n'),
  );
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}
