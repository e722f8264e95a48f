// Fitting β: non-negative least squares with the Tikhonov pull, checked against
// scipy.optimize.nnls, exact recovery of known β, collinear and empty columns, and the
// holdout split.

#include "stepcalc/fit.hpp"

#include <cmath>
#include <random>

#include "stepcalc/input_error.hpp"
#include "test_support.hpp"

using namespace stepcalc;

namespace {

FitData training(const std::vector<FeatureVector> &x, const std::vector<double> &y) {
  FitData data;
  for (std::size_t i = 0; i < x.size(); ++i) data.add({x[i], y[i], 0}, false);
  return data;
}

bool has_code(const Notes &notes, const std::string &code) {
  for (const auto &note : notes)
    if (note.code == code) return true;
  return false;
}

// The exact non-negative least-squares answer by brute force: least squares on every
// subset of columns, keeping the best whose coefficients are all non-negative.
FeatureVector brute_force_nnls(const std::vector<FeatureVector> &x, const std::vector<double> &y) {
  constexpr std::size_t n = kFeatureCount;
  FeatureVector best{};
  double best_residual = INFINITY;
  for (unsigned mask = 0; mask < (1u << n); ++mask) {
    std::vector<std::size_t> cols;
    for (std::size_t j = 0; j < n; ++j)
      if (mask & (1u << j)) cols.push_back(j);
    const std::size_t m = cols.size();
    // Normal equations by Gaussian elimination with partial pivoting.
    std::vector<std::vector<double>> a(m, std::vector<double>(m + 1, 0));
    for (std::size_t r = 0; r < x.size(); ++r)
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < m; ++j) a[i][j] += x[r][cols[i]] * x[r][cols[j]];
        a[i][m] += x[r][cols[i]] * y[r];
      }
    bool singular = false;
    for (std::size_t c = 0; c < m && !singular; ++c) {
      std::size_t p = c;
      for (std::size_t r = c + 1; r < m; ++r)
        if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
      std::swap(a[c], a[p]);
      if (std::fabs(a[c][c]) < 1e-12) singular = true;
      for (std::size_t r = 0; r < m && !singular; ++r) {
        if (r == c) continue;
        const double f = a[r][c] / a[c][c];
        for (std::size_t k = c; k <= m; ++k) a[r][k] -= f * a[c][k];
      }
    }
    if (singular) continue;
    FeatureVector beta{};
    bool feasible = true;
    for (std::size_t i = 0; i < m; ++i) {
      beta[cols[i]] = a[i][m] / a[i][i];
      feasible = feasible && beta[cols[i]] >= 0;
    }
    if (!feasible) continue;
    double residual = 0;
    for (std::size_t r = 0; r < x.size(); ++r) {
      double e = -y[r];
      for (std::size_t j = 0; j < n; ++j) e += beta[j] * x[r][j];
      residual += e * e;
    }
    if (residual < best_residual) best_residual = residual, best = beta;
  }
  return best;
}

} // namespace

TEST_CASE("the same β as the brute-force answer on 400 random problems with negative truths") {
  std::mt19937_64 random(2026);
  std::normal_distribution<double> normal(0, 1);
  int with_zeros = 0;
  for (int problem = 0; problem < 400; ++problem) {
    CAPTURE(problem);
    FeatureVector truth;
    for (double &b : truth) b = 2 * normal(random);
    std::vector<FeatureVector> x(8);
    std::vector<double> y(8);
    for (std::size_t r = 0; r < x.size(); ++r) {
      // Strongly correlated columns of both signs, few rows: adding one β then pushes
      // another below 0 now and then (about 25 of these problems), which exercises the
      // solver's step back to the feasible region. (Removing that step fails this test.)
      const double shared = normal(random);
      for (double &v : x[r]) v = shared + 0.1 * normal(random);
      y[r] = 0.3 * normal(random);
      for (std::size_t j = 0; j < kFeatureCount; ++j) y[r] += truth[j] * x[r][j];
    }
    const FeatureVector expected = brute_force_nnls(x, y);
    const FeatureVector got = fit_beta(training(x, y), 0).beta;
    for (std::size_t j = 0; j < kFeatureCount; ++j) {
      CHECK(got[j] == doctest::Approx(expected[j]).epsilon(1e-7).scale(1));
      with_zeros += expected[j] == 0;
    }
  }
  CHECK(with_zeros > 200); // the constraint was active often
}

