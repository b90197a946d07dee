#!/usr/bin/env python3
"""Writes the golden files of the Beta distribution functions and of bandit best-arm probabilities.

    python3 bench/reference/bandit_cases.py
    npx biome format --write src/stats/beta.cases.json src/models/bandit/best-arm.cases.json

- src/stats/beta.cases.json: scipy.stats.beta pdf, cdf, sf and ppf (Boost's ibeta, ibeta_inv).
- src/models/bandit/best-arm.cases.json: P(arm i is the largest) for independent Beta and Normal
  posteriors, P_i = integral of f_i(x) prod_{j != i} F_j(x) dx, by scipy.integrate.quad (QUADPACK,
  epsabs 1e-15, epsrel 1e-13) with breakpoints at every arm's mean +- {1, 2, 4, 8, 12, 20} sd over
  the arms' joint support, the densities and CDFs from scipy.stats. An implementation independent of
  ours (adaptive Gauss-Kronrod instead of fixed panels, Boost's ibeta instead of our continued
  fraction). mpmath at 40 digits is used as well for the Normal cases (mp.ncdf), as a cross-check.

The scipy version is recorded in each JSON file.
"""
import json
import os

import mpmath as mp
import numpy as np
import scipy
from scipy import integrate
from scipy.stats import beta as beta_dist
from scipy.stats import norm

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OFFSETS = (-20, -12, -8, -4, -2, -1, 0, 1, 2, 4, 8, 12, 20)


def beta_cases():
    params = [(1, 1), (2, 3), (0.5, 0.5), (1, 1000), (51, 951), (5001, 95001), (300, 20), (0.7, 12.5), (1e5, 3e6)]
    xs = [1e-12, 1e-6, 0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.99]
    ps = [1e-15, 1e-9, 0.001, 0.025, 0.5, 0.975, 0.999999, 1 - 1e-15]
    cdf, pdf, quantile = [], [], []
    for a, b in params:
        mean = a / (a + b)
        sd = (mean * (1 - mean) / (a + b + 1)) ** 0.5
        for x in xs + [max(1e-14, mean - 3 * sd), mean, min(1 - 1e-14, mean + 3 * sd)]:
            cdf.append({"x": x, "a": a, "b": b, "cdf": float(beta_dist.cdf(x, a, b)), "sf": float(beta_dist.sf(x, a, b))})
            pdf.append({"x": x, "a": a, "b": b, "pdf": float(beta_dist.pdf(x, a, b))})
        for p in ps:
            quantile.append({"p": p, "a": a, "b": b, "scipy": float(beta_dist.ppf(p, a, b))})
    return {"scipy": scipy.__version__, "cdf": cdf, "pdf": pdf, "quantile": quantile}


def best_arm(pdfs, cdfs, centers, lo, hi):
    edges = {lo, hi}
    for c, s in centers:
        for k in OFFSETS:
            x = c + k * s
            if lo < x < hi:
                edges.add(x)
    edges = sorted(edges)
    out = []
    for i in range(len(pdfs)):
        def f(x, i=i):
            v = pdfs[i](x)
            for j in range(len(pdfs)):
                if j != i:
                    v *= cdfs[j](x)
            return v

        total = 0.0
        for u, v in zip(edges[:-1], edges[1:]):
            total += integrate.quad(f, u, v, epsabs=1e-15, epsrel=1e-13, limit=200)[0]
        out.append(total)
    return out


def beta_best_arm(arms):
    pdfs = [lambda x, a=a, b=b: beta_dist.pdf(x, a, b) for a, b in arms]
    cdfs = [lambda x, a=a, b=b: beta_dist.cdf(x, a, b) for a, b in arms]
    centers = [(a / (a + b), (a * b / ((a + b) ** 2 * (a + b + 1))) ** 0.5) for a, b in arms]
    return best_arm(pdfs, cdfs, centers, 0.0, 1.0)


def gaussian_best_arm(arms):
    pdfs = [lambda x, m=m, s=s: norm.pdf(x, m, s) for m, s in arms]
    cdfs = [lambda x, m=m, s=s: norm.cdf(x, m, s) for m, s in arms]
    lo = min(m - 40 * s for m, s in arms)
    hi = max(m + 40 * s for m, s in arms)
    return best_arm(pdfs, cdfs, list(arms), lo, hi)


def gaussian_best_arm_mpmath(arms):
    mp.mp.dps = 40
    edges = sorted({mp.mpf(m + k * s) for m, s in arms for k in OFFSETS + (-40, 40)})
    out = []
    for i, (mi, si) in enumerate(arms):
        def f(x, i=i, mi=mi, si=si):
            v = mp.npdf(x, mi, si)
            for j, (mj, sj) in enumerate(arms):
                if j != i:
                    v *= mp.ncdf(x, mj, sj)
            return v

        out.append(float(mp.quad(f, edges)))
    return out


def best_arm_cases():
    beta_sets = [
        [(1, 1), (1, 1)],
        [(2, 1), (1, 2)],
        [(11, 91), (15, 87)],
        [(1, 1), (51, 951), (61, 941)],
        [(41, 961), (46, 956), (51, 951), (56, 946), (61, 941)],
        [(5001, 95001), (5101, 94901), (3, 40)],
        [(401, 9601), (1, 1), (2, 30), (21, 481)],
        [(100001, 1900001), (101001, 1899001), (1001, 19001)],
    ]
    gauss_sets = [
        [(0, 1), (0, 1)],
        [(0, 1), (0.5, 2)],
        [(1.0, 0.01), (0.9, 1.0), (1.05, 0.2)],
        [(10, 3), (10.2, 0.001), (9.5, 0.5), (10.1, 0.05)],
        [(0.1, 0.05), (0.12, 0.05), (0.08, 0.01), (0.11, 0.3), (-0.5, 0.1)],
    ]
    gaussian = []
    for s in gauss_sets:
        p = gaussian_best_arm(s)
        check = gaussian_best_arm_mpmath(s)
        assert np.allclose(p, check, rtol=1e-10, atol=1e-13), (p, check)
        gaussian.append({"mean": [m for m, _ in s], "sd": [sd for _, sd in s], "p": p})
    return {
        "scipy": scipy.__version__,
        "beta": [{"alpha": [a for a, _ in s], "beta": [b for _, b in s], "p": beta_best_arm(s)} for s in beta_sets],
        "gaussian": gaussian,
    }


def write(path, data):
    with open(os.path.join(ROOT, path), "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    write("src/stats/beta.cases.json", beta_cases())
    write("src/models/bandit/best-arm.cases.json", best_arm_cases())
