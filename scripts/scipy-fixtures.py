#!/usr/bin/python3
"""Writes test/fixtures/scipy-drift.json: the oracle for Edgewatch's drift statistics.

Run with the Debian interpreter that ships scipy (``/usr/bin/python3 scripts/scipy-fixtures.py``).
Every expected value below is computed by scipy (or, for PSI, which scipy lacks, by the
closed-form numpy expression the issue specifies), never by Edgewatch's own code, so the
TypeScript tests compare two independent implementations.

Synthetic inputs are rounded before the statistics are computed, so the JSON holds exactly the
numbers scipy saw and the file stays small.
"""

import csv
import json
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSV = os.path.join(ROOT, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'scipy-drift.json')

rng = np.random.default_rng(20240611)


def r(values, digits=4):
    """Rounded plain-float list: what the fixture stores and what scipy is fed."""
    return [float(v) for v in np.round(np.asarray(values, dtype=float), digits)]


def fnum(x):
    """JSON has no Infinity/NaN; encode them as strings the tests decode."""
    x = float(x)
    if np.isnan(x):
        return 'NaN'
    if np.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def psi_reference(expected, actual):
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e = e / e.sum()
    a = a / a.sum()
    e = np.where(e == 0, 1e-4, e)
    a = np.where(a == 0, 1e-4, a)
    return float(np.sum((a - e) * np.log(a / e)))


# ---------------------------------------------------------------- count-based statistics
count_pairs = []
for k in (2, 3, 5, 10, 20):
    count_pairs.append((rng.integers(1, 200, k), rng.integers(1, 200, k)))
# zero bins on either side, and a pair where only one side has zeros
count_pairs.append(([10, 0, 30, 60], [0, 5, 35, 60]))
count_pairs.append(([1, 2, 3, 4, 0], [4, 3, 2, 1, 0]))
count_pairs.append(([100, 100, 100], [100, 100, 100]))
count_pairs.append(([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]))  # already proportions
count_pairs.append(([5, 1000, 3], [7, 990, 11]))

psi_cases = [
    {'expected': r(e), 'actual': r(a), 'psi': psi_reference(r(e), r(a))} for e, a in count_pairs
]

js_cases = []
kl_cases = []
for p, q in count_pairs:
    p, q = r(p), r(q)
    js_cases.append({'p': p, 'q': q, 'distance': fnum(distance.jensenshannon(p, q, base=2))})
    kl_cases.append({'p': p, 'q': q, 'divergence': fnum(stats.entropy(p, q))})
# q has a zero where p does not: KL is infinite, JS stays finite
kl_cases.append({'p': [1.0, 1.0, 1.0], 'q': [1.0, 0.0, 2.0], 'divergence': fnum(stats.entropy([1, 1, 1], [1, 0, 2]))})
js_cases.append({'p': [1.0, 1.0, 1.0], 'q': [1.0, 0.0, 2.0],
                 'distance': fnum(distance.jensenshannon([1, 1, 1], [1, 0, 2], base=2))})
js_cases.append({'p': [1.0, 0.0], 'q': [0.0, 1.0], 'distance': fnum(distance.jensenshannon([1, 0], [0, 1], base=2))})

chi_cases = []
for obs, exp in count_pairs:
    obs, exp = np.asarray(r(obs)), np.asarray(r(exp))
    if np.any(exp == 0):
        continue
    # scipy 1.10 refuses totals that differ; the semantics rescale expected to observed
    scaled = exp * obs.sum() / exp.sum()
    res = stats.chisquare(obs, scaled)
    chi_cases.append({'observed': obs.tolist(), 'expected': exp.tolist(), 'statistic': fnum(res.statistic),
                      'pValue': fnum(res.pvalue), 'dof': int(len(obs) - 1)})
# large statistic: a p-value far in the tail, to check relative accuracy there
obs = np.array([500.0, 20.0, 30.0, 450.0])
exp = np.array([250.0, 250.0, 250.0, 250.0])
res = stats.chisquare(obs, exp)
chi_cases.append({'observed': obs.tolist(), 'expected': exp.tolist(), 'statistic': fnum(res.statistic),
                  'pValue': fnum(res.pvalue), 'dof': 3})

# two-sample contingency chi-square: reference counts vs current counts (columns zero in both dropped,
# which scipy requires), and a category only one sample has
contingency_pairs = count_pairs + [([2, 1, 0], [0, 1, 1]), ([50, 40, 0, 10], [45, 42, 1, 12]), ([30, 0], [25, 0])]
contingency_cases = []
for ref, cur in contingency_pairs:
    ref, cur = np.asarray(r(ref)), np.asarray(r(cur))
    keep = (ref + cur) > 0
    if keep.sum() < 2:
        contingency_cases.append({'reference': ref.tolist(), 'current': cur.tolist(), 'statistic': 0.0, 'pValue': 1.0, 'dof': 0})
        continue
    res = stats.chi2_contingency(np.vstack([ref[keep], cur[keep]]), correction=False)
    contingency_cases.append({'reference': ref.tolist(), 'current': cur.tolist(), 'statistic': fnum(res[0]),
                              'pValue': fnum(res[1]), 'dof': int(res[2])})

