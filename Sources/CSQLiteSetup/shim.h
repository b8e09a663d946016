#include <sqlite3.h>

/// Before SQLite's first use in the process (later it changes nothing and returns SQLITE_MISUSE):
/// connections opened without a threading flag become multi-thread (SQLITE_OPEN_NOMUTEX), since
/// GRDB already hands each connection to one thread at a time, and SQLite stops counting the
/// memory it allocates, a count kept under a global mutex on every allocation. Both mutexes are
/// pure cost here. sqlite3_config is variadic, which Swift cannot call; hence this shim.
static inline int trace_sqlite3_configure_for_one_thread_per_connection(void) {
    int multiThread = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int noMemoryStatistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return multiThread != SQLITE_OK ? multiThread : noMemoryStatistics;
}
