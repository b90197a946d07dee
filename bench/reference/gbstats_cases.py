#!/usr/bin/env python3
"""Writes the golden files of src/stats from GrowthBook's own Python stats engine (gbstats).

Reference: growthbook/growthbook, packages/stats/gbstats at commit
78e2595337cab39879ca83b4ff0395a534d3cfa6 (frequentist/tests.py, bayesian/tests.py and
models/tests.py as of that commit; models/statistics.py and utils.py from the same era: frozen
statistics with create_theta_adjusted_statistics). GBSTATS_PATH must point at a directory holding
the `gbstats` package, e.g. a checkout's packages/stats:

    git -C growthbook checkout 78e2595337cab39879ca83b4ff0395a534d3cfa6
    GBSTATS_PATH=growthbook/packages/stats /usr/bin/python3 bench/reference/gbstats_cases.py

The committed cases were produced with Debian's python3-scipy 1.10, python3-numpy 1.24,
python3-pydantic 1.10, python3-mpmath and python3-statsmodels 0.13, against a copy of those gbstats
modules transcribed from the repository (post-stratification and "scaled" impact left out, unused
here). gbstats targets pydantic 2; under pydantic 1 SequentialTTest.__init__ rejects the two keys it
passes on to FrequentistConfig, so this script patches that one constructor when it runs on
pydantic 1 (same arithmetic, see _patch_for_pydantic_1).

The JSON files are written with Python's layout; run `npx biome format --write src/stats/*.cases.json`
afterwards so `biome ci` accepts them (formatting only, the numbers are untouched).

What comes from where:
- analyze.cases.json: gbstats TwoSidedTTest, OneSidedTreatment{Greater,Lesser}TTest,
  SequentialTwoSidedTTest, SequentialOneSidedTreatment{Greater,Lesser}TTest, EffectBayesianABTest on
  SampleMean/Proportion/Ratio/RegressionAdjusted/RegressionAdjustedRatio statistics, translated
  from the inputs of `analyze` (src/stats/analyze.ts).
- srm.cases.json: gbstats.utils.check_srm.
- distributions.cases.json: scipy.stats (t, norm, chi2); Student-t quantiles also from mpmath at
  40 digits, because scipy's t.ppf is only good to about 5e-9 at moderate degrees of freedom.
- adjust.cases.json: statsmodels.stats.multitest.multipletests (holm, fdr_bh).
- power.cases.json: not gbstats (its power module is mid-experiment); a transcription of
  GrowthBook's pre-experiment calculator (packages/front-end/components/PowerCalculation/stats.ts:
  powerEst, sequentialPowerSequentialVariance) with scipy's normal distribution.
"""

import json
import math
import os
import sys
from dataclasses import asdict

import numpy as np

sys.path.insert(0, os.environ.get("GBSTATS_PATH", "/tmp/gbstats"))

import pydantic  # noqa: E402
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior  # noqa: E402
from gbstats.frequentist import tests as ft  # noqa: E402
from gbstats.models.statistics import (  # noqa: E402
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedRatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "stats")
COMMIT = "78e2595337cab39879ca83b4ff0395a534d3cfa6"


def _patch_for_pydantic_1():
    if int(pydantic.VERSION.split(".")[0]) >= 2:
        return

    def init(self, stats, config=ft.SequentialConfig()):
        config_dict = asdict(config)
        base = {k: v for k, v in config_dict.items() if k not in ("sequential_tuning_parameter", "rho")}
        ft.TTest.__init__(self, stats, ft.FrequentistConfig(**base))
        self.sequential_tuning_parameter = config_dict["sequential_tuning_parameter"]
        self.rho = config_dict.get("rho")
        if self.rho is None:
            self.rho = ft.sequential_rho(
                self.alpha,
                self.sequential_tuning_parameter,
                two_sided=not self.sequential_one_sided_test,
            )

    ft.SequentialTTest.__init__ = init


_patch_for_pydantic_1()


