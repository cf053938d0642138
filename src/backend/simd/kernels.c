/*
 * tfnas's SIMD training kernels for the tfjs wasm backend (issue 4: search step speed).
 *
 * Plain C compiled to WebAssembly with 128-bit SIMD (scripts/build-simd.sh, clang --target=wasm32
 * -msimd128). The module owns its memory; the JavaScript side (simd.ts) copies the operands in,
 * calls one function and copies the result into a tfjs tensor. Tensors are NHWC float32 and
 * row-major; every function is single-threaded and allocation-free.
 *
 * Why these kernels: profiling one DARTS search step on wasm (batch 32, C = 8, 5 cells) showed the
 * depthwise filter gradient (composed from XNNPACK convolutions, ~7x a forward conv), the pooling
 * gradients (JavaScript loops) and batch normalisation (9-12 small kernels per layer and pass) as
 * the largest costs after the forward convolutions.
 */
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))
typedef float f32;

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }

/* Smallest o >= 0 with o*s - p + k*d >= 0, and one past the largest o < out with o*s - p + k*d < in. */
static inline int first_out(int s, int p, int kd) { int t = p - kd; return t <= 0 ? 0 : (t + s - 1) / s; }
static inline int end_out(int s, int p, int kd, int in, int out) {
  int t = in - 1 + p - kd; /* largest o*s allowed */
  if (t < 0) return 0;
  return imin(out, t / s + 1);
}

static void zero(f32 *p, int n) { for (int i = 0; i < n; i++) p[i] = 0.0f; }

/*
 * The loop nest the convolution gradients share: for every output row (n, oh) and filter tap
 * (kh, kw) whose input row ih = oh*sh - pt + kh*dh lies inside the input, BODY runs with the
 * outputs [o0, o1) of that row whose input column o*sw - pl + kw*dw lies inside too. Needs N, H,
 * W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl in scope.
 */
#define FOR_TAP_RUNS(...)                                                                  \
  for (int n = 0; n < N; n++)                                                              \
    for (int oh = 0; oh < OH; oh++)                                                        \
      for (int kh = 0; kh < KH; kh++) {                                                    \
        int ih = oh * sh - pt + kh * dh;                                                   \
        if (ih < 0 || ih >= H) continue;                                                   \
        for (int kw = 0; kw < KW; kw++) {                                                  \
          int o0 = first_out(sw, pl, kw * dw), o1 = end_out(sw, pl, kw * dw, W, OW);       \
          if (o0 >= o1) continue;                                                          \
          __VA_ARGS__                                                                      \
        }                                                                                  \
      }

/* Offsets of the first element of a tap run: in the input row ih, and in the output row oh. */
#define IN_AT(C_) (((long)(n * H + ih) * W + (o0 * sw - pl + kw * dw)) * (C_))
#define OUT_AT(C_) (((long)(n * OH + oh) * OW + o0) * (C_))

/*
 * Depthwise convolution filter gradient, channel multiplier 1:
 *   df[kh,kw,c] = sum_{n,oh,ow} x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, c] * dy[n,oh,ow,c].
 * For each input row and tap, the products along a row of outputs accumulate in registers, 16
 * channels at a time, and are added to df once per row.
 */

/* f[c] += sum_{o < cnt} xs[o*xstep + c] * ds[o*C + c], 16 channels at a time in registers. */
static void dot_run(const f32 *xs, const f32 *ds, int cnt, int xstep, int C, f32 *f) {
  int c = 0;
  for (; c + 16 <= C; c += 16) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    const f32 *xp = xs + c, *dp = ds + c;
    for (int o = 0; o < cnt; o++, xp += xstep, dp += C) {
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(dp)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(dp + 4)));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), wasm_v128_load(dp + 8)));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), wasm_v128_load(dp + 12)));
    }
    wasm_v128_store(f + c, wasm_f32x4_add(wasm_v128_load(f + c), a0));
    wasm_v128_store(f + c + 4, wasm_f32x4_add(wasm_v128_load(f + c + 4), a1));
    wasm_v128_store(f + c + 8, wasm_f32x4_add(wasm_v128_load(f + c + 8), a2));
    wasm_v128_store(f + c + 12, wasm_f32x4_add(wasm_v128_load(f + c + 12), a3));
  }
  for (; c + 4 <= C; c += 4) {
    v128_t a0 = wasm_f32x4_splat(0);
    const f32 *xp = xs + c, *dp = ds + c;
    for (int o = 0; o < cnt; o++, xp += xstep, dp += C)
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(dp)));
    wasm_v128_store(f + c, wasm_f32x4_add(wasm_v128_load(f + c), a0));
  }
  for (; c < C; c++) {
    f32 a = 0;
    for (int o = 0; o < cnt; o++) a += xs[(long)o * xstep + c] * ds[(long)o * C + c];
    f[c] += a;
  }
}

