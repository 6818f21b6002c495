// The store's writer of log records: one transaction per batch of writes,
// each tailed file's offset committed with the records read from it, so a
// restarted collector goes on where the committed records end. Writer
// thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "collector/store/span_store.h"
#include "collector/store/sqlite.h"
#include "model/log_record.h"

namespace tracemesh::collector {

class LogWriter {
 public:
  struct Write {
    const std::vector<model::LogRecord>* records;
    const std::optional<FileOffset>* offset;
  };

  // Over `db`, whose schema is migrated.
  explicit LogWriter(Database& db);

  // Store every record of `writes` in one transaction (a record without a
  // time gets `received`): one result per write. On an error the
  // transaction is rolled back and the error thrown; nothing was stored.
  std::vector<WriteResult> store(const std::vector<Write>& writes, std::uint64_t received);

 private:
  Database& db_;
  Statement insert_;
  Statement offset_;
};

}  // namespace tracemesh::collector