TEST_CASE("the same β as scipy.optimize.nnls, with and without the pull towards 1") {
  // 12 rows, 7 columns; y from β = (1, -2, 0.5, 3, -1, 0.25, 2) plus noise, so the
  // unconstrained fit would go negative. Reference values from scipy 1.10 (nnls on X,
  // and on X stacked with √100·e₁..e₄ against √100 for λ = 100).
  const std::vector<FeatureVector> x = {
      {1.29, 4.99, 6.01, 0.29, 1.48, 9.28, 0.7},  {1.3, 9.48, 6.22, 3.69, 5.11, 6.63, 2.75},
      {1.38, 7.88, 6.7, 5.12, 8.17, 5.49, 9.81},  {2.05, 5.54, 4.84, 3.53, 5.92, 2.35, 8.02},
      {8.67, 1.29, 4.67, 2.77, 0.83, 8.96, 4.3},  {1.48, 6.73, 2.02, 9.01, 2.17, 0.33, 2.01},
      {3.46, 4.69, 9.06, 6.97, 3.39, 0.17, 1.6},  {9.96, 4.6, 6.91, 0.55, 0.34, 8.46, 5.88},
      {3.09, 3.17, 0.89, 1.73, 0.25, 8.39, 4.66}, {1.27, 7.39, 1.96, 0.62, 5.98, 8.96, 0.27},
      {8.05, 1.9, 0.93, 0.18, 2.93, 7.27, 4.93},  {8.53, 2.17, 3.15, 2.58, 9.78, 9.41, 3.41}};
  const std::vector<double> y = {-2.29, -0.78, 16.35, 14.54, 26.09, 18.11,
                                 20.13, 20.41, 12.66, -14.16, 14.35, 13.69};
  const FeatureVector scipy = {1.4353889355322829, 0, 0, 1.4716132980418277, 0, 0,
                               0.7168389069156111};
  const FeatureVector scipy_lambda = {1.2318785004606698, 0, 0.27152129983474443,
                                      1.1744390176389943, 0, 0, 0.8184326949730033};
  const FitResult plain = fit_beta(training(x, y), 0);
  const FitResult pulled = fit_beta(training(x, y), 100);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    CAPTURE(i);
    CHECK(plain.beta[i] == doctest::Approx(scipy[i]).epsilon(1e-9).scale(1));
    CHECK(pulled.beta[i] == doctest::Approx(scipy_lambda[i]).epsilon(1e-9).scale(1));
  }
  CHECK(plain.notes.empty());
}

TEST_CASE("known β come back exactly from their own predictions, and closely with 5% noise") {
  const FeatureVector truth = {0.8, 1.2, 1.05, 0.5, 40, 50, 300};
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<FeatureVector> x;
  std::vector<double> exact, noisy;
  for (int i = 0; i < 500; ++i) {
    // Features on the scales of real steps: µs terms, layers, batch size, 1.
    FeatureVector row = {unit(random) * 5e4, unit(random) * 2e3, 1e3 + unit(random) * 2e4,
                         unit(random) * 3e3, 32 + 48 * std::floor(unit(random) * 2),
                         std::floor(1 + unit(random) * 256), 1};
    double time = 0;
    for (std::size_t k = 0; k < kFeatureCount; ++k) time += truth[k] * row[k];
    x.push_back(row);
    exact.push_back(time);
    noisy.push_back(time * (1 + 0.05 * (2 * unit(random) - 1)));
  }
  const FitResult fit = fit_beta(training(x, exact), 0);
  for (std::size_t k = 0; k < kFeatureCount; ++k) CHECK(fit.beta[k] == doctest::Approx(truth[k]).epsilon(1e-9));
  const FitResult close = fit_beta(training(x, noisy), 0);
  for (std::size_t k = 0; k < 4; ++k) CHECK(close.beta[k] == doctest::Approx(truth[k]).epsilon(0.05));
  std::vector<FitRow> rows;
  for (std::size_t i = 0; i < x.size(); ++i) rows.push_back({x[i], noisy[i], 0});
  CHECK(error_figures(rows, close.beta).mape_pct < 3); // noise of ±5% averages 2.5%
}

