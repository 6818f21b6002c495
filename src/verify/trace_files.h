// Traces read from OTLP JSON files, for `tracemesh verify --file` (no
// collector needed): each file holds one ExportTraceServiceRequest in the
// OTLP JSON mapping, or one per line (JSON Lines, as the OpenTelemetry
// Collector's file exporter writes them). The traces are judged as the
// collector judges them: every trace is complete (settled), and broken hops
// are found among the roots of all the files' traces.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/trace.h"
#include "model/trace_integrity.h"
#include "tracemesh/expected.h"

namespace tracemesh::verify {

inline constexpr std::size_t max_trace_file_bytes = 512u * 1024 * 1024;
inline constexpr std::size_t max_file_spans = 5'000'000;  // over all files

// Read and judge the traces in `paths`, in order of their first span's start.
// An Error names the file (and line, for JSON Lines) of the first malformed
// request, and any span the decoder rejects: a check must not pass because
// some spans were silently dropped.
Expected<std::vector<model::Trace>> read_trace_files(const std::vector<std::string>& paths,
                                                     const model::IntegrityOptions& options);

}  // namespace tracemesh::verify
