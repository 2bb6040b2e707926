/**
 * Model 3's optional `views` input (MODEL3.md): int64 [V], which of the 8 dihedral views of the
 * photo the model averages (0..3: turned by k * 90 degrees; 4..7: the same of the mirrored
 * photo). Its default, all 8, is an initializer in the file, so the server feeds `image` alone.
 *
 * onnxruntime-web cannot feed such an input: it lists only inputs without an initializer in
 * `session.inputNames` and refuses to run with any other name ("invalid input 'views'"). So the
 * page removes the `views` initializer from the model bytes before creating its session; `views`
 * is then an ordinary input, and the worker feeds it on every run: one view per live frame, all 8
 * for a captured frame (the server's answer). A model without `views` (model 2.0) is left as it is.
 *
 * The ONNX file is a protobuf: ModelProto field 7 is the GraphProto, whose field 5 holds the
 * initializers (TensorProto, field 8 their name). Only those few fields are read; every other
 * byte is copied unchanged.
 */

export const VIEWS_INPUT = "views";
export const VIEW_COUNT = 8;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;

interface Field {
  number: number;
  wire: number;
  /** The whole field, key included. */
  start: number;
  end: number;
  /** For length-delimited fields: the payload. */
  body: [number, number] | null;
}

function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return [value, i + 1];
  }
  throw new Error("not an ONNX model (bad varint)");
}

function fields(bytes: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let at = start;
  while (at < end) {
    const fieldStart = at;
    const [key, next] = varint(bytes, at);
    at = next;
    const wire = key % 8;
    let body: Field["body"] = null;
    if (wire === 0) at = varint(bytes, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [length, payload] = varint(bytes, at);
      body = [payload, payload + length];
      at = payload + length;
    } else throw new Error(`not an ONNX model (wire type ${wire})`);
    if (at > end) throw new Error("not an ONNX model (truncated)");
    out.push({ number: Math.floor(key / 8), wire, start: fieldStart, end: at, body });
  }
  return out;
}

const decoder = new TextDecoder();

function nameOf(bytes: Uint8Array, message: Field, nameField: number): string | null {
  if (!message.body) return null;
  const name = fields(bytes, ...message.body).find((f) => f.number === nameField && f.body);
  return name?.body ? decoder.decode(bytes.subarray(...name.body)) : null;
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/**
 * The model bytes with the initializer of graph input `name` removed (so onnxruntime-web can feed
 * it), and whether the graph declares that input at all. Bytes without such an initializer come
 * back as they are.
 */
export function exposeInput(model: Uint8Array, name = VIEWS_INPUT): { bytes: Uint8Array; declared: boolean } {
  const top = fields(model, 0, model.length);
  const graph = top.find((f) => f.number === MODEL_GRAPH && f.body);
  if (!graph?.body) throw new Error("not an ONNX model (no graph)");
  const parts = fields(model, ...graph.body);
  const declared = parts.some((f) => f.number === GRAPH_INPUT && nameOf(model, f, VALUE_INFO_NAME) === name);
  const drop = parts.filter((f) => f.number === GRAPH_INITIALIZER && nameOf(model, f, TENSOR_NAME) === name);
  if (!declared || drop.length === 0) return { bytes: model, declared };
  const kept = parts.filter((f) => !drop.includes(f));
  const graphLength = kept.reduce((n, f) => n + f.end - f.start, 0);
  const key = encodeVarint(MODEL_GRAPH * 8 + 2);
  const length = encodeVarint(graphLength);
  const out = new Uint8Array(model.length - (graph.end - graph.start) + key.length + length.length + graphLength);
  let at = 0;
  const put = (chunk: ArrayLike<number>) => {
    out.set(chunk, at);
    at += chunk.length;
  };
  put(model.subarray(0, graph.start));
  put(key);
  put(length);
  for (const f of kept) put(model.subarray(f.start, f.end));
  put(model.subarray(graph.end));
  return { bytes: out, declared };
}

/** The `views` tensor's values: one view (0..7) or, for `null`, all 8 (the server's answer). */
export function viewsFor(view: number | null): BigInt64Array {
  if (view === null) return BigInt64Array.from({ length: VIEW_COUNT }, (_, k) => BigInt(k));
  if (!(Number.isInteger(view) && view >= 0 && view < VIEW_COUNT)) throw new RangeError(`view ${view} is not 0..7`);
  return BigInt64Array.of(BigInt(view));
}
