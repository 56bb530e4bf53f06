"""median_filter / rank_filter / percentile_filter against scipy.ndimage.

Known scipy bugs skipped here and checked against a NumPy reference instead:
* scipy's 1-D fast path (1-D input) ignores holes in the footprint;
* on a 1-element 1-D input with a positive origin it reads uninitialised
  memory;
* it ranks uint64 values >= 2**63 as negative int64 (random_image keeps
  values small, so this never arises here);
* scipy's N-D path reads outside the array in 'reflect' mode when the window
  reaches about 4 lengths of the axis beyond the edge (2-row image, 18-row
  window): compared with NumPy's periodic 'symmetric' padding instead.
"""

import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import imkernels
import imkernels.ndimage as ik
from imkernels.ndimage import _rank as R

from ..conftest import ALL_DTYPES, MODES, random_image

_PAD = {"reflect": "symmetric", "grid-mirror": "symmetric", "mirror": "reflect",
        "nearest": "edge", "wrap": "wrap", "grid-wrap": "wrap",
        "constant": "constant", "grid-constant": "constant"}


def ref_rank(a, fp, rank_of_n, mode="reflect", cval=0.0, origin=(0, 0), omit=False):
    """NumPy reference for a 2-D float array: rank_of_n(n) -> rank among n."""
    fp = np.asarray(fp, dtype=bool)
    fh, fw = fp.shape
    cy, cx = fh // 2 + origin[0], fw // 2 + origin[1]
    pads = ((cy, fh - 1 - cy), (cx, fw - 1 - cx))
    if _PAD[mode] == "constant":
        p = np.pad(a.astype(np.float64), pads, mode="constant", constant_values=cval)
    else:
        p = np.pad(a.astype(np.float64), pads, mode=_PAD[mode])
    win = sliding_window_view(p, fp.shape)[..., fp]        # (H, W, K)
    s = np.sort(win, axis=-1)                               # NaN last
    n = np.isfinite(s).sum(-1) if omit else np.full(a.shape, fp.sum())
    out = np.full(a.shape, np.nan)
    for idx in np.ndindex(a.shape):
        if n[idx]:
            out[idx] = s[idx][rank_of_n(int(n[idx]))]
    if not omit:
        out[np.isnan(win).any(-1)] = np.nan
    return out


def assert_same(x, y):
    assert x.dtype == y.dtype, (x.dtype, y.dtype)
    assert x.shape == y.shape
    np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------------------
# scipy oracle

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_median_dtypes_modes(rng, dtype, mode):
    a = random_image(rng, (17, 23), dtype)
    for size in (3, 4, (2, 5), (5, 1)):
        assert_same(ik.median_filter(a, size=size, mode=mode, cval=1),
                    ndi.median_filter(a, size=size, mode=mode, cval=1))


@pytest.mark.isa
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.float32, np.float64,
                                   np.int64])
def test_median_sizes_1_to_25(rng, dtype):
    for size in range(1, 26):
        shape = (31, 37) if size <= 12 else (44, 41)
        a = random_image(rng, shape, dtype)
        assert_same(ik.median_filter(a, size=size), ndi.median_filter(a, size=size))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int32])
@pytest.mark.parametrize("fshape", [(1, 7), (7, 1), (3, 8), (8, 3), (6, 6), (2, 2)])
def test_rank_percentile_nonsquare(rng, dtype, fshape):
    a = random_image(rng, (29, 34), dtype)
    K = fshape[0] * fshape[1]
    for r in (0, 1, K // 3, -2, -1):
        assert_same(ik.rank_filter(a, r, size=fshape, mode="mirror"),
                    ndi.rank_filter(a, r, size=fshape, mode="mirror"))
    for p in (0, 10, 33.3, 50, 75, 99.9, 100, -20):
        assert_same(ik.percentile_filter(a, p, size=fshape, mode="wrap"),
                    ndi.percentile_filter(a, p, size=fshape, mode="wrap"))


@pytest.mark.isa
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int8, np.uint16, np.float32,
                                   np.float64, np.uint64])
