// WebAssembly SIMD kernels of the Ewald/PME solvers (AssemblyScript; built by scripts/build-wasm-pme.mjs into
// src/electrostatics/pmeWasmBinary.ts, driven by src/electrostatics/pmeWasm.ts). Reference loops and formulas:
// src/electrostatics/realspace.ts (tabulatedPairs) and pme.ts (spread, gather). All arrays are byte offsets into the
// instance's memory; f64 arrays 8-byte aligned, i32 arrays 4-byte aligned.
//
// realPairs: the real-space pair sum of one charge channel over a skinned pair list grouped by first slot (pairs of
//   slot i are start[i] … start[i+1]−1, second slot J[p], image translation T[3p..3p+2]); kernel v_sr from the cubic
//   Hermite table coef (4 per interval, v = Σ a_k t^k, t = (r − rLo)·inv − k). Per pair within r_c (d = x_j − x_i + T):
//     φ_i += w_j v, φ_j += w_i v (phi ≠ 0), s = u_i w_j + u_j w_i, L += s v, g = s v'/r, ∂L/∂x_j += g d, ∂L/∂x_i −= g d,
//     strain (st ≠ 0): st[0..5] += g (dx dx, dx dy, dx dz, dy dy, dy dz, dz dz).
//   Two pairs per step in the f64x2 lanes (lanes outside r_c contribute exact zeros); pairs with r < rLo are not
//   summed here: their indices go to skip (at most cap of them) for the caller's exact kernel. out[0] = L,
//   out[1] = number of such pairs (may exceed cap).
// spreadAll / gatherAll: PME spreading of weights w (stride C, column col) onto a zeroed K1×K2×K3 mesh and gathering
//   of (value, ∂/∂u1, ∂/∂u2, ∂/∂u3) per atom, spline data laid out as pme.ts's SplineSet (th, dth: N×3×p; i1
//   premultiplied by K2; i2, i3 wrapped indices N×p; flat3 the base index along direction 3 or −1 when it wraps).
//   Non-wrapping atoms run along direction 3 in f64x2 lanes over contiguous mesh points.

@inline function f8(base: usize, k: i32): usize { return base + ((<usize>k) << 3); }
@inline function i4(base: usize, k: i32): usize { return base + ((<usize>k) << 2); }

