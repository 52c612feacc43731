// QuantLib C++ peer for benches/benches/pricing.rs: the same chains (Weyl sequence of
// parapet_benches::spread), the same workloads, median over repeats of nanoseconds per option.
//
//   g++ -O3 -march=native -std=c++17 quantlib_pricing.cpp -o /tmp/ql_pricing -lQuantLib
//   /tmp/ql_pricing
//
// Workloads: blackFormula (price), BlackCalculator value + delta + gamma + vega + theta
// (price + Greeks), blackFormulaImpliedStdDev with its default accuracy (1e-6) and with 1e-12.
#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/pricingengines/blackformula.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

using QuantLib::Option;

static std::vector<double> spread(std::size_t n, double lo, double hi) {
    const double golden = 0.6180339887498949;
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        double f = (static_cast<double>(i) + 0.5) * golden;
        v[i] = lo + (hi - lo) * (f - std::floor(f));
    }
    return v;
}

// Median over `reps` repeats of the time per element of `body(i)` over `n` elements.
static double median_ns(std::size_t n, int reps, const std::function<double(std::size_t)>& body) {
    volatile double sink = 0.0;
    std::vector<double> times;
    for (int rep = 0; rep < reps; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) s += body(i);
        auto t1 = std::chrono::steady_clock::now();
        sink = sink + s;
        times.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

int main() {
    // The chain of pricing.rs: forward 100, strikes 60..160, expiries a week..3 years,
    // vols 10%..60%, calls and puts alternating.
    const std::size_t n = 100000;
    auto strikes = spread(n, 60.0, 160.0);
    auto expiries = spread(n, 7.0 / 365.0, 3.0);
    auto vols = spread(n, 0.1, 0.6);
    auto type = [](std::size_t i) { return i % 2 == 0 ? Option::Call : Option::Put; };

    double price = median_ns(n, 21, [&](std::size_t i) {
        return QuantLib::blackFormula(type(i), strikes[i], 100.0, vols[i] * std::sqrt(expiries[i]), 1.0);
    });
    double greeks = median_ns(n, 11, [&](std::size_t i) {
        QuantLib::BlackCalculator c(type(i), strikes[i], 100.0, vols[i] * std::sqrt(expiries[i]), 1.0);
        return c.value() + c.deltaForward() + c.gammaForward() + c.vega(expiries[i]) +
               c.theta(100.0, expiries[i]);
    });

    // Implied vol on the rows with time value left, as in pricing.rs.
    std::vector<std::size_t> rows;
    std::vector<double> prices(n);
    for (std::size_t i = 0; i < 10000; ++i) {
        double sd = vols[i] * std::sqrt(expiries[i]);
        prices[i] = QuantLib::blackFormula(type(i), strikes[i], 100.0, sd, 1.0);
        double intrinsic = std::max(type(i) == Option::Call ? 100.0 - strikes[i] : strikes[i] - 100.0, 0.0);
        if (prices[i] > intrinsic) rows.push_back(i);
    }
    auto iv = [&](double accuracy) {
        return median_ns(rows.size(), 5, [&](std::size_t j) {
            std::size_t i = rows[j];
            try {
                return QuantLib::blackFormulaImpliedStdDev(type(i), strikes[i], 100.0, prices[i], 1.0, 0.0,
                                                           QuantLib::Null<QuantLib::Real>(), accuracy, 100) /
                       std::sqrt(expiries[i]);
            } catch (...) {
                return 0.0;
            }
        });
    };
    double iv_default = iv(1e-6);
    double iv_tight = iv(1e-12);

    std::printf("quantlib blackFormula                       %8.1f ns/option\n", price);
    std::printf("quantlib BlackCalculator price+d,g,v,theta  %8.1f ns/option\n", greeks);
    std::printf("quantlib blackFormulaImpliedStdDev (1e-6)   %8.1f ns/option (%zu rows)\n", iv_default, rows.size());
    std::printf("quantlib blackFormulaImpliedStdDev (1e-12)  %8.1f ns/option\n", iv_tight);
    return 0;
}