EXPORT void dw_filter_grad(const f32 *x, const f32 *dy, f32 *df, int N, int H, int W, int C, int OH, int OW,
                           int KH, int KW, int sh, int sw, int dh, int dw, int pt, int pl) {
  zero(df, KH * KW * C);
  FOR_TAP_RUNS(dot_run(x + IN_AT(C), dy + OUT_AT(C), o1 - o0, sw * C, C, df + (kh * KW + kw) * C);)
}

/*
 * Depthwise convolution input gradient, channel multiplier 1:
 *   dx[n,ih,iw,c] = sum over taps reading (ih, iw) of f[kh,kw,c] * dy[n,oh,ow,c],
 * scattered tap by tap: each output row adds f[kh,kw,:]*dy[row] into one input row.
 */
/* xs[o*xstep + c] += fk[c] * ds[o*C + c] for o < cnt: one tap's contribution along a row. */
static void axpy_run(f32 *xs, const f32 *ds, const f32 *fk, int cnt, int xstep, int C) {
  int c = 0;
  for (; c + 4 <= C; c += 4) {
    v128_t fv = wasm_v128_load(fk + c);
    f32 *xp = xs + c;
    const f32 *dp = ds + c;
    for (int o = 0; o < cnt; o++, xp += xstep, dp += C)
      wasm_v128_store(xp, wasm_f32x4_add(wasm_v128_load(xp), wasm_f32x4_mul(fv, wasm_v128_load(dp))));
  }
  for (; c < C; c++)
    for (int o = 0; o < cnt; o++) xs[(long)o * xstep + c] += fk[c] * ds[(long)o * C + c];
}

EXPORT void dw_input_grad(const f32 *dy, const f32 *f, f32 *dx, int N, int H, int W, int C, int OH, int OW,
                          int KH, int KW, int sh, int sw, int dh, int dw, int pt, int pl) {
  zero(dx, N * H * W * C);
  FOR_TAP_RUNS(axpy_run(dx + IN_AT(C), dy + OUT_AT(C), f + (kh * KW + kw) * C, o1 - o0, sw * C, C);)
}

/*
 * Pooling windows: output (oh, ow) covers input rows [r0, r1) and columns [c0, c1), clipped to the
 * input (tfjs pads max pooling with -inf and excludes padding from the average's count, as PyTorch's
 * count_include_pad=False that DARTS uses).
 */
#define WINDOW                                                   \
  int r0 = imax(0, oh * sh - pt), r1 = imin(H, oh * sh - pt + KH); \
  int c0 = imax(0, ow * sw - pl), c1 = imin(W, ow * sw - pl + KW);