def num(x):
    """JSON-safe float: infinities become null, as in analyze's output."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# --- translating analyze inputs into gbstats statistics -----------------------------------


def mean_stat(n, s):
    return SampleMeanStatistic(n=n, sum=s["sum"], sum_squares=s["sumSquares"])


def statistic(case, arm):
    n = arm["n"]
    kind, cuped = case["type"], case.get("cuped", False)
    if kind == "mean":
        post = mean_stat(n, arm)
        if not cuped:
            return post
        return RegressionAdjustedStatistic(
            n=n, post_statistic=post, pre_statistic=mean_stat(n, arm["pre"]),
            post_pre_sum_of_products=arm["sumProductPre"], theta=None,
        )
    if kind == "proportion":
        post = ProportionStatistic(n=n, sum=arm["sum"])
        if not cuped:
            return post
        return RegressionAdjustedStatistic(
            n=n, post_statistic=post, pre_statistic=ProportionStatistic(n=n, sum=arm["pre"]["sum"]),
            post_pre_sum_of_products=arm["sumProductPre"], theta=None,
        )
    m, d = mean_stat(n, arm["numerator"]), mean_stat(n, arm["denominator"])
    if not cuped:
        return RatioStatistic(n=n, m_statistic=m, d_statistic=d, m_d_sum_of_products=arm["sumProduct"])
    pre, cross = arm["pre"], arm["sumProductPre"]
    return RegressionAdjustedRatioStatistic(
        n=n,
        m_statistic_post=m,
        d_statistic_post=d,
        m_statistic_pre=mean_stat(n, pre["numerator"]),
        d_statistic_pre=mean_stat(n, pre["denominator"]),
        m_post_m_pre_sum_of_products=cross["numerator"],
        d_post_d_pre_sum_of_products=cross["denominator"],
        m_pre_d_pre_sum_of_products=pre["sumProduct"],
        m_post_d_post_sum_of_products=arm["sumProduct"],
        m_post_d_pre_sum_of_products=cross["numeratorDenominator"],
        m_pre_d_post_sum_of_products=cross["denominatorNumerator"],
        theta=None,
    )


def gbstats_variant(case, control, treatment):
    difference = "relative" if case.get("relative", True) else "absolute"
    alpha = case.get("alpha", 0.05)
    pair = [(control, treatment)]
    if case["engine"] == "bayesian":
        prior = case.get("prior")
        config = EffectBayesianConfig(
            difference_type=difference,
            alpha=alpha,
            prior_effect=GaussianPrior(mean=prior["mean"], variance=prior["variance"], proper=True)
            if prior
            else GaussianPrior(proper=False),
        )
        r = EffectBayesianABTest(pair, config).compute_result()
        return {
            "effect": num(r.expected), "se": num(r.uplift.stddev), "ci": [num(x) for x in r.ci],
            "pValue": None, "chanceToWin": num(r.chanceToWin), "risk": [num(x) for x in r.risk],
            "error": r.errorMessage,
        }
    alternative = case.get("alternative", "two-sided")
    sequential = case.get("sequential")
    if sequential:
        cls = {
            "two-sided": ft.SequentialTwoSidedTTest,
            "greater": ft.SequentialOneSidedTreatmentGreaterTTest,
            "less": ft.SequentialOneSidedTreatmentLesserTTest,
        }[alternative]
        config = ft.SequentialConfig(
            difference_type=difference, alpha=alpha, sequential_tuning_parameter=sequential["tuning"]
        )
    else:
        cls = {
            "two-sided": ft.TwoSidedTTest,
            "greater": ft.OneSidedTreatmentGreaterTTest,
            "less": ft.OneSidedTreatmentLesserTTest,
        }[alternative]
        config = ft.FrequentistConfig(difference_type=difference, alpha=alpha)
    r = cls(pair, config).compute_result()
    return {
        "effect": num(r.expected), "se": num(r.uplift.stddev), "ci": [num(x) for x in r.ci],
        "pValue": num(r.pValue), "chanceToWin": None, "risk": None, "error": r.errorMessage,
    }


def expected(case):
    stats = [statistic(case, arm) for arm in case["arms"]]
    return {"variants": [gbstats_variant(case, stats[0], s) for s in stats[1:]]}


# --- synthetic arms (sufficient statistics of simulated users) -----------------------------


def sums(x):
    return {"sum": float(np.sum(x)), "sumSquares": float(np.sum(x * x))}


def simulate(rng, kind, n, lift, cuped):
    """One arm's sums; `lift` multiplies the outcome. Pre-period values correlate with the outcome."""
    if kind == "proportion":
        pre = (rng.random(n) < 0.3).astype(float)
        y = (rng.random(n) < (0.08 + 0.1 * pre) * lift).astype(float)
        arm = {"n": n, "sum": float(y.sum())}
        if cuped:
            arm["pre"] = {"sum": float(pre.sum())}
            arm["sumProductPre"] = float((y * pre).sum())
        return arm
    if kind == "mean":
        pre = rng.gamma(2.0, 10.0, n)
        y = (0.6 * pre + rng.gamma(2.0, 8.0, n)) * lift
        arm = {"n": n, **sums(y)}
        if cuped:
            arm["pre"] = sums(pre)
            arm["sumProductPre"] = float((y * pre).sum())
        return arm
    d_pre = rng.poisson(3.0, n).astype(float)
    m_pre = d_pre * rng.gamma(2.0, 15.0, n)
    d = rng.poisson(2.0 + 0.4 * d_pre).astype(float)
    m = (d * rng.gamma(2.0, 15.0, n) + 0.2 * m_pre) * lift
    arm = {"n": n, "numerator": sums(m), "denominator": sums(d), "sumProduct": float((m * d).sum())}
    if cuped:
        arm["pre"] = {"numerator": sums(m_pre), "denominator": sums(d_pre), "sumProduct": float((m_pre * d_pre).sum())}
        arm["sumProductPre"] = {
            "numerator": float((m * m_pre).sum()),
            "denominator": float((d * d_pre).sum()),
            "numeratorDenominator": float((m * d_pre).sum()),
            "denominatorNumerator": float((d * m_pre).sum()),
        }
    return arm


