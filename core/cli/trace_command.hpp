#pragma once

// `stepcalc trace`: every step of a trace file through the model, one record per step.

namespace stepcalc::cli {

int run_trace(int argc, char **argv); // argv[1] is "trace"

} // namespace stepcalc::cli