/* Max pooling gradient: dy goes to the first maximum of each window in row-major order (as tfjs cpu). */
EXPORT void max_pool_grad(const f32 *x, const f32 *dy, f32 *dx, int N, int H, int W, int C, int OH, int OW,
                          int KH, int KW, int sh, int sw, int pt, int pl) {
  zero(dx, N * H * W * C);
  const v128_t lane = wasm_i32x4_make(0, 1, 2, 3);
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        WINDOW
        const f32 *g = dy + ((long)(n * OH + oh) * OW + ow) * C;
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff()), at = wasm_i32x4_splat(-1);
          for (int r = r0; r < r1; r++)
            for (int q = c0; q < c1; q++) {
              int base = ((n * H + r) * W + q) * C + c;
              v128_t v = wasm_v128_load(x + base);
              v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(base), lane), at, gt);
            }
          int i0 = wasm_i32x4_extract_lane(at, 0), i1 = wasm_i32x4_extract_lane(at, 1);
          int i2 = wasm_i32x4_extract_lane(at, 2), i3 = wasm_i32x4_extract_lane(at, 3);
          if (i0 >= 0) dx[i0] += g[c];
          if (i1 >= 0) dx[i1] += g[c + 1];
          if (i2 >= 0) dx[i2] += g[c + 2];
          if (i3 >= 0) dx[i3] += g[c + 3];
        }
        for (; c < C; c++) {
          f32 best = -__builtin_inff();
          int at = -1;
          for (int r = r0; r < r1; r++)
            for (int q = c0; q < c1; q++) {
              int i = ((n * H + r) * W + q) * C + c;
              if (x[i] > best) { best = x[i]; at = i; }
            }
          if (at >= 0) dx[at] += g[c];
        }
      }
}

/* Average pooling gradient: each output's dy is shared equally among its window's in-bounds inputs. */
EXPORT void avg_pool_grad(const f32 *dy, f32 *dx, int N, int H, int W, int C, int OH, int OW, int KH, int KW,
                          int sh, int sw, int pt, int pl) {
  zero(dx, N * H * W * C);
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        WINDOW
        int count = (r1 - r0) * (c1 - c0);
        if (count <= 0) continue; /* a window wholly in the padding has no inputs */
        const f32 *g = dy + ((long)(n * OH + oh) * OW + ow) * C;
        v128_t inv = wasm_f32x4_splat(1.0f / (f32)count);
        for (int r = r0; r < r1; r++)
          for (int q = c0; q < c1; q++) {
            f32 *d = dx + ((long)(n * H + r) * W + q) * C;
            int c = 0;
            for (; c + 4 <= C; c += 4)
              wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c), wasm_f32x4_mul(wasm_v128_load(g + c), inv)));
            for (; c < C; c++) d[c] += g[c] / (f32)count;
          }
      }
}

/*
 * Per-channel sums over the M rows of an [M, C] matrix: s1[c] = sum a[r,c] and, when b is given,
 * s2[c] = sum a[r,c]*b[r,c]. Rows are summed in float32 in chunks of 256 and the chunks in float64,
 * so the rounding error stays that of a 256-term sum at any batch size.
 */
#define CHUNK 256
static void col_sums(const f32 *a, const f32 *b, const f32 *center, int M, int C, double *s1, double *s2) {
  for (int c = 0; c < C; c++) { s1[c] = 0; if (s2) s2[c] = 0; }
  for (int r0 = 0; r0 < M; r0 += CHUNK) {
    int r1 = imin(M, r0 + CHUNK), c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t u = wasm_f32x4_splat(0), v = u, m = center ? wasm_v128_load(center + c) : u;
      for (int r = r0; r < r1; r++) {
        v128_t av = wasm_f32x4_sub(wasm_v128_load(a + (long)r * C + c), m);
        if (center) av = wasm_f32x4_mul(av, av);
        u = wasm_f32x4_add(u, av);
        if (b) v = wasm_f32x4_add(v, wasm_f32x4_mul(av, wasm_v128_load(b + (long)r * C + c)));
      }
      s1[c] += wasm_f32x4_extract_lane(u, 0);
      s1[c + 1] += wasm_f32x4_extract_lane(u, 1);
      s1[c + 2] += wasm_f32x4_extract_lane(u, 2);
      s1[c + 3] += wasm_f32x4_extract_lane(u, 3);
      if (b) {
        s2[c] += wasm_f32x4_extract_lane(v, 0);
        s2[c + 1] += wasm_f32x4_extract_lane(v, 1);
        s2[c + 2] += wasm_f32x4_extract_lane(v, 2);
        s2[c + 3] += wasm_f32x4_extract_lane(v, 3);
      }
    }
    for (; c < C; c++) {
      f32 u = 0, v = 0, m = center ? center[c] : 0;
      for (int r = r0; r < r1; r++) {
        f32 av = a[(long)r * C + c] - m;
        if (center) av *= av;
        u += av;
        if (b) v += av * b[(long)r * C + c];
      }
      s1[c] += u;
      if (b) s2[c] += v;
    }
  }
}

