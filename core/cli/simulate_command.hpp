#pragma once

// `stepcalc simulate`: a workload through the serving scheduler, timed by the step model.

namespace stepcalc::cli {

int run_simulate(int argc, char **argv); // argv[1] is "simulate"

} // namespace stepcalc::cli
