// The store's SQLite schema and its migrations. The database records its
// schema version (PRAGMA user_version); opening applies every migration
// above it in one transaction, and refuses a database written by a newer
// tracemesh rather than guessing.
#pragma once

#include "collector/store/sqlite.h"

namespace tracemesh::collector {

inline constexpr int schema_version = 4;

// Bring `db` to `target` (schema_version; tests build older versions);
// throws SqliteError with a clear message.
void migrate(Database& db, int target = schema_version);

}  // namespace tracemesh::collector