export function realPairs(n: i32, start: usize, J: usize, T: usize, x: usize, w: usize, u: usize, phi: usize, grad: usize,
  coef: usize, rLo: f64, inv: f64, last: i32, rc2: f64, st: usize, skip: usize, cap: i32, out: usize): void {
  const zero = f64x2.splat(0.0), rc2v = f64x2.splat(rc2), rLoV = f64x2.splat(rLo), invV = f64x2.splat(inv);
  const lastV = f64x2.splat(<f64>last), twoV = f64x2.splat(2.0), threeV = f64x2.splat(3.0);
  let Lv = zero, s00 = zero, s01 = zero, s02 = zero, s11 = zero, s12 = zero, s22 = zero;
  let L = 0.0, t00 = 0.0, t01 = 0.0, t02 = 0.0, t11 = 0.0, t12 = 0.0, t22 = 0.0;
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const p0 = load<i32>(i4(start, i)), p1 = load<i32>(i4(start, i + 1));
    if (p0 == p1) continue;
    const xi = load<f64>(f8(x, 3 * i)), yi = load<f64>(f8(x, 3 * i + 1)), zi = load<f64>(f8(x, 3 * i + 2));
    const wi = load<f64>(f8(w, i)), ui = load<f64>(f8(u, i));
    const xiv = f64x2.splat(xi), yiv = f64x2.splat(yi), ziv = f64x2.splat(zi), wiv = f64x2.splat(wi), uiv = f64x2.splat(ui);
    let gxv = zero, gyv = zero, gzv = zero, phv = zero;
    let p = p0;
    for (; p + 1 < p1; p += 2) {
      const j0 = load<i32>(i4(J, p)), j1 = load<i32>(i4(J, p + 1));
      const a0 = f8(x, 3 * j0), a1 = f8(x, 3 * j1), tp = f8(T, 3 * p);
      const A = v128.load(tp), B = v128.load(tp, 16), Cq = v128.load(tp, 32);
      const tx = v128.shuffle<f64>(A, B, 0, 3), ty = v128.shuffle<f64>(A, Cq, 1, 2), tz = v128.shuffle<f64>(B, Cq, 0, 3);
      const X = v128.load64_lane(a1, v128.load64_zero(a0), 1);
      const Y = v128.load64_lane(a1 + 8, v128.load64_zero(a0 + 8), 1);
      const Z = v128.load64_lane(a1 + 16, v128.load64_zero(a0 + 16), 1);
      const dx = f64x2.add(f64x2.sub(X, xiv), tx), dy = f64x2.add(f64x2.sub(Y, yiv), ty), dz = f64x2.add(f64x2.sub(Z, ziv), tz);
      const r2 = f64x2.add(f64x2.add(f64x2.mul(dx, dx), f64x2.mul(dy, dy)), f64x2.mul(dz, dz));
      const inR = f64x2.lt(r2, rc2v);
      if (!v128.any_true(inR)) continue;
      const r = f64x2.sqrt(r2);
      const lo = f64x2.ge(r, rLoV);
      const ok = v128.and(inR, lo);
      const near = v128.andnot(inR, lo);
      if (v128.any_true(near)) {
        if (i64x2.extract_lane(near, 0) != 0) { if (skipped < cap) store<i32>(i4(skip, skipped), p); skipped++; }
        if (i64x2.extract_lane(near, 1) != 0) { if (skipped < cap) store<i32>(i4(skip, skipped), p + 1); skipped++; }
      }
      const rs = v128.bitselect(r, rLoV, ok);
      const f0 = f64x2.mul(f64x2.sub(rs, rLoV), invV);
      const fk = f64x2.min(f64x2.floor(f0), lastV);
      const f = f64x2.sub(f0, fk);
      const o0 = coef + ((<usize>(<i32>f64x2.extract_lane(fk, 0))) << 5), o1 = coef + ((<usize>(<i32>f64x2.extract_lane(fk, 1))) << 5);
      const P0 = v128.load(o0), P1 = v128.load(o0, 16), Q0 = v128.load(o1), Q1 = v128.load(o1, 16);
      const c0 = v128.shuffle<f64>(P0, Q0, 0, 2), c1 = v128.shuffle<f64>(P0, Q0, 1, 3);
      const c2 = v128.shuffle<f64>(P1, Q1, 0, 2), c3 = v128.shuffle<f64>(P1, Q1, 1, 3);
      // v = c0 + f (c1 + f (c2 + f c3)), v' = (c1 + f (2 c2 + 3 f c3)) · inv (the operations of tabulatedPairs)
      let v = f64x2.add(c0, f64x2.mul(f, f64x2.add(c1, f64x2.mul(f, f64x2.add(c2, f64x2.mul(f, c3))))));
      let dv = f64x2.mul(f64x2.add(c1, f64x2.mul(f, f64x2.add(f64x2.mul(twoV, c2), f64x2.mul(f64x2.mul(threeV, f), c3)))), invV);
      v = v128.and(v, ok);
      dv = v128.and(dv, ok);
      const wj = v128.load64_lane(f8(w, j1), v128.load64_zero(f8(w, j0)), 1);
      const uj = v128.load64_lane(f8(u, j1), v128.load64_zero(f8(u, j0)), 1);
      phv = f64x2.add(phv, f64x2.mul(wj, v));
      if (phi) {
        const pv = f64x2.mul(wiv, v);
        store<f64>(f8(phi, j0), load<f64>(f8(phi, j0)) + f64x2.extract_lane(pv, 0));
        store<f64>(f8(phi, j1), load<f64>(f8(phi, j1)) + f64x2.extract_lane(pv, 1));
      }
      const sw = f64x2.add(f64x2.mul(uiv, wj), f64x2.mul(uj, wiv));
      Lv = f64x2.add(Lv, f64x2.mul(sw, v));
      const g = f64x2.div(f64x2.mul(sw, dv), rs);
      const gx = f64x2.mul(g, dx), gy = f64x2.mul(g, dy), gz = f64x2.mul(g, dz);
      const b0 = f8(grad, 3 * j0), b1 = f8(grad, 3 * j1);
      store<f64>(b0, load<f64>(b0) + f64x2.extract_lane(gx, 0));
      store<f64>(b0, load<f64>(b0, 8) + f64x2.extract_lane(gy, 0), 8);
      store<f64>(b0, load<f64>(b0, 16) + f64x2.extract_lane(gz, 0), 16);
      store<f64>(b1, load<f64>(b1) + f64x2.extract_lane(gx, 1));
      store<f64>(b1, load<f64>(b1, 8) + f64x2.extract_lane(gy, 1), 8);
      store<f64>(b1, load<f64>(b1, 16) + f64x2.extract_lane(gz, 1), 16);
      gxv = f64x2.sub(gxv, gx); gyv = f64x2.sub(gyv, gy); gzv = f64x2.sub(gzv, gz);
      if (st) {
        s00 = f64x2.add(s00, f64x2.mul(gx, dx)); s01 = f64x2.add(s01, f64x2.mul(gx, dy)); s02 = f64x2.add(s02, f64x2.mul(gx, dz));
        s11 = f64x2.add(s11, f64x2.mul(gy, dy)); s12 = f64x2.add(s12, f64x2.mul(gy, dz)); s22 = f64x2.add(s22, f64x2.mul(gz, dz));
      }
    }
    let gxi = f64x2.extract_lane(gxv, 0) + f64x2.extract_lane(gxv, 1);
    let gyi = f64x2.extract_lane(gyv, 0) + f64x2.extract_lane(gyv, 1);
    let gzi = f64x2.extract_lane(gzv, 0) + f64x2.extract_lane(gzv, 1);
    let phii = f64x2.extract_lane(phv, 0) + f64x2.extract_lane(phv, 1);
    if (p < p1) {
      // the odd pair of the group, scalar
      const j = load<i32>(i4(J, p)), tp = f8(T, 3 * p), a = f8(x, 3 * j);
      const dx = load<f64>(a) - xi + load<f64>(tp), dy = load<f64>(a, 8) - yi + load<f64>(tp, 8), dz = load<f64>(a, 16) - zi + load<f64>(tp, 16);
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 < rc2) {
        const r = Math.sqrt(r2);
        if (r < rLo) {
          if (skipped < cap) store<i32>(i4(skip, skipped), p);
          skipped++;
        } else {
          const f0 = (r - rLo) * inv;
          let k = <i32>Math.floor(f0);
          if (k > last) k = last;
          const fr = f0 - <f64>k, o = coef + ((<usize>k) << 5);
          const c1 = load<f64>(o, 8), c2 = load<f64>(o, 16), c3 = load<f64>(o, 24);
          const v = load<f64>(o) + fr * (c1 + fr * (c2 + fr * c3));
          const dv = (c1 + fr * (2 * c2 + 3 * fr * c3)) * inv;
          const wj = load<f64>(f8(w, j));
          phii += wj * v;
          if (phi) store<f64>(f8(phi, j), load<f64>(f8(phi, j)) + wi * v);
          const sw = ui * wj + load<f64>(f8(u, j)) * wi;
          L += sw * v;
          const g = (sw * dv) / r;
          const gx = g * dx, gy = g * dy, gz = g * dz;
          const b = f8(grad, 3 * j);
          store<f64>(b, load<f64>(b) + gx);
          store<f64>(b, load<f64>(b, 8) + gy, 8);
          store<f64>(b, load<f64>(b, 16) + gz, 16);
          gxi -= gx; gyi -= gy; gzi -= gz;
          if (st) {
            t00 += gx * dx; t01 += gx * dy; t02 += gx * dz;
            t11 += gy * dy; t12 += gy * dz; t22 += gz * dz;
          }
        }
      }
    }
    const bi = f8(grad, 3 * i);
    store<f64>(bi, load<f64>(bi) + gxi);
    store<f64>(bi, load<f64>(bi, 8) + gyi, 8);
    store<f64>(bi, load<f64>(bi, 16) + gzi, 16);
    if (phi) store<f64>(f8(phi, i), load<f64>(f8(phi, i)) + phii);
  }
  store<f64>(out, L + f64x2.extract_lane(Lv, 0) + f64x2.extract_lane(Lv, 1));
  store<f64>(out, <f64>skipped, 8);
  if (st) {
    store<f64>(st, load<f64>(st) + t00 + f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1));
    store<f64>(st, load<f64>(st, 8) + t01 + f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1), 8);
    store<f64>(st, load<f64>(st, 16) + t02 + f64x2.extract_lane(s02, 0) + f64x2.extract_lane(s02, 1), 16);
    store<f64>(st, load<f64>(st, 24) + t11 + f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1), 24);
    store<f64>(st, load<f64>(st, 32) + t12 + f64x2.extract_lane(s12, 0) + f64x2.extract_lane(s12, 1), 32);
    store<f64>(st, load<f64>(st, 40) + t22 + f64x2.extract_lane(s22, 0) + f64x2.extract_lane(s22, 1), 40);
  }
}

