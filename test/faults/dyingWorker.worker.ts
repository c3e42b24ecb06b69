/// <reference lib="webworker" />
/**
 * The real inference worker API, which dies (closes itself, no error event) at the stage its name says:
 * `boot` (before the API is exposed), `configure` (before configure() answers), `port` (before the predict
 * port opens), `reload` (on its first load(), which in a restarted worker is the reload of a serving
 * version). Any other name: the ordinary worker.
 */
import { expose } from 'comlink';
import { installErrorTransferHandler } from '../../src/errorTransfer.ts';
import { createWorkerApi } from '../../workers/workerApi.ts';

const stage = self.name;
const die = (): Promise<never> => {
  self.close();
  return new Promise<never>(() => undefined);
};

if (stage === 'boot') {
  self.close();
} else {
  installErrorTransferHandler();
  const api = createWorkerApi();
  const hooks: Record<string, string> = { configure: 'configure', port: 'openPredictPort', reload: 'load' };
  expose(
    new Proxy(api, {
      get(target, key, receiver) {
        if (key === hooks[stage]) return die;
        return Reflect.get(target, key, receiver);
      },
    }),
  );
}
