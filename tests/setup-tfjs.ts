// Unit tests train with tfjs-core alone; its gradients live in a separate module that every entry
// point (worker, CLI, tests) registers once. The core must load first: importing the gradients
// module alone would pull in a second copy of the core's raw ESM files.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerEngineKernels } from '../src/engine/kernels/register';

// The engine's own CPU/WASM kernels, as every entry point registers them where it picks the backend.
registerEngineKernels();