/*
 * Training-mode batch normalisation of x [M, C] (M = N*H*W): mean and biased variance per channel
 * (two passes, the variance around the mean), rstd = 1/sqrt(var + eps), xhat = (x - mean)*rstd.
 * `work` is scratch space for 2*C doubles.
 */
EXPORT void bn_forward(const f32 *x, f32 *xhat, f32 *mean, f32 *var, f32 *rstd, int M, int C, f32 eps, double *work) {
  double *s = work;
  col_sums(x, 0, 0, M, C, s, 0);
  for (int c = 0; c < C; c++) mean[c] = (f32)(s[c] / M);
  col_sums(x, 0, mean, M, C, s, 0);
  for (int c = 0; c < C; c++) {
    var[c] = (f32)(s[c] / M);
    rstd[c] = 1.0f / __builtin_sqrtf(var[c] + eps);
  }
  for (long r = 0; r < M; r++) {
    const f32 *xr = x + r * C;
    f32 *yr = xhat + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4)
      wasm_v128_store(yr + c, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c)), wasm_v128_load(rstd + c)));
    for (; c < C; c++) yr[c] = (xr[c] - mean[c]) * rstd[c];
  }
}

/*
 * Batch normalisation backward from dy, xhat and scale = gamma*rstd (rstd when not affine):
 *   sdy = sum dy, sdyx = sum dy*xhat (per channel; also dbeta and dgamma),
 *   dx = scale * (dy - sdy/M - xhat*sdyx/M).
 * `work` is scratch space for 2*C doubles.
 */
EXPORT void bn_backward(const f32 *dy, const f32 *xhat, const f32 *scale, f32 *dx, f32 *sdy, f32 *sdyx, int M, int C, double *work) {
  double *s1 = work, *s2 = work + C;
  col_sums(dy, xhat, 0, M, C, s1, s2);
  for (int c = 0; c < C; c++) { sdy[c] = (f32)s1[c]; sdyx[c] = (f32)s2[c]; }
  /* m1, m2 reuse the double scratch as floats: mean(dy) and mean(dy*xhat). */
  f32 *m1 = (f32 *)work, *m2 = m1 + C;
  for (int c = 0; c < C; c++) { f32 a = sdy[c] / M, b = sdyx[c] / M; m1[c] = a; m2[c] = b; }
  for (long r = 0; r < M; r++) {
    const f32 *g = dy + r * C, *h = xhat + r * C;
    f32 *d = dx + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t t = wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(g + c), wasm_v128_load(m1 + c)),
                                wasm_f32x4_mul(wasm_v128_load(h + c), wasm_v128_load(m2 + c)));
      wasm_v128_store(d + c, wasm_f32x4_mul(t, wasm_v128_load(scale + c)));
    }
    for (; c < C; c++) d[c] = scale[c] * (g[c] - m1[c] - h[c] * m2[c]);
  }
}

/*
 * Dense convolution filter gradient, df [KH,KW,Cin,Cout]:
 *   df[kh,kw,i,o] = sum_{n,oh,ow} x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, i] * dy[n,oh,ow,o].
 * Per tap and output row, a sum of outer products x_row^T dy_row accumulated in registers in
 * blocks of 4 input by 8 output channels. A 1x1 stride-1 unpadded convolution is passed as one
 * image of one row of N*H*W pixels, so the sums run over the whole batch at once.
 */
