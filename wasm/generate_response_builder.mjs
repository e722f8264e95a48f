// Writes the facade's response builder from the response schema, so the module's objects
// have exactly the CLI's fields, in its order (and OUT.d.mts, its declarations):
//   node wasm/generate_response_builder.mjs core/src/response_fields.def OUT.mjs
// The builder is plain code (no `new Function`), so it runs under a strict
// Content-Security-Policy, and object literals of a fixed shape are what JS engines
// build fastest.

import { readFileSync, writeFileSync } from 'node:fs';

const [defPath, outPath] = process.argv.slice(2);
if (!defPath || !outPath) {
  console.error('usage: node wasm/generate_response_builder.mjs response_fields.def OUT.mjs');
  process.exit(2);
}

const ROW = /^(STEP|SCENARIO)\("([A-Za-z0-9_.]+)",\s*([a-z_0-9]+),/;
const SLOTS = { number: 1, integer: 1, flag: 1, vector7: 7, bound: 1, maybe_number: 1, maybe_integer: 1, maybe_flag: 1 };

const fields = [];
readFileSync(defPath, 'utf8').split('\n').forEach((line, index) => {
  if (!/^(STEP|SCENARIO)\(/.test(line)) return;
  const match = ROW.exec(line);
  if (!match) throw new Error(`${defPath}:${index + 1}: cannot read this row`);
  const [, level, path, kind] = match;
  if (level === 'STEP' && !(kind in SLOTS)) throw new Error(`${defPath}:${index + 1}: kind ${kind} cannot be a STEP field`);
  fields.push({ level, path, kind });
});

// The value of one field: STEP fields from the record r at offset o, SCENARIO fields
// copied from h (the scenario-level fields the core sent as JSON once).
let slot = 0;
function valueCode({ level, path, kind }) {
  if (level === 'SCENARIO') {
    const source = 'h' + path.split('.').map((key) => `[${JSON.stringify(key)}]`).join('');
    return kind === 'vector7' ? `${source}.slice()` : source;
  }
  const at = (i) => `r[o + ${i}]`;
  const first = slot;
  slot += SLOTS[kind];
  switch (kind) {
    case 'vector7': return `[${Array.from({ length: 7 }, (_, i) => at(first + i)).join(', ')}]`;
    case 'bound': return `BOUND[${at(first)}]`;
    case 'flag': return `${at(first)} === 1`;
    case 'maybe_flag': return `maybeFlag(${at(first)})`;
    case 'maybe_number':
    case 'maybe_integer': return `maybe(${at(first)})`;
    default: return at(first);
  }
}

// The fields as a tree in first-seen order: the order nlohmann's ordered_json keeps.
const root = new Map();
for (const field of fields) {
  const keys = field.path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    if (!node.has(key)) node.set(key, new Map());
    node = node.get(key);
    if (!(node instanceof Map)) throw new Error(`${field.path}: ${key} is both a value and an object`);
  }
  node.set(keys.at(-1), valueCode(field));
}

function literal(node, indent) {
  const pad = '  '.repeat(indent);
  const entries = [...node].map(([key, value]) =>
    `${pad}  ${JSON.stringify(key)}: ${value instanceof Map ? literal(value, indent + 1) : value},`);
  return `{\n${entries.join('\n')}\n${pad}}`;
}

const fieldList = fields.map(({ level, kind, path }) => `${level}:${kind}:${path}`).join(',');
const body = literal(root, 1).replace(/\n {2}}$/, '\n    "notes": notes,\n  }');
writeFileSync(outPath, `// Generated from core/src/response_fields.def by wasm/generate_response_builder.mjs.
// Do not edit: change the schema and rebuild.

// The schema this builder was made from; the facade checks it against the module's.
export const FIELD_LIST = ${JSON.stringify(fieldList)};
export const RECORD_SIZE = ${slot};

const BOUND = ['none', 'compute', 'memory'];
const maybe = (x) => (Number.isNaN(x) ? null : x);
const maybeFlag = (x) => (Number.isNaN(x) ? null : x === 1);

// r: the step record (a Float64Array over the wasm heap) from offset o; h: the scenario
// fields; notes: the response's notes, already copied.
export function buildResponse(r, o, h, notes) {
  return ${body};
}
`);

// The response's type as the schema states it, and its field paths: the hand-written
// StepResponse in stepcalc.d.mts is checked against both (typecheck/response_schema.ts).
const KIND_TYPES = { number: 'number', integer: 'number', flag: 'boolean', vector7: 'Beta', bound: 'Bottleneck',
  text: 'string', maybe_number: 'number | null', maybe_integer: 'number | null', maybe_flag: 'boolean | null' };
const kindOf = new Map(fields.map(({ path, kind }) => [path, kind]));
function typeLiteral(node, prefix, indent) {
  const pad = '  '.repeat(indent);
  const entries = [...node].map(([key, value]) => {
    const path = prefix + key;
    return `${pad}  ${key}: ${value instanceof Map ? typeLiteral(value, `${path}.`, indent + 1) : KIND_TYPES[kindOf.get(path)]};`;
  });
  return `{\n${entries.join('\n')}\n${pad}}`;
}
for (const { path, kind } of fields) {
  if (!(kind in KIND_TYPES)) throw new Error(`${defPath}: ${path}: unknown kind ${kind}`);
}
const schemaType = typeLiteral(root, '', 0).replace(/\n}$/, '\n  notes: Note[];\n}');

writeFileSync(outPath.replace(/\.mjs$/, '.d.mts'), `// Generated with response_builder.mjs; do not edit.
import type { Beta, Bottleneck, Note, StepResponse } from './stepcalc.mjs';
export type { Note, StepResponse };

export const FIELD_LIST: string;
export const RECORD_SIZE: number;
export function buildResponse(r: Float64Array, o: number, h: any, notes: Note[]): StepResponse;

/** The response as core/src/response_fields.def states it ("notes" always follows the table). */
export type SchemaResponse = ${schemaType};

/** Every field path of the schema. */
export type SchemaFieldPath =
${fields.map(({ path }) => `  | ${JSON.stringify(path)}`).join('\n')};
`);