// Q(g) += w_i Π_d θ_d for every atom (mesh zeroed by the caller). rev: scratch of p doubles.
export function spreadAll(n: i32, p: i32, K3: i32, th: usize, i1: usize, i2: usize, i3: usize, flat3: usize,
  w: usize, C: i32, col: i32, grid: usize, rev: usize): void {
  for (let i = 0; i < n; i++) {
    const q = load<f64>(f8(w, i * C + col));
    if (q == 0.0) continue;
    const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p, ip = i * p, f3 = load<i32>(i4(flat3, i));
    if (f3 >= 0) {
      // mesh point r0 + k holds spline point j3 = p − 1 − k
      for (let k = 0; k < p; k++) store<f64>(f8(rev, k), load<f64>(f8(th, o3 + p - 1 - k)));
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = load<i32>(i4(i1, ip + j1)), t1 = q * load<f64>(f8(th, o1 + j1));
        for (let j2 = 0; j2 < p; j2++) {
          const r0 = (r1 + load<i32>(i4(i2, ip + j2))) * K3 + f3 - p + 1, t12 = t1 * load<f64>(f8(th, o2 + j2));
          const tv = f64x2.splat(t12);
          const g = f8(grid, r0);
          let k = 0;
          for (; k + 1 < p; k += 2) {
            const a = g + ((<usize>k) << 3);
            v128.store(a, f64x2.add(v128.load(a), f64x2.mul(tv, v128.load(f8(rev, k)))));
          }
          if (k < p) {
            const a = g + ((<usize>k) << 3);
            store<f64>(a, load<f64>(a) + t12 * load<f64>(f8(rev, k)));
          }
        }
      }
    } else {
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = load<i32>(i4(i1, ip + j1)), t1 = q * load<f64>(f8(th, o1 + j1));
        for (let j2 = 0; j2 < p; j2++) {
          const row = (r1 + load<i32>(i4(i2, ip + j2))) * K3, t12 = t1 * load<f64>(f8(th, o2 + j2));
          for (let j3 = 0; j3 < p; j3++) {
            const a = f8(grid, row + load<i32>(i4(i3, ip + j3)));
            store<f64>(a, load<f64>(a) + t12 * load<f64>(f8(th, o3 + j3)));
          }
        }
      }
    }
  }
}

