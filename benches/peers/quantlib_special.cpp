// QuantLib C++ peer for benches/benches/core.rs: the same 4,096 arguments (Weyl sequence of
// parapet_benches::spread), the same workloads, best-of-repeats nanoseconds per call.
//
//   g++ -O3 -march=native -std=c++17 quantlib_special.cpp -o /tmp/ql_special -lQuantLib
//   /tmp/ql_special
#include <ql/math/distributions/normaldistribution.hpp>
#include <ql/math/errorfunction.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

static std::vector<double> spread(std::size_t n, double lo, double hi) {
    const double golden = 0.6180339887498949;
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        double f = (static_cast<double>(i) + 0.5) * golden;
        v[i] = lo + (hi - lo) * (f - std::floor(f));
    }
    return v;
}

static double time_ns(const std::vector<double>& xs, const std::function<double(double)>& f) {
    volatile double sink = 0.0;
    double best = 1e300;
    for (int rep = 0; rep < 200; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        double s = 0.0;
        for (double x : xs) s += f(x);
        auto t1 = std::chrono::steady_clock::now();
        sink = sink + s;
        double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / xs.size();
        if (ns < best) best = ns;
    }
    return best;
}

int main() {
    const std::size_t n = 4096;
    auto central = spread(n, -3.0, 3.0);
    auto tail = spread(n, -37.0, -5.0);
    auto exps = spread(n, -12.0, -0.31);
    std::vector<double> probs(n);
    for (std::size_t i = 0; i < n; ++i) probs[i] = std::pow(10.0, exps[i]);
    QuantLib::CumulativeNormalDistribution cdf;
    QuantLib::NormalDistribution pdf;
    QuantLib::InverseCumulativeNormal inv;
    QuantLib::ErrorFunction erf;
    std::printf("quantlib norm_cdf/central %.2f ns\n", time_ns(central, [&](double x) { return cdf(x); }));
    std::printf("quantlib norm_cdf/tail %.2f ns\n", time_ns(tail, [&](double x) { return cdf(x); }));
    std::printf("quantlib norm_pdf %.2f ns\n", time_ns(central, [&](double x) { return pdf(x); }));
    std::printf("quantlib norm_inv_cdf %.2f ns\n", time_ns(probs, [&](double p) { return inv(p); }));
    std::printf("quantlib erf %.2f ns\n", time_ns(central, [&](double x) { return erf(x); }));
    return 0;
}