def analyze_cases():
    rng = np.random.RandomState(20240601)
    cases = []

    def add(name, kind, settings, sizes=(2000, 2100), lifts=(1.0, 1.04), cuped=False):
        arms = [simulate(rng, kind, n, lift, cuped) for n, lift in zip(sizes, lifts)]
        case = {"type": kind, "engine": settings.pop("engine", "frequentist"), **settings, "cuped": cuped, "arms": arms}
        cases.append({"name": name, "input": case, "expected": expected(case)})

    for kind in ["mean", "proportion", "ratio"]:
        for cuped in [False, True]:
            tag = f"{kind}{'-cuped' if cuped else ''}"
            add(f"{tag} frequentist relative", kind, {}, cuped=cuped)
            add(f"{tag} frequentist absolute", kind, {"relative": False}, cuped=cuped)
            add(f"{tag} frequentist greater alpha 0.1", kind, {"alternative": "greater", "alpha": 0.1}, cuped=cuped)
            add(f"{tag} frequentist less", kind, {"alternative": "less"}, lifts=(1.0, 0.95), cuped=cuped)
            add(f"{tag} sequential two-sided", kind, {"sequential": {"tuning": 5000}}, cuped=cuped)
            add(
                f"{tag} sequential greater absolute", kind,
                {"sequential": {"tuning": 2000}, "alternative": "greater", "relative": False},
                sizes=(6000, 6000), lifts=(1.0, 1.035), cuped=cuped,
            )
            add(f"{tag} sequential less", kind, {"sequential": {"tuning": 10000}, "alternative": "less"},
                sizes=(5000, 5200), lifts=(1.0, 0.965), cuped=cuped)
            add(f"{tag} bayesian flat", kind, {"engine": "bayesian"}, cuped=cuped)
            add(f"{tag} bayesian prior", kind, {"engine": "bayesian", "prior": {"mean": 0, "variance": 0.09}},
                sizes=(300, 320), cuped=cuped)
            add(f"{tag} bayesian prior absolute", kind,
                {"engine": "bayesian", "prior": {"mean": 0.02, "variance": 0.01}, "relative": False, "alpha": 0.1},
                sizes=(300, 320), cuped=cuped)
            add(f"{tag} three arms", kind, {}, sizes=(1500, 1400, 1600), lifts=(1.0, 1.1, 0.97), cuped=cuped)
    # Degenerate inputs: gbstats's neutral outputs and error codes.
    flat = {"type": "mean", "engine": "frequentist", "arms": [
        {"n": 10, "sum": 50, "sumSquares": 250}, {"n": 12, "sum": 70, "sumSquares": 420}]}
    cases.append({"name": "zero variance", "input": flat, "expected": expected(flat)})
    single = {"type": "proportion", "engine": "bayesian", "arms": [{"n": 1, "sum": 1}, {"n": 50, "sum": 20}]}
    cases.append({"name": "one unit in control", "input": single, "expected": expected(single)})
    zero = {"type": "ratio", "engine": "frequentist", "arms": [
        {"n": 40, "numerator": {"sum": 0, "sumSquares": 0}, "denominator": {"sum": 60, "sumSquares": 110},
         "sumProduct": 0},
        {"n": 40, "numerator": {"sum": 30, "sumSquares": 80}, "denominator": {"sum": 55, "sumSquares": 100},
         "sumProduct": 60}]}
    cases.append({"name": "ratio without numerator", "input": zero, "expected": expected(zero)})
    centered = {"type": "mean", "engine": "frequentist", "arms": [
        {"n": 10, "sum": 0, "sumSquares": 20}, {"n": 12, "sum": 6, "sumSquares": 30}]}
    cases.append({"name": "zero baseline", "input": centered, "expected": expected(centered)})
    centered_abs = {**centered, "relative": False}
    cases.append({"name": "zero baseline absolute", "input": centered_abs, "expected": expected(centered_abs)})
    return cases