static void outer_block(const f32 *xs, const f32 *ds, int cnt, int xstep, int dstep, int Cin, int Cout, f32 *f) {
  int i = 0;
  for (; i + 4 <= Cin; i += 4) {
    int o = 0;
    for (; o + 8 <= Cout; o += 8) {
      v128_t a0 = wasm_f32x4_splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
      const f32 *xp = xs + i, *dp = ds + o;
      for (int r = 0; r < cnt; r++, xp += xstep, dp += dstep) {
        v128_t d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
        v128_t x0 = wasm_v128_load32_splat(xp), x1 = wasm_v128_load32_splat(xp + 1);
        v128_t x2 = wasm_v128_load32_splat(xp + 2), x3 = wasm_v128_load32_splat(xp + 3);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(x0, d0)); a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(x0, d1));
        b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(x1, d0)); b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(x1, d1));
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x2, d0)); c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x2, d1));
        e0 = wasm_f32x4_add(e0, wasm_f32x4_mul(x3, d0)); e1 = wasm_f32x4_add(e1, wasm_f32x4_mul(x3, d1));
      }
      f32 *g = f + (long)i * Cout + o;
      wasm_v128_store(g, wasm_f32x4_add(wasm_v128_load(g), a0)); wasm_v128_store(g + 4, wasm_f32x4_add(wasm_v128_load(g + 4), a1)); g += Cout;
      wasm_v128_store(g, wasm_f32x4_add(wasm_v128_load(g), b0)); wasm_v128_store(g + 4, wasm_f32x4_add(wasm_v128_load(g + 4), b1)); g += Cout;
      wasm_v128_store(g, wasm_f32x4_add(wasm_v128_load(g), c0)); wasm_v128_store(g + 4, wasm_f32x4_add(wasm_v128_load(g + 4), c1)); g += Cout;
      wasm_v128_store(g, wasm_f32x4_add(wasm_v128_load(g), e0)); wasm_v128_store(g + 4, wasm_f32x4_add(wasm_v128_load(g + 4), e1));
    }
    for (; o < Cout; o++) {
      f32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const f32 *xp = xs + i, *dp = ds + o;
      for (int r = 0; r < cnt; r++, xp += xstep, dp += dstep) {
        s0 += xp[0] * dp[0]; s1 += xp[1] * dp[0]; s2 += xp[2] * dp[0]; s3 += xp[3] * dp[0];
      }
      f[(long)i * Cout + o] += s0; f[(long)(i + 1) * Cout + o] += s1;
      f[(long)(i + 2) * Cout + o] += s2; f[(long)(i + 3) * Cout + o] += s3;
    }
  }
  for (; i < Cin; i++) {
    int o = 0;
    for (; o + 4 <= Cout; o += 4) {
      v128_t a = wasm_f32x4_splat(0);
      const f32 *xp = xs + i, *dp = ds + o;
      for (int r = 0; r < cnt; r++, xp += xstep, dp += dstep) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load32_splat(xp), wasm_v128_load(dp)));
      f32 *g = f + (long)i * Cout + o;
      wasm_v128_store(g, wasm_f32x4_add(wasm_v128_load(g), a));
    }
    for (; o < Cout; o++) {
      f32 s = 0;
      for (int r = 0; r < cnt; r++) s += xs[(long)r * xstep + i] * ds[(long)r * dstep + o];
      f[(long)i * Cout + o] += s;
    }
  }
}

/* Rows in chunks that stay in cache while every channel block passes over them. */
#define ROWS 128
static void outer_rows(const f32 *xs, const f32 *ds, int cnt, int xstep, int dstep, int Cin, int Cout, f32 *f) {
  for (int r = 0; r < cnt; r += ROWS)
    outer_block(xs + (long)r * xstep, ds + (long)r * dstep, imin(ROWS, cnt - r), xstep, dstep, Cin, Cout, f);
}

EXPORT void conv_filter_grad(const f32 *x, const f32 *dy, f32 *df, int N, int H, int W, int Cin, int OH, int OW, int Cout,
                             int KH, int KW, int sh, int sw, int dh, int dw, int pt, int pl) {
  zero(df, KH * KW * Cin * Cout);
  FOR_TAP_RUNS(outer_rows(x + IN_AT(Cin), dy + OUT_AT(Cout), o1 - o0, sw * Cin, Cout, Cin, Cout, df + (long)(kh * KW + kw) * Cin * Cout);)
}

