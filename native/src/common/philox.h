// Philox4x32-10 and the transforms to uniform and normal floats, shared by the CPU and CUDA
// backends and mirrored bit for bit by io.kgen.random.Philox in Java.
//
// Why the normal transform is written by hand: logf/sinf differ between glibc, CUDA and the JVM,
// so Box-Muller through them would not give the same bits everywhere. Here everything is IEEE
// double + - * / and sqrt (correctly rounded on all three), with no fused multiply-add (the CUDA
// side uses the _rn intrinsics, which are never contracted; the host side is built with
// -ffp-contract=off), then one rounding to float.
#pragma once

#include <stdint.h>
#include <string.h>

#include "host_device.h"

namespace kgen {

#ifdef __CUDA_ARCH__
KGEN_HD double exact_mul(double a, double b) { return __dmul_rn(a, b); }
KGEN_HD double exact_add(double a, double b) { return __dadd_rn(a, b); }
KGEN_HD double exact_sub(double a, double b) { return __dsub_rn(a, b); }
KGEN_HD double exact_div(double a, double b) { return __ddiv_rn(a, b); }
KGEN_HD double exact_sqrt(double a) { return __dsqrt_rn(a); }
KGEN_HD int64_t double_bits(double x) { return __double_as_longlong(x); }
KGEN_HD double bits_double(int64_t b) { return __longlong_as_double(b); }
#else
KGEN_HD double exact_mul(double a, double b) { return a * b; }
KGEN_HD double exact_add(double a, double b) { return a + b; }
KGEN_HD double exact_sub(double a, double b) { return a - b; }
KGEN_HD double exact_div(double a, double b) { return a / b; }
KGEN_HD double exact_sqrt(double a) { return __builtin_sqrt(a); }
KGEN_HD int64_t double_bits(double x) { int64_t b; memcpy(&b, &x, 8); return b; }
KGEN_HD double bits_double(int64_t b) { double x; memcpy(&x, &b, 8); return x; }
#endif

struct PhiloxBlock { uint32_t v[4]; };

KGEN_HD void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
    uint64_t p = (uint64_t)a * (uint64_t)b;
    hi = (uint32_t)(p >> 32);
    lo = (uint32_t)p;
}

// Counter (block, stream) as four words: lo(block), hi(block), lo(stream), hi(stream).
KGEN_HD PhiloxBlock philox4x32_10(uint64_t seed, uint64_t block, uint64_t stream) {
    uint32_t c0 = (uint32_t)block, c1 = (uint32_t)(block >> 32);
    uint32_t c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(0xD2511F53u, c0, hi0, lo0);
        mulhilo(0xCD9E8D57u, c2, hi1, lo1);
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    PhiloxBlock out = {{c0, c1, c2, c3}};
    return out;
}

// [0, 1) with the top 24 bits: exact in float.
KGEN_HD float uniform_from_bits(uint32_t x) { return (float)(x >> 8) * (1.0f / 16777216.0f); }

