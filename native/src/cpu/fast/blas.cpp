#include "blas.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "../../errors.h"

namespace kgen {
namespace {

std::atomic<SgemmFunction> loaded_sgemm{nullptr};
std::mutex load_lock;

}  // namespace

void blas_load(const char* path) {
    std::lock_guard<std::mutex> hold(load_lock);
    // RTLD_LOCAL: the symbols stay out of the global namespace (another BLAS in the process is
    // left alone). A library already loaded under this path (by the JVM) is shared, not reloaded.
    void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        const char* why = dlerror();
        throw unavailable(std::string("cannot open the BLAS library '") + path + "': " + (why ? why : "unknown error"));
    }
    auto sgemm = reinterpret_cast<SgemmFunction>(dlsym(library, "cblas_sgemm"));
    auto set_threads = reinterpret_cast<void (*)(int)>(dlsym(library, "openblas_set_num_threads"));
    if (sgemm == nullptr || set_threads == nullptr) {
        dlclose(library);
        throw unavailable(std::string("the library '") + path +
                          "' is not an OpenBLAS: it lacks cblas_sgemm or openblas_set_num_threads");
    }
    set_threads(1);
    // The handle stays open for the life of the process: contexts keep the function pointer.
    loaded_sgemm.store(sgemm);
}

SgemmFunction resolve_blas() {
    const char* text = std::getenv("KGEN_CPU_BLAS");
    if (text == nullptr || *text == '\0') return loaded_sgemm.load();
    if (std::strcmp(text, "off") == 0) return nullptr;
    if (std::strcmp(text, "on") != 0) {
        throw invalid_argument("KGEN_CPU_BLAS must be on or off, got '" + std::string(text) + "'");
    }
    SgemmFunction sgemm = loaded_sgemm.load();
    if (sgemm == nullptr) {
        throw unavailable("KGEN_CPU_BLAS=on but no BLAS library was loaded (kgen_cpu_blas_load)");
    }
    return sgemm;
}

}  // namespace kgen