// out[4i … 4i+3] = (Σ_g θ1θ2θ3 Φ, Σ_g θ1'θ2θ3 Φ, Σ_g θ1θ2'θ3 Φ, Σ_g θ1θ2θ3' Φ) for every atom. rev: scratch of 2p doubles.
export function gatherAll(n: i32, p: i32, K3: i32, th: usize, dth: usize, i1: usize, i2: usize, i3: usize, flat3: usize,
  grid: usize, out: usize, rev: usize): void {
  const zero = f64x2.splat(0.0);
  const drev = rev + ((<usize>p) << 3);
  for (let i = 0; i < n; i++) {
    const o1 = 3 * i * p, o2 = o1 + p, o3 = o2 + p, ip = i * p, f3 = load<i32>(i4(flat3, i));
    let v = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0;
    if (f3 >= 0) {
      for (let k = 0; k < p; k++) {
        store<f64>(f8(rev, k), load<f64>(f8(th, o3 + p - 1 - k)));
        store<f64>(f8(drev, k), load<f64>(f8(dth, o3 + p - 1 - k)));
      }
      // rows summed in f64x2 lanes (a0, a2, a3 as vectors over k; one horizontal sum per j1), odd p: the last
      // point of each row in scalars
      const odd = p & 1, pe = p - odd;
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = load<i32>(i4(i1, ip + j1));
        let a0v = zero, a2v = zero, a3v = zero;
        let a0 = 0.0, a2 = 0.0, a3 = 0.0;
        for (let j2 = 0; j2 < p; j2++) {
          const g = f8(grid, (r1 + load<i32>(i4(i2, ip + j2))) * K3 + f3 - p + 1);
          let sv = zero, tv = zero;
          for (let k = 0; k < pe; k += 2) {
            const gv = v128.load(g + ((<usize>k) << 3));
            sv = f64x2.add(sv, f64x2.mul(v128.load(f8(rev, k)), gv));
            tv = f64x2.add(tv, f64x2.mul(v128.load(f8(drev, k)), gv));
          }
          const t2 = load<f64>(f8(th, o2 + j2)), dt2 = load<f64>(f8(dth, o2 + j2));
          const t2v = f64x2.splat(t2);
          a0v = f64x2.add(a0v, f64x2.mul(t2v, sv));
          a2v = f64x2.add(a2v, f64x2.mul(f64x2.splat(dt2), sv));
          a3v = f64x2.add(a3v, f64x2.mul(t2v, tv));
          if (odd) {
            const gk = load<f64>(g + ((<usize>pe) << 3));
            const s0 = load<f64>(f8(rev, pe)) * gk, s3 = load<f64>(f8(drev, pe)) * gk;
            a0 += t2 * s0;
            a2 += dt2 * s0;
            a3 += t2 * s3;
          }
        }
        a0 += f64x2.extract_lane(a0v, 0) + f64x2.extract_lane(a0v, 1);
        a2 += f64x2.extract_lane(a2v, 0) + f64x2.extract_lane(a2v, 1);
        a3 += f64x2.extract_lane(a3v, 0) + f64x2.extract_lane(a3v, 1);
        const t1 = load<f64>(f8(th, o1 + j1));
        v += t1 * a0;
        d1 += load<f64>(f8(dth, o1 + j1)) * a0;
        d2 += t1 * a2;
        d3 += t1 * a3;
      }
    } else {
      for (let j1 = 0; j1 < p; j1++) {
        const r1 = load<i32>(i4(i1, ip + j1));
        let a0 = 0.0, a2 = 0.0, a3 = 0.0;
        for (let j2 = 0; j2 < p; j2++) {
          const row = (r1 + load<i32>(i4(i2, ip + j2))) * K3;
          let s0 = 0.0, s3 = 0.0;
          for (let j3 = 0; j3 < p; j3++) {
            const gk = load<f64>(f8(grid, row + load<i32>(i4(i3, ip + j3))));
            s0 += load<f64>(f8(th, o3 + j3)) * gk;
            s3 += load<f64>(f8(dth, o3 + j3)) * gk;
          }
          const t2 = load<f64>(f8(th, o2 + j2));
          a0 += t2 * s0;
          a2 += load<f64>(f8(dth, o2 + j2)) * s0;
          a3 += t2 * s3;
        }
        const t1 = load<f64>(f8(th, o1 + j1));
        v += t1 * a0;
        d1 += load<f64>(f8(dth, o1 + j1)) * a0;
        d2 += t1 * a2;
        d3 += t1 * a3;
      }
    }
    const o = f8(out, 4 * i);
    store<f64>(o, v);
    store<f64>(o, d1, 8);
    store<f64>(o, d2, 16);
    store<f64>(o, d3, 24);
  }
}

