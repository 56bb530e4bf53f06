"""Morphology kernels: running minimum/maximum for any flat footprint.

Algorithms
----------
* Rectangles are separable: one 1-D pass per axis (scipy does the same).
  Along the contiguous axis each extended line is reduced by *doubling*
  (max of a run of 2l from two runs of l, log2(k) + 1 vector passes, each
  an element-wise max of two shifted copies of the line that compiles to
  packed min/max instructions). Across rows the van Herk / Gil-Werman
  algorithm (M. van Herk, "A fast algorithm for local minimum and maximum
  filters on rectangular and octagonal kernels", Pattern Recognition
  Letters 13, 1992; J. Gil and M. Werman, IEEE PAMI 15, 1993) runs on whole
  rows at once: blocks of k rows, suffix maxima inside one block, prefix
  maxima inside the next, out = max(suffix, prefix): three comparisons per
  pixel whatever k, each one vectorised across the row.
  ``minmax_rect`` fuses the two for 2-D rectangles: the rows a van Herk
  block needs are filtered along W as they are loaded (each once per strip)
  into a k-row buffer, so the intermediate image never goes to memory; it
  also tests each loaded float row for NaN / -0.0 (bit tests, vectorised)
  and reports a hit so the caller can switch to scipy's scan order.
* Any other flat footprint is decomposed into horizontal chords
  (M. Urbach and M. Wilkinson, "Efficient 2-D grayscale morphological
  transformations with arbitrary flat structuring elements", IEEE TIP 17,
  2008): for every input row, a table of running maxima for each distinct
  chord length is built by doubling from shorter lengths (one vector pass
  per length); an output row is the element-wise max over the chords of the
  tables of the rows they sit on. Tables live in a ring of kh rows per
  thread, so every input row is extended and tabulated once per thread run.
  The result is exact (no approximation of the footprint).
* ``direct_bhw`` and ``harter_bhw`` reproduce scipy.ndimage's own scan
  orders (NI_MinOrMaxFilter and NI_MinOrMaxFilter1D) for the cases where
  the order of comparisons shows in the result: NaN and signed zeros in
  float input, and non-flat structuring elements (whose arithmetic scipy
  performs in the input type).

All kernels view arrays as (B, H, W) planes with arbitrary strides; threads
take strips of rows with their own scratch, allocated inside the parallel
block.
"""

cimport numpy as cnp
from cython.parallel cimport parallel, prange
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy
from libc.math cimport copysign

from imkernels._core._types cimport *
from imkernels._core._boundary cimport ik_map_index
from imkernels._core._rowio cimport ik_load_row, ik_store_row

cnp.import_array()

# set when a per-thread scratch allocation fails; the def wrappers reset it
# before and turn it into MemoryError after a kernel call
cdef int _alloc_failed = 0


cdef int _check_alloc() except -1:
    global _alloc_failed
    if _alloc_failed:
        _alloc_failed = 0
        raise MemoryError("imkernels: could not allocate per-thread scratch memory")
    return 0


# T: every numeric dtype (the shared fused type of _core/_types.pxd)
from imkernels._core._types cimport ik_numeric as T


# ---------------------------------------------------------------------------
# element-wise helpers (vectorise: a < b ? a : b is a packed min)

cdef inline void _mm2(T* d, const T* a, const T* b, Py_ssize_t n, bint mn) noexcept nogil:
    cdef Py_ssize_t x
    if mn:
        for x in range(n):
            d[x] = a[x] if a[x] < b[x] else b[x]
    else:
        for x in range(n):
            d[x] = a[x] if a[x] > b[x] else b[x]


cdef inline void _load(const char* src, Py_ssize_t stride, Py_ssize_t n, T* dst) noexcept nogil:
    cdef Py_ssize_t k
    if stride == sizeof(T):
        memcpy(dst, src, n * sizeof(T))
    else:
        for k in range(n):
            dst[k] = (<const T*>(src + k * stride))[0]


cdef inline void _store(const T* src, Py_ssize_t n, char* dst, Py_ssize_t stride) noexcept nogil:
    cdef Py_ssize_t k
    if stride == sizeof(T):
        memcpy(dst, src, n * sizeof(T))
    else:
        for k in range(n):
            (<T*>(dst + k * stride))[0] = src[k]


cdef inline void _ext_row(const char* src, Py_ssize_t stride, Py_ssize_t W,
                          Py_ssize_t left, Py_ssize_t right, int mode, T cv,
                          T* ext) noexcept nogil:
    """ext[left + k] = src[k]; the margins by the boundary mode."""
    cdef Py_ssize_t k, m
    _load(src, stride, W, ext + left)
    for k in range(left):
        m = ik_map_index(k - left, W, mode)
        ext[k] = cv if m < 0 else ext[left + m]
    for k in range(right):
        m = ik_map_index(W + k, W, mode)
        ext[left + W + k] = cv if m < 0 else ext[left + m]


cdef inline void _run_len(T* a, T* b, Py_ssize_t n, Py_ssize_t k, bint mn,
                          T* dst, Py_ssize_t nout) noexcept nogil:
    """dst[x] = minmax(a[x : x + k]) for x < nout (a holds n >= nout + k - 1
    values; a and b are clobbered) by doubling."""
    cdef Py_ssize_t l = 1, m = n
    cdef T* cur = a
    cdef T* oth = b
    cdef T* t
    while 2 * l <= k:
        _mm2(oth, cur, cur + l, m - l, mn)
        m = m - l
        l = 2 * l
        t = cur
        cur = oth
        oth = t
    if l < k:
        _mm2(dst, cur, cur + (k - l), nout, mn)
    else:
        memcpy(dst, cur, nout * sizeof(T))


