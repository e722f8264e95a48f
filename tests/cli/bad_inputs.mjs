// Hostile request texts and the one error line each must get, as data.
// Each row: { label, input (string or Buffer), expected, xfail? }
//   expected: the stderr line after "error: " (a string, exact), or a RegExp for
//             an expected failure whose exact wording is not settled yet.
//   xfail:    why the row fails today; the runner reports it and goes on.
// check_bad_inputs.mjs runs every row through the CLI.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PRESETS = fileURLToPath(new URL('../../presets/', import.meta.url));
// The ids the CLI lists after "valid presets:", from presets/ on disk.
const ids = (kind) => readdirSync(PRESETS + kind).filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length)).sort().join(', ');

const MiB = 1024 * 1024;
const STEP = '"step":{"decode":[{"context_length":1}]}';
const CONFIG = '"num_hidden_layers":2,"hidden_size":8,"num_attention_heads":2,"intermediate_size":16';
const COMPUTE = '"compute":{"fp16_tensor_core":2}';
const MEMORY = '"memory":{"bandwidth_tb_s":1}';
const TOP_FIELDS = 'unknown field; expected one of: model, gpu, tp, coefficients, gpu_memory_utilization, step';
const TP_RANGE = 'tp: must be an integer from 1 to 4096, got';
const CONTEXT = 'step.decode[0].context_length: must be an integer from 1 to 100000000, got';

// Requests on the preset model and GPU with the given members, then the step.
const presets = (members) => `{"model":"llama-2-7b-hf","gpu":"h100-sxm",${members}}`;
const withStep = (members) => presets(`${members},${STEP}`);
const decodeRow = (row) => presets(`"step":{"decode":[${row}]}`);
// A custom config (model) or datasheet (gpu) made of exactly these members.
const config = (members) => `{"model":{${members}},"gpu":"h100-sxm",${STEP}}`;
const datasheet = (members, tp = 1) =>
  `{"model":"llama-2-7b-hf","gpu":{${members}},"tp":${tp},${STEP}}`;
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const nested = (depth) => '['.repeat(depth) + ']'.repeat(depth);

const UNKNOWN_MODEL = (shown) => `model: unknown preset ${shown}; valid presets: ${ids('models')}`;
const NUL = (line, column) =>
  `request: invalid JSON: parse error at line ${line}, column ${column}: a NUL byte (U+0000) is not allowed in JSON text`;
const PARSE = (line, column, what) =>
  `request: invalid JSON: parse error at line ${line}, column ${column}: syntax error while parsing value - ${what}`;