// ---- FFT stages (src/math/fftMixed.ts radix2/3/4/5: the same operations in the same order, complex numbers in f64x2) ----
// Radices 2, 3, 4, 5 (the caller keeps the TS transform for lengths with other factors).
// One mixed-radix stage of length-n transforms of B lines: input element t of line j at complex index
// xo + t·xr + j·xl/2 of x (xl in doubles, as the TS code's), output likewise in y; twiddles tw (forward sign, re/im at
// 2((c−1)L + k)); dir = −1 forward, +1 inverse. x, y, tw are byte offsets of f64 arrays.
@inline function ld(a: usize, k: i32): f64 { return load<f64>(a + ((<usize>k) << 3)); }
@inline function st(a: usize, k: i32, v: f64): void { store<f64>(a + ((<usize>k) << 3), v); }

// Complex numbers as f64x2 (re, im). w = (wr, wi), ws = (−wi, wr): a·w = (ar wr − ai wi, ar wi + ai wr) lane by lane
// with the TS code's operations (x + (−y) = x − y exactly), so the stages stay bitwise the TS ones.
@inline function cmul(a: v128, w: v128, ws: v128): v128 {
  return f64x2.add(f64x2.mul(v128.shuffle<f64>(a, a, 0, 0), w), f64x2.mul(v128.shuffle<f64>(a, a, 1, 1), ws));
}
@inline function cld(a: usize, k: i32): v128 { return v128.load(a + ((<usize>k) << 3)); }
@inline function cst(a: usize, k: i32, v: v128): void { v128.store(a + ((<usize>k) << 3), v); }
@inline function swap(a: v128): v128 { return v128.shuffle<f64>(a, a, 1, 0); }
@inline function twid(tw: usize, k: i32, dir: f64): v128 { return f64x2.replace_lane(v128.load(tw + ((<usize>k) << 3)), 1, -dir * ld(tw, k + 1)); }
@inline function twids(w: v128): v128 { return f64x2.replace_lane(swap(w), 0, -f64x2.extract_lane(w, 1)); }

