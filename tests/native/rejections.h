// Table-driven bad-argument checks. A function's good call is a struct of its named arguments;
// each case breaks one of them and names the status and the words the message must contain.
#pragma once

#include <functional>
#include <vector>

#include "harness.h"

namespace kgen_test {

template <typename Call>
struct Rejection {
    const char* what;                    // the broken argument, as the failure report says it
    std::function<void(Call&)> breaks;   // turns the good call into the bad one
    const char* needle;                  // the argument's name (or the rule) in kgen_last_error()
    kgen_status status = KGEN_INVALID_ARGUMENT;
};

// Every case is rejected with its status and a message naming the argument, and the good call
// succeeds right after it: a rejection leaves nothing behind that breaks the next call.
template <typename Call>
void expect_rejections_at(const char* file, int line, const char* function, const Call& good,
                          const std::vector<Rejection<Call>>& cases) {
    const kgen_status first = good();
    expect_at(first == KGEN_OK, file, line,
              format("%s: the good call fails: %s", function, first == KGEN_OK ? "" : kgen_last_error()));
    for (const Rejection<Call>& c : cases) {
        Call broken = good;
        c.breaks(broken);
        rejected_at(broken(), c.status, c.needle, file, line, format("%s with %s", function, c.what));
        const kgen_status after = good();
        expect_at(after == KGEN_OK, file, line,
                  format("%s: the good call after one with %s fails: %s", function, c.what,
                         after == KGEN_OK ? "" : kgen_last_error()));
    }
}
// Failures name the place of the table.
#define EXPECT_REJECTIONS(function, Call, good, ...) \
    ::kgen_test::expect_rejections_at<Call>(__FILE__, __LINE__, (function), (good), __VA_ARGS__)

// Float arrays with a bad entry or two, for the scanned arguments (weights, bandwidths): the
// message must name the FIRST bad index.
inline std::vector<float> with_entries(std::vector<float> values, std::initializer_list<std::pair<int, float>> bad) {
    for (const auto& [index, value] : bad) values[index] = value;
    return values;
}

}  // namespace kgen_test