def distribution_cases():
    import mpmath as mp
    from scipy.stats import chi2, norm, t

    mp.mp.dps = 40

    def t_quantile(p, dof):
        nu = mp.mpf(dof)

        def cdf(x):
            tail = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
            return tail if x < 0 else 1 - tail

        return float(mp.findroot(lambda x: cdf(x) - mp.mpf(p), mp.mpf(float(t.ppf(p, dof)))))

    dofs = [1, 1.5, 2, 3, 5.5, 10, 29.7, 100, 1234.5, 99999, 100001, 1e7, 1e9]
    xs = [-40, -8, -3, -1.96, -0.5, -1e-3, 0.3, 1, 2.5, 6, 15]
    ps = [1e-12, 1e-6, 0.001, 0.025, 0.05, 0.3, 0.7, 0.95, 0.975, 0.999]
    return {
        "studentTCdf": [{"x": x, "dof": d, "scipy": float(t.cdf(x, d))} for d in dofs for x in xs],
        "studentTQuantile": [
            {"p": p, "dof": d, "scipy": float(t.ppf(p, d)), "exact": t_quantile(p, d)} for d in dofs for p in ps
        ],
        "normalCdf": [{"x": x, "scipy": float(norm.cdf(x))} for x in [-38, -20, -8, -3, -1.96, -1, -0.1, 0.1, 1, 1.96, 3, 8]],
        "normalQuantile": [
            {"p": p, "scipy": float(norm.ppf(p))}
            for p in [1e-300, 1e-50, 1e-12, 1e-6, 0.001, 0.025, 0.05, 0.3, 0.7, 0.95, 0.975, 0.999, 1 - 1e-9]
        ],
        "chiSquareSf": [
            {"x": x, "dof": d, "scipy": float(chi2.sf(x, d))}
            for d in [1, 2, 3, 7, 50] for x in [0.001, 0.5, 1, 3, 10, 30, 100, 1000]
        ],
    }


def srm_cases():
    rows = [
        ([1000, 1000], [0.5, 0.5]), ([1000, 1100], [0.5, 0.5]), ([5000, 5230], [0.5, 0.5]),
        ([3000, 1000], [0.75, 0.25]), ([3000, 1150], [0.75, 0.25]), ([100, 120, 90], [1, 1, 1]),
        ([10000, 10100, 9700, 10400], [0.25, 0.25, 0.25, 0.25]), ([50, 0, 55], [0.5, 0, 0.5]),
        ([0, 0], [0.5, 0.5]), ([120000, 121500], [0.5, 0.5]),
    ]
    return [{"counts": c, "weights": w, "pValue": float(check_srm(c, w))} for c, w in rows]


