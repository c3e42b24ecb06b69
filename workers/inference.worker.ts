/// <reference lib="webworker" />
import { expose } from 'comlink';
import { installErrorTransferHandler } from '../src/errorTransfer.ts';
import type { PredictEndpoint } from './protocol.ts';
import { reservePredictChannel } from './servePredictPort.ts';
import { createWorkerApi } from './workerApi.ts';

installErrorTransferHandler();
// Before comlink's listener, so predict messages stop at the predict server (see reservePredictChannel).
reservePredictChannel(self as unknown as PredictEndpoint);
expose(createWorkerApi());