/*
 * Depthwise convolution, channel multiplier 1:
 *   y[n,oh,ow,c] = sum_{kh,kw} f[kh,kw,c] * x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, c],
 * taps outside the input skipped (zero padding). Per output pixel, 16 channels at a time are
 * summed over the taps in registers and stored once.
 */
EXPORT void dw_forward(const f32 *x, const f32 *f, f32 *y, int N, int H, int W, int C, int OH, int OW,
                       int KH, int KW, int sh, int sw, int dh, int dw, int pt, int pl) {
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++) {
      /* Valid taps kh in [k0, k1): 0 <= oh*sh - pt + kh*dh < H. */
      int top = oh * sh - pt, k0 = top >= 0 ? 0 : (-top + dh - 1) / dh, k1 = imin(KH, (H - 1 - top) / dh + 1);
      if (H - 1 - top < 0) k1 = 0;
      for (int ow = 0; ow < OW; ow++) {
        int left = ow * sw - pl, j0 = left >= 0 ? 0 : (-left + dw - 1) / dw, j1 = imin(KW, (W - 1 - left) / dw + 1);
        if (W - 1 - left < 0) j1 = 0;
        f32 *out = y + ((long)(n * OH + oh) * OW + ow) * C;
        long base = ((long)(n * H + top) * W + left) * C; /* may be negative: only valid taps are read */
        int c = 0;
        for (; c + 16 <= C; c += 16) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
          for (int kh = k0; kh < k1; kh++)
            for (int kw = j0; kw < j1; kw++) {
              const f32 *xp = x + base + ((long)kh * dh * W + kw * dw) * C + c, *fp = f + (kh * KW + kw) * C + c;
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(fp)));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(fp + 4)));
              a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), wasm_v128_load(fp + 8)));
              a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), wasm_v128_load(fp + 12)));
            }
          wasm_v128_store(out + c, a0);
          wasm_v128_store(out + c + 4, a1);
          wasm_v128_store(out + c + 8, a2);
          wasm_v128_store(out + c + 12, a3);
        }
        for (; c + 8 <= C; c += 8) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
          for (int kh = k0; kh < k1; kh++)
            for (int kw = j0; kw < j1; kw++) {
              const f32 *xp = x + base + ((long)kh * dh * W + kw * dw) * C + c, *fp = f + (kh * KW + kw) * C + c;
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(fp)));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(fp + 4)));
            }
          wasm_v128_store(out + c, a0);
          wasm_v128_store(out + c + 4, a1);
        }
        for (; c + 4 <= C; c += 4) {
          v128_t a0 = wasm_f32x4_splat(0);
          for (int kh = k0; kh < k1; kh++)
            for (int kw = j0; kw < j1; kw++)
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(x + base + ((long)kh * dh * W + kw * dw) * C + c),
                                                     wasm_v128_load(f + (kh * KW + kw) * C + c)));
          wasm_v128_store(out + c, a0);
        }
        for (; c < C; c++) {
          f32 a = 0;
          for (int kh = k0; kh < k1; kh++)
            for (int kw = j0; kw < j1; kw++) a += x[base + ((long)kh * dh * W + kw * dw) * C + c] * f[(kh * KW + kw) * C + c];
          out[c] = a;
        }
      }
    }
}

/*
 * The mixed edge of a supernet, y = sum_k w[idx_k] * t_k over K terms of n floats each (DARTS
 * MixedOp: softmax weights times op outputs). `table` holds K term addresses then K indices.
 */
EXPORT void weighted_sum(const f32 *w, f32 *y, int n, int K, const int *table) {
  const f32 *const *t = (const f32 *const *)table;
  const int *idx = table + K;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t a = wasm_f32x4_splat(0);
    for (int k = 0; k < K; k++) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_f32x4_splat(w[idx[k]]), wasm_v128_load(t[k] + i)));
    wasm_v128_store(y + i, a);
  }
  for (; i < n; i++) {
    f32 a = 0;
    for (int k = 0; k < K; k++) a += w[idx[k]] * t[k][i];
    y[i] = a;
  }
}

