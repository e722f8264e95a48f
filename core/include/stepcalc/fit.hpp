#pragma once

// Fitting β to measured step durations: non-negative least squares over the steps'
// features, with the training pipeline's optional Tikhonov pull of β₁..β₄ towards 1
// (weight λ). Steps are split into training and test parts by a stable hash of their id.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepcalc/note.hpp"
#include "stepcalc/prediction.hpp"

namespace stepcalc {

// A number in [0, 1) from the step's id (FNV-1a, then MurmurHash3's finaliser): the same
// id always lands on the same side of the split, whatever the file order.
double holdout_position(std::string_view step_id);

// Mean absolute percentage error, root mean square and mean absolute error, in µs.
struct ErrorFigures {
  int64_t steps = 0;
  double mape_pct = 0, rmse_us = 0, mae_us = 0;
};

struct FitRow {
  FeatureVector features{};
  double duration_us = 0;
  double current_us = 0; // the prediction with the step's current coefficients
};

// Against each row's duration: the predictions β·x, or each row's current_us without β.
ErrorFigures error_figures(const std::vector<FitRow> &rows,
                           const std::optional<FeatureVector> &beta = std::nullopt);
nlohmann::ordered_json error_figures_json(const ErrorFigures &figures);

// The training steps, kept as their normal equations (XᵀX and Xᵀy: memory does not grow
// with the number of steps), and the test steps themselves.
class FitData {
public:
  void add(const FitRow &row, bool test);
  int64_t train_steps() const { return train_steps_; }
  const std::vector<FitRow> &test_rows() const { return test_; }

  struct Gram {
    std::array<std::array<double, kFeatureCount>, kFeatureCount> xtx{};
    FeatureVector xty{};
  };
  const Gram &gram() const { return gram_; }

private:
  Gram gram_;
  int64_t train_steps_ = 0;
  std::vector<FitRow> test_;
};

struct FitResult {
  FeatureVector beta{};
  Notes notes; // coefficients the data cannot determine or tell apart
};

// β ≥ 0 minimising Σ (β·x − duration)² + λ Σ_{i=1..4} (βᵢ − 1)² over the training steps.
// Throws InputError when there is no training step.
FitResult fit_beta(const FitData &data, double lambda);

} // namespace stepcalc