# ---------------------------------------------------------------------------
# 1-D running min/max along W (horizontal) or H (vertical, van Herk)

cdef void _line_h(const char* ib, Py_ssize_t B, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                  char* ob, Py_ssize_t os0, Py_ssize_t os1, Py_ssize_t os2,
                  Py_ssize_t k, Py_ssize_t c, int mode, T cv, bint mn,
                  int nthreads) noexcept nogil:
    global _alloc_failed
    cdef Py_ssize_t total = B * H, row, b, y, n = W + k - 1
    cdef T* ea
    cdef T* eb
    cdef T* orow
    with parallel(num_threads=nthreads):
        ea = <T*>malloc(n * sizeof(T))
        eb = <T*>malloc(n * sizeof(T))
        orow = <T*>malloc(W * sizeof(T))
        for row in prange(total, schedule='dynamic', chunksize=32):
            if ea == NULL or eb == NULL or orow == NULL:
                _alloc_failed = 1
                continue
            b = row // H
            y = row - b * H
            _ext_row(ib + b * is0 + y * is1, is2, W, c, k - 1 - c, mode, cv, ea)
            if os2 == sizeof(T):
                _run_len(ea, eb, n, k, mn, <T*>(ob + b * os0 + y * os1), W)
            else:
                _run_len(ea, eb, n, k, mn, orow, W)
                _store(orow, W, ob + b * os0 + y * os1, os2)
        free(ea)
        free(eb)
        free(orow)


cdef inline const T* _vrow(const char* ib, Py_ssize_t b, Py_ssize_t s, Py_ssize_t H,
                           Py_ssize_t W, Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                           int mode, const T* crow, T* buf) noexcept nogil:
    """Row s (any integer) of plane b under the boundary mode."""
    cdef Py_ssize_t m = ik_map_index(s, H, mode)
    if m < 0:
        return crow
    if is2 == sizeof(T):
        return <const T*>(ib + b * is0 + m * is1)
    _load(ib + b * is0 + m * is1, is2, W, buf)
    return buf


cdef inline void _emit_block(const T* h, const T* g, Py_ssize_t nst, Py_ssize_t W,
                             char* dst0, Py_ssize_t os1, Py_ssize_t os2, T* orow,
                             bint mn) noexcept nogil:
    """Write the nst output rows of one van Herk / Gil-Werman block: row j is
    extremum(suffix h[j], prefix g[j - 1]) (row 0 is h[0]); rows start at
    dst0 with stride os1, items os2 apart (orow: scratch for strided rows)."""
    cdef Py_ssize_t j
    cdef T* row
    for j in range(nst):
        row = <T*>(dst0 + j * os1) if os2 == sizeof(T) else orow
        if j == 0:
            memcpy(row, h, W * sizeof(T))
        else:
            _mm2(row, h + j * W, g + (j - 1) * W, W, mn)
        if os2 != sizeof(T):
            _store(orow, W, dst0 + j * os1, os2)


cdef void _line_v(const char* ib, Py_ssize_t B, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                  char* ob, Py_ssize_t os0, Py_ssize_t os1, Py_ssize_t os2,
                  Py_ssize_t k, Py_ssize_t c, int mode, T cv, bint mn,
                  Py_ssize_t nstrips, int nthreads) noexcept nogil:
    global _alloc_failed
    cdef Py_ssize_t task, ntasks = B * nstrips, b, st, i0, i1, blk, j, nst, x, s0
    cdef T* h
    cdef T* g
    cdef T* buf
    cdef T* crow
    cdef T* orow
    cdef const T* r
    with parallel(num_threads=nthreads):
        h = <T*>malloc(k * W * sizeof(T))
        g = <T*>malloc(k * W * sizeof(T))
        buf = <T*>malloc(W * sizeof(T))
        crow = <T*>malloc(W * sizeof(T))
        orow = <T*>malloc(W * sizeof(T))
        if crow != NULL:
            for x in range(W):
                crow[x] = cv
        for task in prange(ntasks, schedule='dynamic'):
            if h == NULL or g == NULL or buf == NULL or crow == NULL or orow == NULL:
                _alloc_failed = 1
                continue
            b = task // nstrips
            st = task - b * nstrips
            i0 = st * H // nstrips
            i1 = (st + 1) * H // nstrips
            s0 = i0 - c
            blk = s0
            while blk < i1 - c:
                nst = i1 - c - blk
                if nst > k:
                    nst = k
                # suffix extrema of rows blk .. blk + k - 1
                r = _vrow(ib, b, blk + k - 1, H, W, is0, is1, is2, mode, crow, buf)
                memcpy(h + (k - 1) * W, r, W * sizeof(T))
                j = k - 2
                while j >= 0:
                    r = _vrow(ib, b, blk + j, H, W, is0, is1, is2, mode, crow, buf)
                    _mm2(h + j * W, r, h + (j + 1) * W, W, mn)
                    j = j - 1
                # prefix extrema of rows blk + k .. blk + k + nst - 2
                if nst > 1:
                    r = _vrow(ib, b, blk + k, H, W, is0, is1, is2, mode, crow, buf)
                    memcpy(g, r, W * sizeof(T))
                    for j in range(1, nst - 1):
                        r = _vrow(ib, b, blk + k + j, H, W, is0, is1, is2, mode, crow, buf)
                        _mm2(g + j * W, g + (j - 1) * W, r, W, mn)
                _emit_block(h, g, nst, W, ob + b * os0 + (blk + c) * os1, os1, os2, orow, mn)
                blk = blk + k
        free(h)
        free(g)
        free(buf)
        free(crow)
        free(orow)


