# Writes the seed corpora, one file per seed, under SEEDS_DIR/<target>/:
#   fuzz_config     every preset config.json
#   fuzz_datasheet  every preset datasheet at TP 1 and 8
#   fuzz_compute    every worked example's request, and each preset model on
#                   each preset GPU given inline as objects
#   fuzz_sweep      each worked example's request swept over a few variables
#   fuzz_trace      the worked examples' requests as JSON Lines (whole-request steps);
#                   fuzz/corpus/fuzz_trace/ holds training-format traces
#   fuzz_trace_step (none here: fuzz/corpus/fuzz_trace_step/ holds step texts)
# Usage: cmake -DPRESETS_DIR=... -DEXAMPLES=... -DSEEDS_DIR=... -P make_seeds.cmake
file(REMOVE_RECURSE "${SEEDS_DIR}")
foreach(target fuzz_config fuzz_datasheet fuzz_compute fuzz_sweep fuzz_trace fuzz_trace_step)
  file(MAKE_DIRECTORY "${SEEDS_DIR}/${target}")
endforeach()

file(GLOB models "${PRESETS_DIR}/models/*.json")
file(GLOB gpus "${PRESETS_DIR}/gpus/*.json")
foreach(model IN LISTS models)
  get_filename_component(name "${model}" NAME)
  file(COPY_FILE "${model}" "${SEEDS_DIR}/fuzz_config/${name}")
endforeach()
foreach(gpu IN LISTS gpus)
  get_filename_component(name "${gpu}" NAME_WLE)
  file(READ "${gpu}" datasheet)
  foreach(tp 1 8)
    file(WRITE "${SEEDS_DIR}/fuzz_datasheet/${name}-tp${tp}" "${tp}\n${datasheet}")
  endforeach()
endforeach()

# The worked examples hold the expected answers beside each request; keep the request.
file(READ "${EXAMPLES}" examples)
string(JSON example_count LENGTH "${examples}")
math(EXPR last "${example_count} - 1")
set(sweeps "tp\n1,2,4,8" "prefill[0].tokens_this_step\n1,64,512" "decode[*].context_length\n1,1024,100000"
           "decode[0].count\n1,16,256")
foreach(i RANGE ${last})
  set(request "{}")
  foreach(field model gpu tp step)
    string(JSON value GET "${examples}" ${i} ${field})
    string(JSON type TYPE "${examples}" ${i} ${field})
    if(type STREQUAL "STRING")
      set(value "\"${value}\"")
    endif()
    string(JSON request SET "${request}" ${field} "${value}")
  endforeach()
  file(WRITE "${SEEDS_DIR}/fuzz_compute/example-${i}.json" "${request}")
  string(JSON request_line ERROR_VARIABLE ignored SET "${request}" step_id "${i}")
  string(REGEX REPLACE "[\r\n]+ *" " " request_line "${request_line}")
  file(APPEND "${SEEDS_DIR}/fuzz_trace/examples.jsonl" "${request_line}\n")
  set(s 0)
  foreach(sweep IN LISTS sweeps)
    file(WRITE "${SEEDS_DIR}/fuzz_sweep/example-${i}-${s}" "${sweep}\n${request}")
    math(EXPR s "${s} + 1")
  endforeach()
endforeach()

# Custom models and GPUs reach the readers through the whole pipeline too.
set(step [=[{"prefill": [{"tokens_this_step": 256, "prompt_tokens": 1024}], "decode": [{"context_length": 2048, "count": 8}]}]=])
foreach(model IN LISTS models)
  get_filename_component(model_name "${model}" NAME_WLE)
  file(READ "${model}" config)
  foreach(gpu IN LISTS gpus)
    get_filename_component(gpu_name "${gpu}" NAME_WLE)
    file(READ "${gpu}" datasheet)
    set(request "{}")
    string(JSON request SET "${request}" model "${config}")
    string(JSON request SET "${request}" gpu "${datasheet}")
    string(JSON request SET "${request}" tp 2)
    string(JSON request SET "${request}" coefficients "\"roofline-prior\"")
    string(JSON request SET "${request}" step "${step}")
    file(WRITE "${SEEDS_DIR}/fuzz_compute/${model_name}-on-${gpu_name}.json" "${request}")
  endforeach()
endforeach()
