/**
 * A sweep's worker thread: loads the engine and the scenarios once, then runs each `SweepJob`
 * it is sent and answers with a `SweepReply`, one job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { ParamError } from './params.js';
import { runScenario } from './run.js';
import { scenarioNamed } from './scenarios/index.js';
import type { SweepJob, SweepReply } from './sweep.js';

const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs as a worker thread only');

port.on('message', (job: SweepJob) => {
  let reply: SweepReply;
  try {
    const scenario = scenarioNamed(job.scenario);
    if (scenario === undefined) throw new Error(`no scenario ${job.scenario}`);
    const { result } = runScenario({ scenario, params: job.params, seed: job.seed });
    reply = { index: job.index, result };
  } catch (error) {
    const param = error instanceof ParamError;
    const text = param ? error.message : error instanceof Error ? (error.stack ?? '') : '';
    reply = { index: job.index, error: text || String(error), param };
  }
  port.postMessage(reply);
});
