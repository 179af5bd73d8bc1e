// Exceptions inside the native library; api.cpp turns each into its kgen_status and message.
#pragma once

#include <stdexcept>
#include <string>

#include "kgen.h"

namespace kgen {

class Error : public std::runtime_error {
public:
    Error(kgen_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    kgen_status status() const { return status_; }

private:
    kgen_status status_;
};

inline Error invalid_argument(const std::string& message) {
    return Error(KGEN_INVALID_ARGUMENT, message);
}
inline Error out_of_memory(const std::string& message) { return Error(KGEN_OUT_OF_MEMORY, message); }
inline Error unavailable(const std::string& message) { return Error(KGEN_UNAVAILABLE, message); }
inline Error device_error(const std::string& message) { return Error(KGEN_DEVICE_ERROR, message); }
inline Error context_lost(const std::string& message) { return Error(KGEN_CONTEXT_LOST, message); }

}  // namespace kgen
