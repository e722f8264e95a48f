#include "stepcalc/fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "stepcalc/input_error.hpp"

namespace stepcalc {

namespace {

constexpr std::size_t N = kFeatureCount;
constexpr std::size_t kPriorTerms = 4; // β₁..β₄, the roofline terms the prior pulls to 1
constexpr const char *kBetaNames[N] = {"β₁ (prefill)",  "β₂ (decode)",      "β₃ (weights)",
                                       "β₄ (TP comm)",  "β₅ (per layer)",   "β₆ (per request)",
                                       "β₇ (constant)"};

// The features the coefficients multiply, for the notes: X₁ multiplies β₁, and so on.
constexpr const char *kFeatureNames[N] = {"X₁", "X₂", "X₃", "X₄", "X₅", "X₆", "X₇"};

using Matrix = std::array<std::array<double, N>, N>;

// A factor in a note, to 4 significant digits ("%.4g").
std::string factor_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// Solves G_PP z = b_P for the indices in `set` (Cholesky; G_PP is positive definite
// because `set` holds independent columns only).
std::array<double, N> solve_on(const Matrix &g, const std::array<double, N> &b,
                               const std::vector<std::size_t> &set) {
  const std::size_t n = set.size();
  std::vector<double> l(n * n, 0), y(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = g[set[i]][set[j]];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i == j ? std::sqrt(std::max(sum, 1e-300)) : sum / l[j * n + j];
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double sum = b[set[i]];
    for (std::size_t k = 0; k < i; ++k) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  std::array<double, N> z{};
  std::vector<double> x(n, 0);
  for (std::size_t i = n; i-- > 0;) {
    double sum = y[i];
    for (std::size_t k = i + 1; k < n; ++k) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  for (std::size_t i = 0; i < n; ++i) z[set[i]] = x[i];
  return z;
}

// Lawson and Hanson's active-set NNLS, on the normal equations of the columns in `free`.
std::array<double, N> nnls(const Matrix &g, const std::array<double, N> &b,
                           const std::vector<std::size_t> &free) {
  std::array<double, N> beta{};
  std::vector<std::size_t> passive;
  std::vector<bool> in_passive(N, false);
  constexpr double kTolerance = 1e-12;
  for (int iteration = 0; iteration < 100; ++iteration) {
    // The gradient of the objective (negated): which held-at-zero β would lower it most.
    std::size_t best = N;
    double best_w = kTolerance;
    for (std::size_t j : free) {
      if (in_passive[j]) continue;
      double w = b[j];
      for (std::size_t k = 0; k < N; ++k) w -= g[j][k] * beta[k];
      if (w > best_w) best_w = w, best = j;
    }
    if (best == N) break;
    passive.push_back(best);
    in_passive[best] = true;
    for (;;) {
      const auto z = solve_on(g, b, passive);
      bool feasible = true;
      for (std::size_t j : passive) feasible = feasible && z[j] > kTolerance;
      if (feasible) {
        beta = z;
        break;
      }
      double alpha = 1;
      for (std::size_t j : passive) {
        if (z[j] <= kTolerance) alpha = std::min(alpha, beta[j] / (beta[j] - z[j]));
      }
      for (std::size_t j : passive) beta[j] += alpha * (z[j] - beta[j]);
      std::erase_if(passive, [&](std::size_t j) {
        if (beta[j] > kTolerance) return false;
        beta[j] = 0;
        in_passive[j] = false;
        return true;
      });
    }
  }
  return beta;
}

std::string beta_list(const std::vector<std::size_t> &indices) {
  std::string text;
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (i > 0) text += i + 1 == indices.size() ? " and " : ", ";
    text += kBetaNames[indices[i]];
  }
  return text;
}

} // namespace

double holdout_position(std::string_view step_id) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : step_id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  // MurmurHash3's finaliser: FNV alone leaves the high bits of short ids ("17") poorly mixed.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return static_cast<double>(hash >> 11) / 9007199254740992.0; // 53 bits into [0, 1)
}

ErrorFigures error_figures(const std::vector<FitRow> &rows, const std::optional<FeatureVector> &beta) {
  ErrorFigures out;
  double pct = 0, sq = 0, abs = 0;
  for (const FitRow &row : rows) {
    if (!(row.duration_us > 0)) continue;
    double predicted = row.current_us;
    if (beta) {
      predicted = 0;
      for (std::size_t i = 0; i < N; ++i) predicted += (*beta)[i] * row.features[i];
    }
    const double error = predicted - row.duration_us;
    ++out.steps;
    pct += std::fabs(error) / row.duration_us * 100;
    sq += error * error;
    abs += std::fabs(error);
  }
  if (out.steps > 0) {
    const double n = static_cast<double>(out.steps);
    out.mape_pct = pct / n;
    out.rmse_us = std::sqrt(sq / n);
    out.mae_us = abs / n;
  }
  return out;
}

nlohmann::ordered_json error_figures_json(const ErrorFigures &figures) {
  if (figures.steps == 0) return nullptr;
  return {{"mape_pct", figures.mape_pct}, {"rmse_us", figures.rmse_us}, {"mae_us", figures.mae_us}};
}

void FitData::add(const FitRow &row, bool test) {
  if (test) {
    test_.push_back(row);
    return;
  }
  ++train_steps_;
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t j = 0; j < N; ++j) gram_.xtx[i][j] += row.features[i] * row.features[j];
    gram_.xty[i] += row.features[i] * row.duration_us;
  }
}