// k5: the radix-5 constants (cos 2π/5, cos 4π/5, sin 2π/5, sin 4π/5) as the TS code has them.
export function fftStage(r: i32, L: i32, m: i32, tw: usize, n: i32, x: usize, xo: i32, xr: i32, xl: i32,
  y: usize, yo: i32, yr: i32, yl: i32, B: i32, dir: f64, k5: usize): void {
  if (r == 4) {
    const s = 2 * xr * (n / 4), od = 2 * yr * L;
    const rot = f64x2.replace_lane(f64x2.splat(dir), 0, -dir);
    for (let bp = 0; bp < m; bp++)
      for (let k = 0; k < L; k++) {
        const w1 = twid(tw, 2 * k, dir), w2 = twid(tw, 2 * (L + k), dir), w3 = twid(tw, 2 * (2 * L + k), dir);
        const w1s = twids(w1), w2s = twids(w2), w3s = twids(w3);
        let i0 = xo + 2 * xr * (k + L * bp), o0 = yo + 2 * yr * (k + 4 * L * bp);
        for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
          const a0 = cld(x, i0), a1 = cmul(cld(x, i0 + s), w1, w1s), a2 = cmul(cld(x, i0 + 2 * s), w2, w2s), a3 = cmul(cld(x, i0 + 3 * s), w3, w3s);
          const t0 = f64x2.add(a0, a2), t1 = f64x2.sub(a0, a2), t2 = f64x2.add(a1, a3);
          // dir·i·(a1 − a3)
          const t3 = f64x2.mul(swap(f64x2.sub(a1, a3)), rot);
          cst(y, o0, f64x2.add(t0, t2));
          cst(y, o0 + od, f64x2.add(t1, t3));
          cst(y, o0 + 2 * od, f64x2.sub(t0, t2));
          cst(y, o0 + 3 * od, f64x2.sub(t1, t3));
        }
      }
  } else if (r == 2) {
    const s1 = 2 * xr * (n / 2), o1d = 2 * yr * L;
    for (let bp = 0; bp < m; bp++)
      for (let k = 0; k < L; k++) {
        const w1 = twid(tw, 2 * k, dir), w1s = twids(w1);
        let i0 = xo + 2 * xr * (k + L * bp), o0 = yo + 2 * yr * (k + 2 * L * bp);
        for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
          const a0 = cld(x, i0), a1 = cmul(cld(x, i0 + s1), w1, w1s);
          cst(y, o0, f64x2.add(a0, a1));
          cst(y, o0 + o1d, f64x2.sub(a0, a1));
        }
      }
  } else if (r == 3) {
    const s = 2 * xr * (n / 3), od = 2 * yr * L, ds = dir * (Math.sqrt(3.0) / 2);
    const rot = f64x2.replace_lane(f64x2.splat(ds), 0, -ds), half = f64x2.splat(0.5);
    for (let bp = 0; bp < m; bp++)
      for (let k = 0; k < L; k++) {
        const w1 = twid(tw, 2 * k, dir), w2 = twid(tw, 2 * (L + k), dir), w1s = twids(w1), w2s = twids(w2);
        let i0 = xo + 2 * xr * (k + L * bp), o0 = yo + 2 * yr * (k + 3 * L * bp);
        for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
          const a0 = cld(x, i0), a1 = cmul(cld(x, i0 + s), w1, w1s), a2 = cmul(cld(x, i0 + 2 * s), w2, w2s);
          const b = f64x2.add(a1, a2);
          const t = f64x2.sub(a0, f64x2.mul(half, b));
          // ds·i·(a1 − a2)
          const u = f64x2.mul(swap(f64x2.sub(a1, a2)), rot);
          cst(y, o0, f64x2.add(a0, b));
          cst(y, o0 + od, f64x2.add(t, u));
          cst(y, o0 + 2 * od, f64x2.sub(t, u));
        }
      }
  } else {
    // r == 5
    const s = 2 * xr * (n / 5), od = 2 * yr * L;
    const C51 = f64x2.splat(ld(k5, 0)), C52 = f64x2.splat(ld(k5, 1)), s1 = f64x2.splat(dir * ld(k5, 2)), s2 = f64x2.splat(dir * ld(k5, 3));
    const rot = f64x2.replace_lane(f64x2.splat(1.0), 0, -1.0);
    for (let bp = 0; bp < m; bp++)
      for (let k = 0; k < L; k++) {
        const w1 = twid(tw, 2 * k, dir), w2 = twid(tw, 2 * (L + k), dir), w3 = twid(tw, 2 * (2 * L + k), dir), w4 = twid(tw, 2 * (3 * L + k), dir);
        const w1s = twids(w1), w2s = twids(w2), w3s = twids(w3), w4s = twids(w4);
        let i0 = xo + 2 * xr * (k + L * bp), o0 = yo + 2 * yr * (k + 5 * L * bp);
        for (let j = 0; j < B; j++, i0 += xl, o0 += yl) {
          const a0 = cld(x, i0), a1 = cmul(cld(x, i0 + s), w1, w1s), a2 = cmul(cld(x, i0 + 2 * s), w2, w2s);
          const a3 = cmul(cld(x, i0 + 3 * s), w3, w3s), a4 = cmul(cld(x, i0 + 4 * s), w4, w4s);
          const b1 = f64x2.add(a1, a4), b2 = f64x2.add(a2, a3), d1 = f64x2.sub(a1, a4), d2 = f64x2.sub(a2, a3);
          const t1 = f64x2.add(f64x2.add(a0, f64x2.mul(C51, b1)), f64x2.mul(C52, b2));
          const t2 = f64x2.add(f64x2.add(a0, f64x2.mul(C52, b1)), f64x2.mul(C51, b2));
          // i·v as (−v_im, v_re)
          const v1 = f64x2.mul(swap(f64x2.add(f64x2.mul(s1, d1), f64x2.mul(s2, d2))), rot);
          const v2 = f64x2.mul(swap(f64x2.sub(f64x2.mul(s2, d1), f64x2.mul(s1, d2))), rot);
          cst(y, o0, f64x2.add(f64x2.add(a0, b1), b2));
          cst(y, o0 + od, f64x2.add(t1, v1));
          cst(y, o0 + 4 * od, f64x2.sub(t1, v1));
          cst(y, o0 + 2 * od, f64x2.add(t2, v2));
          cst(y, o0 + 3 * od, f64x2.sub(t2, v2));
        }
      }
  }
}