# two proportions x1/n1 vs x2/n2: the z-test's p-value is chi2_contingency's on the 2x2 table (z^2 = chi^2),
# its sign that of p2 - p1; Fisher's exact test as scipy computes it
proportion_cases = []
for x1, n1, x2, n2 in [(10, 100, 20, 100), (50, 172, 48, 172), (0, 1000, 1, 100), (0, 1000, 50, 100), (3, 40, 9, 35),
                       (120, 400, 90, 410), (0, 50, 0, 60), (1, 2, 1, 3), (500, 1000, 480, 1000)]:
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    if (table.sum(axis=0) == 0).any():
        z, pz = 0.0, 1.0
    else:
        chi = stats.chi2_contingency(table, correction=False)
        z, pz = float(np.sign(x2 / n2 - x1 / n1) * np.sqrt(chi[0])), float(chi[1])
    proportion_cases.append({'x1': x1, 'n1': n1, 'x2': x2, 'n2': n2, 'z': fnum(z), 'zPValue': fnum(pz),
                             'fisherPValue': fnum(stats.fisher_exact(table)[1])})

# natural-log Jensen-Shannon distance: scipy's default base, the one Evidently's 0.1 threshold is read in
js_natural_cases = [{'p': c['p'], 'q': c['q'], 'distance': fnum(distance.jensenshannon(c['p'], c['q']))} for c in js_cases]

# ---------------------------------------------------------------- sample-based statistics
sample_pairs = {
    'normal-shift-100-120': (rng.normal(0, 1, 100), rng.normal(0.3, 1, 120)),
    'normal-same-150-200': (rng.normal(5, 2, 150), rng.normal(5, 2, 200)),
    'equal-sizes-101-101': (rng.normal(0, 1, 101), rng.normal(0.2, 1.1, 101)),
    'scale-change-300-250': (rng.normal(0, 1, 300), rng.normal(0, 1.5, 250)),
    'poisson-ties-400-350': (rng.poisson(4, 400), rng.poisson(4.4, 350)),
    'rounded-ties-200-500': (np.round(rng.normal(0, 1, 200), 1), np.round(rng.normal(0.1, 1, 500), 1)),
    'exponential-1000-800': (rng.exponential(1.0, 1000), rng.exponential(1.1, 800)),
    'large-3000-2500': (rng.normal(0, 1, 3000), rng.normal(0.05, 1, 2500)),
    'tiny-5-7': (rng.normal(0, 1, 5), rng.normal(1, 1, 7)),
    'disjoint-120-130': (rng.uniform(0, 1, 120), rng.uniform(2, 3, 130)),
}
ks_cases = []
wasserstein_cases = []
for name, (a, b) in sample_pairs.items():
    a, b = r(a), r(b)
    res = stats.ks_2samp(a, b, method='asymp')
    ks_cases.append({'name': name, 'a': a, 'b': b, 'statistic': fnum(res.statistic), 'pValue': fnum(res.pvalue)})
    wasserstein_cases.append({'name': name, 'a': a, 'b': b, 'distance': fnum(stats.wasserstein_distance(a, b))})
same = r(rng.normal(0, 1, 150))
res = stats.ks_2samp(same, same, method='asymp')
ks_cases.append({'name': 'identical-150', 'a': same, 'b': same, 'statistic': fnum(res.statistic),
                 'pValue': fnum(res.pvalue)})
wasserstein_cases.append({'name': 'identical-150', 'a': same, 'b': same,
                          'distance': fnum(stats.wasserstein_distance(same, same))})

# ---------------------------------------------------------------- special functions
gammaincc_grid = []
for a in (0.5, 1.0, 1.5, 2.5, 4.0, 9.5, 25.0, 100.5, 499.5):
    for x in (1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 80.0, 150.0, 600.0):
        gammaincc_grid.append({'a': a, 'x': x, 'q': fnum(special.gammaincc(a, x))})

kolmogorov_grid = [{'x': x, 'sf': fnum(stats.kstwobign.sf(x))}
                   for x in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.36, 1.6, 2.0, 2.5, 3.0, 4.0)]

kstwo_grid = []
for n in (1, 2, 5, 10, 50, 100, 182, 365, 1000, 2500):
    for z in (0.3, 0.6, 0.9, 1.1, 1.36, 1.7, 2.2):
        d = min(z / np.sqrt(n), 1.0)
        kstwo_grid.append({'n': n, 'd': float(d), 'sf': fnum(stats.kstwo.sf(d, n))})
    for d in (0.5 / n, 0.75, 0.99):
        kstwo_grid.append({'n': n, 'd': float(d), 'sf': fnum(stats.kstwo.sf(d, n))})

# ---------------------------------------------------------------- seattle-weather
with open(CSV, newline='') as fh:
    rows = list(csv.DictReader(fh))
dates = [row['date'] for row in rows]
temp_max = [float(row['temp_max']) for row in rows]
weather = [row['weather'] for row in rows]
years = np.array([int(d[:4]) for d in dates])
months = np.array([int(d[5:7]) for d in dates])


