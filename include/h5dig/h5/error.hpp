// HDF5's error stack and call checks: the one way h5/ turns a failed C call
// into h5dig::Error.
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <string>
#include <string_view>

#include "h5dig/error.hpp"
#include "h5dig/h5/types.hpp"

namespace h5dig::h5 {

// Idempotent, process-wide set-up: turns HDF5's automatic error-stack printing
// off. Called by every opener below; call it yourself before using raw C calls.
void init();

// Turns HDF5's automatic error-stack printing off in the calling thread: a
// thread-safe HDF5 keeps that setting per thread, and init() set only the one it
// ran in. Never throws.
void quiet_errors_in_this_thread() noexcept;

// The current HDF5 error stack as one line ("outermost description: innermost
// description"), or "" if the stack is empty. Clears the stack.
std::string error_stack_message();

// Throw Error(io) "CALL failed: <stack>" when an id is negative / status < 0.
Id check_id(Id id, std::string_view call);
int check(int status, std::string_view call);  // herr_t
// For H5*exists-style calls returning htri_t: true/false, or throws.
bool check_tri(int value, std::string_view call);  // htri_t

}  // namespace h5dig::h5