def test_holed_footprints(rng, dtype):
    a = random_image(rng, (26, 31), dtype)
    for shape in [(3, 3), (5, 5), (4, 7), (9, 9), (2, 6)]:
        fp = rng.random(shape) < 0.6
        fp.flat[0] = True
        K = int(fp.sum())
        for mode in ("reflect", "constant", "nearest"):
            assert_same(ik.median_filter(a, footprint=fp, mode=mode, cval=2),
                        ndi.median_filter(a, footprint=fp, mode=mode, cval=2))
            assert_same(ik.rank_filter(a, K // 4, footprint=fp, mode=mode),
                        ndi.rank_filter(a, K // 4, footprint=fp, mode=mode))
    disk = np.hypot(*np.mgrid[-6:7, -6:7]) <= 6
    for dt in (np.float32,):
        b = random_image(rng, (40, 45), dt)
        assert_same(ik.median_filter(b, footprint=disk), ndi.median_filter(b, footprint=disk))


@pytest.mark.parametrize("mode", ["reflect", "constant", "mirror", "wrap"])
def test_every_origin(rng, mode):
    a = random_image(rng, (15, 18), np.float32)
    for fshape in [(4, 3), (5, 6), (9, 9)]:
        for oy in range(-(fshape[0] // 2), (fshape[0] - 1) // 2 + 1):
            for ox in range(-(fshape[1] // 2), (fshape[1] - 1) // 2 + 1):
                assert_same(
                    ik.median_filter(a, size=fshape, mode=mode, origin=(oy, ox)),
                    ndi.median_filter(a, size=fshape, mode=mode, origin=(oy, ox)))


def test_large_windows_and_small_arrays(rng):
    # windows larger than the image, every method
    for dtype in (np.uint8, np.float64, np.int32):
        a = random_image(rng, (5, 7), dtype)
        for size in (9, 15, 24):
            for mode in ("reflect", "mirror", "wrap", "nearest", "constant"):
                assert_same(ik.median_filter(a, size=size, mode=mode),
                            ndi.median_filter(a, size=size, mode=mode))
    for shape in [(1, 1), (1, 9), (9, 1)]:
        a = random_image(rng, shape, np.float32)
        for size in (1, 2, 3, 6):
            assert_same(ik.median_filter(a, size=size), ndi.median_filter(a, size=size))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_axes(rng, dtype):
    a = random_image(rng, (6, 13, 11), dtype)
    for axes in [(0, 1), (1, 2), (0, 2), (2, 1), (-1, -2)]:
        assert_same(ik.median_filter(a, size=3, axes=axes),
                    ndi.median_filter(a, size=3, axes=axes))
        assert_same(ik.rank_filter(a, 2, size=(2, 4), axes=axes, origin=(0, -1)),
                    ndi.rank_filter(a, 2, size=(2, 4), axes=axes, origin=(0, -1)))
    for axes in [(0,), (1,), (2,), (-1,)]:
        assert_same(ik.median_filter(a, size=5, axes=axes),
                    ndi.median_filter(a, size=5, axes=axes))
    b = random_image(rng, (12, 14), dtype)
    assert_same(ik.median_filter(b, size=(3, 5), axes=(1, 0), origin=(1, -1)),
                ndi.median_filter(b, size=(3, 5), axes=(1, 0), origin=(1, -1)))
    # a window with size 1 along an axis is a 2-D window
    assert_same(ik.median_filter(a, size=(1, 3, 3)), ndi.median_filter(a, size=(1, 3, 3)))
    with pytest.raises(NotImplementedError, match="axes="):
        ik.median_filter(a, size=3)


def test_one_dimensional_input(rng):
    for dtype in (np.uint8, np.int64, np.float32, np.float64, np.bool_):
        a = random_image(rng, (40,), dtype)
        for size in (1, 2, 3, 4, 7, 20, 45):
            for mode in ("reflect", "constant", "mirror", "wrap", "nearest"):
                for cval in (0, 3, 300.7, -1.5):
                    assert_same(ik.median_filter(a, size=size, mode=mode, cval=cval),
                                ndi.median_filter(a, size=size, mode=mode, cval=cval))
        assert_same(ik.percentile_filter(a, 30, size=6, origin=-2),
                    ndi.percentile_filter(a, 30, size=6, origin=-2))


def test_reflect_far_beyond_the_edge_reference(rng):
    # scipy bug: its 'reflect' extension reads garbage this far out
    a = random_image(rng, (2, 13), np.float64)
    fp = np.ones((18, 2), bool)
    for r, mode in [(26, "reflect"), (3, "mirror"), (30, "wrap"), (17, "reflect")]:
        got = ik.rank_filter(a, r, footprint=fp, mode=mode, origin=(6, -1))
        ref = ref_rank(a, fp, lambda n, r=r: r, mode, origin=(6, -1))
        np.testing.assert_array_equal(got, ref)


def test_one_dimensional_holed_footprint_reference(rng):
    # scipy's 1-D fast path ignores the holes (bug): compare with NumPy
    a = random_image(rng, (30,), np.float64)
    fp = np.array([1, 0, 1, 1, 0], dtype=bool)
    got = ik.median_filter(a, footprint=fp, mode="nearest")
    ref = ref_rank(a[None], fp[None], lambda n: n // 2, "nearest")[0]
    np.testing.assert_array_equal(got, ref)
    # the same footprint on a 2-D array (scipy's N-D path) agrees with scipy
    b = a.reshape(1, -1)
    assert_same(ik.median_filter(b, footprint=fp[None]),
                ndi.median_filter(b, footprint=fp[None]))


@pytest.mark.parametrize("cval", [-1.5, 2.5, 300, 1e10, -7])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint32, np.bool_])
def test_cval_conversion(rng, dtype, cval):
    a = random_image(rng, (9, 12), dtype)
    fp = np.ones((3, 3), bool)
    fp[1, 1] = False
    for out in (None, np.float64, np.int16):
        for r in (4, 0, 7):  # middle, minimum, maximum
            assert_same(ik.rank_filter(a, r, size=3, mode="constant", cval=cval, output=out),
                        ndi.rank_filter(a, r, size=3, mode="constant", cval=cval, output=out))
            assert_same(
                ik.rank_filter(a, r, footprint=fp, mode="constant", cval=cval, output=out),
                ndi.rank_filter(a, r, footprint=fp, mode="constant", cval=cval, output=out))


def test_minmax_modes_per_axis(rng):
    a = random_image(rng, (10, 13), np.int16)
    for r in (0, -1):
        assert_same(ik.rank_filter(a, r, size=3, mode=["wrap", "constant"], cval=5),
                    ndi.rank_filter(a, r, size=3, mode=["wrap", "constant"], cval=5))
    with pytest.raises(ValueError, match="single mode"):
        ik.median_filter(a, size=3, mode=["wrap", "constant"])


def test_uint64_near_2_64(rng):
    # values that round to 2**64 through double: scipy's min/max passes
    a = (rng.standard_normal((20, 25)) * 50).astype(np.int64).view(np.uint64)
    for r in (0, -1, 1):
        for kw in (dict(size=3), dict(size=(3, 5)), dict(footprint=np.eye(3, dtype=bool))):
            assert_same(ik.rank_filter(a, r, mode="mirror", **kw),
                        ndi.rank_filter(a, r, mode="mirror", **kw))


def test_int64_beyond_2_53():
    a = (np.arange(2**53, 2**53 + 64, dtype=np.int64) * 3).reshape(8, 8)
    assert_same(ik.median_filter(a, size=3), ndi.median_filter(a, size=3))
    assert_same(ik.median_filter(a.ravel(), size=3), ndi.median_filter(a.ravel(), size=3))
    u = a.astype(np.uint64) * 1000
    assert_same(ik.median_filter(u, size=3), ndi.median_filter(u, size=3))


# ---------------------------------------------------------------------------
# layouts, outputs

@pytest.mark.isa
def test_layouts(rng):
    base = random_image(rng, (40, 50), np.float32)
    variants = [base[::2, ::3], np.asfortranarray(base), base.T, base[::-1, ::-2],
                base.astype(">f4")]
    ro = base.copy()
    ro.setflags(write=False)
    variants.append(ro)
    for a in variants:
        assert_same(ik.median_filter(a, size=5), ndi.median_filter(np.asarray(a, "=f4"), size=5))
        assert_same(ik.median_filter(a, size=11), ndi.median_filter(np.asarray(a, "=f4"), size=11))
    stack = random_image(rng, (3, 20, 4, 9), np.uint8)[:, ::2, :, 1:]
    assert_same(ik.median_filter(stack, size=3, axes=(1, 3)),
                ndi.median_filter(stack, size=3, axes=(1, 3)))


def test_output_argument(rng):
    a = random_image(rng, (20, 21), np.int16)
    out = np.empty((20, 21), np.float32)
    res = ik.median_filter(a, size=3, output=out)
    assert res is out
    assert_same(out, ndi.median_filter(a, size=3, output=np.float32))
    assert_same(ik.median_filter(a, size=4, output=np.uint8),
                ndi.median_filter(a, size=4, output=np.uint8))
    # output overlapping the input
    b = a.copy()
    ik.median_filter(b, size=5, output=b)
    assert_same(b, ndi.median_filter(a, size=5))
    c = random_image(rng, (20, 21), np.float64)
    c2 = c.copy()
    ik.rank_filter(c2, 0, size=3, output=c2)
    assert_same(c2, ndi.rank_filter(c, 0, size=3))
    # strided output
    o = np.zeros((40, 42), np.int16)[::2, ::2]
    ik.median_filter(a, size=3, output=o)
    assert_same(o, ndi.median_filter(a, size=3))


# ---------------------------------------------------------------------------
# NaN policy

def test_nan_propagate(rng):
    a = random_image(rng, (25, 27), np.float64)
    a[rng.random(a.shape) < 0.03] = np.nan
    for size, mode in [(3, "reflect"), (5, "constant"), (15, "wrap"), ((2, 4), "mirror")]:
        got = ik.median_filter(a, size=size, mode=mode)
        fp = np.ones(np.broadcast_to(size, 2), bool)
        ref = ref_rank(a, fp, lambda n: n // 2, mode)
        np.testing.assert_array_equal(got, ref)
        # where the window holds no NaN, scipy's value
        ok = ~np.isnan(ref)
        sc = ndi.median_filter(a, size=size, mode=mode)
        np.testing.assert_array_equal(got[ok], sc[ok])
    # NaN cval
    got = ik.median_filter(a, size=3, mode="constant", cval=np.nan)
    assert np.isnan(got[0]).all() and np.isnan(got[:, -1]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_omit(rng, dtype):
    a = random_image(rng, (19, 22), dtype)
    a[rng.random(a.shape) < 0.2] = np.nan
    a[:4, :4] = np.nan
    fp = np.ones((3, 3), bool)
    got = ik.median_filter(a, size=3, mode="nearest", nan_policy="omit")
    ref = ref_rank(a, fp, lambda n: n // 2, "nearest", omit=True).astype(dtype)
    np.testing.assert_array_equal(got, ref)
    got = ik.percentile_filter(a, 80, size=(3, 5), nan_policy="omit")
    ref = ref_rank(a, np.ones((3, 5), bool), lambda n: min(int(n * 80 / 100), n - 1),
                   omit=True).astype(dtype)
    np.testing.assert_array_equal(got, ref)
    got = ik.rank_filter(a, -2, size=3, nan_policy="omit", mode="constant", cval=np.nan)
    ref = ref_rank(a, fp, lambda n: max(n - 2, 0), "constant", cval=np.nan,
                   omit=True).astype(dtype)
    np.testing.assert_array_equal(got, ref)
    # NaN-free input: 'omit' is scipy's result
    b = random_image(rng, (19, 22), dtype)
    assert_same(ik.median_filter(b, size=5, nan_policy="omit"), ndi.median_filter(b, size=5))


# ---------------------------------------------------------------------------
# engine internals: every method and thread count gives the same result

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint32, np.float32,
                                   np.float64])
def test_methods_agree(rng, dtype):
    a = random_image(rng, (1, 70, 90), dtype)
    for fshape in [(3, 3), (5, 5), (4, 6), (7, 3)]:
        fp = np.ones(fshape, bool)
        K = fp.size
        cval = np.zeros(1, dtype=a.dtype.type if a.dtype != np.bool_ else np.uint8)
        for r in (0, K // 2, K - 1):
            outs = []
            methods = [R._k.METHOD_SELECT, R._k.METHOD_NETWORK, R._k.METHOD_HIST,
                       R._k.METHOD_PHR]
            if a.dtype.itemsize == 1:
                methods += [R._k.METHOD_HIST8, R._k.METHOD_PH8]
            for method in methods:
                o = np.empty_like(a)
                R._filter_bhw(a, o, fp, (fshape[0] // 2, fshape[1] // 2), (2, 4), cval, r,
                              method=method)
                outs.append(o)
            for o in outs[1:]:
                assert_same(outs[0], o)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.bool_])
def test_perreault_hebert_tiles(rng, dtype):
    # 1-byte rectangles from 11x11 run Perreault-Hebert on 512-column tiles:
    # cover several tiles, edges and a non-median rank
    a = random_image(rng, (140, 530), dtype)
    for size, mode in [((13, 15), "reflect"), ((11, 11), "constant"), ((16, 12), "wrap")]:
        assert_same(ik.median_filter(a, size=size, mode=mode, cval=1),
                    ndi.median_filter(a, size=size, mode=mode, cval=1))
    assert_same(ik.rank_filter(a, 7, size=(11, 12), mode="mirror"),
                ndi.rank_filter(a, 7, size=(11, 12), mode="mirror"))


def test_threads_identical(rng, monkeypatch):
    monkeypatch.setattr(R, "_MIN_WORK_SHIFT", 0)  # use every thread on small arrays
    for dtype in (np.uint8, np.float32, np.int32):
        a = random_image(rng, (150, 170), dtype)
        for size in (3, 4, 5, 9, 21):
            with imkernels.threads(1):
                one = ik.median_filter(a, size=size)
            with imkernels.threads(2):
                two = ik.median_filter(a, size=size)
            assert_same(one, two)
        b = a.astype(np.float64)
        b[::7, ::5] = np.nan
        with imkernels.threads(1):
            one = ik.median_filter(b, size=5, nan_policy="omit")
        with imkernels.threads(2):
            two = ik.median_filter(b, size=5, nan_policy="omit")
        assert_same(one, two)


def test_networks_select_the_rank():
    rng = np.random.default_rng(0)
    for K in (2, 3, 5, 9, 16, 25):
        for r in range(K):
            net = R._network(K, r)
            for _ in range(20):
                v = list(rng.integers(0, 4, K))
                for i, j, _f in net:
                    v[i], v[j] = min(v[i], v[j]), max(v[i], v[j])
                assert v[r] == sorted(v)[r] or v[r] == np.sort(v)[r]


# ---------------------------------------------------------------------------
# hypothesis

@given(h=st.integers(1, 14), w=st.integers(1, 14), fh=st.integers(1, 6),
       fw=st.integers(1, 6), seed=st.integers(0, 2**31),
       dtype=st.sampled_from([np.uint8, np.int16, np.float32, np.float64]),
       mode=st.sampled_from(MODES), data=st.data())
def test_hypothesis_rank(h, w, fh, fw, seed, dtype, mode, data):
    rng = np.random.default_rng(seed)
    a = random_image(rng, (h, w), dtype)
    fp = rng.random((fh, fw)) < 0.7
    fp.flat[rng.integers(fp.size)] = True
    K = int(fp.sum())
    r = data.draw(st.integers(-K, K - 1))
    oy = data.draw(st.integers(-(fh // 2), (fh - 1) // 2))
    ox = data.draw(st.integers(-(fw // 2), (fw - 1) // 2))
    assert_same(ik.rank_filter(a, r, footprint=fp, mode=mode, origin=(oy, ox), cval=3),
                ndi.rank_filter(a, r, footprint=fp, mode=mode, origin=(oy, ox), cval=3))


# ---------------------------------------------------------------------------
# bad input

def test_bad_input():
    a = np.zeros((5, 5), np.float32)
    with pytest.raises(TypeError, match="complex"):
        ik.median_filter(a.astype(complex), size=3)
    with pytest.raises(ValueError, match="size must be positive"):
        ik.median_filter(a, size=0)
    with pytest.raises(ValueError, match="size must be positive"):
        ik.median_filter(a, size=(3, -1))
    with pytest.raises(ValueError, match="zero-length"):
        ik.median_filter(a, footprint=np.ones((0, 3)))
    with pytest.raises(ValueError, match="at least one True"):
        ik.median_filter(a, footprint=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="footprint must have 2 dimensions"):
        ik.median_filter(a, footprint=np.ones(3))
    with pytest.raises(ValueError, match="no footprint or filter size"):
        ik.median_filter(a)
    with pytest.raises(ValueError, match=r"percentile must be in \[-100, 100\]"):
        ik.percentile_filter(a, 101, size=3)
    with pytest.raises(ValueError, match=r"percentile must be in \[-100, 100\]"):
        ik.percentile_filter(a, -100.5, size=3)
    with pytest.raises(ValueError, match=r"percentile must be in"):
        ik.percentile_filter(a, np.nan, size=3)
    with pytest.raises(ValueError, match="rank must satisfy -9 <= rank < 9"):
        ik.rank_filter(a, 9, size=3)
    with pytest.raises(ValueError, match="rank must satisfy"):
        ik.rank_filter(a, -10, size=3)
    with pytest.raises(TypeError, match="rank must be an integer"):
        ik.rank_filter(a, 1.5, size=3)
    with pytest.raises(ValueError, match="nan_policy must be 'propagate' or 'omit'"):
        ik.median_filter(a, size=3, nan_policy="raise")
    with pytest.raises(ValueError, match="mode must be one of"):
        ik.median_filter(a, size=3, mode="bogus")
    with pytest.raises(ValueError, match="origin must satisfy"):
        ik.median_filter(a, size=3, origin=2)
    with pytest.raises(ValueError, match="output must have shape"):
        ik.median_filter(a, size=3, output=np.zeros((4, 4), np.float32))
    with pytest.raises(TypeError, match="unsupported dtype"):
        ik.median_filter(a.astype(np.float16), size=3)
    with pytest.warns(UserWarning, match="ignoring size"):
        ik.median_filter(a, size=3, footprint=np.ones((3, 3)))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint32, np.float32, np.float64])
def test_median_fast_path(rng, dtype):
    # median_filter(2-D array, int size) skips the argument plumbing: same
    # results as scipy, and as the general path on NaN data
    a = random_image(rng, (23, 31), dtype)
    for size in (2, 3, 5, 12):
        for mode in ("reflect", "constant", "wrap"):
            assert_same(ik.median_filter(a, size, mode=mode, cval=3),
                        ndi.median_filter(a, size, mode=mode, cval=3))
    # its prepared arguments are cached per shape, dtype, size, mode, cval
    # (sign of zero included) and thread count: a cached call must match the
    # general path for each of these keys
    for b, cval, nt, size in itertools.product(
            # (windows mostly outside the image: the median is the cval)
            [np.full((1, 1), 5, dtype), np.full((2, 3), 5, dtype), a[:9, :29].copy()],
            (0, -0.0, 0.0, 1, 1.0, -3.5), (1, 2), (3, 4, 7, 15)):
        with imkernels.threads(nt):
            got = ik.median_filter(b, size, mode="constant", cval=cval)
            ref = ik.median_filter(b, size, mode="constant", cval=cval,
                                   origin=np.int64(0))  # general path
        np.testing.assert_array_equal(got, ref)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(ref))
        assert_same(got, ndi.median_filter(b, size, mode="constant", cval=cval))
    if a.dtype.kind == "f":
        a[4, 5] = np.nan
        for size in (2, 3, 15):
            got = ik.median_filter(a, size)
            ref = ik.median_filter(a, size, origin=np.int64(0))  # general path
            np.testing.assert_array_equal(got, ref)
            assert np.isnan(got[4, 5])


@pytest.mark.parametrize("output", [np.float64, np.int64, np.float32])
@pytest.mark.parametrize("cval", [-3.0, -1.0, 2.0 ** 64 + 4096, -1e10])
def test_uint64_negative_cval_other_output(cval, output):
    # regression (fuzz): scipy's N-D rank result for uint64 input passes
    # uint64 -> double -> uint64 before another output dtype, so cval=-3
    # (2**64 - 3, rounds to 2.0**64) reaches a float64 output as 0
    rng = np.random.default_rng(5)
    a = rng.integers(0, 100, size=(5, 6)).astype(np.uint64)
    fp = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1]], bool)
    for func, args, kw in [("median_filter", (), dict(size=3)),
                           ("rank_filter", (2,), dict(footprint=fp)),
                           ("rank_filter", (-1,), dict(footprint=fp)),
                           ("percentile_filter", (70,), dict(footprint=fp))]:
        want = getattr(ndi, func)(a, *args, mode="constant", cval=cval, output=output, **kw)
        got = getattr(ik, func)(a, *args, mode="constant", cval=cval, output=output, **kw)
        np.testing.assert_array_equal(got, want)


@pytest.mark.isa
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.bool_])
def test_median3x3_strip_kernel_widths_and_tiles(rng, dtype):
    # the fused 3x3 kernel runs vectors of 8-32 pixels: widths around one,
    # two and three vectors, several row tiles, odd heights, tiles that start
    # past 2048 columns, strided input and output, every origin; full value
    # range so that signed/unsigned min/max mix-ups would show
    info = np.iinfo(np.uint8 if dtype == np.bool_ else dtype)
    def img(shape):
        if dtype == np.bool_:
            return rng.random(shape) > 0.5
        return rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
    shapes = [(1, 40), (2, 33), (3, 1), (4, 7), (5, 8), (6, 16), (9, 17), (66, 31),
              (67, 32), (35, 33), (34, 47), (13, 48), (12, 63), (11, 64), (10, 95),
              (131, 96), (7, 97), (8, 130), (5, 2100)]
    for shape in shapes:
        a = img(shape)
        for mode in ("reflect", "constant", "nearest", "mirror", "wrap"):
            assert_same(ik.median_filter(a, 3, mode=mode, cval=info.max),
                        ndi.median_filter(a, 3, mode=mode, cval=info.max))
    a = img((70, 150))
    for origin in [(-1, -1), (0, 1), (1, 0), (1, -1)]:
        assert_same(ik.median_filter(a, 3, origin=origin, mode="constant", cval=info.min),
                    ndi.median_filter(a, 3, origin=origin, mode="constant", cval=info.min))
    stack = img((3, 20, 70))
    assert_same(ik.median_filter(stack, 3, axes=(1, 2)), ndi.median_filter(stack, 3, axes=(1, 2)))
    big = img((70, 301))
    for view in (big[:, ::2], big[::-1, 1::3], big.T, np.asfortranarray(big)):
        assert_same(ik.median_filter(view, 3), ndi.median_filter(view, 3))
    out = np.zeros((70, 301 * 2), dtype)[:, ::2]
    ik.median_filter(big, 3, output=out)
    assert_same(out, ndi.median_filter(big, 3))
    out64 = ik.median_filter(big, 3, output=np.float64)
    np.testing.assert_array_equal(out64, ndi.median_filter(big, 3, output=np.float64))


@pytest.mark.isa
@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.int32, np.uint32, np.int64,
                                   np.uint64, np.float32, np.float64])
def test_perreault_hebert_on_ranks(rng, dtype):
    # full rectangles of 2-8 byte dtypes from ~7x7 to 255 cells: tiles of at
    # most 255 x 255 cells (several in both directions here), two lanes per
    # row (odd tile widths), every rank, ties, extreme values, layouts
    dt = np.dtype(dtype)
    if dt.kind == "f":
        a = (rng.standard_normal((260, 290)) * 100).astype(dt)
        a[5, :40] = np.inf
        a[40:60, 7] = -np.inf
        a[100, 100:140] = -0.0
        a[101, 100:140] = 0.0
    else:
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, (260, 290), endpoint=True, dtype=dt)
        a[:, 200:260] = rng.integers(0, 4, (260, 60)).astype(dt)  # many ties
        if dt == np.uint64:
            # scipy ranks uint64 >= 2**63 as negative on its 1-D path only; the
            # 2-D path compared here is exact (values written through double)
            a[7, :30] = np.uint64(2**64 - 1)
    # up to 255 cells the window counts are uint8, beyond uint16
    sizes = [(15, 15), (9, 9), (7, 9), (4, 25), (25, 3), (16, 15), (17, 18), (64, 5),
             (5, 64)]
    modes = ["reflect", "constant", "wrap", "nearest", "mirror", "grid-wrap"]
    for i, size in enumerate(sizes):
        K = size[0] * size[1]
        mode = modes[i % len(modes)]
        assert_same(ik.median_filter(a, size=size, mode=mode, cval=3),
                    ndi.median_filter(a, size=size, mode=mode, cval=3))
        r = (0, 1, K - 1)[i % 3]
        assert_same(ik.rank_filter(a, r, size=size, mode="nearest"),
                    ndi.rank_filter(a, r, size=size, mode="nearest"))
    assert_same(ik.percentile_filter(a, 30, size=(13, 11), mode="mirror", origin=(2, -3)),
                ndi.percentile_filter(a, 30, size=(13, 11), mode="mirror", origin=(2, -3)))
    for view in (a[::2, 1::3], a.T, np.asfortranarray(a), a[:, :1], a[:1, :], a[:17, :3]):
        assert_same(ik.median_filter(view, size=(11, 11)),
                    ndi.median_filter(view, size=(11, 11)))
    stack = np.stack([a[:40, :90], a[40:80, 90:180], a[80:120, 7:97]])
    assert_same(ik.median_filter(stack, size=9, axes=(1, 2)),
                ndi.median_filter(stack, size=9, axes=(1, 2)))
    assert_same(ik.median_filter(np.moveaxis(stack, 0, -1), size=(11, 11, 1)),
                ndi.median_filter(np.moveaxis(stack, 0, -1), size=(11, 11, 1)))
    out = np.zeros((260, 580), dt)[:, ::2]
    ik.median_filter(a, size=15, output=out)
    assert_same(out, ndi.median_filter(a, size=15))
    np.testing.assert_array_equal(ik.median_filter(a, size=15, output=np.float64),
                                  ndi.median_filter(a, size=15, output=np.float64))


def test_perreault_hebert_on_ranks_nan(rng):
    # NaN-free windows: scipy's values; windows holding a NaN: NaN
    # ('propagate') or the median of the finite values ('omit')
    a = (rng.standard_normal((40, 270)) * 10).astype(np.float32)
    a[rng.random(a.shape) < 0.001] = np.nan
    for size in (9, 15, (7, 12)):
        got = ik.median_filter(a, size=size)
        ref = ref_rank(a, np.ones(size if isinstance(size, tuple) else (size, size)),
                       lambda n: n // 2)
        np.testing.assert_array_equal(got, ref.astype(np.float32))
        omit = ik.median_filter(a, size=size, nan_policy="omit")
        ref = ref_rank(a, np.ones(size if isinstance(size, tuple) else (size, size)),
                       lambda n: n // 2, omit=True)
        np.testing.assert_array_equal(omit, ref.astype(np.float32))
