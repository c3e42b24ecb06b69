/// <reference lib="webworker" />
import { expose } from 'comlink';
import { installErrorTransferHandler } from '../src/errorTransfer.ts';
import { createWorkerApi } from './workerApi.ts';

installErrorTransferHandler();
expose(createWorkerApi());