// Real-to-complex split of RealFft3d.forward: after the length-h complex transforms of the lines of `real` (n2 = 2h
// reals each), spec line l (h+1 complex) from real line l; wk = ω_{n2}^k (forward sign), k ≤ h.
export function r2cSplit(lines: i32, h: i32, real: usize, spec: usize, wk: usize): void {
  const n2 = 2 * h, h1 = h + 1;
  for (let l = 0; l < lines; l++) {
    const src = l * n2, dst = 2 * l * h1;
    for (let k = 0; k <= h; k++) {
      const kk = k == h ? 0 : k, kr = k == 0 ? 0 : h - k;
      const zr = ld(real, src + 2 * kk), zi = ld(real, src + 2 * kk + 1);
      const cr = ld(real, src + 2 * kr), ci = -ld(real, src + 2 * kr + 1);
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      const dr = zr - cr, di = zi - ci;
      const or = 0.5 * di, oi = -0.5 * dr;
      const wr = ld(wk, 2 * k), wi = ld(wk, 2 * k + 1);
      st(spec, dst + 2 * k, er + wr * or - wi * oi);
      st(spec, dst + 2 * k + 1, ei + wr * oi + wi * or);
    }
  }
}

// Its inverse (RealFft3d.inverse before the length-h transforms): real line l from spec line l.
export function c2rMerge(lines: i32, h: i32, spec: usize, real: usize, wk: usize): void {
  const n2 = 2 * h, h1 = h + 1;
  for (let l = 0; l < lines; l++) {
    const src = 2 * l * h1, dst = l * n2;
    for (let k = 0; k < h; k++) {
      const xr = ld(spec, src + 2 * k), xi = ld(spec, src + 2 * k + 1);
      const cr = ld(spec, src + 2 * (h - k)), ci = -ld(spec, src + 2 * (h - k) + 1);
      const sr = xr + cr, si = xi + ci, dr = xr - cr, di = xi - ci;
      const wr = ld(wk, 2 * k), wi = -ld(wk, 2 * k + 1);
      const pr = wr * dr - wi * di, pi = wr * di + wi * dr;
      st(real, dst + 2 * k, sr - pi);
      st(real, dst + 2 * k + 1, si + pr);
    }
  }
}

