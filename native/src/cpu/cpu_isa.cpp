#include "cpu_isa.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include "../errors.h"

namespace kgen {

bool cpu_supports(int isa) {
    switch (isa) {
        case KGEN_CPU_ISA_PORTABLE: return true;
        case KGEN_CPU_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case KGEN_CPU_ISA_AVX512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
        default: return false;
    }
}

const char* cpu_isa_name(int isa) {
    switch (isa) {
        case KGEN_CPU_ISA_PORTABLE: return "portable";
        case KGEN_CPU_ISA_AVX2: return "avx2";
        case KGEN_CPU_ISA_AVX512: return "avx512";
        default: return "auto";
    }
}

int resolve_cpu_isa(int requested) {
    if (requested == KGEN_CPU_ISA_AUTO) {
        const char* text = std::getenv("KGEN_CPU_ISA");
        if (text == nullptr || *text == '\0') {
            for (int isa : {KGEN_CPU_ISA_AVX512, KGEN_CPU_ISA_AVX2}) {
                if (cpu_supports(isa)) return isa;
            }
            return KGEN_CPU_ISA_PORTABLE;
        }
        requested = -1;
        for (int isa : {KGEN_CPU_ISA_PORTABLE, KGEN_CPU_ISA_AVX2, KGEN_CPU_ISA_AVX512}) {
            if (std::strcmp(text, cpu_isa_name(isa)) == 0) requested = isa;
        }
        if (requested < 0) {
            throw invalid_argument("KGEN_CPU_ISA must be portable, avx2 or avx512, got '" + std::string(text) + "'");
        }
    }
    if (!cpu_supports(requested)) {
        throw unavailable(std::string("this CPU cannot run the ") + cpu_isa_name(requested) + " kernels");
    }
    return requested;
}

}  // namespace kgen
