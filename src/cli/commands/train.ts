import { loadConfig } from '../../config.js';
import { Engine, StoreLockedError } from '../../engine.js';
import { loadKeys } from '../../keys.js';
import type { BundleManifest } from '../../train/pipeline.js';
import { CliError, type Command } from '../command.js';
import { formatCount, ProgressBar } from '../progress.js';
import { runningServer } from './serve.js';

/** The human summary of a trained version: data, every model's holdout figures and the surfaces. */
export function renderManifest(m: BundleManifest): string {
  const lines = [
    `version ${m.version}: ${formatCount(m.data.users)} shoppers, ${formatCount(m.data.items)} items, ${formatCount(m.data.interactions)} interactions from ${formatCount(m.data.events)} events`,
    m.holdout
      ? `holdout: ${m.holdout.protocol}, ${formatCount(m.holdout.users)} shoppers judged`
      : 'holdout: skipped',
    '',
    '| model | ndcg@10 | recall@20 | fit s |',
    '| --- | ---: | ---: | ---: |',
    ...m.models.map(
      (x) =>
        `| ${x.id} | ${x.holdout?.['ndcg@10']?.toFixed(4) ?? '-'} | ${x.holdout?.['recall@20']?.toFixed(4) ?? '-'} | ${x.fitSeconds.toFixed(2)} |`,
    ),
    '',
    `personalized: ${m.surfaces.personalized}; similar items: ${m.surfaces.similar ?? '-'}; content: ${m.surfaces.content ?? '-'}`,
    `bought together: ${m.rules ? `${formatCount(m.rules.rules)} rules from ${formatCount(m.rules.orders)} orders` : 'off'}; sessions: ${m.session ? `${m.session.model} over ${formatCount(m.session.sessions)} sessions` : 'off'}`,
  ];
  return lines.join('\n');
}

/** Asks the server that holds the database to train, and waits for it. */
async function trainOnServer(url: string, adminKey: string, quiet: boolean): Promise<BundleManifest> {
  const headers = { authorization: `Bearer ${adminKey}` };
  const start = await fetch(`${url}/v1/train`, { method: 'POST', headers });
  if (!start.ok) throw new CliError(`the running server at ${url} answered ${start.status}`);
  if (!quiet) console.error(`cartwise: the server at ${url} holds the database; it trains now`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const res = await fetch(`${url}/v1/model`, { headers });
    const state = (await res.json()) as {
      training: { running: boolean; lastError: string | null; progress: string | null };
      manifest: BundleManifest | null;
    };
    if (state.training.running) {
      if (!quiet && state.training.progress) console.error(`  ${state.training.progress}`);
      continue;
    }
    if (state.training.lastError) throw new CliError(`training failed: ${state.training.lastError}`);
    if (!state.manifest) throw new CliError('training ended without a model version');
    return state.manifest;
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'fit the configured recommenders on the store and make them the served version',
  usage: 'cartwise train [--data DIR] [--settings FILE] [--json]',
  details: [
    '--data DIR       data directory (default $CARTWISE_DATA or ./data); versions go to DIR/models',
    '--settings FILE  settings file (default $CARTWISE_SETTINGS or DIR/settings.json when present);',
    '                 its "training" section names the models (default "auto": by the data size)',
    "--json           print the new version's manifest as JSON",
    '',
    'Every model is judged on the latest 10% of events, then fitted on everything. A running server',
    'holding the database trains in its own worker thread and swaps the version in; requests keep the',
    'previous version meanwhile.',
  ].join('\n'),
  options: { data: { type: 'string' }, settings: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }) {
    const config = loadConfig({ data: values.data as string, settings: values.settings as string });
    const quiet = Boolean(values.json);
    let manifest: BundleManifest;
    try {
      const engine = await Engine.open(config);
      const bar = quiet ? null : new ProgressBar('train');
      // Without a terminal (logs, CI) each step prints one line with the time it started.
      const started = performance.now();
      let step = '';
      const log = !quiet && !process.stderr.isTTY;
      try {
        manifest = await engine.train((message, fraction) => {
          bar?.update(fraction ?? 0, 1, message);
          const head = message.replace(/ \d+\/\d+$/, '');
          if (log && head !== step) {
            step = head;
            process.stderr.write(
              `  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${message}\n`,
            );
          }
        });
      } catch (error) {
        throw new CliError(`training failed: ${(error as Error).message}`);
      } finally {
        bar?.done();
        await engine.close();
      }
    } catch (error) {
      const server = error instanceof StoreLockedError ? runningServer(config.dataDir) : null;
      if (!server) throw error;
      manifest = await trainOnServer(server.url, loadKeys(config.dataDir, config).adminKey, quiet);
    }
    console.log(quiet ? JSON.stringify(manifest) : renderManifest(manifest));
    return 0;
  },
};