def indices(mask):
    return [int(i) for i in np.flatnonzero(mask)]


slices = {
    'jan-jun': indices(months <= 6),
    'jul-dec': indices(months >= 7),
    'y2012': indices(years == 2012),
    'y2013': indices(years == 2013),
}
tm = np.asarray(temp_max)


def sample(name):
    return tm[slices[name]]


def seattle_pair(ref, cur):
    a, b = sample(ref), sample(cur)
    ks = stats.ks_2samp(a, b, method='asymp')
    # "naive" PSI: 10 bins at the reference deciles (numpy's default linear quantiles), the outer
    # bins open-ended; a value equal to an edge goes to the bin above it, as np.histogram does
    edges = np.quantile(a, np.linspace(0, 1, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    ea, _ = np.histogram(a, edges)
    eb, _ = np.histogram(b, edges)
    # the other common naive choice: 10 equal-width bins over the pooled range
    wedges = np.histogram_bin_edges(np.concatenate([a, b]), bins=10)
    wa, _ = np.histogram(a, wedges)
    wb, _ = np.histogram(b, wedges)
    wref = [weather[i] for i in slices[ref]]
    wcur = [weather[i] for i in slices[cur]]
    cats = sorted(set(wref) | set(wcur))
    cref = np.array([wref.count(c) for c in cats], dtype=float)
    ccur = np.array([wcur.count(c) for c in cats], dtype=float)
    chi = stats.chisquare(ccur, cref * ccur.sum() / cref.sum())
    cont = stats.chi2_contingency(np.vstack([cref, ccur]), correction=False)
    return {
        'reference': ref,
        'current': cur,
        'tempMax': {
            'ksStatistic': fnum(ks.statistic),
            'ksPValue': fnum(ks.pvalue),
            'wasserstein': fnum(stats.wasserstein_distance(a, b)),
            'referenceStd': fnum(np.std(a)),
            'naivePsi10': psi_reference(ea, eb),
            'naivePsi10Counts': {'expected': ea.tolist(), 'actual': eb.tolist()},
            'referenceDeciles': [float(x) for x in np.quantile(a, np.linspace(0, 1, 11))],
            'equalWidthPsi10': psi_reference(wa, wb),
        },
        'weather': {
            'categories': cats,
            'referenceCounts': cref.tolist(),
            'currentCounts': ccur.tolist(),
            'chiSquareStatistic': fnum(chi.statistic),
            'chiSquarePValue': fnum(chi.pvalue),
            'jensenShannon': fnum(distance.jensenshannon(cref, ccur, base=2)),
            'contingencyStatistic': fnum(cont[0]),
            'contingencyPValue': fnum(cont[1]),
            'jensenShannonNatural': fnum(distance.jensenshannon(cref, ccur)),
        },
    }


fixture = {
    'generator': 'scripts/scipy-fixtures.py',
    'scipy': scipy.__version__,
    'numpy': np.__version__,
    'python': sys.version.split()[0],
    'notes': [
        'PSI has no scipy function: it is the numpy closed form sum((a-e)*ln(a/e)) with zero proportions -> 1e-4.',
        'chisquare: scipy 1.10 rejects unequal totals, so expected was rescaled to the observed total first.',
        'ks_2samp uses method="asymp": p = kstwo.sf(D, round(n*m/(n+m))).',
        'Non-finite numbers are encoded as the strings "Infinity", "-Infinity", "NaN".',
        'chiSquareContingency: chi2_contingency([reference, current], correction=False) after dropping columns zero in both.',
        'twoProportion: z from chi2_contingency on the 2x2 table (z^2 = chi^2, sign of p2 - p1); fisher_exact two-sided.',
        'jensenShannonNatural: distance.jensenshannon(p, q) with its default base e.',
    ],
    'psi': psi_cases,
    'jensenShannon': js_cases,
    'klDivergence': kl_cases,
    'chiSquare': chi_cases,
    'chiSquareContingency': contingency_cases,
    'twoProportion': proportion_cases,
    'jensenShannonNatural': js_natural_cases,
    'ks': ks_cases,
    'wasserstein': wasserstein_cases,
    'special': {'gammaincc': gammaincc_grid, 'kolmogorovSf': kolmogorov_grid, 'kstwoSf': kstwo_grid},
    'seattle': {
        'columns': {'date': dates, 'tempMax': temp_max, 'weather': weather},
        'slices': slices,
        'pairs': [seattle_pair('jan-jun', 'jul-dec'), seattle_pair('y2012', 'y2013')],
    },
}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as fh:
    # repr-exact floats (json uses repr), one compact line per top-level key for readable diffs
    fh.write('{\n')
    keys = list(fixture)
    for i, key in enumerate(keys):
        sep = ',' if i < len(keys) - 1 else ''
        fh.write(f'  {json.dumps(key)}: {json.dumps(fixture[key], separators=(",", ":"), allow_nan=False)}{sep}\n')
    fh.write('}\n')
print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')