export const badInputs = [
  // The text itself: empty, truncated, not JSON, not UTF-8.
  { label: 'empty file', input: '',
    expected: PARSE(1, 1, "unexpected end of input; expected '[', '{', or a literal") },
  { label: 'whitespace only', input: ' \n\t\r\n',
    expected: PARSE(3, 1, "unexpected end of input; expected '[', '{', or a literal") },
  { label: 'truncated after a colon', input: '{"model": "llama-2-7b-hf", "gpu": ',
    expected: PARSE(1, 35, "unexpected end of input; expected '[', '{', or a literal") },
  { label: 'truncated inside a string', input: '{"model": "llama-2',
    expected: PARSE(1, 19, "invalid string: missing closing quote; last read: '\"llama-2'") },
  { label: 'truncated before the last brace', input: withStep('"tp":1').slice(0, -1),
    expected: "request: invalid JSON: parse error at line 1, column 90: syntax error while parsing object - unexpected end of input; expected '}'" },
  { label: 'a byte-order mark and nothing else', input: bytes([0xef, 0xbb, 0xbf]),
    expected: PARSE(1, 4, "unexpected end of input; expected '[', '{', or a literal") },
  // The token nlohmann read last is shown with bytes that are not UTF-8 as \xHH.
  { label: 'two byte-order marks', input: bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], withStep('"tp":1')),
    expected: PARSE(1, 4, "invalid literal; last read: '\ufeff\\xef'") },
  { label: 'UTF-16 byte-order mark', input: bytes([0xfe, 0xff], '{}'),
    expected: PARSE(1, 1, "invalid literal; last read: '\\xfe'") },
  { label: 'UTF-16LE text', input: Buffer.from(withStep('"tp":1'), 'utf16le'), expected: NUL(1, 2) },
  { label: 'a NUL byte between members', input: bytes('{"tp":1,', [0], '"model":"x"}'), expected: NUL(1, 9) },
  { label: 'text after a NUL byte', input: bytes(withStep('"tp":1'), [0], ' garbage {{{'), expected: NUL(1, 91) },
  { label: 'a NUL byte on line 3', input: bytes('{\n"tp":1,\n  ', [0], '}'), expected: NUL(3, 3) },
  { label: 'an unescaped newline in a string', input: '{"model":"llama\n-2"}',
    expected: PARSE(2, 0, "invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n; last read: '\"llama<U+000A>'") },
  { label: 'a byte that is never UTF-8 (0xFF)', input: bytes('{"model":"', [0xff], '"}'),
    expected: PARSE(1, 11, "invalid string: ill-formed UTF-8 byte; last read: '\"\\xff'") },
  { label: 'an overlong UTF-8 slash (C0 AF)', input: bytes('{"model":"', [0xc0, 0xaf], '"}'),
    expected: PARSE(1, 11, "invalid string: ill-formed UTF-8 byte; last read: '\"\\xc0'") },
  { label: 'a lone surrogate escape', input: '{"model":"\\ud800"}',
    expected: PARSE(1, 17, "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; last read: '\"\\ud800\"'") },
  { label: 'an invalid escape', input: '{"model":"\\x41"}',
    expected: PARSE(1, 12, "invalid string: forbidden character after backslash; last read: '\"\\x'") },
  { label: 'a missing closing quote after 1 MiB', input: '{"model":"' + 'a'.repeat(MiB),
    expected: PARSE(1, 1048587, `invalid string: missing closing quote; last read: '"${'a'.repeat(63)}'... (${MiB + 1} bytes)`) },
  { label: 'single quotes', input: "{'model':'llama-2-7b-hf'}",
    expected: "request: invalid JSON: parse error at line 1, column 2: syntax error while parsing object key - invalid literal; last read: '{''; expected string literal" },
  { label: 'a comment', input: '// a request\n' + withStep('"tp":1'),
    expected: PARSE(1, 1, "invalid literal; last read: '/'") },
  { label: 'a trailing comma', input: '{"tp":1,}',
    expected: "request: invalid JSON: parse error at line 1, column 9: syntax error while parsing object key - unexpected '}'; expected string literal" },
  { label: 'trailing garbage after the request', input: withStep('"tp":1') + ' x',
    expected: "request: invalid JSON: parse error at line 1, column 92: syntax error while parsing value - invalid literal; last read: '1}]}} x'; expected end of input" },
  { label: 'two requests', input: withStep('"tp":1') + withStep('"tp":2'),
    expected: "request: invalid JSON: parse error at line 1, column 91: syntax error while parsing value - unexpected '{'; expected end of input" },
  { label: '100000 nested arrays', input: nested(100000),
    expected: 'request: invalid JSON: nested deeper than 64 levels' },
  { label: '65 nested objects in a config field', input: config(`${CONFIG},"x":${'{"a":'.repeat(65)}1${'}'.repeat(65)}`),
    expected: 'request: invalid JSON: nested deeper than 64 levels' },
  { label: 'a request that is an array', input: `[${withStep('"tp":1')}]`,
    expected: 'request: expected a JSON object, got an array' },
  { label: 'a request that is a string', input: '"llama-2-7b-hf"',
    expected: 'request: expected a JSON object, got a string' },
  { label: 'a request that is null', input: 'null', expected: 'request: expected a JSON object, got null' },

  // Numbers JSON cannot hold, and numbers it can that are out of range.
  { label: 'NaN spelled as JSON', input: withStep('"tp":NaN'),
    expected: PARSE(1, 48, "invalid literal; last read: '\"tp\":N'") },
  { label: 'Infinity spelled as JSON', input: withStep('"tp":Infinity'),
    expected: PARSE(1, 48, "invalid literal; last read: '\"tp\":I'") },
  { label: '-Infinity spelled as JSON', input: withStep('"tp":-Infinity'),
    expected: PARSE(1, 49, "invalid number; expected digit after '-'; last read: '-I'") },
  { label: 'a number beyond double', input: decodeRow('{"context_length":1e400}'),
    expected: "request: invalid JSON: number overflow parsing '1e400'" },
  { label: 'a negative number beyond double', input: withStep('"tp":-1e400'),
    expected: "request: invalid JSON: number overflow parsing '-1e400'" },
  { label: 'a hex number', input: withStep('"tp":0x10'),
    expected: "request: invalid JSON: parse error at line 1, column 49: syntax error while parsing object - invalid literal; last read: '0x'; expected '}'" },
  { label: 'leading zeros', input: withStep('"tp":007'),
    expected: "request: invalid JSON: parse error at line 1, column 49: syntax error while parsing object - unexpected number literal; expected '}'" },
  { label: 'an integer beyond uint64', input: decodeRow('{"context_length":18446744073709551616}'),
    expected: `${CONTEXT} 1.8446744073709552e+19` },
  { label: 'an integer beyond int64', input: decodeRow('{"context_length":9223372036854775808}'),
    expected: `${CONTEXT} 9223372036854775808` },
  { label: 'below int64', input: decodeRow('{"context_length":-9223372036854775809}'),
    expected: `${CONTEXT} -9.223372036854776e+18` },
  { label: 'a number that underflows to 0', input: decodeRow('{"context_length":1e-400}'),
    expected: `${CONTEXT} 0.0` },
  { label: 'negative zero as an integer', input: decodeRow('{"context_length":-0}'),
    expected: `${CONTEXT} 0` },
  { label: 'negative zero as a float', input: decodeRow('{"context_length":-0.0}'),
    expected: `${CONTEXT} -0.0` },
  { label: 'a string where a number belongs', input: decodeRow('{"context_length":"1024"}'),
    expected: `${CONTEXT} a string` },
  { label: 'an object where a number belongs', input: decodeRow('{"context_length":{"value":1}}'),
    expected: `${CONTEXT} an object` },
  { label: 'a fraction', input: decodeRow('{"context_length":1.5}'), expected: `${CONTEXT} 1.5` },
  { label: 'a count of 10^12', input: decodeRow('{"context_length":1,"count":1e12}'),
    expected: 'step.decode[0].count: must be an integer from 1 to 1000000, got 1000000000000.0' },
  { label: 'tp 0', input: withStep('"tp":0'), expected: `${TP_RANGE} 0` },
  { label: 'tp 2^31', input: withStep('"tp":2147483648'), expected: `${TP_RANGE} 2147483648` },
  { label: 'tp 2^63', input: withStep('"tp":9223372036854775808'), expected: `${TP_RANGE} 9223372036854775808` },
  { label: 'tp -1', input: withStep('"tp":-1'), expected: `${TP_RANGE} -1` },
  { label: 'tp negative zero', input: withStep('"tp":-0.0'), expected: `${TP_RANGE} -0.0` },
  { label: 'tp true', input: withStep('"tp":true'), expected: `${TP_RANGE} true` },
  { label: 'tp null', input: withStep('"tp":null'), expected: `${TP_RANGE} null` },
  { label: 'tp a string', input: withStep('"tp":"4"'), expected: `${TP_RANGE} a string` },
  { label: 'tp a 10 MiB string', input: withStep(`"tp":"${'4'.repeat(10 * MiB)}"`), expected: `${TP_RANGE} a string` },

  // The request's shape.
  { label: 'no step', input: presets('"tp":1'),
    expected: 'step: missing; expected {"prefill": [...], "decode": [...]}' },
  { label: 'step an array', input: presets('"step":[]'), expected: 'step: expected an object, got an array' },
  { label: 'decode an object', input: presets('"step":{"decode":{"context_length":1}}'),
    expected: 'step.decode: expected an array, got an object' },
  { label: 'a decode row that is a number', input: decodeRow('7'),
    expected: 'step.decode[0]: expected an object, got 7' },
  { label: 'a prefill chunk longer than its prompt', input: presets('"step":{"prefill":[{"tokens_this_step":10,"prompt_tokens":5}]}'),
    expected: 'step.prefill[0].tokens_this_step: 10 exceeds prompt_tokens 5' },
  { label: '4097 decode rows', input: decodeRow(Array(4097).fill('{"context_length":1}').join(',')),
    expected: 'step.decode: has 4097 rows; at most 4096 are allowed (use count)' },
  { label: 'an unknown field in a row', input: decodeRow('{"context_length":1,"ctx":2}'),
    expected: 'step.decode[0].ctx: unknown field; expected one of: context_length, count' },
  { label: '__proto__ at the top level', input: withStep('"__proto__":{"tp":8}'), expected: `__proto__: ${TOP_FIELDS}` },
  { label: 'constructor at the top level', input: withStep('"constructor":{"prototype":{}}'), expected: `constructor: ${TOP_FIELDS}` },
  { label: '__proto__ in a decode row', input: decodeRow('{"context_length":1,"__proto__":{"count":5}}'),
    expected: 'step.decode[0].__proto__: unknown field; expected one of: context_length, count' },
  { label: 'constructor in the step', input: presets(`"step":{"decode":[],"constructor":1}`),
    expected: 'step.constructor: unknown field; expected one of: prefill, decode' },
  { label: 'a key with a newline', input: withStep('"tp\\n":1'), expected: `["tp\\u000a"]: ${TOP_FIELDS}` },
  { label: 'a key with a terminal escape', input: withStep('"\\u001b[2J":1'), expected: `["\\u001b[2J"]: ${TOP_FIELDS}` },
  { label: 'a 10 MiB key', input: withStep(`"${'k'.repeat(10 * MiB)}":1`),
    expected: `["${'k'.repeat(64)}"... (${10 * MiB} bytes)]: ${TOP_FIELDS}` },
  { label: 'an empty key', input: withStep('"":1'), expected: `[""]: ${TOP_FIELDS}` },

  // Preset ids.
  { label: 'a model id that is a number', input: `{"model":7,"gpu":"h100-sxm",${STEP}}`,
    expected: 'model: expected a preset id or a HF config.json object, got 7' },
  { label: 'a model id that is an array', input: `{"model":["llama-2-7b-hf"],"gpu":"h100-sxm",${STEP}}`,
    expected: 'model: expected a preset id or a HF config.json object, got an array' },
  { label: 'a model id with a newline', input: `{"model":"llama\\n-9","gpu":"h100-sxm",${STEP}}`,
    expected: UNKNOWN_MODEL('"llama\\u000a-9"') },
  { label: 'a model id with a terminal escape', input: `{"model":"\\u001b[2J","gpu":"h100-sxm",${STEP}}`,
    expected: UNKNOWN_MODEL('"\\u001b[2J"') },
  { label: 'a model id with a NUL', input: `{"model":"\\u0000","gpu":"h100-sxm",${STEP}}`,
    expected: UNKNOWN_MODEL('"\\u0000"') },
  { label: 'a 10 MiB model id', input: `{"model":"${'a'.repeat(10 * MiB)}","gpu":"h100-sxm",${STEP}}`,
    expected: UNKNOWN_MODEL(`"${'a'.repeat(64)}"... (${10 * MiB} bytes)`) },
  { label: 'an unknown GPU id', input: '{"model":"llama-2-7b-hf","gpu":"<script>alert(1)</script>",' + STEP + '}',
    expected: `gpu: unknown preset "<script>alert(1)</script>"; valid presets: ${ids('gpus')}` },

  // Configs whose fields are the wrong kind of value.
  { label: 'an empty config', input: config(''),
    expected: 'model.num_hidden_layers: missing; the number of transformer layers is required' },
  { label: 'config layers as an array', input: config(CONFIG.replace('"num_hidden_layers":2', '"num_hidden_layers":[2]')),
    expected: 'model.num_hidden_layers: must be an integer from 1 to 10000, got an array' },
  { label: 'config hidden_size as an object', input: config(CONFIG.replace('"hidden_size":8', '"hidden_size":{"value":8}')),
    expected: 'model.hidden_size: must be an integer from 1 to 10000000, got an object' },
  { label: 'config heads as a string', input: config(CONFIG.replace('"num_attention_heads":2', '"num_attention_heads":"2"')),
    expected: 'model.num_attention_heads: must be an integer from 1 to 1000000, got a string' },
  { label: 'config layers beyond the bound', input: config(CONFIG.replace('"num_hidden_layers":2', '"num_hidden_layers":1e9')),
    expected: 'model.num_hidden_layers: must be an integer from 1 to 10000, got 1000000000.0' },
  { label: 'config text_config as an array', input: config(`${CONFIG},"text_config":[1]`),
    expected: 'model.text_config: expected an object, got an array' },
  { label: 'config with more kv heads than heads', input: config(`${CONFIG},"num_key_value_heads":4`),
    expected: 'model.num_key_value_heads: 4 key/value heads exceed the 2 attention heads' },
  { label: 'config hidden_size below the head count', input: config(CONFIG.replace('"hidden_size":8', '"hidden_size":1')),
    expected: 'model.hidden_size: hidden_size 1 is smaller than the 2 attention heads, so the head dimension would be 0' },
  { label: 'config head_dim 0', input: config(`${CONFIG},"head_dim":0`),
    expected: 'model.head_dim: must be an integer from 1 to 10000000, got 0' },
  { label: 'config experts negative', input: config(`${CONFIG},"num_local_experts":-8`),
    expected: 'model.num_local_experts: must be an integer from 0 to 1000000, got -8' },

  // Datasheets and coefficients.
  { label: 'datasheet compute as an array', input: datasheet(`"compute":[2],${MEMORY}`),
    expected: 'gpu.compute: expected an object, got an array' },
  // The sparse figure (with_sparsity defaults to true) is twice the dense bounds.
  { label: 'datasheet FP16 as a string', input: datasheet(`"compute":{"fp16_tensor_core":"2"},${MEMORY}`),
    expected: 'gpu.compute.fp16_tensor_core: must be a number from 0.002 to 2e+09, got a string' },
  { label: 'datasheet FP16 zero', input: datasheet(`"compute":{"fp16_tensor_core":0},${MEMORY}`),
    expected: 'gpu.compute.fp16_tensor_core: must be a number from 0.002 to 2e+09, got 0' },
  { label: 'datasheet bandwidth negative', input: datasheet(`${COMPUTE},"memory":{"bandwidth_tb_s":-1}`),
    expected: 'gpu.memory.bandwidth_tb_s: must be a number from 0.001 to 1e+09, got -1' },
  { label: 'datasheet bandwidth 1e300', input: datasheet(`${COMPUTE},"memory":{"bandwidth_tb_s":1e300}`),
    expected: 'gpu.memory.bandwidth_tb_s: must be a number from 0.001 to 1e+09, got 1e+300' },
  { label: 'datasheet with_sparsity a string', input: datasheet(`"compute":{"fp16_tensor_core":2,"with_sparsity":"yes"},${MEMORY}`),
    expected: 'gpu.compute.with_sparsity: must be true or false, got a string' },
  { label: 'no link at TP 2', input: datasheet(`${COMPUTE},${MEMORY}`, 2),
    expected: 'gpu.interconnect: no nvlink_bandwidth_gb_s, link_bandwidth_gb_s or pcie_bandwidth_gb_s; TP 2 needs a GPU-to-GPU bandwidth' },
  { label: 'beta with 3 numbers', input: withStep('"coefficients":{"beta":[1,2,3]}'),
    expected: 'coefficients.beta: expected an array of 7 numbers, got an array of 3' },
  { label: 'beta with a negative number', input: withStep('"coefficients":{"beta":[1,2,3,4,5,6,-7]}'),
    expected: 'coefficients.beta[6]: must be a number from 0 to 1e+09, got -7' },
  { label: 'beta with a string', input: withStep('"coefficients":{"beta":[1,2,3,4,5,6,"7"]}'),
    expected: 'coefficients.beta[6]: must be a number from 0 to 1e+09, got a string' },
  { label: 'coefficients an array', input: withStep('"coefficients":[1,2,3,4,5,6,7]'),
    expected: 'coefficients: expected a preset id or {"beta": [7 numbers]}, got an array' },

  // Duplicate keys: an error naming the key by its path.
  { label: 'tp twice', input: withStep('"tp":1,"tp":0'), expected: /^tp: duplicate/ },
  { label: 'model twice', input: `{"model":"llama-2-7b-hf","model":"llama-9","gpu":"h100-sxm",${STEP}}`,
    expected: /^model: duplicate/ },
  { label: 'a row field twice', input: decodeRow('{"context_length":1,"context_length":2}'),
    expected: /^step\.decode\[0\]\.context_length: duplicate/ },
  { label: 'a config field twice', input: config(`${CONFIG},"num_hidden_layers":3`),
    expected: /^model\.num_hidden_layers: duplicate/ },
];
