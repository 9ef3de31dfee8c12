// Runs many .tflite models through TensorFlow Lite itself (npm @tensorflow/tfjs-tflite: TFLite compiled to
// WebAssembly, XNNPACK delegate on) in one process, so a test can compare hundreds of small models
// without paying the WebAssembly start-up for each. Modelled on ../../../shared/tools/tflite_ref.js.
// usage: TFLITE_WASM_DIR=.../tfjs-tflite/wasm node tflite_batch_ref.js JOBS.json
// JOBS.json: [{"model": PATH, "inputs": [NPY, ...], "outdir": DIR}, ...]. For each job, in order, prints
// one JSON line {"index", "ok", "error", "log", "outputs": [{"dtype", "shape"}]} and writes
// DIR/output_K.npy. A job TFLite refuses gets ok false and TFLite's own messages in "log".
const fs = require('fs'), path = require('path');
const W = (process.env.TFLITE_WASM_DIR || '') + '/';
const src = fs.readFileSync(W + 'tflite_web_api_cc_simd.js', 'utf8');
const factory = new Function('require', '__dirname', '__filename', 'module',
  src + '\nreturn tflite_web_api_ModuleFactory;')(require, W, W + 'x.js', {});

const FROM_DESCR = { '<f4': Float32Array, '|i1': Int8Array, '|u1': Uint8Array, '|b1': Uint8Array,
  '<i2': Int16Array, '<i4': Int32Array, '<i8': BigInt64Array };
const TO_DESCR = { Float32Array: '<f4', Int8Array: '|i1', Uint8Array: '|u1', Int16Array: '<i2',
  Int32Array: '<i4', BigInt64Array: '<i8' };

function readNpy(p) {
  const b = fs.readFileSync(p), hl = b.readUInt16LE(8), h = b.slice(10, 10 + hl).toString('latin1');
  const d = h.match(/'descr': '([^']*)'/)[1];
  const raw = b.slice(10 + hl);
  return new FROM_DESCR[d](raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

// bool tensors come back as Uint8Array; the dtype name TFLite reports lets Python relabel them.
function writeNpy(p, arr, shape) {
  let h = `{'descr': '${TO_DESCR[arr.constructor.name]}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length == 1 ? ',' : ''}), }`;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(h.length, 8);
  fs.writeFileSync(p, Buffer.concat([pre, Buffer.from(h, 'latin1'),
    Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength)]));
}

function shapeOf(t) {
  const s = String(t.shape);
  return s === '' ? [] : s.split(',').map(Number);
}

function runJob(M, job, log) {
  const buf = fs.readFileSync(job.model);
  const p = M._malloc(buf.length);
  M.HEAPU8.set(buf, p);
  let r = null, runner = null;
  try {
    r = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(p, buf.length,
      { numThreads: 1, enableProfiling: true, maxProfilingBufferEntries: 1024 });
    if (!r.ok()) throw new Error(r.errorMessage());
    runner = r.value();
    const I = runner.GetInputs();
    if (I.size() !== job.inputs.length) throw new Error(`model takes ${I.size()} inputs, ${job.inputs.length} given`);
    for (let k = 0; k < job.inputs.length; k++) {
      const dst = I.get(k).data(), x = readNpy(job.inputs[k]);
      if (dst.length !== x.length) throw new Error(`input ${k}: ${x.length} values, TFLite wants ${dst.length}`);
      dst.set(x);
    }
    if (!runner.Infer()) throw new Error('Infer failed');
    const O = runner.GetOutputs(), outs = [];
    fs.mkdirSync(job.outdir, { recursive: true });
    for (let k = 0; k < O.size(); k++) {
      const t = O.get(k), d = t.data().slice(), shape = shapeOf(t);
      writeNpy(path.join(job.outdir, `output_${k}.npy`), d, shape);
      outs.push({ dtype: t.dataType, shape });
    }
    const P = runner.GetProfilingResults(), nodes = [];
    for (let k = 0; k < P.size(); k++) nodes.push(P.get(k).nodeType);
    return { ok: true, outputs: outs, nodes };
  } finally {
    if (runner && runner.delete) runner.delete();
    if (r && r.delete) r.delete();
    M._free(p);
  }
}

(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const log = [];
  const M = await factory({ locateFile: f => W + f, wasmBinary: fs.readFileSync(W + 'tflite_web_api_cc_simd.wasm'),
    printErr: s => log.push(String(s)), print: s => log.push(String(s)) });
  for (let i = 0; i < jobs.length; i++) {
    log.length = 0;
    let result;
    try {
      /* TFLite's profiler now and then returns no node list; run again so we know which kernel ran */
      result = runJob(M, jobs[i], log);
      for (let retry = 0; retry < 3 && result.ok && result.nodes.length === 0; retry++) result = runJob(M, jobs[i], log);
    } catch (e) {
      result = { ok: false, error: String(e && e.message || e) };
    }
    result.index = i;
    result.log = log.slice(-8).join('\n');
    process.stdout.write(JSON.stringify(result) + '\n');
  }
})().catch(e => { console.error(String(e)); process.exit(1); });
