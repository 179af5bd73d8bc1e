// Vectors of KGEN_LANES floats (GCC vector extensions, lowered to the instruction set the
// including file is compiled for) and the few operations the tiles need. Included only by the
// per-ISA tile files, inside their own namespace: nothing here may be shared between them, or
// the linker could hand an AVX-512 copy of a function to a machine without AVX-512 (the same
// reason these files use no std templates).
#include <math.h>
#include <stdint.h>
#include <string.h>

constexpr int kLanes = KGEN_LANES;
typedef float vfloat __attribute__((vector_size(KGEN_LANES * 4)));
typedef int32_t vint __attribute__((vector_size(KGEN_LANES * 4)));

// Half a vector of floats and the same lanes widened to double (exact).
typedef float vhalf __attribute__((vector_size(KGEN_LANES * 2)));
typedef double vdouble __attribute__((vector_size(KGEN_LANES * 4)));
constexpr int kHalfLanes = KGEN_LANES / 2;

inline vdouble load_widened(const float* p) {
    vhalf v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, vdouble);
}

inline vfloat splat(float value) { return vfloat{} + value; }

inline vfloat load(const float* p) {
    vfloat v;
    memcpy(&v, p, sizeof v);
    return v;
}

inline void store(float* p, vfloat v) { memcpy(p, &v, sizeof v); }

inline vint lane_index() {
    vint v;
    for (int l = 0; l < kLanes; ++l) v[l] = l;
    return v;
}

inline vfloat vmax(vfloat a, vfloat b) { return a > b ? a : b; }

// Lanes added in a fixed order: part of what makes the bits independent of the thread count.
inline double sum_lanes(vfloat v) {
    double s = 0.0;
    for (int l = 0; l < kLanes; ++l) s += (double)v[l];
    return s;
}

inline float max_lanes(vfloat v) {
    float m = v[0];
    for (int l = 1; l < kLanes; ++l) m = v[l] > m ? v[l] : m;
    return m;
}

// exp(x) for x <= 0 (and -inf), relative error about 2 ulp, exactly 0 below -87. Cody-Waite
// reduction x = n ln 2 + r with |r| <= ln 2 / 2, a degree-7 polynomial (Cephes' expf
// coefficients) and 2^n built in the exponent bits. The clamp keeps 2^n a normal number; glibc's
// vector exp takes a slow scalar path on underflow, and at small bandwidths nearly every pair
// underflows.
inline vfloat exp_nonpositive(vfloat x) {
    const vfloat lowest = splat(-87.0f);
    const vint underflow = x < lowest;
    x = x < lowest ? lowest : x;
    const vfloat shifter = splat(12582912.0f);  // 1.5 2^23: adding it rounds to an integer
    const vfloat t = x * 1.44269504088896341f + shifter;
    const vfloat n = t - shifter;
    const vint exponent = (vint)t - (vint)shifter;
    vfloat r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    vfloat p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    const vfloat scale = (vfloat)((exponent + 127) << 23);
    const vfloat e = p * scale;
    return underflow ? splat(0.0f) : e;
}
