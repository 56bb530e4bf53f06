"""Rank filters with scipy.ndimage's signatures and results.

``median_filter``, ``rank_filter`` and ``percentile_filter`` give exactly
scipy.ndimage's values for every dtype, window, mode, origin and ``axes``;
``adaptive_median_filter`` and ``detail_preserving_median`` are medians no
peer offers (see their docstrings).

Kernel choice (see ``_rank_cy.pyx``; each method returns the exact order
statistic, so the choice changes speed only):

* 3x3 and 5x5 medians: sorted columns and an unrolled merge network kept in
  vector registers (the classic med3-of-columns formula for 3x3; one pass
  over sorted horizontal triples for 1-2 byte integers);
* full rectangles of 2- to 8-byte dtypes from about 7x7 up to 64x64:
  a per-tile rank transform to unique 16-bit ranks, then Perreault &
  Hebert's column histograms with three levels (the last one a test of
  the cells' coordinates), time almost independent of the window;
* other windows of at most ``_NETWORK_MAX`` cells: a pruned Batcher
  comparator network (separable for rectangles, Adams 2021) evaluated
  across blocks of pixels (vectorised min/max);
* larger windows, 1-byte dtypes: Perreault & Hebert's constant-time
  median (column histograms, 16 coarse x 16 fine bins) for full rectangles
  from 11x11, Huang's sliding histogram with a rank cursor otherwise;
* other larger windows, wider dtypes including floats: the per-tile rank
  transform and a sliding two-level bitset histogram (Huang 1979;
  Perreault & Hebert 2007);
* windows too large for a 65536-value tile, and ``nan_policy='omit'`` on
  data holding NaN: per-pixel quickselect.

scipy's conventions reproduced here (read from ``scipy.ndimage._filters``):

* ``median_filter`` uses rank ``K // 2`` of the K cells of the footprint
  (the upper median for even K); ``percentile_filter`` adds 100 to a
  negative percentile and uses ``int(K * p / 100)`` (``K - 1`` for 100);
  ``rank_filter`` adds K to a negative rank.
* The N-D path converts ``cval`` to the input dtype with C's cast (so
  ``cval=-1`` on uint8 is 255, ``cval=2.5`` is 2) and writes the result
  through ``double`` (so int64/uint64 values beyond 2**53 are rounded, as in
  scipy).
* A 1-D input whose window fits takes scipy's 1-D fast path: integer data
  are ranked as int64 with ``cval`` truncated to int64 (so ``cval=300`` on
  uint8 stays 300) and the result is cast to the output with NumPy's rules.
  scipy's fast path ignores holes in a 1-D footprint (a bug); imkernels
  always honours the footprint. (scipy's N-D 'reflect' also reads outside
  the array when a window reaches ~4 axis lengths beyond the edge; imkernels
  reflects periodically.)
* Rank 0 and rank K-1 are scipy's minimum/maximum filters: for a full
  rectangle they run one 1-D pass per axis, each pass seeing ``cval``
  unconverted and writing into the output dtype; imkernels reproduces the
  passes when it matters (a ``cval`` the input dtype cannot hold, an output
  of another dtype, or a different mode per axis).

Thread count: ``get_num_threads()``, reduced for small jobs (one thread per
2**24 units of pixels x window cells x item bytes) because waking a thread
costs more than it saves there; results never depend on it.

NaN: ``nan_policy='propagate'`` (default) gives NaN wherever the window
holds a NaN and scipy's value elsewhere; ``'omit'`` ranks the finite values
only, recomputing the rank from their count n (median ``n // 2``,
percentile ``int(n * p / 100)``; a ``rank_filter`` rank r >= 0 becomes
``min(r, n - 1)``, a negative rank ``max(n + r, 0)``), and gives NaN when the
window holds no finite value.
"""

import math
import warnings
from functools import lru_cache

import numpy as np

from imkernels._core import dispatch
from imkernels._core.threads import get_num_threads
from imkernels._core.validate import (MODE_CODES, as_int, check_array, check_cval, check_origin,
                                      dtype_code, footprint_axes, get_output,
                                      mode_code, normalize_sequence)
from imkernels.ndimage._filters import _DOC, _plan_2d, _try_reshape

_k = dispatch.load("imkernels.ndimage._rank_cy")

__all__ = ["median_filter", "rank_filter", "percentile_filter",
           "adaptive_median_filter", "detail_preserving_median"]

_U64_ND = 11          # _types.pxd: uint64 written with scipy's N-D cast
_NETWORK_MAX = 25     # largest window always evaluated with a comparator network
# measured crossover with the histogram methods (512x512 and 1024x1024,
# rectangles and a disk): networks win up to 9x9 for 1- and 2-byte dtypes
# and up to 7x7 for 4- and 8-byte dtypes
_NETWORK_MAX_BY_ITEMSIZE = {1: 81, 2: 81, 4: 49, 8: 49}
_PH8_MIN = 121        # 1-byte full rectangles from 11x11: Perreault-Hebert
_PH8_TC = 256         # Perreault-Hebert tile width
_REG_TILE_BYTES = 1 << 17  # register networks: rows of a tile (x row bytes)
_HIST_TILE = 65536    # values per rank-transform tile (16-bit ranks)
# Perreault-Hebert on ranks (2- to 8-byte dtypes): full rectangles with
# sides of at most _PHR_SIDE (tiles are at most 255 x 255: uint8 cell
# coordinates; uint8 window counts up to 255 cells, uint16 beyond).
# Measured at 1024x1024, 2 threads: its time hardly depends on the window
# (22-33 ms from 6x6 to 15x15, 33-60 ms from 16x16 to 63x63) and it beats
# the networks from these sizes on (for full rectangles; other footprints
# keep the networks up to _NETWORK_MAX_BY_ITEMSIZE) and METHOD_HIST (whose
# cost grows with the window's height: 2 fh updates per pixel) for windows
# of 4 rows or more
_PHR_MIN_BY_ITEMSIZE = {2: 73, 4: 57, 8: 43}
_PHR_MAX = 64 * 64
_PHR_SIDE = 64
_PHR_DIM = 255
_MIN_WORK_SHIFT = 24  # one thread per 2**24 units of work (see _filter_bhw)
_KIND_RANK, _KIND_MEDIAN, _KIND_PERCENTILE = 0, 1, 2
_EMPTY = np.zeros(0, dtype=np.intp)
_NO_NET = np.zeros((0, 3), dtype=np.int32)