// ---- per-call PME set-up and the energy filter (src/electrostatics/pme.ts computeSplines, splineWeights, convolve) ----

// B-spline weights θ_j = M_p(fr + j) and dθ_j/du (j < p) at th + 8o, dth + 8o: pme.ts splineWeights' recursion.
@inline function splineWeights(p: i32, fr: f64, th: usize, dth: usize, o: i32): void {
  st(th, o, fr);
  st(th, o + 1, 1 - fr);
  for (let j = 2; j < p; j++) st(th, o + j, 0.0);
  for (let n = 3; n <= p; n++) {
    if (n == p) {
      st(dth, o, ld(th, o));
      for (let j = 1; j < p; j++) st(dth, o + j, ld(th, o + j) - ld(th, o + j - 1));
    }
    const inv = 1 / <f64>(n - 1);
    for (let j = n - 1; j >= 1; j--) st(th, o + j, ((fr + <f64>j) * ld(th, o + j) + (<f64>n - fr - <f64>j) * ld(th, o + j - 1)) * inv);
    st(th, o, fr * ld(th, o) * inv);
  }
  if (p == 2) {
    st(dth, o, 1.0);
    st(dth, o + 1, -1.0);
  }
}

// pme.ts computeSplines for n atoms at x (3n), ainv (9, row-major A⁻¹), mesh K (3 × i32 at mesh): th, dth (N×3×p),
// i1 (×K2), i2, i3 (N×p), flat3 (N).
export function splinesAll(n: i32, p: i32, x: usize, ainv: usize, mesh: usize, th: usize, dth: usize, i1: usize, i2: usize, i3: usize, flat3: usize): void {
  const K2 = load<i32>(mesh, 4);
  for (let i = 0; i < n; i++) {
    const px = ld(x, 3 * i), py = ld(x, 3 * i + 1), pz = ld(x, 3 * i + 2);
    for (let d = 0; d < 3; d++) {
      const K = load<i32>(mesh + ((<usize>d) << 2)), Kf = <f64>K;
      const s = px * ld(ainv, d) + py * ld(ainv, 3 + d) + pz * ld(ainv, 6 + d);
      let u = Kf * (s - Math.floor(s));
      if (u >= Kf) u -= Kf;
      const flf = Math.floor(u), fl = <i32>flf;
      splineWeights(p, u - flf, th, dth, (3 * i + d) * p);
      const mult = d == 0 ? K2 : 1;
      const ix = d == 0 ? i1 : d == 1 ? i2 : i3;
      for (let j = 0; j < p; j++) {
        const g = fl - j;
        store<i32>(ix + ((<usize>(i * p + j)) << 2), (g < 0 ? g + K : g) * mult);
      }
      if (d == 2) store<i32>(flat3 + ((<usize>i) << 2), fl >= p - 1 ? fl : -1);
    }
  }
}

// Proportional probes, no strain (pme.ts convolve with B = null): returns Σ_m infl·|A|², A ← A·fs (fs = infl times the
// half-spectrum multiplicity undone), over the S stored points, in order.
export function convolveSelf(S: i32, spec: usize, infl: usize, fs: usize): f64 {
  let acc = 0.0;
  for (let idx = 0; idx < S; idx++) {
    const ar = ld(spec, 2 * idx), ai = ld(spec, 2 * idx + 1);
    acc += ld(infl, idx) * (ar * ar + ai * ai);
    const f = ld(fs, idx);
    st(spec, 2 * idx, ar * f);
    st(spec, 2 * idx + 1, ai * f);
  }
  return acc;
}
