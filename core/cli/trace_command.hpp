#pragma once

// `stepcalc trace`: every step of a trace file through the model, one record per step;
// `stepcalc fit`: β fitted to the steps' measured durations.

namespace stepcalc::cli {

int run_trace(int argc, char **argv); // argv[1] is "trace"
int run_fit(int argc, char **argv);   // argv[1] is "fit"

} // namespace stepcalc::cli
