/// <reference lib="webworker" />
/** The real inference worker with its storage broken first (see breakStorage.ts; the mode is the worker's name). */
import './breakStorage.ts';
import '../../workers/inference.worker.ts';