cdef void _line_t(T* tag, cnp.ndarray inp, cnp.ndarray out, Py_ssize_t k, Py_ssize_t c,
                  bint vertical, int mode, const char* cvp, bint mn, Py_ssize_t nstrips,
                  int nthreads):
    cdef Py_ssize_t B = inp.shape[0], H = inp.shape[1], W = inp.shape[2]
    cdef T cv = (<const T*>cvp)[0]
    cdef const char* ib = <const char*>cnp.PyArray_DATA(inp)
    cdef char* ob = <char*>cnp.PyArray_DATA(out)
    if vertical:
        _line_v(ib, B, H, W, inp.strides[0], inp.strides[1], inp.strides[2],
                ob, out.strides[0], out.strides[1], out.strides[2],
                k, c, mode, cv, mn, nstrips, nthreads)
    else:
        _line_h(ib, B, H, W, inp.strides[0], inp.strides[1], inp.strides[2],
                ob, out.strides[0], out.strides[1], out.strides[2],
                k, c, mode, cv, mn, nthreads)


def minmax_line(cnp.ndarray inp not None, cnp.ndarray out not None, int code,
                Py_ssize_t k, Py_ssize_t c, bint vertical, int mode,
                cnp.ndarray cval not None, bint minimum, Py_ssize_t nstrips,
                int nthreads):
    """out = running min/max of length k along W (or H when ``vertical``).

    IN:  inp (B, H, W), any strides, dtype code ``code`` (bool as uint8);
         the window of output i covers input i - c .. i - c + k - 1
         (0 <= c < k, checked in Python); cval: 1-element array of the dtype.
    OUT: out (B, H, W), same dtype, any strides, no overlap with inp.
    """
    if inp.shape[0] == 0 or inp.shape[1] == 0 or inp.shape[2] == 0:
        return
    if nthreads < 1:
        nthreads = 1
    if nstrips < 1:
        nstrips = 1
    cdef const char* cvp = <const char*>cnp.PyArray_DATA(cval)
    if code == IK_U8 or code == IK_BOOL:
        _line_t(<uint8_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I8:
        _line_t(<int8_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U16:
        _line_t(<uint16_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I16:
        _line_t(<int16_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U32:
        _line_t(<uint32_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I32:
        _line_t(<int32_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U64:
        _line_t(<uint64_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I64:
        _line_t(<int64_t*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_F32:
        _line_t(<float*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    else:
        _line_t(<double*>NULL, inp, out, k, c, vertical, mode, cvp, minimum, nstrips, nthreads)
    _check_alloc()

cdef inline int _special_f32(const char* p, Py_ssize_t n, Py_ssize_t s) noexcept nogil:
    """Whether any of n float32 at p (stride s) is a NaN or -0.0, by integer
    tests on the bits (a branch-free OR-reduction that vectorises):
    NaN is |bits| > 0x7f800000, -0.0 is bits == 0x80000000."""
    cdef Py_ssize_t x
    cdef const uint32_t* u = <const uint32_t*>p
    cdef uint32_t acc = 0, v
    if s == 4:
        for x in range(n):
            v = u[x]
            acc |= (<int32_t>(v & 0x7fffffffU) > <int32_t>0x7f800000) | (v == 0x80000000U)
    else:
        for x in range(n):
            v = (<const uint32_t*>(p + x * s))[0]
            acc |= (<int32_t>(v & 0x7fffffffU) > <int32_t>0x7f800000) | (v == 0x80000000U)
    return acc != 0


cdef inline int _special_f64(const char* p, Py_ssize_t n, Py_ssize_t s) noexcept nogil:
    """float64 version of _special_f32."""
    cdef Py_ssize_t x
    cdef const uint64_t* u = <const uint64_t*>p
    cdef uint64_t acc = 0, v
    if s == 8:
        for x in range(n):
            v = u[x]
            acc |= ((<int64_t>(v & 0x7fffffffffffffffULL) > <int64_t>0x7ff0000000000000LL)
                    | (v == 0x8000000000000000ULL))
    else:
        for x in range(n):
            v = (<const uint64_t*>(p + x * s))[0]
            acc |= ((<int64_t>(v & 0x7fffffffffffffffULL) > <int64_t>0x7ff0000000000000LL)
                    | (v == 0x8000000000000000ULL))
    return acc != 0


# ---------------------------------------------------------------------------
# rectangle in one sweep: rows filtered along W on the fly, van Herk along H

cdef inline void _hrow(const char* ib, Py_ssize_t b, Py_ssize_t s, Py_ssize_t H,
                       Py_ssize_t W, Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                       Py_ssize_t kw, Py_ssize_t cx, int vmode, int hmode, T cv, bint mn,
                       T* ea, T* eb, T* dst, int* flag) noexcept nogil:
    """dst = row s (any integer, vmode outside 0..H-1) of plane b reduced
    along W over windows of kw (hmode outside 0..W-1). With ``flag`` (float
    T), sets flag[0] when the row holds a NaN or -0.0."""
    cdef Py_ssize_t x, m = ik_map_index(s, H, vmode)
    if m < 0:
        for x in range(W):
            dst[x] = cv
        return
    _ext_row(ib + b * is0 + m * is1, is2, W, cx, kw - 1 - cx, hmode, cv, ea)
    if T is float:
        if flag != NULL and _special_f32(<const char*>(ea + cx), W, 4):
            flag[0] = 1
    elif T is double:
        if flag != NULL and _special_f64(<const char*>(ea + cx), W, 8):
            flag[0] = 1
    _run_len(ea, eb, W + kw - 1, kw, mn, dst, W)


cdef void _rect(const char* ib, Py_ssize_t B, Py_ssize_t H, Py_ssize_t W,
                Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                char* ob, Py_ssize_t os0, Py_ssize_t os1, Py_ssize_t os2,
                Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t cy, Py_ssize_t cx,
                int vmode, int hmode, T cv, bint mn,
                Py_ssize_t nstrips, int nthreads, int* flag) noexcept nogil:
    """out = min/max over kh x kw windows. Blocks of kh W-filtered rows:
    suffix extrema of a block and prefix extrema of the next (van Herk /
    Gil-Werman); the W-filtered rows of the next block, computed for the
    prefix, are kept in f for that block's suffix, so every input row is
    filtered once per strip and the intermediate never goes to memory."""
    global _alloc_failed
    cdef Py_ssize_t task, ntasks = B * nstrips, b, st, i0, i1, blk, j, nst, nf
    cdef Py_ssize_t n = W + kw - 1
    cdef T* h
    cdef T* g
    cdef T* f
    cdef T* ea
    cdef T* eb
    cdef T* orow
    with parallel(num_threads=nthreads):
        h = <T*>malloc(kh * W * sizeof(T))
        g = <T*>malloc(kh * W * sizeof(T))
        f = <T*>malloc(kh * W * sizeof(T))
        ea = <T*>malloc(n * sizeof(T))
        eb = <T*>malloc(n * sizeof(T))
        orow = <T*>malloc(W * sizeof(T))
        for task in prange(ntasks, schedule='dynamic'):
            if (h == NULL or g == NULL or f == NULL or ea == NULL or eb == NULL
                    or orow == NULL):
                _alloc_failed = 1
                continue
            b = task // nstrips
            st = task - b * nstrips
            i0 = st * H // nstrips
            i1 = (st + 1) * H // nstrips
            blk = i0 - cy
            if blk < i1 - cy:
                for j in range(kh):
                    _hrow(ib, b, blk + j, H, W, is0, is1, is2, kw, cx, vmode, hmode,
                          cv, mn, ea, eb, f + j * W, flag)
            while blk < i1 - cy:
                nst = i1 - cy - blk
                if nst > kh:
                    nst = kh
                # suffix extrema of the block's rows (held in f)
                memcpy(h + (kh - 1) * W, f + (kh - 1) * W, W * sizeof(T))
                j = kh - 2
                while j >= 0:
                    _mm2(h + j * W, f + j * W, h + (j + 1) * W, W, mn)
                    j = j - 1
                # rows of the next block: all kh when there is one, else the
                # nst - 1 the prefix needs
                nf = kh if blk + kh < i1 - cy else nst - 1
                for j in range(nf):
                    _hrow(ib, b, blk + kh + j, H, W, is0, is1, is2, kw, cx, vmode, hmode,
                          cv, mn, ea, eb, f + j * W, flag)
                if nst > 1:
                    memcpy(g, f, W * sizeof(T))
                    for j in range(1, nst - 1):
                        _mm2(g + j * W, g + (j - 1) * W, f + j * W, W, mn)
                _emit_block(h, g, nst, W, ob + b * os0 + (blk + cy) * os1, os1, os2, orow, mn)
                blk = blk + kh
        free(h)
        free(g)
        free(f)
        free(ea)
        free(eb)
        free(orow)


cdef void _rect_t(T* tag, cnp.ndarray inp, cnp.ndarray out, Py_ssize_t kh, Py_ssize_t kw,
                  Py_ssize_t cy, Py_ssize_t cx, int vmode, int hmode, const char* cvp,
                  bint mn, Py_ssize_t nstrips, int nthreads, int* flag):
    cdef T cv = (<const T*>cvp)[0]
    _rect(<const char*>cnp.PyArray_DATA(inp), inp.shape[0], inp.shape[1], inp.shape[2],
          inp.strides[0], inp.strides[1], inp.strides[2],
          <char*>cnp.PyArray_DATA(out), out.strides[0], out.strides[1], out.strides[2],
          kh, kw, cy, cx, vmode, hmode, cv, mn, nstrips, nthreads, flag)


def minmax_rect(cnp.ndarray inp not None, cnp.ndarray out not None, int code,
                Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t cy, Py_ssize_t cx,
                int vmode, int hmode, cnp.ndarray cval not None, bint minimum,
                Py_ssize_t nstrips, int nthreads, bint check):
    """out = running min/max over kh x kw windows in one sweep.

    IN:  inp (B, H, W), any strides, dtype code ``code`` (not bool-specific:
         bool as uint8); the window of output (y, x) covers rows y - cy ..
         y - cy + kh - 1 (vmode outside) and columns x - cx .. x - cx + kw - 1
         (hmode outside), 0 <= cy < kh and 0 <= cx < kw checked in Python;
         cval: 1-element array of the dtype. Scratch per thread: 3 kh W + 3 W
         + 2 kw elements.
    OUT: out (B, H, W), same dtype, any strides, no overlap with inp.
         Returns True when ``check`` is set, the dtype is a float and the
         input holds a NaN or -0.0 (then out is not the result: scipy's
         comparison order shows there and the caller must use it).
    """
    if inp.shape[0] == 0 or inp.shape[1] == 0 or inp.shape[2] == 0:
        return False
    if nthreads < 1:
        nthreads = 1
    if nstrips < 1:
        nstrips = 1
    cdef int found = 0
    cdef int* flag = &found if check else NULL
    cdef const char* cvp = <const char*>cnp.PyArray_DATA(cval)
    if code == IK_U8 or code == IK_BOOL:
        _rect_t(<uint8_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_I8:
        _rect_t(<int8_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_U16:
        _rect_t(<uint16_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_I16:
        _rect_t(<int16_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_U32:
        _rect_t(<uint32_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_I32:
        _rect_t(<int32_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_U64:
        _rect_t(<uint64_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_I64:
        _rect_t(<int64_t*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    elif code == IK_F32:
        _rect_t(<float*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    else:
        _rect_t(<double*>NULL, inp, out, kh, kw, cy, cx, vmode, hmode, cvp, minimum, nstrips, nthreads, flag)
    _check_alloc()
    return found != 0

# ---------------------------------------------------------------------------
# chord decomposition for any flat 2-D footprint

cdef inline void _ext_seg(const char* src, Py_ssize_t stride, Py_ssize_t W, Py_ssize_t c0,
                          Py_ssize_t n, int mode, T cv, T* ext) noexcept nogil:
    """ext[j] = row value at column c0 + j (boundary mode outside 0..W-1)."""
    cdef Py_ssize_t j, m, lo = -c0, hi = W - c0
    if lo < 0:
        lo = 0
    if lo > n:
        lo = n
    if hi > n:
        hi = n
    if hi < lo:
        hi = lo
    if hi > lo:
        _load(src + (c0 + lo) * stride, stride, hi - lo, ext + lo)
    for j in range(lo):
        m = ik_map_index(c0 + j, W, mode)
        ext[j] = cv if m < 0 else (<const T*>(src + m * stride))[0]
    for j in range(hi, n):
        m = ik_map_index(c0 + j, W, mode)
        ext[j] = cv if m < 0 else (<const T*>(src + m * stride))[0]


cdef void _chords(const char* ib, Py_ssize_t B, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                  char* ob, Py_ssize_t os0, Py_ssize_t os1, Py_ssize_t os2,
                  Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t cy, Py_ssize_t cx,
                  Py_ssize_t nch, const Py_ssize_t* ch_r, const Py_ssize_t* ch_c,
                  const Py_ssize_t* ch_t,
                  Py_ssize_t ntab, const Py_ssize_t* st_dst, const Py_ssize_t* st_src,
                  const Py_ssize_t* st_shift, const Py_ssize_t* st_len,
                  const unsigned char* row_used,
                  int mode, T cv, bint mn, Py_ssize_t nstrips, int nthreads) noexcept nogil:
    """out[y, x] = minmax over chords t of tab[y - cy + r_t][len_t][x + c_t].

    The columns are processed in tiles sized so that the ring of tables of
    one tile (kh rows x ntab lengths x tile + kw - 1) stays in cache."""
    global _alloc_failed
    cdef Py_ssize_t TW, Wx, slot_sz, ntiles, tl, xs, tw, nx
    cdef Py_ssize_t task, ntasks, b, st, i0, i1, y, i, s, m, q, vr, x, rem
    cdef T* ring
    cdef T* acc
    cdef T* tb
    cdef Py_ssize_t* tag
    TW = (1048576 // <Py_ssize_t>sizeof(T)) // (kh * ntab) - (kw - 1)
    if TW < 8 * kw:
        TW = 8 * kw
    if TW < 512:
        TW = 512
    if TW >= W:
        TW = W
    ntiles = (W + TW - 1) // TW
    Wx = TW + kw - 1
    slot_sz = ntab * Wx
    ntasks = B * nstrips * ntiles
    with parallel(num_threads=nthreads):
        ring = <T*>malloc(kh * slot_sz * sizeof(T))
        acc = <T*>malloc(TW * sizeof(T))
        tag = <Py_ssize_t*>malloc(kh * sizeof(Py_ssize_t))
        for task in prange(ntasks, schedule='dynamic'):
            if ring == NULL or acc == NULL or tag == NULL:
                _alloc_failed = 1
                continue
            b = task // (nstrips * ntiles)
            rem = task - b * (nstrips * ntiles)
            st = rem // ntiles
            tl = rem - st * ntiles
            i0 = st * H // nstrips
            i1 = (st + 1) * H // nstrips
            xs = tl * TW
            tw = W - xs
            if tw > TW:
                tw = TW
            nx = tw + kw - 1
            for i in range(kh):
                tag[i] = -(1 << 62)
            for y in range(i0, i1):
                # make sure the kh virtual rows y - cy .. y - cy + kh - 1 are tabulated
                for i in range(kh):
                    if not row_used[i]:
                        continue
                    vr = y - cy + i
                    s = vr % kh
                    if s < 0:
                        s = s + kh
                    if tag[s] == vr:
                        continue
                    tag[s] = vr
                    tb = ring + s * slot_sz
                    m = ik_map_index(vr, H, mode)
                    if m < 0:
                        for x in range(nx):
                            tb[x] = cv
                    else:
                        _ext_seg(ib + b * is0 + m * is1, is2, W, xs - cx, nx, mode, cv, tb)
                    for q in range(1, ntab):
                        _mm2(tb + st_dst[q] * Wx, tb + st_src[q] * Wx,
                             tb + st_src[q] * Wx + st_shift[q], nx - st_len[q] + 1, mn)
                # combine the chords
                for q in range(nch):
                    vr = y - cy + ch_r[q]
                    s = vr % kh
                    if s < 0:
                        s = s + kh
                    tb = ring + s * slot_sz + ch_t[q] * Wx + ch_c[q]
                    if q == 0:
                        memcpy(acc, tb, tw * sizeof(T))
                    else:
                        _mm2(acc, acc, tb, tw, mn)
                _store(acc, tw, ob + b * os0 + y * os1 + xs * os2, os2)
        free(ring)
        free(acc)
        free(tag)


cdef struct ChordArgs:
    Py_ssize_t kh, kw, cy, cx, nch, ntab
    const Py_ssize_t* ch_r
    const Py_ssize_t* ch_c
    const Py_ssize_t* ch_t
    const Py_ssize_t* st_dst
    const Py_ssize_t* st_src
    const Py_ssize_t* st_shift
    const Py_ssize_t* st_len
    const unsigned char* row_used


cdef void _chords_t(T* tag, cnp.ndarray inp, cnp.ndarray out, const ChordArgs* a,
                    int mode, const char* cvp, bint mn, Py_ssize_t nstrips, int nthreads):
    cdef T cv = (<const T*>cvp)[0]
    _chords(<const char*>cnp.PyArray_DATA(inp), inp.shape[0], inp.shape[1], inp.shape[2],
            inp.strides[0], inp.strides[1], inp.strides[2],
            <char*>cnp.PyArray_DATA(out), out.strides[0], out.strides[1], out.strides[2],
            a.kh, a.kw, a.cy, a.cx, a.nch, a.ch_r, a.ch_c, a.ch_t,
            a.ntab, a.st_dst, a.st_src, a.st_shift, a.st_len,
            a.row_used, mode, cv, mn, nstrips, nthreads)


def minmax_chords(cnp.ndarray inp not None, cnp.ndarray out not None, int code,
                  Py_ssize_t kh, Py_ssize_t kw, Py_ssize_t cy, Py_ssize_t cx,
                  const Py_ssize_t[::1] ch_r, const Py_ssize_t[::1] ch_c,
                  const Py_ssize_t[::1] ch_t, const Py_ssize_t[::1] st_dst,
                  const Py_ssize_t[::1] st_src, const Py_ssize_t[::1] st_shift,
                  const Py_ssize_t[::1] st_len, const unsigned char[::1] row_used,
                  int mode, cnp.ndarray cval not None, bint minimum, Py_ssize_t nstrips,
                  int nthreads):
    """Flat-footprint min/max by chord decomposition.

    IN:  inp (B, H, W) any strides, dtype code ``code``; a kh x kw footprint
         given as chords (row r, column c, table t) with at least one chord;
         tables: st_* (table 0 is the row itself, length 1; table q is
         minmax(tab[src][x], tab[src][x + shift]) of length st_len[q]), all
         checked in Python: 0 <= r < kh, c + len <= kw, src < q.
         row_used[r]: whether footprint row r has a chord.
    OUT: out (B, H, W), same dtype, any strides, no overlap with inp.
    """
    if inp.shape[0] == 0 or inp.shape[1] == 0 or inp.shape[2] == 0:
        return
    if nthreads < 1:
        nthreads = 1
    if nstrips < 1:
        nstrips = 1
    cdef const char* cvp = <const char*>cnp.PyArray_DATA(cval)
    cdef ChordArgs a
    a.kh = kh
    a.kw = kw
    a.cy = cy
    a.cx = cx
    a.nch = ch_r.shape[0]
    a.ntab = st_dst.shape[0]
    a.ch_r = &ch_r[0]
    a.ch_c = &ch_c[0]
    a.ch_t = &ch_t[0]
    a.st_dst = &st_dst[0]
    a.st_src = &st_src[0]
    a.st_shift = &st_shift[0]
    a.st_len = &st_len[0]
    a.row_used = &row_used[0]
    if code == IK_U8 or code == IK_BOOL:
        _chords_t(<uint8_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I8:
        _chords_t(<int8_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U16:
        _chords_t(<uint16_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I16:
        _chords_t(<int16_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U32:
        _chords_t(<uint32_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I32:
        _chords_t(<int32_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_U64:
        _chords_t(<uint64_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_I64:
        _chords_t(<int64_t*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    elif code == IK_F32:
        _chords_t(<float*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    else:
        _chords_t(<double*>NULL, inp, out, &a, mode, cvp, minimum, nstrips, nthreads)
    _check_alloc()

# ---------------------------------------------------------------------------
# scipy's own scan orders (NaN, signed zeros, non-flat structures)

cdef inline T _add_t(T v, T s) noexcept nogil:
    """v + s in the arithmetic of T, integers wrapping like scipy's C."""
    if T is float or T is double:
        return v + s
    else:
        return <T>(<uint64_t>v + <uint64_t>s)


cdef void _direct(const char* ib, Py_ssize_t B, Py_ssize_t H, Py_ssize_t W,
                  Py_ssize_t is0, Py_ssize_t is1, Py_ssize_t is2,
                  char* ob, Py_ssize_t os0, Py_ssize_t os1, Py_ssize_t os2,
                  Py_ssize_t n, const Py_ssize_t* dy, const Py_ssize_t* dx,
                  const double* ss, const T* sst, int mode, T cv, bint mn,
                  int nthreads) noexcept nogil:
    cdef Py_ssize_t row, b, y, x, t, iy, ix
    cdef T v
    cdef double res
    for row in prange(B * H, schedule='dynamic', chunksize=8, num_threads=nthreads):
        b = row // H
        y = row - b * H
        for x in range(W):
            iy = ik_map_index(y + dy[0], H, mode)
            ix = ik_map_index(x + dx[0], W, mode)
            if iy < 0 or ix < 0:
                v = cv
            else:
                v = (<const T*>(ib + b * is0 + iy * is1 + ix * is2))[0]
            res = <double>v
            if ss != NULL:
                res = res + ss[0]
            for t in range(1, n):
                iy = ik_map_index(y + dy[t], H, mode)
                ix = ik_map_index(x + dx[t], W, mode)
                if iy < 0 or ix < 0:
                    v = cv
                else:
                    v = (<const T*>(ib + b * is0 + iy * is1 + ix * is2))[0]
                if ss != NULL:
                    v = _add_t(v, sst[t])
                if mn:
                    if v < res:
                        res = <double>v
                else:
                    if v > res:
                        res = <double>v
            (<double*>(ob + b * os0 + y * os1 + x * os2))[0] = res


cdef void _direct_t(T* tag, cnp.ndarray inp, cnp.ndarray out, Py_ssize_t n,
                    const Py_ssize_t* dy, const Py_ssize_t* dx, const double* ss,
                    const char* sst, int mode, const char* cvp, bint mn, int nthreads):
    cdef T cv = (<const T*>cvp)[0]
    _direct(<const char*>cnp.PyArray_DATA(inp), inp.shape[0], inp.shape[1], inp.shape[2],
            inp.strides[0], inp.strides[1], inp.strides[2],
            <char*>cnp.PyArray_DATA(out), out.strides[0], out.strides[1], out.strides[2],
            n, dy, dx, ss, <const T*>sst,
            mode, cv, mn, nthreads)


def minmax_direct(cnp.ndarray inp not None, cnp.ndarray out not None, int code,
                  const Py_ssize_t[::1] dy, const Py_ssize_t[::1] dx,
                  const double[::1] ss, cnp.ndarray sst not None, bint has_ss,
                  int mode, cnp.ndarray cval not None, bint minimum, int nthreads):
    """scipy's NI_MinOrMaxFilter point loop, pixel by pixel.

    IN:  inp (B, H, W) any strides, dtype ``code``; offsets (dy, dx) of the
         footprint's True elements in C order (at least one); ss: structure
         values (negated for a minimum), sst: the same cast to the input
         dtype (scipy's ``(_type)`` cast, C-contiguous), used when has_ss.
    OUT: out (B, H, W) float64, any strides (scipy's ``double`` result,
         converted to the output dtype by the caller).
    """
    if inp.shape[0] == 0 or inp.shape[1] == 0 or inp.shape[2] == 0:
        return
    if nthreads < 1:
        nthreads = 1
    cdef const char* cvp = <const char*>cnp.PyArray_DATA(cval)
    cdef const char* sp = <const char*>cnp.PyArray_DATA(sst)
    cdef Py_ssize_t n = dy.shape[0]
    cdef const double* ssp = &ss[0] if has_ss else NULL
    if code == IK_U8 or code == IK_BOOL:
        _direct_t(<uint8_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_I8:
        _direct_t(<int8_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_U16:
        _direct_t(<uint16_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_I16:
        _direct_t(<int16_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_U32:
        _direct_t(<uint32_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_I32:
        _direct_t(<int32_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_U64:
        _direct_t(<uint64_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_I64:
        _direct_t(<int64_t*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    elif code == IK_F32:
        _direct_t(<float*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)
    else:
        _direct_t(<double*>NULL, inp, out, n, &dy[0], &dx[0], ssp, sp, mode, cvp, minimum, nthreads)


def minmax_harter(cnp.ndarray inp not None, cnp.ndarray out not None, int code,
                  Py_ssize_t k, Py_ssize_t c, bint vertical, int mode, double cval,
                  bint minimum, int nthreads):
    """scipy's NI_MinOrMaxFilter1D (R. Harter's ascending-minima ring), line
    by line in double precision, so NaN and signed zeros come out as there.

    IN:  inp (B, H, W) any strides, dtype ``code``; window as minmax_line.
    OUT: out (B, H, W) float64, any strides, no overlap with inp.
    """
    global _alloc_failed
    cdef Py_ssize_t B = inp.shape[0], H = inp.shape[1], W = inp.shape[2]
    cdef Py_ssize_t L, nlines, step, line, b, p, ll, kk, m, mp, last
    cdef Py_ssize_t is0, os0, is_l, is_p, os_l, os_p, left = c, right = k - 1 - c
    cdef const char* ib = <const char*>cnp.PyArray_DATA(inp)
    cdef char* ob = <char*>cnp.PyArray_DATA(out)
    cdef double* ext
    cdef double* ov
    cdef Py_ssize_t* dth
    cdef double val
    cdef bint mn = minimum
    if B == 0 or H == 0 or W == 0:
        return
    if nthreads < 1:
        nthreads = 1
    if vertical:
        L = H
        step = W
        is_l = inp.strides[1]
        is_p = inp.strides[2]
        os_l = out.strides[1]
        os_p = out.strides[2]
    else:
        L = W
        step = H
        is_l = inp.strides[2]
        is_p = inp.strides[1]
        os_l = out.strides[2]
        os_p = out.strides[1]
    nlines = B * step
    is0 = inp.strides[0]
    os0 = out.strides[0]
    with nogil, parallel(num_threads=nthreads):
        ext = <double*>malloc((L + k - 1) * sizeof(double))
        ov = <double*>malloc(k * sizeof(double))
        dth = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
        for line in prange(nlines, schedule='dynamic', chunksize=16):
            if ext == NULL or ov == NULL or dth == NULL:
                _alloc_failed = 1
                continue
            b = line // step
            p = line - b * step
            ik_load_row(ib + b * is0 + p * is_p, is_l, L, code, ext + left)
            for kk in range(left):
                m = ik_map_index(kk - left, L, mode)
                ext[kk] = cval if m < 0 else ext[left + m]
            for kk in range(right):
                m = ik_map_index(L + kk, L, mode)
                ext[left + L + kk] = cval if m < 0 else ext[left + m]
            if k == 1:
                for ll in range(L):
                    (<double*>(ob + b * os0 + p * os_p + ll * os_l))[0] = ext[ll]
                continue
            mp = 0
            ov[0] = ext[0]
            dth[0] = k
            last = 0
            for ll in range(1, k + L - 1):
                val = ext[ll]
                if dth[mp] == ll:
                    mp = mp + 1
                    if mp >= k:
                        mp = 0
                if (mn and val <= ov[mp]) or (not mn and val >= ov[mp]):
                    ov[mp] = val
                    dth[mp] = ll + k
                    last = mp
                else:
                    while (mn and ov[last] >= val) or (not mn and ov[last] <= val):
                        if last == 0:
                            last = k
                        last = last - 1
                    last = last + 1
                    if last >= k:
                        last = 0
                    ov[last] = val
                    dth[last] = ll + k
                if ll >= k - 1:
                    (<double*>(ob + b * os0 + p * os_p
                               + (ll - k + 1) * os_l))[0] = ov[mp]
        free(ext)
        free(ov)
        free(dth)
    _check_alloc()

def has_special(cnp.ndarray a not None, int code, int nthreads):
    """True when float array ``a`` (B, H, W, any strides; code IK_F32 or
    IK_F64) holds a NaN or -0.0."""
    cdef Py_ssize_t B = a.shape[0], H = a.shape[1], W = a.shape[2], row, b, y, c0, c1, cs
    cdef const char* base = <const char*>cnp.PyArray_DATA(a)
    cdef Py_ssize_t s0 = a.strides[0], s1 = a.strides[1], s2 = a.strides[2]
    cdef int found = 0, f32 = code == IK_F32
    cdef int* flag = &found  # shared: set once by any thread, read to stop early
    if B == 0 or H == 0 or W == 0:
        return False
    if nthreads < 1:
        nthreads = 1
    # rows in chunks of at most 1 << 16 elements so long rows still split
    # over threads and the scan can stop early
    cs = 1 << 16
    cdef Py_ssize_t nch = (W + cs - 1) // cs, task
    for task in prange(B * H * nch, schedule='dynamic', chunksize=16,
                       num_threads=nthreads, nogil=True):
        if flag[0]:
            continue
        row = task // nch
        c0 = (task - row * nch) * cs
        c1 = c0 + cs
        if c1 > W:
            c1 = W
        b = row // H
        y = row - b * H
        if f32:
            if _special_f32(base + b * s0 + y * s1 + c0 * s2, c1 - c0, s2):
                flag[0] = 1
        else:
            if _special_f64(base + b * s0 + y * s1 + c0 * s2, c1 - c0, s2):
                flag[0] = 1
    return found != 0


def cast_bhw(cnp.ndarray inp not None, cnp.ndarray out not None, int in_code, int out_code,
             int nthreads):
    """out = convert(double(inp)) element-wise with scipy's C casts.

    IN:  inp (B, H, W) any strides, dtype ``in_code``.
    OUT: out (B, H, W) any strides, dtype ``out_code`` (IK_U64_ND for the
         N-D filters' uint64 conversion); may not partially overlap inp.
    """
    global _alloc_failed
    cdef Py_ssize_t B = inp.shape[0], H = inp.shape[1], W = inp.shape[2], row, b, y
    cdef Py_ssize_t is0 = inp.strides[0], is1 = inp.strides[1], is2 = inp.strides[2]
    cdef Py_ssize_t os0 = out.strides[0], os1 = out.strides[1], os2 = out.strides[2]
    cdef const char* ib = <const char*>cnp.PyArray_DATA(inp)
    cdef char* ob = <char*>cnp.PyArray_DATA(out)
    cdef double* buf
    if B == 0 or H == 0 or W == 0:
        return
    if nthreads < 1:
        nthreads = 1
    with nogil, parallel(num_threads=nthreads):
        buf = <double*>malloc(W * sizeof(double))
        for row in prange(B * H, schedule='dynamic', chunksize=32):
            if buf == NULL:
                _alloc_failed = 1
                continue
            b = row // H
            y = row - b * H
            ik_load_row(ib + b * is0 + y * is1, is2, W, in_code, buf)
            ik_store_row(buf, W, ob + b * os0 + y * os1, os2, out_code)
        free(buf)
    _check_alloc()