/*
 * Its backward: dt_k = w[idx_k] * dy (table: K term addresses, K indices, K output addresses) and
 * dw[j] = sum over k with idx_k = j of sum_i dy[i] * t_k[i] (dw has `m` entries, the others 0).
 * The dot products run in float32 over chunks of 1024 elements, summed in float64 (`work`: K
 * doubles then K float vectors).
 */
EXPORT void weighted_sum_grad(const f32 *dy, const f32 *w, f32 *dw, int n, int K, int m, const int *table, double *work) {
  const f32 *const *t = (const f32 *const *)table;
  const int *idx = table + K;
  f32 *const *dt = (f32 *const *)(table + 2 * K);
  double *tot = work;
  v128_t *acc = (v128_t *)(work + K + (K & 1)); /* 16-byte aligned after the doubles */
  for (int k = 0; k < K; k++) tot[k] = 0;
  for (int c0 = 0; c0 < n; c0 += 1024) {
    int c1 = imin(n, c0 + 1024), i = c0;
    for (int k = 0; k < K; k++) acc[k] = wasm_f32x4_splat(0);
    for (; i + 4 <= c1; i += 4) {
      v128_t g = wasm_v128_load(dy + i);
      for (int k = 0; k < K; k++) {
        wasm_v128_store(dt[k] + i, wasm_f32x4_mul(wasm_f32x4_splat(w[idx[k]]), g));
        acc[k] = wasm_f32x4_add(acc[k], wasm_f32x4_mul(g, wasm_v128_load(t[k] + i)));
      }
    }
    for (int k = 0; k < K; k++) {
      v128_t a = acc[k];
      double s = (double)wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3);
      for (int j = i; j < c1; j++) { dt[k][j] = w[idx[k]] * dy[j]; s += (double)dy[j] * t[k][j]; }
      tot[k] += s;
    }
  }
  for (int j = 0; j < m; j++) dw[j] = 0;
  for (int k = 0; k < K; k++) dw[idx[k]] += (f32)tot[k];
}

/*
 * BatchNorm running statistics (PyTorch, momentum m): rm' = (1-m)*rm + m*mean and
 * rv' = (1-m)*rv + mv*var with mv = m*count/(count-1), which turns the batch variance into the
 * unbiased estimate PyTorch keeps.
 */
EXPORT void bn_running(const f32 *rm, const f32 *rv, const f32 *mean, const f32 *var, f32 *rm_out, f32 *rv_out, int C, f32 m, f32 mv) {
  for (int c = 0; c < C; c++) {
    rm_out[c] = rm[c] * (1 - m) + mean[c] * m;
    rv_out[c] = rv[c] * (1 - m) + var[c] * mv;
  }
}

/*
 * Depthwise input gradient at stride 1 as a gather (each dx pixel summed in registers and stored
 * once, ~25% faster than dw_input_grad's scatter): the forward convolution of dy with the
 * spatially flipped filter and padding (K-1)*d - p, since
 *   dx[ih] = sum_kh f[kh] * dy[ih + pt - kh*dh] = sum_kh' f[KH-1-kh'] * dy[ih - ((KH-1)*dh - pt) + kh'*dh].
 * `flipped` is scratch space for the KH*KW*C flipped filter.
 */
EXPORT void dw_input_grad_s1(const f32 *dy, const f32 *f, f32 *dx, int N, int H, int W, int C, int OH, int OW,
                             int KH, int KW, int dh, int dw, int pt, int pl, f32 *flipped) {
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) {
      const f32 *src = f + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * C;
      f32 *dst = flipped + (kh * KW + kw) * C;
      for (int c = 0; c < C; c++) dst[c] = src[c];
    }
  dw_forward(dy, flipped, dx, N, OH, OW, C, H, W, KH, KW, 1, 1, dh, dw, (KH - 1) * dh - pt, (KW - 1) * dw - pl);
}
