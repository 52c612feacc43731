// QuantLib C++ peer for benches/benches/pricing_engines.rs: the same 64-option American book
// (Weyl sequence of parapet_benches::spread) and the same Heston workloads; median over
// repeats of microseconds per option.
//
//   g++ -O3 -march=native -std=c++17 quantlib_pricing_engines.cpp -o /tmp/ql_engines -lQuantLib
//   /tmp/ql_engines
//
// QuantLib prices dated instruments: expiries are rounded to whole days (Actual365Fixed), so
// the inputs match the Rust bench to within half a day; the workloads are otherwise identical.
#include <ql/quantlib.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

using namespace QuantLib;

static std::vector<double> spread(std::size_t n, double lo, double hi) {
    const double golden = 0.6180339887498949;
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        double f = (static_cast<double>(i) + 0.5) * golden;
        v[i] = lo + (hi - lo) * (f - std::floor(f));
    }
    return v;
}

// Median over `reps` repeats of the time per call of `body()`, in microseconds.
static double median_us(int reps, int inner, const std::function<double()>& body) {
    volatile double sink = 0.0;
    std::vector<double> times;
    for (int rep = 0; rep < reps; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        double s = 0.0;
        for (int i = 0; i < inner; ++i) s += body();
        auto t1 = std::chrono::steady_clock::now();
        sink = sink + s;
        times.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / inner);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

int main() {
    Date today(2, January, 2024);
    Settings::instance().evaluationDate() = today;
    DayCounter dc = Actual365Fixed();
    auto spot = ext::make_shared<SimpleQuote>(100.0);
    auto flat = [&](double r) {
        return Handle<YieldTermStructure>(ext::make_shared<FlatForward>(today, r, dc));
    };

    // American book: strikes 80..120, expiries 0.1..3 y, vols 15%..45%, r = 5%, q = 3%.
    auto k = spread(64, 80.0, 120.0), t = spread(64, 0.1, 3.0), v = spread(64, 0.15, 0.45);
    std::vector<ext::shared_ptr<VanillaOption>> options;
    std::vector<ext::shared_ptr<SimpleQuote>> vols;
    std::vector<ext::shared_ptr<GeneralizedBlackScholesProcess>> processes;
    for (int i = 0; i < 64; ++i) {
        Option::Type type = i % 2 == 0 ? Option::Put : Option::Call;
        Date expiry = today + Integer(std::lround(t[(i * 7) % 64] * 365.0));
        auto vol = ext::make_shared<SimpleQuote>(v[(i * 13) % 64]);
        auto process = ext::make_shared<BlackScholesMertonProcess>(
            Handle<Quote>(spot), flat(0.03), flat(0.05),
            Handle<BlackVolTermStructure>(ext::make_shared<BlackConstantVol>(
                today, NullCalendar(), Handle<Quote>(vol), dc)));
        options.push_back(ext::make_shared<VanillaOption>(
            ext::make_shared<PlainVanillaPayoff>(type, k[i]),
            ext::make_shared<AmericanExercise>(today, expiry)));
        vols.push_back(vol);
        processes.push_back(process);
    }
    auto book = [&](const std::function<ext::shared_ptr<PricingEngine>(int)>& engine, int reps) {
        for (int i = 0; i < 64; ++i) options[i]->setPricingEngine(engine(i));
        return median_us(reps, 1, [&]() {
            double s = 0.0;
            for (int i = 0; i < 64; ++i) {
                options[i]->recalculate();
                s += options[i]->NPV();
            }
            return s;
        }) / 64.0;
    };
    std::printf("american qdfp fast          %10.3f us/option\n", book([&](int i) {
        return ext::make_shared<QdFpAmericanEngine>(processes[i], QdFpAmericanEngine::fastScheme()); }, 21));
    std::printf("american qdfp accurate      %10.3f us/option\n", book([&](int i) {
        return ext::make_shared<QdFpAmericanEngine>(processes[i], QdFpAmericanEngine::accurateScheme()); }, 11));
    std::printf("american qdfp high prec.    %10.3f us/option\n", book([&](int i) {
        return ext::make_shared<QdFpAmericanEngine>(processes[i], QdFpAmericanEngine::highPrecisionScheme()); }, 3));
    std::printf("american BAW                %10.3f us/option\n", book([&](int i) {
        return ext::make_shared<BaroneAdesiWhaleyApproximationEngine>(processes[i]); }, 21));
    std::printf("american Bjerksund-Stens.   %10.3f us/option\n", book([&](int i) {
        return ext::make_shared<BjerksundStenslandApproximationEngine>(processes[i]); }, 21));

    // Heston, Lewis parameter set; call K = 105 at T = 0.1 and 1, and a 50-strike smile.
    auto hp = ext::make_shared<HestonProcess>(flat(0.01), flat(0.02), Handle<Quote>(spot),
                                              0.04, 4.0, 0.25, 1.0, -0.5);
    auto model = ext::make_shared<HestonModel>(hp);
    for (double T : {0.1, 1.0}) {
        Date expiry = today + Integer(std::lround(T * 365.0));
        VanillaOption call(ext::make_shared<PlainVanillaPayoff>(Option::Call, 105.0),
                           ext::make_shared<EuropeanExercise>(expiry));
        call.setPricingEngine(ext::make_shared<COSHestonEngine>(model));
        double cos = median_us(11, 50, [&]() { call.recalculate(); return call.NPV(); });
        call.setPricingEngine(ext::make_shared<AnalyticHestonEngine>(
            model, AnalyticHestonEngine::OptimalCV, AnalyticHestonEngine::Integration::gaussLobatto(1e-10, Null<Real>())));
        double analytic = median_us(11, 20, [&]() { call.recalculate(); return call.NPV(); });
        std::printf("heston T=%.1f cos           %10.3f us/price\n", T, cos);
        std::printf("heston T=%.1f analytic 1e-10%10.3f us/price\n", T, analytic);
    }
    auto strikes = spread(50, 60.0, 140.0);
    std::vector<ext::shared_ptr<VanillaOption>> smile;
    Date one_year = today + 365;
    for (double K : strikes) {
        smile.push_back(ext::make_shared<VanillaOption>(
            ext::make_shared<PlainVanillaPayoff>(Option::Put, K),
            ext::make_shared<EuropeanExercise>(one_year)));
        smile.back()->setPricingEngine(ext::make_shared<COSHestonEngine>(model));
    }
    double s50 = median_us(11, 1, [&]() {
        double s = 0.0;
        for (auto& o : smile) { o->recalculate(); s += o->NPV(); }
        return s;
    });
    std::printf("heston cos smile 50         %10.3f us/smile\n", s50);
    return 0;
}