def _doc(func):
    func.__doc__ = func.__doc__.format(**_DOC)
    return func


# ---------------------------------------------------------------------------
# comparator networks

def _batcher(n):
    """Batcher's odd-even merge sort for n inputs (comparators (i, j), i < j,
    min to i); built for the next power of two, comparators touching the
    missing (conceptually +inf) inputs dropped."""
    m = 1
    while m < n:
        m *= 2
    comps = []
    p = 1
    while p < m:
        k = p
        while k >= 1:
            for j in range(k % p, m - k, 2 * k):
                for i in range(min(k, m - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        a, b = i + j, i + j + k
                        if b < n:
                            comps.append((a, b))
            k //= 2
        p *= 2
    return comps


@lru_cache(maxsize=256)
def _network(n, rank):
    """Comparators (i, j, flag) that leave the rank-th smallest of n values
    in slot ``rank``; flag 0 = write min and max, 1 = min only, 2 = max only."""
    needed = {rank}
    kept = []
    for a, b in reversed(_batcher(n)):
        ia, ib = a in needed, b in needed
        if not (ia or ib):
            continue
        kept.append((a, b, 0 if (ia and ib) else (1 if ia else 2)))
        needed.add(a)
        needed.add(b)
    kept.reverse()
    net = np.array(kept, dtype=np.int32).reshape(-1, 3)
    net.setflags(write=False)
    return net


def _oddeven_merge(lo, n, r, out):
    """Batcher's merge of the sorted halves of positions lo..lo+n-1 (step r)."""
    m = r * 2
    if m < n:
        _oddeven_merge(lo, n, m, out)
        _oddeven_merge(lo + r, n, m, out)
        for i in range(lo + r, lo + n - r, m):
            out.append((i, i + r))
    else:
        out.append((lo, lo + r))


def _merge_runs(runs):
    """Comparators merging sorted runs (lists of slot ids, ascending) into one
    sorted run, pairwise with Batcher's odd-even merge. Each pair is laid out
    as [-inf padding, run a, run b, +inf padding] so that every comparator
    touching padding is a no-op and is dropped. Returns (comps, run)."""
    comps = []
    runs = [list(r) for r in runs]
    while len(runs) > 1:
        nxt = []
        for t in range(0, len(runs) - 1, 2):
            a, b = runs[t], runs[t + 1]
            P = 1
            while P < max(len(a), len(b)):
                P *= 2
            virt = [None] * (P - len(a)) + a + b + [None] * (P - len(b))
            vc = []
            _oddeven_merge(0, 2 * P, 1, vc)
            for i, j in vc:
                if virt[i] is not None and virt[j] is not None:
                    comps.append((virt[i], virt[j]))
            nxt.append([v for v in virt if v is not None])
        if len(runs) % 2:
            nxt.append(runs[-1])
        runs = nxt
    return comps, runs[0]


def _prune(comps, targets):
    """Keep the comparators that can affect the slots in ``targets``."""
    needed = set(targets)
    kept = []
    for a, b in reversed(comps):
        ia, ib = a in needed, b in needed
        if not (ia or ib):
            continue
        kept.append((a, b, 0 if (ia and ib) else (1 if ia else 2)))
        needed.add(a)
        needed.add(b)
    kept.reverse()
    return kept, needed


def _as_net(kept):
    net = np.array(kept, dtype=np.int32).reshape(-1, 3)
    net.setflags(write=False)
    return net


@lru_cache(maxsize=256)
def _separable_network(fh, fw, rank):
    """Networks for a full fh x fw rectangle: a column network sorting the
    fh values of each column (shared by the fw windows that contain the
    column), then a merge of the fw sorted columns pruned to ``rank``.
    Merge slot j * fh + i is row i of sorted column j.
    Returns (column_net, merge_net, out_slot, srow, sshift)."""
    runs = [[j * fh + i for i in range(fh)] for j in range(fw)]
    comps, run = _merge_runs(runs)
    out_slot = run[rank]
    kept, needed = _prune(comps, [out_slot])
    col_needed = sorted({s % fh for s in needed | {out_slot}})
    ckept, _ = _prune(_batcher(fh), col_needed)
    srow = np.array([s % fh for s in range(fh * fw)], dtype=np.intp)
    sshift = np.array([s // fh for s in range(fh * fw)], dtype=np.intp)
    return _as_net(ckept), _as_net(kept), out_slot, srow, sshift


# ---------------------------------------------------------------------------
# kernel driver

def _c_cast_scalar(value, dtype, code=None):
    """``value`` (a float) converted to ``dtype`` with scipy's C cast."""
    value = float(value)
    # the sign is part of the key: -0.0 == 0.0 would share a cache entry
    return _c_cast_cached(value, math.copysign(1.0, value), np.dtype(dtype), code).copy()


@lru_cache(maxsize=256)
def _c_cast_cached(value, sign, dtype, code):
    src = np.full((1, 1, 1), value, dtype=np.float64)
    dst = np.zeros((1, 1, 1), dtype=dtype)
    _k.cast_bhw(src, 10, dst, dtype_code(dtype) if code is None else code, 1)
    return dst.reshape(1)


def _cast_into(src, dst, *, nd=True):
    """dst[...] = src converted through double with scipy's C casts."""
    if src.size == 0:
        return
    code_out = dtype_code(dst.dtype)
    if nd and dst.dtype == np.uint64:
        code_out = _U64_ND
    s3 = src.reshape((1, -1, src.shape[-1])) if src.ndim else src.reshape(1, 1, 1)
    if dst.flags.c_contiguous and dst.shape == src.shape:
        d3 = dst.reshape(s3.shape)
        _k.cast_bhw(np.ascontiguousarray(s3), dtype_code(src.dtype), d3, code_out,
                    get_num_threads())
    else:
        tmp = np.empty(s3.shape, dtype=dst.dtype)
        _k.cast_bhw(np.ascontiguousarray(s3), dtype_code(src.dtype), tmp, code_out,
                    get_num_threads())
        dst[...] = tmp.reshape(dst.shape)


def _window_lists(fp2):
    return _window_lists_cached(fp2.shape, fp2.tobytes())


@lru_cache(maxsize=128)
def _window_lists_cached(shape, raw):
    fp2 = np.frombuffer(raw, dtype=bool).reshape(shape)
    res = _window_lists_impl(fp2)
    for a in res:
        a.setflags(write=False)
    return res


def _window_lists_impl(fp2):
    """Offsets of the True cells of a 2-D footprint, and the cells entering
    (add) / leaving (remove) the window when it moves one column right."""
    fy, fx = np.nonzero(fp2)
    padded = np.zeros((fp2.shape[0], fp2.shape[1] + 2), dtype=bool)
    padded[:, 1:-1] = fp2
    # cell (y, x) enters when (y, x + 1) is not in the footprint
    ay, ax = np.nonzero(fp2 & ~padded[:, 2:])
    # cell (y, x) leaves when (y, x - 1) is not in the footprint
    ry, rx = np.nonzero(fp2 & ~padded[:, :-2])
    c = lambda a: np.ascontiguousarray(a, dtype=np.intp)  # noqa: E731
    return c(fy), c(fx), c(ay), c(ax), c(ry), c(rx)


@lru_cache(maxsize=64)
def _index_map(n_out, n, start, mode):
    """Read-only boundary index map (cached: repeated calls on one shape)."""
    m = _k.index_map(n_out, n, start, mode)
    m.setflags(write=False)
    return m


def _hist_tiles(H, W, fh, fw, B=1, nthreads=1, maxdim=None):
    """(TR, TC) with (TR + fh - 1) * (TC + fw - 1) <= 65536, or None; with
    ``maxdim`` also TR + fh - 1 <= maxdim and TC + fw - 1 <= maxdim.

    Among the tilings into equal tiles, the one with the least work on the
    busiest thread (tiles per thread x padded tile area) wins, so that the
    halo overhead is small and the threads finish together."""
    if fh + fw - 1 > _HIST_TILE or fh * fw > _HIST_TILE:
        return None
    if maxdim is not None and (fh > maxdim or fw > maxdim):
        return None
    wmax = 2048 if maxdim is None else maxdim
    best = None
    # tiles at most ~2048 columns wide; a few dozen candidate column counts
    ntx0 = -(-W // max(1, min(W, wmax - fw + 1)))
    for ntx in range(ntx0, min(W, ntx0 + 32) + 1):
        tc = -(-W // ntx)
        if -(-W // tc) != ntx:
            continue
        pw = tc + fw - 1
        trmax = _HIST_TILE // pw - fh + 1
        if maxdim is not None:
            trmax = min(trmax, maxdim - fh + 1)
        if trmax < 1:
            continue
        nty0 = -(-H // trmax)
        for nty in range(nty0, nty0 + 4):
            tr = -(-H // nty)
            if tr < 1 or -(-H // tr) != nty:
                continue
            ntiles = B * nty * ntx
            cost = -(-ntiles // nthreads) * (tr + fh - 1) * pw
            if best is None or cost < best[0]:
                best = (cost, tr, tc)
        if pw <= 64:
            break
    if best is None:
        return None
    return best[1], best[2]


def _nthreads(B, H, W, K, in3):
    # small jobs run on fewer threads: waking a thread costs more than it
    # saves below ~2**24 units of work (pixels x window cells x item bytes)
    work = B * H * W * max(K, 9) * in3.dtype.itemsize
    return max(1, min(get_num_threads(), work >> _MIN_WORK_SHIFT))


def _filter_bhw(in3, out3, fp2, centre, modes, cval_t, rank, *, omit=False,
                kind=_KIND_RANK, pct=0.0, method=None):
    """Run the kernel: in3/out3 (B, H, W) of one dtype, fp2 the 2-D window,
    centre = (cy, cx), modes = (mode_rows, mode_cols), cval_t a 1-element
    array of the dtype. The kernel's other arguments (method, tiles,
    networks, index maps) depend on shapes and parameters only and are
    cached, so a repeated call costs little more than the kernel."""
    B, H, W = in3.shape
    fbytes = fp2.tobytes()
    K = len(_window_lists_cached(fp2.shape, fbytes)[0])
    nthreads = _nthreads(B, H, W, K, in3)
    pre, post = _kernel_args(B, H, W, in3.dtype.itemsize, fp2.shape, fbytes,
                             tuple(centre), tuple(modes), int(rank), bool(omit), int(kind),
                             float(pct), method, nthreads)
    return _k.rank_bhw(in3, out3, dtype_code(in3.dtype), *pre, cval_t, *post)


@lru_cache(maxsize=256)
def _kernel_args(B, H, W, itemsize, fshape, fbytes, centre, modes, rank, omit, kind, pct,
                 method, nthreads):
    """rank_bhw's arguments before and after cval (read-only arrays)."""
    fp2 = np.frombuffer(fbytes, dtype=bool).reshape(fshape)
    fh, fw = fp2.shape
    rowmap = _index_map(H + fh - 1, H, -centre[0], modes[0])
    colmap = _index_map(W + fw - 1, W, -centre[1], modes[1])
    fy, fx, ay, ax, ry, rx = _window_lists(fp2)
    K = len(fy)
    net = cnet = _NO_NET
    srow, sshift = fy, fx
    separable = False
    out_slot = rank
    tiles = None
    if method is None:
        if omit:
            method = _k.METHOD_SELECT
        elif fh == fw and fh in (3, 5) and K == fh * fw and rank == K // 2:
            method = _k.METHOD_REGISTER
        elif (itemsize > 1 and K == fh * fw and 4 <= fh <= _PHR_SIDE
              and fw <= _PHR_SIDE
              and _PHR_MIN_BY_ITEMSIZE[itemsize] <= K <= _PHR_MAX):
            tiles = _hist_tiles(H, W, fh, fw, B, nthreads, maxdim=_PHR_DIM)
            method = _k.METHOD_PHR
            if tiles is None:  # (cannot happen with sides <= 64; kept exact anyway)
                tiles = _hist_tiles(H, W, fh, fw, B, nthreads)
                method = _k.METHOD_HIST if tiles is not None else _k.METHOD_SELECT
        elif K <= max(_NETWORK_MAX, _NETWORK_MAX_BY_ITEMSIZE[itemsize]):
            method = _k.METHOD_NETWORK
        elif itemsize == 1 and K == fh * fw and K >= _PH8_MIN and K < 32768:
            method = _k.METHOD_PH8
        elif itemsize == 1:
            method = _k.METHOD_HIST8
        else:
            tiles = _hist_tiles(H, W, fh, fw, B, nthreads)
            method = _k.METHOD_HIST if tiles is not None else _k.METHOD_SELECT
    if method == _k.METHOD_PHR:
        tiles = tiles or _hist_tiles(H, W, fh, fw, B, nthreads,
                                     maxdim=_PHR_DIM)
        TR, TC = tiles
    elif method == _k.METHOD_HIST:
        tiles = tiles or _hist_tiles(H, W, fh, fw, B, nthreads)
        TR, TC = tiles
    elif method == _k.METHOD_PH8:
        # column histograms (TC + fw - 1) x 272 uint16 and the tile within L2;
        # tall tiles amortise the fh-row column-histogram start (measured)
        TC = min(W, _PH8_TC)
        TR = max(1, min(H, 256))
    elif method == _k.METHOD_HIST8:
        TC = min(W, 2048)
        TR = max(1, min(H, 64))
    elif method == _k.METHOD_REGISTER:
        # keep the tile (TR + fh - 1 rows) within L2
        TC = min(W, 2048)
        TR = max(1, min(H, _REG_TILE_BYTES // (TC * itemsize) + 1))
    else:
        TC = min(W, 1024)
        TR = max(1, min(H, 32, (1 << 16) // TC))
        if method == _k.METHOD_NETWORK:
            if K == fh * fw and fh > 1 and fw > 1:
                separable = True
                cnet, net, out_slot, srow, sshift = _separable_network(fh, fw, rank)
            else:
                net = _network(K, rank)
    # network block: keep the K scratch rows within ~16 kB of L1
    nb = max(32, min(512, (16384 // max(1, K * itemsize)) // 32 * 32))
    pre = (rowmap, colmap, fy, fx, ay, ax, ry, rx, net, cnet, int(separable), srow, sshift,
           fh, centre[1], fw, out_slot if method == _k.METHOD_NETWORK else rank)
    post = (method, int(omit), kind, float(pct), TR, TC, nb, nthreads)
    for a in pre:
        if isinstance(a, np.ndarray):
            a.setflags(write=False)
    return pre, post




def _plan(inp, faxes, fshape):
    """Map the (at most 2) filtered axes to the kernel's (B, H, W) view.

    Returns (perm, shape3, window_shape2, swap) where swap says that the
    window's single axis runs along H (a 1-D window on a non-last axis)."""
    if len(faxes) == 2:
        perm, shape3 = _plan_2d(inp, list(faxes))
        return perm, shape3, tuple(fshape), False
    a = faxes[0]
    if inp.ndim == 1:
        return [0], (1, 1, inp.shape[0]), (1, fshape[0]), False
    st = [abs(s) if n > 1 else np.inf for s, n in zip(inp.strides, inp.shape)]
    partner = min((ax for ax in range(inp.ndim) if ax != a), key=lambda ax: st[ax])
    if st[partner] < st[a]:
        perm, shape3 = _plan_2d(inp, [a, partner])
        return perm, shape3, (fshape[0], 1), True
    perm, shape3 = _plan_2d(inp, [partner, a])
    return perm, shape3, (1, fshape[0]), False


def _apply(work, out_work, faxes, fp, origins, modes, cval_t, rank, **kw):
    """Filter ``work`` (any layout) into ``out_work`` (same dtype, no overlap)
    over ``faxes`` with the footprint ``fp`` (one axis per filtered axis).
    Returns the number of kernel tiles that held a NaN (float data)."""
    if work.size == 0:
        return 0
    perm, shape3, wshape, swap = _plan(work, faxes, fp.shape)
    fp2 = fp.reshape(wshape)
    if len(faxes) == 2:
        centre = (fp.shape[0] // 2 + origins[0], fp.shape[1] // 2 + origins[1])
        m2 = (modes[0], modes[1])
    elif swap:
        centre = (fp.shape[0] // 2 + origins[0], 0)
        m2 = (modes[0], modes[0])
    else:
        centre = (0, fp.shape[0] // 2 + origins[0])
        m2 = (modes[0], modes[0])
    in3 = _try_reshape(work, perm, shape3)
    if in3 is None:
        in3 = np.ascontiguousarray(work.transpose(perm)).reshape(shape3)
    out3 = _try_reshape(out_work, perm, shape3)
    if out3 is None:
        tmp = np.empty(shape3, dtype=out_work.dtype)
        seen = _filter_bhw(in3, tmp, fp2, centre, m2, cval_t, rank, **kw)
        out_work.transpose(perm)[...] = tmp.reshape([out_work.shape[ax] for ax in perm])
    else:
        seen = _filter_bhw(in3, out3, fp2, centre, m2, cval_t, rank, **kw)
    return seen


# ---------------------------------------------------------------------------
# argument handling

def _check_nan_policy(nan_policy):
    if nan_policy not in ("propagate", "omit"):
        raise ValueError(f"nan_policy must be 'propagate' or 'omit', got {nan_policy!r}")
    return nan_policy


def _footprint(input, size, footprint, axes, name_size="size"):
    """scipy's footprint/size combination -> (bool footprint with one axis per
    entry of the sorted filtered axes, sorted axes)."""
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=4)
    if footprint is None:
        if size is None:
            raise ValueError("no footprint or filter size provided: pass size= or "
                             "footprint=")
        sizes = normalize_sequence(size, len(axes), name_size, convert=as_int)
        for s in sizes:
            if s < 1:
                raise ValueError(f"{name_size} must be positive, got {size!r}")
        fp = np.ones(sizes, dtype=bool)
    else:
        fp = np.asarray(footprint)
        if fp.dtype.kind == "c":
            raise TypeError(f"footprint must be real, got complex dtype {fp.dtype}")
        if fp.dtype.kind not in "biuf":
            raise TypeError(f"footprint must be an array of booleans or numbers, got "
                            f"dtype {fp.dtype}")
        fp = fp.astype(bool)
        if fp.ndim != len(axes):
            raise ValueError(f"footprint must have {len(axes)} dimensions (one per "
                             f"filtered axis of input), got shape {fp.shape}")
        if 0 in fp.shape:
            raise ValueError(f"footprint must not have a zero-length dimension, got "
                             f"shape {fp.shape}")
    if not fp.any():
        raise ValueError("footprint must contain at least one True element")
    return fp


def _normalize_rank(operation, rank, K):
    if operation == "median":
        return K // 2, _KIND_MEDIAN, 0.0, 0
    if operation == "percentile":
        try:
            p = float(rank)
        except (TypeError, ValueError):
            raise TypeError(f"percentile must be a real number, got {rank!r}") from None
        if isinstance(rank, (complex, np.complexfloating)):
            raise TypeError(f"percentile must be a real number, got {rank!r}")
        if not math.isfinite(p):
            raise ValueError(f"percentile must be in [-100, 100], got {rank!r}")
        if p < 0.0:
            p += 100.0
        if p < 0 or p > 100:
            raise ValueError(f"percentile must be in [-100, 100], got {rank!r}")
        r = K - 1 if p == 100.0 else int(float(K) * p / 100.0)
        return r, _KIND_PERCENTILE, p, 0
    r0 = as_int(rank, "rank")
    r = r0 + K if r0 < 0 else r0
    if r < 0 or r >= K:
        raise ValueError(f"rank must satisfy -{K} <= rank < {K} for a footprint of "
                         f"{K} elements, got {r0}")
    return r, _KIND_RANK, 0.0, r0


def _fits(value, dtype):
    """True when float ``value`` is exactly representable in ``dtype``."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return math.isnan(value) or float(dt.type(value)) == value
    if not math.isfinite(value) or value != math.floor(value):
        return False
    info = np.iinfo(dt) if dt.kind in "iu" else None
    lo, hi = (0, 1) if dt.kind == "b" else (info.min, info.max)
    return lo <= value <= hi


def _rank_filter(input, rank, size, footprint, output, mode, cval, origin,
                 operation, axes, nan_policy):
    input = check_array(input, "input")
    _check_nan_policy(nan_policy)
    faxes, origins = footprint_axes(axes, input.ndim, origin)
    fp = _footprint(input, size, footprint, faxes)
    for o, n in zip(origins, fp.shape):
        check_origin(o, n)
    K = int(fp.sum())
    r, kind, pct, rank_orig = _normalize_rank(operation, rank, K)
    cval = check_cval(cval)
    if isinstance(mode, str):
        modes = [mode_code(mode)] * len(faxes)
        single_mode = True
    else:
        modes = [mode_code(m) for m in normalize_sequence(mode, len(faxes), "mode")] \
            if not isinstance(mode, (int, float)) else [mode_code(mode)]
        single_mode = False
    if output is None:
        output = np.empty(input.shape, dtype=input.dtype)
    else:
        output, _ = get_output(output, input)
    if np.may_share_memory(input, output):
        input = input.copy()
    extreme = r == 0 or r == K - 1
    separable = bool(fp.all())
    if not single_mode and not (extreme and separable):
        raise ValueError("mode must be a single mode name: a sequence of modes is "
                         "only supported by separable minimum/maximum windows")
    if input.ndim == 0:
        _cast_into(input.reshape(1, 1, 1), output.reshape(1, 1, 1))
        return output
    if input.size == 0:
        return output
    if K == 1 and separable:
        # scipy's minimum filter with only size-1 axes: a plain NumPy copy
        if np.may_share_memory(input, output):
            input = input.copy()
        np.copyto(output, input, casting="unsafe")
        return output
    # reduce the window to the axes it really spans
    keep = [k for k in range(fp.ndim) if fp.shape[k] > 1]
    if len(keep) > 2:
        raise NotImplementedError(
            f"footprint of shape {fp.shape} spans {len(keep)} axes; imkernels rank "
            f"filters run over at most 2 axes at a time: pass axes= naming one or "
            f"two axes (the filter then runs over them for every index of the others)")
    if not keep:
        keep = [fp.ndim - 1]
    fpk = fp.reshape([fp.shape[k] for k in keep])
    kaxes = [faxes[k] for k in keep]
    korig = [origins[k] for k in keep]
    kmodes = [modes[k] for k in keep]
    constant = any(m == 4 for m in kmodes)

    # NaN-free data (the kernels report tiles holding a NaN) take scipy's path
    is_float = input.dtype.kind == "f"
    if not (is_float and constant and math.isnan(cval)):
        seen = _scipy_value(input, output, kaxes, fpk, korig, kmodes, cval, r, extreme,
                            separable, origin, fp.size, single_mode)
        # every input value lies in some kernel tile, so seen == 0 means no NaN
        if not (is_float and seen):
            return output
    # NaN handling
    if nan_policy == "omit":
        res = np.empty(input.shape, dtype=input.dtype)
        ct = np.array([cval], dtype=input.dtype)
        # the kernel recomputes the rank from each window's finite count
        _apply(input, res, kaxes, fpk, korig, kmodes, ct,
               rank_orig if kind == _KIND_RANK else r, omit=True, kind=kind, pct=pct)
        _cast_into(res, output)
        return output
    nanmask = np.isnan(input).view(np.uint8)
    anynan = np.empty(input.shape, dtype=np.uint8)
    _apply(nanmask, anynan, kaxes, fpk, korig, kmodes,
           np.array([1 if math.isnan(cval) else 0], np.uint8), K - 1)
    filled = np.where(np.isnan(input), input.dtype.type(0), input)
    cval_f = 0.0 if math.isnan(cval) else cval
    res = _scipy_value(filled, output.dtype, kaxes, fpk, korig, kmodes, cval_f, r,
                       extreme, separable, origin, fp.size, single_mode, as_work=True)
    res[anynan.view(bool)] = np.nan
    _cast_into(res, output)
    return output


def _scipy_value(input, output, kaxes, fpk, korig, kmodes, cval, r, extreme,
                 separable, origin, fp_size, single_mode, as_work=False):
    """scipy's result for NaN-free ``input`` (see the module docstring).

    Writes into ``output`` (an array) and returns the number of kernel tiles
    that held a NaN; with ``as_work=True`` (``output`` is then the target
    dtype) returns the result in the input dtype before the final
    conversion."""
    T = input.dtype
    work = input.view(np.uint8) if T == np.bool_ else input
    constant = any(m == 4 for m in kmodes)
    if as_work:
        res = np.empty(input.shape, dtype=T)
        ct = _c_cast_scalar(cval, T)
        _apply(input, res, kaxes, fpk, korig, kmodes, ct, r)
        return res
    out_same = output.dtype == T and not np.may_share_memory(input, output)
    seen = 0

    # scipy's separable minimum/maximum passes
    # (64-bit integers too: each pass rounds through double, which is not
    # monotone near 2**64, so the passes differ from one 2-D minimum)
    if extreme and separable and (
            not single_mode or output.dtype != T or T.kind in "iu" and T.itemsize == 8
            or (constant and not _fits(cval, T))):
        cur = input
        for ax, n, o, m in sorted(zip(kaxes, fpk.shape, korig, kmodes)):
            if n == 1:
                continue
            src = cur.view(np.uint8) if cur.dtype == np.bool_ else cur
            if m == 4 and not _fits(cval, cur.dtype):
                src = src.astype(np.float64)
            res = np.empty(src.shape, dtype=src.dtype)
            ct = _c_cast_scalar(cval, src.dtype)
            seen += _apply(src, res, [ax], np.ones(n, dtype=bool), [o], [m], ct,
                           0 if r == 0 else n - 1)
            nxt = np.empty(input.shape, dtype=output.dtype)
            _cast_into(res, nxt, nd=False)
            cur = nxt
        if cur is input:
            _cast_into(input, output)
        else:
            output[...] = cur
        return seen

    # scipy's 1-D fast path
    lim2 = input.size - ((fp_size - 1) // 2 - _scalar_origin(origin))
    if input.ndim == 1 and (lim2 >= 0 or input.size == 1) and not extreme:
        if T.kind == "f":
            ct = np.array([cval], dtype=T)
        else:
            try:
                c64 = int(np.int64(cval))
            except (OverflowError, ValueError):
                raise ValueError(f"cval {cval!r} cannot be converted to int64 "
                                 f"(scipy's 1-D rank filter)") from None
            if T != np.bool_ and np.iinfo(T).min <= c64 <= np.iinfo(T).max:
                ct = np.array([c64], dtype=T)
            elif T == np.bool_ and 0 <= c64 <= 255:
                ct = np.array([c64], dtype=np.uint8)
            else:
                work = input.astype(np.int64)
                ct = np.array([c64], dtype=np.int64)
        if out_same and work.dtype == T:
            seen = _apply(work, output, kaxes, fpk, korig, kmodes, ct, r)
        else:
            res = np.empty(input.shape, dtype=work.dtype)
            seen = _apply(work, res, kaxes, fpk, korig, kmodes, ct, r)
            np.copyto(output, res, casting="unsafe")
        return seen

    # scipy's N-D path: cval cast to the input dtype, result through double
    ct = _c_cast_scalar(cval, work.dtype, code=dtype_code(T))
    if out_same and T.itemsize < 8 or out_same and T.kind == "f":
        return _apply(work, output.view(np.uint8) if T == np.bool_ else output,
                      kaxes, fpk, korig, kmodes, ct, r)
    res = np.empty(input.shape, dtype=work.dtype)
    seen = _apply(work, res, kaxes, fpk, korig, kmodes, ct, r)
    if T == np.uint64 and output.dtype != T and not extreme:
        # scipy's result passes uint64 -> double -> uint64 (N-D cast) before
        # reaching another output dtype: 2**64 - 3 -> 2.0**64 -> 0
        _cast_into(res.copy(), res)
    _cast_into(res.view(T) if T == np.bool_ else res, output)
    return seen


def _scalar_origin(origin):
    if isinstance(origin, (list, tuple, np.ndarray)):
        o = list(np.ravel(origin))
        return int(o[0]) if len(o) == 1 else 0
    return int(origin)


# ---------------------------------------------------------------------------
# public API

@_doc
def rank_filter(input, rank, size=None, footprint=None, output=None, mode="reflect",
                cval=0.0, origin=0, *, axes=None, nan_policy="propagate"):
    """Calculate a multidimensional rank filter.

    Same signature and results as ``scipy.ndimage.rank_filter``, plus
    ``nan_policy``.

    Parameters
    ----------
    {input}
    rank : int
        The rank: 0 is the minimum of the window, -1 the maximum (negative
        ranks count from the largest).
    size : scalar or tuple, optional
        Window shape (``size=(n, m)`` means ``footprint=np.ones((n, m))``).
    footprint : array, optional
        Flat structuring element (cells that are True take part); any shape
        with holes, even sizes and non-square. Ignored ``size`` with a
        warning when both are given.
    {output}
    mode : str, optional
        Boundary mode; see ``median_filter``.
    {cval}
    {origin_mult}
    {axes}
    nan_policy : {{'propagate', 'omit'}}, keyword-only
        'propagate' (default): NaN wherever the window holds a NaN.
        'omit': rank among the finite values only (see Notes of
        ``median_filter``).

    Returns
    -------
    ndarray
        Filtered array of the input's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from imkernels.ndimage import rank_filter
    >>> a = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> rank_filter(a, 0, size=3)[1:4, 1:4]
    array([[ 0,  1,  2],
           [ 5,  6,  7],
           [10, 11, 12]], dtype=uint8)
    """
    return _rank_filter(input, rank, size, footprint, output, mode, cval, origin,
                        "rank", axes, nan_policy)


@_doc
def median_filter(input, size=None, footprint=None, output=None, mode="reflect",
                  cval=0.0, origin=0, *, axes=None, nan_policy="propagate"):
    """Calculate a multidimensional median filter.

    Same signature and results as ``scipy.ndimage.median_filter`` (bit for
    bit, every dtype), plus ``nan_policy``.

    Parameters
    ----------
    {input}
    size : scalar or tuple, optional
        Window shape; ``size=5`` is a 5x5 window on a 2-D image.
    footprint : array, optional
        Flat structuring element: any shape, holes and even sizes allowed.
    {output}
    {mode}
    {cval}
    {origin_mult}
    {axes}
    nan_policy : {{'propagate', 'omit'}}, keyword-only
        'propagate' (default) gives NaN wherever the window holds a NaN;
        'omit' takes the median of the finite values (NaN if there is none).

    Returns
    -------
    ndarray
        Filtered array of the input's shape.

    Notes
    -----
    With K cells in the footprint the result is the value of rank
    ``K // 2`` (0-based) among the K window values, scipy's choice: for an
    even K it is the upper of the two middle values, not their mean.
    A window may span at most two axes of the input (use ``axes=`` to run
    it over an N-D stack).

    Examples
    --------
    >>> import numpy as np
    >>> from imkernels.ndimage import median_filter
    >>> a = np.zeros((5, 5), dtype=np.float32)
    >>> a[2, 2] = 100                     # an impulse
    >>> float(median_filter(a, size=3).max())
    0.0
    >>> b = np.array([[1, np.nan, 3], [4, 5, 6]])
    >>> median_filter(b, size=3, mode="nearest", nan_policy="omit")
    array([[1., 3., 3.],
           [4., 5., 6.]])
    """
    if (footprint is None and output is None and axes is None and type(size) is int
            and type(input) is np.ndarray and input.ndim == 2 and type(mode) is str
            and type(cval) in (int, float) and type(origin) is int and origin == 0
            and nan_policy == "propagate"):
        res = _median_2d_fast(input, size, mode, cval)
        if res is not None:
            return res
    return _rank_filter(input, 0, size, footprint, output, mode, cval, origin,
                        "median", axes, nan_policy)


_FAST_DTYPES = frozenset(np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16,
                                                 np.uint32, np.int32, np.float32,
                                                 np.float64))


@lru_cache(maxsize=32)
def _square(size):
    fp = np.ones((size, size), dtype=bool)
    fp.setflags(write=False)
    return fp


def _median_2d_fast(input, size, mode, cval):
    """median_filter's common call (2-D array, int size, default output,
    origin and axes) straight to the kernel: the same kernel call as the
    general path (scipy's N-D path), with its arguments prepared once per
    shape, dtype, size, mode, cval and thread count (a cold call into the
    general path's argument plumbing costs ~0.1 ms). Returns None when the
    general path must run (other cases, or NaN in the data)."""
    T = input.dtype
    H, W = input.shape
    if input.strides[1] != T.itemsize:
        return None
    # threads as in _nthreads (small jobs run on fewer threads)
    nthreads = max(1, min(get_num_threads(),
                          (H * W * max(size * size, 9) * T.itemsize) >> _MIN_WORK_SHIFT))
    key = (H, W, T, size, mode, cval, math.copysign(1.0, cval), nthreads)
    args = _FAST_ARGS.get(key)
    if args is None:
        if len(_FAST_ARGS) >= 256:
            _FAST_ARGS.clear()
        args = _FAST_ARGS[key] = _median_2d_fast_args(T, H, W, size, mode, cval, nthreads)
    if args is False:
        return None
    out = np.empty((H, W), dtype=T)
    if _k.rank_bhw(input.reshape(1, H, W), out.reshape(1, H, W), *args):
        return None  # NaN in the data: the general path handles it
    return out


_FAST_ARGS = {}


def _median_2d_fast_args(T, H, W, size, mode, cval, nthreads):
    """rank_bhw's arguments after (in, out) for _median_2d_fast, or False."""
    if size < 2 or H == 0 or W == 0 or T not in _FAST_DTYPES or math.isnan(cval) \
            or mode not in MODE_CODES:
        return False
    m = MODE_CODES[mode]
    ct = _c_cast_scalar(cval, T, code=dtype_code(T))
    ct.setflags(write=False)
    fp2 = _square(size)
    K = size * size
    pre, post = _kernel_args(1, H, W, T.itemsize, fp2.shape, fp2.tobytes(),
                             (size // 2, size // 2), (m, m), K // 2, False, _KIND_RANK, 0.0,
                             None, nthreads)
    return (dtype_code(T),) + pre + (ct,) + post


@_doc
def percentile_filter(input, percentile, size=None, footprint=None, output=None,
                      mode="reflect", cval=0.0, origin=0, *, axes=None,
                      nan_policy="propagate"):
    """Calculate a multidimensional percentile filter.

    Same signature and results as ``scipy.ndimage.percentile_filter``, plus
    ``nan_policy``.

    Parameters
    ----------
    {input}
    percentile : scalar
        In [-100, 100]; a negative value means ``100 + percentile``. The
        result is the value of rank ``int(K * p / 100)`` (``K - 1`` for
        p = 100) among the K window values.
    size : scalar or tuple, optional
        Window shape.
    footprint : array, optional
        Flat structuring element.
    {output}
    {mode}
    {cval}
    {origin_mult}
    {axes}
    nan_policy : {{'propagate', 'omit'}}, keyword-only
        As in ``median_filter``.

    Returns
    -------
    ndarray
        Filtered array of the input's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from imkernels.ndimage import percentile_filter
    >>> a = np.arange(9.0).reshape(3, 3)
    >>> percentile_filter(a, 75, size=3, mode="nearest")[1, 1]
    np.float64(6.0)
    """
    return _rank_filter(input, percentile, size, footprint, output, mode, cval, origin,
                        "percentile", axes, nan_policy)


# ---------------------------------------------------------------------------
# medians beyond scipy

def _check_image_2d(input, name="input"):
    a = check_array(input, name)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {a.shape}")
    return a


def _odd_size(value, name, minimum=3):
    v = as_int(value, name)
    if v < minimum or v % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= {minimum}, got {value!r}")
    return v


def _finish(result, output, input):
    out, _ = get_output(output, input)
    if np.may_share_memory(out, result):
        result = result.copy()
    if out.dtype == result.dtype:
        out[...] = result
    else:
        _cast_into(result, out)
    return out


def adaptive_median_filter(input, max_size=7, output=None, mode="reflect"):
    """Adaptive (switching) median filter for impulse noise.

    The classic algorithm of Hwang and Haddad ("Adaptive median filters: new
    algorithms and results", IEEE TIP 1995), as given by Gonzalez and Woods.
    For each pixel z, with s = 3, 5, ..., ``max_size`` and z_min, z_med,
    z_max the minimum, median and maximum of the s x s window:

    * level A: if z_min < z_med < z_max the median is not an impulse, go to
      level B; otherwise grow the window (s += 2);
    * level B: if z_min < z < z_max, z is not an impulse and is kept
      **exactly**; otherwise z is replaced by z_med.

    If no window up to ``max_size`` passes level A, z is kept when
    z_min < z < z_max in the largest window and replaced by that window's
    z_med otherwise (Gonzalez and Woods always output z_med here; keeping the
    non-extreme pixels guarantees that a pixel is changed only when it is an
    extreme of its window, i.e. an impulse candidate).

    Parameters
    ----------
    input : array_like
        2-D image of any dtype ``median_filter`` accepts.
    max_size : int, optional
        Largest (odd, >= 3) window; default 7.
    output : array or dtype, optional
        Array or dtype of the result (default: the input's dtype).
    mode : str, optional
        Boundary mode, as in ``median_filter`` ('constant' pads with 0).

    Returns
    -------
    ndarray
        The filtered image; every pixel not detected as an impulse has its
        input value.

    Examples
    --------
    >>> import numpy as np
    >>> from imkernels.ndimage import adaptive_median_filter
    >>> a = (np.arange(36).reshape(6, 6) * 5).astype(np.uint8)   # a ramp
    >>> a[2, 2] = 255; a[3, 4] = 0                              # salt and pepper
    >>> b = adaptive_median_filter(a)
    >>> int(b[2, 2]), int(b[3, 4])                              # replaced
    (75, 105)
    >>> bool((b[1:5, :4] == a[1:5, :4])[a[1:5, :4] != 255].all())  # kept
    True
    """
    a = _check_image_2d(input)
    max_size = _odd_size(max_size, "max_size")
    mode_code(mode)
    if a.size == 0:
        return _finish(a.copy(), output, a)
    z = a.view(np.uint8) if a.dtype == np.bool_ else a
    out = z.copy()
    decided = np.zeros(z.shape, dtype=bool)
    for s in range(3, max_size + 1, 2):
        zmin = rank_filter(z, 0, size=s, mode=mode)
        zmax = rank_filter(z, -1, size=s, mode=mode)
        zmed = median_filter(z, size=s, mode=mode)
        level_a = (zmin < zmed) & (zmed < zmax) & ~decided
        impulse = ~((zmin < z) & (z < zmax))
        if s == max_size:
            level_a |= ~decided
        rep = level_a & impulse
        out[rep] = zmed[rep]
        decided |= level_a
    if a.dtype == np.bool_:
        out = out.view(np.bool_)
    return _finish(out, output, a)


def _box_mean(x, w, mode):
    from imkernels.ndimage._filters import correlate1d
    k = np.full(w, 1.0 / w)
    return correlate1d(correlate1d(x, k, axis=0, mode=mode), k, axis=1, mode=mode)


def detail_preserving_median(input, size=3, output=None, mode="reflect", *,
                             window=None, eps=0.03, clamp=True):
    """Correlation-guided median: a median that keeps the detail it would
    destroy.

    Let Y = ``median_filter(input, size)`` and X the input clamped to the
    range of Y in the ``size`` x ``size`` neighbourhood,
    X = clip(input, min(Y), max(Y)) (with ``clamp=True``, the default: an
    impulse cannot pass through the result; ``clamp=False`` uses X = input).
    Over a
    ``window`` x ``window`` box around every pixel, with local means
    mean_X, mean_Y, standard deviations s_X, s_Y and correlation
    rho = cov(X, Y) / (s_X s_Y) (the one-dimensional canonical correlation
    between the input neighbourhood and the median-filtered neighbourhood),
    the best local linear prediction of Y from X is

        a = cov(X, Y) / (s_X**2 + e**2) = rho * (s_Y / s_X) * s_X**2 / (s_X**2 + e**2),
        b = mean_Y - a * mean_X,

    with a regulariser e = ``eps`` * (data range: 1 for floats in [0, 1],
    else the dtype's / data's range). The coefficients are averaged over the
    same box (mean_a, mean_b, as in He et al.'s guided filter, ECCV 2010)
    and the result is

        Z = mean_a * X + mean_b.

    Where the input's variation is structure that the median keeps (edges,
    texture: rho close to 1, s_Y close to s_X), a is close to 1 and Z follows
    the input, keeping its detail; where the variation is noise that the
    median removes (impulses, Poisson/Gaussian grain in flat regions: rho
    or s_Y / s_X small), a is close to 0 and Z is the local mean of the
    median. Integer outputs are rounded to nearest and clipped to the
    dtype's range.

    Parameters
    ----------
    input : array_like
        2-D image (bool, integer or float).
    size : int, optional
        Median window (odd, >= 3); default 3.
    output : array or dtype, optional
        Array or dtype of the result (default: the input's dtype).
    mode : str, optional
        Boundary mode of the median and of the local statistics.
    window : int, optional
        Box for the local statistics (odd, >= 3); default ``size + 2``.
    eps : float, optional
        Regulariser relative to the data range; default 0.03.
    clamp : bool, optional
        Clamp the input to the local range of the median first (default
        True).

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from imkernels.ndimage import detail_preserving_median
    >>> a = np.zeros((6, 6), dtype=np.float32); a[:, 3:] = 1   # an edge
    >>> a[1, 1] = 1                                          # an impulse
    >>> z = detail_preserving_median(a)
    >>> bool(abs(z[1, 1]) < 0.2), bool(np.allclose(z[4, :], a[4, :], atol=0.05))
    (True, True)
    """
    a = _check_image_2d(input)
    size = _odd_size(size, "size")
    window = size + 2 if window is None else _odd_size(window, "window")
    mode_code(mode)
    try:
        eps = float(eps)
    except (TypeError, ValueError):
        raise TypeError(f"eps must be a real number, got {eps!r}") from None
    if not (eps > 0 and math.isfinite(eps)):
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    if a.size == 0:
        return _finish(a.copy(), output, a)
    z = a.view(np.uint8) if a.dtype == np.bool_ else a
    x = z.astype(np.float64)
    y = median_filter(z, size=size, mode=mode).astype(np.float64)
    if clamp:
        x = np.clip(x, rank_filter(y, 0, size=size, mode=mode),
                    rank_filter(y, -1, size=size, mode=mode))
    if a.dtype.kind == "f":
        lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
        rng = max(1.0, hi - lo) if hi - lo > 1.0 else 1.0
    elif a.dtype == np.bool_:
        rng = 1.0
    else:
        info = np.iinfo(a.dtype)
        rng = float(min(info.max - info.min, max(1.0, float(x.max() - x.min()))))
        if a.dtype.itemsize == 1:
            rng = float(info.max - info.min)
    e2 = (eps * rng) ** 2
    mx = _box_mean(x, window, mode)
    my = _box_mean(y, window, mode)
    vxx = _box_mean(x * x, window, mode) - mx * mx
    vxy = _box_mean(x * y, window, mode) - mx * my
    coef = vxy / (np.maximum(vxx, 0.0) + e2)
    off = my - coef * mx
    res = _box_mean(coef, window, mode) * x + _box_mean(off, window, mode)
    out, _ = get_output(output, a)
    if out.dtype.kind in "f":
        out[...] = res
    else:
        if out.dtype == np.bool_:
            out[...] = res >= 0.5
        else:
            info = np.iinfo(out.dtype)
            out[...] = np.clip(np.rint(res), info.min, info.max)
    return out
