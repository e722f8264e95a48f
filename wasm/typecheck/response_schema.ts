// Compiled by `npm run typecheck` (never run): the hand-written StepResponse (stepcalc.d.mts)
// has exactly the fields of core/src/response_fields.def, each of the type its kind says.
// SchemaResponse and SchemaFieldPath are generated from the .def with the response builder
// (build/wasm/response_builder.d.mts). A field added to the .def and not to stepcalc.d.mts
// fails here, naming the field: adding STEP("memory.spare", ...) to the .def made this
// report `Type 'true' is not assignable to type '"memory.spare"'`.

import type { StepResponse } from '../stepcalc.mjs';
import type { SchemaFieldPath, SchemaResponse } from '../../build/wasm/response_builder.mjs';

// "a.b.c" for every leaf of T; arrays (tuples too), and values that may be null, are leaves.
type LeafPaths<T> = {
  [K in keyof T & string]: T[K] extends readonly unknown[] | null | number | string | boolean
    ? K
    : `${K}.${LeafPaths<T[K]>}`;
}[keyof T & string];

// String literal unions as string ("nvlink_bandwidth_gb_s" | ... as the .def's text);
// objects field by field, intersections flattened.
type Widen<T> = T extends string ? string
  : T extends readonly unknown[] ? T
  : T extends object ? { [K in keyof T]: Widen<T[K]> }
  : T;

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;

// Each check's type is `true` when it holds, else what is wrong (the fields named).
type Nothing<Paths> = [Paths] extends [never] ? true : Paths;
export const fieldsMissingFromDeclarations: Nothing<Exclude<SchemaFieldPath, LeafPaths<StepResponse>>> = true;
export const fieldsMissingFromSchema: Nothing<Exclude<LeafPaths<StepResponse>, SchemaFieldPath | 'notes'>> = true;
export const sameTypes: Equal<Widen<StepResponse>, Widen<SchemaResponse>> = true;
