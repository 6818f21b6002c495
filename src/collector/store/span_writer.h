// The store's writer: one transaction per batch of writes, each span inserted
// once (a redelivered span is counted as a duplicate), the trace summaries
// merged, resources and operations stored once. Writer thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collector/store/arriving_traces.h"
#include "collector/store/span_store.h"
#include "collector/store/sqlite.h"
#include "model/span_record.h"

namespace tracemesh::collector {

class SpanWriter {
 public:
  // Over `db`, whose schema is migrated; committed spans are noted in `arriving`.
  SpanWriter(Database& db, ArrivingTraces& arriving);

  // Store every span of `writes` in one transaction: one result per write
  // (stored and duplicate counts). On an error the transaction is rolled back
  // and the error thrown (SqliteError, or bad_alloc); nothing was stored.
  std::vector<WriteResult> store(const std::vector<const std::vector<model::SpanRecord>*>& writes,
                                 std::uint64_t received);

 private:
  bool insert_span(const model::SpanRecord& span, std::uint64_t received);
  std::int64_t resource_id(const std::shared_ptr<const std::string>& shared);
  std::int64_t stored_resource_id(const std::string& attributes);
  void note_operation(const model::SpanRecord& span);
  void forget_caches();

  Database& db_;
  ArrivingTraces& arriving_;
  Statement insert_;
  std::string link_refs_;  // the span's links' ids, as the link_refs column holds them
  Statement upsert_;
  Statement operation_;
  // Resource ids and operations already stored; cleared when a transaction
  // rolls back (they may name rows that were never committed).
  std::unordered_map<std::string, std::int64_t> resource_ids_;
  std::unordered_set<std::string> known_operations_;
  // Spans of one resource share its attributes string: the last one seen is
  // recognised by address (held, so the address cannot be reused meanwhile).
  std::shared_ptr<const std::string> last_resource_;
  std::int64_t last_resource_id_ = 0;
  std::string operation_key_;  // reused: no allocation per span
};

}  // namespace tracemesh::collector
