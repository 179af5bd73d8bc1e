// The instruction sets the fast path is compiled for, and the choice among them at run time.
#pragma once

#include "kgen.h"

namespace kgen {

// Whether this CPU can run the kernels compiled for `isa` (a concrete kgen_cpu_isa, not AUTO).
bool cpu_supports(int isa);

// The ISA a context uses: `requested` itself (Unavailable when this CPU lacks it), or for AUTO
// the KGEN_CPU_ISA environment variable when set, else the best one supported.
int resolve_cpu_isa(int requested);

const char* cpu_isa_name(int isa);

}  // namespace kgen
