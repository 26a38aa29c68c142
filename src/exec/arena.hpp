// What exec's engines share about oneTBB's thread limit (private to exec/).
#pragma once

#include <cstddef>

namespace h5dig::exec {

// task_arena(n) only gets n threads if the process-wide TBB limit allows it; by
// default that limit is the core count, and TBB fixes it when the first arena
// of the process is made. exec's engines call this before making an arena, with
// the threads that must run at once (an arena's, plus the caller for a
// PushPipeline): above the core count it raises the limit, once, for the whole
// process, to at least 4 threads a core, so that later arenas get theirs too
// (tests ask for 7 threads on 2 cores; a write session's pool runs beside a
// reading pipeline in repack). Arenas still cap their own concurrency.
void allow_threads(std::size_t needed);

}  // namespace h5dig::exec