def adjust_cases():
    from statsmodels.stats.multitest import multipletests

    sets = [
        [0.01, 0.04, 0.03, 0.005, 0.2],
        [0.5],
        [0.001, 0.001, 0.02, 0.04, 0.04, 0.3, 0.9],
        [0.04, 0.03, 0.02, 0.01],
        [0.8, 0.6, 0.7, 0.9, 0.05],
    ]
    return [
        {
            "pValues": ps,
            "holm": [float(x) for x in multipletests(ps, method="holm")[1]],
            "benjaminiHochberg": [float(x) for x in multipletests(ps, method="fdr_bh")[1]],
        }
        for ps in sets
    ]


def power_cases():
    from scipy.stats import norm

    def power_est(effect, mean, variance, n, variations, alpha, tuning):
        n_a = n / variations
        v = variance
        if tuning:
            rho = math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)
            part = 2 * (n_a * rho**2 + 1) * math.log(math.sqrt(n_a * rho**2 + 1) / alpha) / (n_a * rho) ** 2
            z_seq = math.sqrt(n_a) * math.sqrt(part)
            v = n_a * (math.sqrt(variance / n_a) * z_seq / norm.ppf(1 - alpha / 2)) ** 2
        mean_b = mean * (1 + effect)
        se = math.sqrt(v / (mean**2 * n_a) + v * mean_b**2 / (mean**4 * n_a))
        z = norm.ppf(1 - alpha / 2)
        return 1 - norm.cdf(z - effect / se) + norm.cdf(-z - effect / se)

    out = []
    for kind, baseline, sd, mde, alpha, power, variants, weekly, tuning in [
        ("proportion", 0.05, None, 0.1, 0.05, 0.8, 2, 10000, None),
        ("proportion", 0.2, None, 0.05, 0.05, 0.9, 3, 25000, None),
        ("proportion", 0.02, None, 0.2, 0.1, 0.8, 2, 3000, 5000),
        ("mean", 40.0, 55.0, 0.03, 0.05, 0.8, 2, 50000, None),
        ("mean", 12.5, 9.0, 0.1, 0.01, 0.8, 4, 2000, None),
        ("mean", 40.0, 55.0, 0.05, 0.05, 0.8, 2, 20000, 10000),
    ]:
        variance = baseline * (1 - baseline) if kind == "proportion" else sd**2

        def reaches(total):
            return power_est(mde, baseline, variance, total, variants, alpha, tuning) >= power

        per_arm = 2
        while not reaches(per_arm * variants):
            per_arm *= 2
        lo, hi = 2, per_arm
        while lo < hi:
            mid = (lo + hi) // 2
            if reaches(mid * variants):
                hi = mid
            else:
                lo = mid + 1
        weeks = 1
        while not reaches(weeks * weekly):
            weeks += 1
        case = {"type": kind, "baseline": baseline, "mde": mde, "alpha": alpha, "power": power,
                "variants": variants, "weeklyTraffic": weekly, "sequentialTuning": tuning}
        if sd is not None:
            case["stddev"] = sd
        out.append({
            "input": case,
            "powerAt": [[n, power_est(mde, baseline, variance, n, variants, alpha, tuning)] for n in (1000, 20000, 500000)],
            "usersPerVariant": hi,
            "weeks": weeks,
        })
    return out


def write(name, payload):
    path = os.path.normpath(os.path.join(OUT, name))
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    source = f"bench/reference/gbstats_cases.py (gbstats {COMMIT})"
    write("analyze.cases.json", {"source": source, "cases": analyze_cases()})
    write("srm.cases.json", {"source": source, "cases": srm_cases()})
    write("distributions.cases.json", {"source": source, **distribution_cases()})
    write("adjust.cases.json", {"source": source, "cases": adjust_cases()})
    write("power.cases.json", {"source": f"{source}; GrowthBook front-end PowerCalculation/stats.ts", "cases": power_cases()})