FitResult fit_beta(const FitData &data, double lambda) {
  if (data.train_steps() == 0) {
    throw InputError("fit", "no training step with a duration_us; nothing to fit");
  }
  Matrix g = data.gram().xtx;
  std::array<double, N> b = data.gram().xty;
  for (std::size_t i = 0; i < kPriorTerms; ++i) { // the rows √λ·eᵢ with target √λ·1
    g[i][i] += lambda;
    b[i] += lambda;
  }
  FitResult result;
  // Columns scaled to unit norm: the features span ten orders of magnitude.
  std::array<double, N> scale{};
  std::vector<std::size_t> candidates;
  std::vector<std::size_t> empty;
  for (std::size_t i = 0; i < N; ++i) {
    scale[i] = std::sqrt(g[i][i]);
    if (scale[i] > 0) {
      candidates.push_back(i);
    } else {
      empty.push_back(i);
    }
  }
  Matrix gs{};
  std::array<double, N> bs{};
  for (std::size_t i : candidates) {
    for (std::size_t j : candidates) gs[i][j] = g[i][j] / (scale[i] * scale[j]);
    bs[i] = b[i] / scale[i];
  }
  // Pivoted Cholesky: a column whose remaining diagonal vanishes is a combination of the
  // columns chosen before it, so the data cannot tell their coefficients apart.
  Matrix work = gs;
  std::vector<std::size_t> independent, dependent;
  std::vector<std::size_t> left = candidates;
  constexpr double kRankTolerance = 1e-9;
  while (!left.empty()) {
    const auto pivot = std::max_element(left.begin(), left.end(), [&](std::size_t a, std::size_t c) {
      return work[a][a] < work[c][c];
    });
    const std::size_t p = *pivot;
    if (work[p][p] <= kRankTolerance) break;
    independent.push_back(p);
    left.erase(pivot);
    const double d = work[p][p];
    for (std::size_t i : left) {
      for (std::size_t j : left) work[i][j] -= work[i][p] * work[p][j] / d;
    }
  }
  dependent = left;
  std::sort(independent.begin(), independent.end());
  const auto scaled_beta = nnls(gs, bs, independent);
  for (std::size_t i : independent) result.beta[i] = scaled_beta[i] / scale[i];

  if (!empty.empty()) {
    result.notes.push_back({"fit_no_information",
                            std::string(empty.size() == 1 ? "The data has no value for the term of "
                                                          : "The data has no value for the terms of ") +
                                beta_list(empty) + ": every step's feature is 0, so " +
                                (empty.size() == 1 ? "it is" : "they are") + " left at 0.",
                            {}});
  }
  for (std::size_t j : dependent) {
    // Which independent columns reproduce column j: the coefficients it cannot be told from.
    const auto combination = solve_on(gs, [&] {
      std::array<double, N> column{};
      for (std::size_t i : independent) column[i] = gs[i][j];
      return column;
    }(), independent);
    // In unscaled terms X_j = Σ factor_i·X_i, so the data fixes only β_i + factor_i·β_j.
    std::vector<std::size_t> sharers;
    std::string relation;
    for (std::size_t i : independent) {
      if (std::fabs(combination[i]) <= 1e-6) continue;
      const double factor = combination[i] * scale[j] / scale[i];
      relation += relation.empty() ? "" : (factor < 0 ? " − " : " + ");
      relation += factor_text(relation.empty() ? factor : std::fabs(factor)) + "·" + kFeatureNames[i];
      sharers.push_back(i);
    }
    // The pull separates only coefficients it acts on; it is suggested only for those.
    const bool pulled = j < kPriorTerms || std::any_of(sharers.begin(), sharers.end(),
                                                      [](std::size_t i) { return i < kPriorTerms; });
    const std::string pull = !pulled ? ""
                             : lambda > 0 ? ", as would a stronger pull of β₁..β₄ towards 1 (a larger λ)"
                                          : ", as would a pull of β₁..β₄ towards 1 (λ > 0)";
    result.notes.push_back(
        {"fit_collinear",
         "In this data " + std::string(kFeatureNames[j]) + " = " + relation +
             " in every step, so " + kBetaNames[j] + " cannot be told apart from " +
             beta_list(sharers) + ": " + kBetaNames[j] + " is left at 0 and " +
             beta_list(sharers) + (sharers.size() == 1 ? " takes" : " take") +
             " its share (any split of it fits the data as well). More varied steps (other "
             "models, GPUs, TPs or batches) would separate them" + pull + ".",
         {}});
  }
  return result;
}

nlohmann::ordered_json fit_report(const FitData &data, double lambda, int64_t untimed,
                                  int64_t skipped) {
  const FitResult fit = fit_beta(data, lambda);
  nlohmann::ordered_json out;
  out["beta"] = fit.beta;
  out["steps"] = {{"train", data.train_steps()},
                  {"test", static_cast<int64_t>(data.test_rows().size())},
                  {"untimed", untimed},
                  {"skipped", skipped}};
  out["lambda"] = lambda;
  out["before"] = error_figures_json(error_figures(data.test_rows()));
  out["after"] = error_figures_json(error_figures(data.test_rows(), fit.beta));
  Notes notes = fit.notes;
  if (data.test_rows().empty()) {
    notes.push_back({"fit_no_test_steps",
                     "No step was held out for testing (the holdout fraction is 0, or there are "
                     "too few steps), so \"before\" and \"after\" are null.",
                     {}});
  }
  out["notes"] = notes_to_json(notes);
  return out;
}

} // namespace stepcalc