// Natural log of u in (0, 1]: u = mant 2^e, mant in [sqrt(1/2), sqrt 2), log mant = 2 atanh(z).
KGEN_HD double portable_log(double u) {
    int64_t bits = double_bits(u);
    int64_t e = ((bits >> 52) & 0x7ff) - 1023;
    double mant = bits_double((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    if (mant > 1.4142135623730951) { mant = exact_mul(mant, 0.5); e += 1; }
    double z = exact_div(exact_sub(mant, 1.0), exact_add(mant, 1.0));
    double z2 = exact_mul(z, z);
    // atanh(z)/z - 1 = z2/3 + z2^2/5 + ...; |z| <= 0.1716 so terms to z^16 leave < 1e-14.
    double p = 1.0 / 17.0;
    p = exact_add(1.0 / 15.0, exact_mul(z2, p));
    p = exact_add(1.0 / 13.0, exact_mul(z2, p));
    p = exact_add(1.0 / 11.0, exact_mul(z2, p));
    p = exact_add(1.0 / 9.0, exact_mul(z2, p));
    p = exact_add(1.0 / 7.0, exact_mul(z2, p));
    p = exact_add(1.0 / 5.0, exact_mul(z2, p));
    p = exact_add(1.0 / 3.0, exact_mul(z2, p));
    double log_mant = exact_mul(2.0, exact_add(z, exact_mul(z, exact_mul(z2, p))));
    return exact_add(exact_mul((double)e, 0.6931471805599453), log_mant);
}

// sin and cos of a in [0, pi/4] by Taylor series (error below 1e-16).
KGEN_HD void sincos_octant(double a, double& s, double& c) {
    double a2 = exact_mul(a, a);
    double ps = -1.0 / 1307674368000.0;           // -1/15!
    ps = exact_add(1.0 / 6227020800.0, exact_mul(a2, ps));  // 1/13!
    ps = exact_add(-1.0 / 39916800.0, exact_mul(a2, ps));   // -1/11!
    ps = exact_add(1.0 / 362880.0, exact_mul(a2, ps));      // 1/9!
    ps = exact_add(-1.0 / 5040.0, exact_mul(a2, ps));       // -1/7!
    ps = exact_add(1.0 / 120.0, exact_mul(a2, ps));         // 1/5!
    ps = exact_add(-1.0 / 6.0, exact_mul(a2, ps));          // -1/3!
    s = exact_add(a, exact_mul(exact_mul(a, a2), ps));
    double pc = 1.0 / 20922789888000.0;           // 1/16!
    pc = exact_add(-1.0 / 87178291200.0, exact_mul(a2, pc)); // -1/14!
    pc = exact_add(1.0 / 479001600.0, exact_mul(a2, pc));    // 1/12!
    pc = exact_add(-1.0 / 3628800.0, exact_mul(a2, pc));     // -1/10!
    pc = exact_add(1.0 / 40320.0, exact_mul(a2, pc));        // 1/8!
    pc = exact_add(-1.0 / 720.0, exact_mul(a2, pc));         // -1/6!
    pc = exact_add(1.0 / 24.0, exact_mul(a2, pc));           // 1/4!
    pc = exact_add(-0.5, exact_mul(a2, pc));                 // -1/2!
    c = exact_add(1.0, exact_mul(a2, pc));
}

// Two standard normals from two 32-bit words (Box-Muller).
KGEN_HD void normal_pair(uint32_t x0, uint32_t x1, float& z0, float& z1) {
    const double two_pow_minus_32 = 2.3283064365386963e-10;
    double u = exact_mul(exact_add((double)x0, 1.0), two_pow_minus_32);  // (0, 1]
    double radius = exact_sqrt(exact_mul(-2.0, portable_log(u)));
    // angle 2 pi f, f in [0, 1): quadrant q, then the rest r in [0, 1) of a quarter turn.
    double quarter_turns = exact_mul((double)x1, exact_mul(two_pow_minus_32, 4.0));
    int q = (int)quarter_turns;
    double r = exact_sub(quarter_turns, (double)q);
    const double half_pi = 1.5707963267948966;
    double s, c;
    if (r <= 0.5) {
        sincos_octant(exact_mul(r, half_pi), s, c);
    } else {
        sincos_octant(exact_mul(exact_sub(1.0, r), half_pi), c, s);
    }
    double cos_t, sin_t;
    switch (q) {
        case 0: cos_t = c; sin_t = s; break;
        case 1: cos_t = -s; sin_t = c; break;
        case 2: cos_t = -c; sin_t = -s; break;
        default: cos_t = s; sin_t = -c; break;
    }
    z0 = (float)exact_mul(radius, cos_t);
    z1 = (float)exact_mul(radius, sin_t);
}

// The four normals of Philox block `block`: lanes 0, 1 from words 0, 1 and lanes 2, 3 from 2, 3.
KGEN_HD void normal_block(uint64_t seed, uint64_t block, uint64_t stream, float z[4]) {
    PhiloxBlock b = philox4x32_10(seed, block, stream);
    normal_pair(b.v[0], b.v[1], z[0], z[1]);
    normal_pair(b.v[2], b.v[3], z[2], z[3]);
}

// Element k of stream `stream`: lane k % 4 of Philox block k / 4.
KGEN_HD float normal_element(uint64_t seed, uint64_t stream, uint64_t k) {
    PhiloxBlock b = philox4x32_10(seed, k >> 2, stream);
    float z0, z1;
    unsigned lane = (unsigned)(k & 3);
    normal_pair(b.v[lane & 2], b.v[(lane & 2) + 1], z0, z1);
    return (lane & 1) ? z1 : z0;
}

// Normals read in increasing element order: one Philox block serves four consecutive elements.
struct NormalCache {
    uint64_t block = ~0ull;
    float z[4];

    KGEN_HD float normal(uint64_t seed, uint64_t stream, uint64_t element) {
        if ((element >> 2) != block) {
            block = element >> 2;
            normal_block(seed, block, stream, z);
        }
        return z[element & 3];
    }
};

KGEN_HD float uniform_element(uint64_t seed, uint64_t stream, uint64_t k) {
    PhiloxBlock b = philox4x32_10(seed, k >> 2, stream);
    return uniform_from_bits(b.v[k & 3]);
}

}  // namespace kgen