TEST_CASE("collinear columns are named, with what would separate them; the fit still reproduces the durations") {
  // One dense model's experiment: t_weight and L are constants, as is the 1 column.
  std::vector<FeatureVector> x;
  std::vector<double> y;
  for (int i = 1; i <= 50; ++i) {
    const double prefill = 100.0 * i + 37.0 * (i % 5);
    x.push_back({prefill, 7.0 * (i % 9), 1000, 0, 80, static_cast<double>(i), 1});
    y.push_back(0.9 * prefill + 1.1 * 7 * (i % 9) + 1000 + 43 * 80 + 48 * i + 5);
  }
  const FitResult fit = fit_beta(training(x, y), 0);
  CHECK(has_code(fit.notes, "fit_collinear"));
  CHECK(has_code(fit.notes, "fit_no_information")); // t_tp is 0 in every step
  for (const Note &note : fit.notes) {
    if (note.code == "fit_no_information") {
      CHECK(note.message == "The data has no value for the term of β₄ (TP comm): every step's "
                            "feature is 0, so it is left at 0.");
    }
  }
  std::vector<FitRow> rows;
  for (std::size_t i = 0; i < x.size(); ++i) rows.push_back({x[i], y[i], 0});
  CHECK(error_figures(rows, fit.beta).mape_pct < 1e-9);
  CHECK(fit.beta[0] == doctest::Approx(0.9));
  CHECK(fit.beta[5] == doctest::Approx(48));
  // With the pull towards 1, β₃ (weights) is determined again.
  const FitResult pulled = fit_beta(training(x, y), 1e6);
  CHECK(pulled.beta[2] == doctest::Approx(1).epsilon(1e-3));
  // The notes suggest the pull only for coefficients it acts on, and a larger λ once one is
  // used; they never claim the fit reproduces the durations (a pulled fit need not).
  const auto collinear = [](const FitResult &result) {
    std::vector<std::string> messages;
    for (const Note &note : result.notes)
      if (note.code == "fit_collinear") messages.push_back(note.message);
    return messages;
  };
  for (const auto &[result, used] : {std::pair{fit, 0.0}, std::pair{pulled, 1e6}}) {
    const double lambda = used; // a plain variable: clang 14 captures no structured binding
    CAPTURE(lambda);
    REQUIRE(!collinear(result).empty());
    for (const std::string &message : collinear(result)) {
      CAPTURE(message);
      CHECK(message.find("reproduce") == std::string::npos);
      const bool on_pulled = message.find("β₁") != std::string::npos || message.find("β₂") != std::string::npos ||
                             message.find("β₃") != std::string::npos || message.find("β₄") != std::string::npos;
      CHECK((message.find("(λ > 0)") != std::string::npos) == (on_pulled && lambda == 0));
      CHECK((message.find("a larger λ") != std::string::npos) == (on_pulled && lambda > 0));
    }
  }
  // Without β₃ in it (the pull determines it), what is left is β₇ against β₅: no λ advice.
  const std::vector<std::string> left = collinear(pulled);
  REQUIRE(left.size() == 1);
  CHECK(left[0] == "In this data X₇ = 0.0125·X₅ in every step, so β₇ (constant) cannot be told apart "
                   "from β₅ (per layer): β₇ (constant) is left at 0 and β₅ (per layer) takes its share "
                   "(any split of it fits the data as well). More varied steps (other models, GPUs, "
                   "TPs or batches) would separate them.");
}

TEST_CASE("no training step is an error; every β stays non-negative") {
  CHECK_THROWS_WITH_AS(fit_beta(FitData{}, 0), "fit: no training step with a duration_us; nothing to fit",
                       InputError);
  // Durations that fall as every feature grows: the best non-negative answer is 0 but one.
  std::vector<FeatureVector> x;
  std::vector<double> y;
  for (int i = 1; i <= 20; ++i) {
    x.push_back({1.0 * i, 2.0 * i + 1, 0.5 * i * i, 3, 1.0 * (i % 4), 7.0 - i % 3, 1});
    y.push_back(100.0 - i);
  }
  for (double beta : fit_beta(training(x, y), 0).beta) CHECK(beta >= 0);
}

TEST_CASE("the holdout split is stable and takes about the fraction asked") {
  CHECK(holdout_position("17") == holdout_position("17"));
  CHECK(holdout_position("17") != holdout_position("18"));
  int below = 0;
  for (int i = 0; i < 10000; ++i) below += holdout_position(std::to_string(i)) < 0.2;
  CHECK(below > 1850);
  CHECK(below < 2150);
}
